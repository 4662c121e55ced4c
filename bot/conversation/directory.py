"""The conversation layer's view of the database: which orders a person may name,
their riskiest orders, and the spec values and operation names the shop knows."""

from __future__ import annotations

from datetime import date

from bot.conversation.interpreter import OrderBrief
from bot.parsing.orders import match_orders
from bot.parsing.specs import Vocabulary
from core.model.parties import Person, Role
from core.model.work_order import WorkOrder
from core.ports import UnitOfWork, UnitOfWorkFactory

VOCAB_KEYS = ("color", "material", "finish", "packaging")


class SqlOrderDirectory:
    """Resolves written references among the orders the sender may see.

    A customer contact's candidates come only from their own customer's
    orders, so a near-miss never reveals another customer's reference.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, tz: str) -> None:
        self._uow_factory = uow_factory
        self._tz = tz

    async def resolve(self, written: str, person_id: str) -> list[str]:
        async with self._uow_factory() as uow:
            person = await _person(uow, person_id)
            if person is None:
                return []
            if person.role is Role.CUSTOMER:
                visible = [o.ref for o in await uow.orders.list(customers=list(person.customers))]
                own = visible
            else:
                visible = await uow.orders.all_refs()
                own = await uow.orders.open_refs(
                    None if person.sees_every_order else list(person.customers))
        return match_orders(written, visible, own)

    async def recent_orders(self, person_id: str, limit: int) -> list[OrderBrief]:
        async with self._uow_factory() as uow:
            person = await _person(uow, person_id)
            if person is None:
                return []
            orders = (await _own_open(uow, person))[: max(limit, 0) or None]
            number = await uow.plans.latest_number()
            etas = await uow.plans.etas_for(number, [o.ref for o in orders]) if number else {}
        briefs = []
        for o in orders:
            eta = etas.get(o.ref)
            briefs.append(OrderBrief(
                ref=o.ref, product=o.product_code, due_date=o.due_date,
                eta=eta.eta.date() if eta else None, status=o.status.value,
                risk=float(eta.lateness_minutes) if eta else _days_left_risk(o)))
        return briefs


async def _person(uow: UnitOfWork, person_id: str) -> Person | None:
    return await uow.parties.person(person_id)


async def _own_open(uow: UnitOfWork, person: Person) -> list[WorkOrder]:
    if person.sees_every_order:
        return await uow.orders.list(open_only=True)
    return await uow.orders.list(open_only=True, customers=list(person.customers))


def _days_left_risk(order: WorkOrder) -> float:
    """Unplanned orders rank by how soon they are due (sooner is riskier)."""
    return -float((order.due_date - date.today()).days) * 24 * 60


async def load_vocabulary(uow_factory: UnitOfWorkFactory) -> Vocabulary:
    """Spec values from product options and item attributes; operations from routings."""
    tables: dict[str, set[str]] = {k: set() for k in VOCAB_KEYS}
    operations: set[str] = set()
    products: dict[str, list[str]] = {}
    customers: dict[str, list[str]] = {}
    async with uow_factory() as uow:
        for product in (await uow.catalog.products()).values():
            products[product.name] = [product.code]
        for customer in (await uow.parties.customers()).values():
            customers[customer.name] = [customer.code]
        for product in (await uow.catalog.products()).values():
            for key, values in product.spec_options.items():
                if key in tables:
                    tables[key].update(values)
        for item in (await uow.catalog.items()).values():
            for key, value in (item.attributes or {}).items():
                if key in tables and value:
                    tables[key].add(value)
        for routing in (await uow.catalog.routings()).values():
            operations.update(step.name for step in routing.steps)
    return Vocabulary(colors=sorted(tables["color"]), materials=sorted(tables["material"]),
                      finishes=sorted(tables["finish"]), packaging=sorted(tables["packaging"]),
                      operations=sorted(operations), products=products, customers=customers)
