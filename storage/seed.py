"""Seed the demo factory into an empty database, once.

`gongdan demo` calls this on every start; a database that already holds work
orders is reused as it is, so what users changed in the demo survives a
restart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from core.model.work_order import OrderStatus
from storage.demo_factory import DemoFactory, build_demo_factory
from storage.uow import SqlUnitOfWork

SEEDED_KEY = "demo.seeded"

# statuses whose BOM and routing versions are in use and so may no longer change
_RELEASED = (OrderStatus.RELEASED, OrderStatus.IN_PROGRESS, OrderStatus.DONE, OrderStatus.SHIPPED)


async def seed_demo(uow_factory: Callable[[], SqlUnitOfWork], today: date, now: datetime) -> bool:
    """Write the demo factory in one transaction; False when the database already has orders.

    Two processes racing on a fresh database both see it empty; the loser's
    inserts hit the primary keys, and it reports reuse rather than failing.
    """
    async with uow_factory() as uow:
        if await uow.orders.count() > 0:
            return False
        demo = build_demo_factory(today)
        try:
            await _write(uow, demo)
            await uow.state.put(SEEDED_KEY, {"at": now.isoformat(), "today": today.isoformat(),
                                             "orders": len(demo.orders)}, now)
            await uow.commit()
        except IntegrityError:
            return False
    return True


async def _write(uow: SqlUnitOfWork, demo: DemoFactory) -> None:
    """Insert in dependency order: what a row refers to goes in first."""
    for wc in demo.work_centers:
        await uow.catalog.add_work_center(wc)
    for item in demo.items:
        await uow.catalog.add_item(item)
    for po in demo.purchase_orders:
        await uow.catalog.add_purchase_order(po)
    for product in demo.products:
        await uow.catalog.add_product(product)
    for bom in demo.boms:
        await uow.catalog.add_bom(bom)
    for routing in demo.routings:
        await uow.catalog.add_routing(routing)
    for customer in demo.customers:
        await uow.parties.add_customer(customer)
    for person in demo.people:
        await uow.parties.add_person(person)
    for order in demo.orders:
        await uow.orders.add(order)
    await _lock_used_versions(uow, demo)


async def _lock_used_versions(uow: SqlUnitOfWork, demo: DemoFactory) -> None:
    """Freeze every BOM and routing version a released order was built with."""
    used_boms = {(o.product_code, o.bom_version) for o in demo.orders if o.status in _RELEASED}
    used_routings = {(o.product_code, o.routing_version) for o in demo.orders
                     if o.status in _RELEASED}
    for product_code, version in sorted(used_boms):
        await uow.catalog.lock_bom(product_code, version)
    for product_code, version in sorted(used_routings):
        await uow.catalog.lock_routing(product_code, version)
