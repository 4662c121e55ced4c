"""The import use case: check a whole file against the store, then write it or nothing.

The caller reads the file into rows per kind (bot/cli/importfile.py); here they
are validated against what the unit of work holds, in the same transaction
that writes them, so the checks and the writes see the same data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from core.errors import WriteConflict
from core.importing.plan import Existing, ImportPlan
from core.importing.sheets import Kind, RowError, SourceRow
from core.importing.validate import validate
from core.model.work_order import OrderStatus
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory


@dataclass(slots=True)
class ImportReport:
    """What an import did: every bad row, or how many of each kind it wrote."""

    source: str
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return f"{self.source}: {len(self.errors)} bad row(s); nothing was imported"
        done = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n)
        return f"{self.source}: imported {done or 'nothing (no data rows)'}"


async def import_rows(source: str, sheets: Mapping[Kind, Sequence[SourceRow]],
                      uow_factory: UnitOfWorkFactory, clock: Clock) -> ImportReport:
    """Validate every row against the store and write them all in one transaction.

    Nothing is written when any row is bad; the report lists every bad row. A
    concurrent writer that takes a key first makes the whole import fail the same way.
    `source` names the file in the report.
    """
    try:
        async with uow_factory() as uow:
            plan = validate(sheets, await load_existing(uow))
            if not plan.ok:
                return ImportReport(source, plan.errors)
            await write_plan(uow, plan, clock)
            await uow.commit()
    except WriteConflict as exc:
        reason = f"the database changed during the import ({exc}); nothing was imported"
        return ImportReport(source, [RowError(PurePath(source).name, 1, reason)])
    return ImportReport(source, [], plan.counts())


async def load_existing(uow: UnitOfWork) -> Existing:
    """The keys and versions validation checks against, read in the import's transaction."""
    customers = await uow.parties.customers()
    products = await uow.catalog.products()
    boms = await uow.catalog.boms()
    routings = await uow.catalog.routings()
    bom_versions: dict[str, int] = {}
    routing_versions: dict[str, int] = {}
    for code, version in boms:
        bom_versions[code] = max(version, bom_versions.get(code, 0))
    for code, version in routings:
        routing_versions[code] = max(version, routing_versions.get(code, 0))
    current = {code: routings[(code, p.current_routing)] for code, p in products.items()
               if (code, p.current_routing) in routings}
    return Existing(
        customers=customers, people={p.id: p for p in await uow.parties.people()},
        products=products, bom_versions=bom_versions, routings=current,
        routing_versions=routing_versions, items=await uow.catalog.items(),
        work_centers=frozenset(await uow.catalog.work_centers()),
        order_refs=frozenset(await uow.orders.all_refs()),
        po_refs=frozenset(po.ref for po in await uow.catalog.purchase_orders(open_only=False)),
    )


async def write_plan(uow: UnitOfWork, plan: ImportPlan, clock: Clock) -> None:
    """Write in dependency order; lock the BOM and routing versions released orders use."""
    for wc in plan.work_centers:
        await uow.catalog.add_work_center(wc)
    for customer in plan.new_customers:
        await uow.parties.add_customer(customer)
    for customer in plan.updated_customers:
        await uow.parties.save_customer(customer)
    for person in plan.released_people:  # first, so platform ids may move between people
        await uow.parties.save_person(person)
    for person in plan.updated_people:
        await uow.parties.save_person(person)
    for person in plan.new_people:
        await uow.parties.add_person(person)
    for item in plan.new_items:
        await uow.catalog.add_item(item)
    for item in plan.updated_items:
        await uow.catalog.save_item(item)
    for po in plan.purchase_orders:
        await uow.catalog.add_purchase_order(po)
    for product in plan.new_products:
        await uow.catalog.add_product(product)
    for bom in plan.boms:
        await uow.catalog.add_bom(bom)
    for routing in plan.routings:
        await uow.catalog.add_routing(routing)
    for product in plan.updated_products:
        await uow.catalog.save_product(product)
    now = clock.now()
    for order in plan.orders:
        order.created_at = now
        await uow.orders.add(order)
    released = [o for o in plan.orders if o.status is OrderStatus.RELEASED]
    for key in sorted({(o.product_code, o.bom_version) for o in released}):
        await uow.catalog.lock_bom(*key)
    for key in sorted({(o.product_code, o.routing_version) for o in released}):
        await uow.catalog.lock_routing(*key)
