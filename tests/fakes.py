"""In-memory implementations of the ports in `core.ports`, for fast use-case tests.

A `FakeUnitOfWork` works on a copy of the shared `FakeStore` and writes it back
on commit, so leaving without commit keeps nothing, as a database transaction
would. Keys that storage keeps unique (order refs, item codes, people's platform
ids ...) raise `WriteConflict` here too.
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from core.errors import VersionConflict, WriteConflict
from core.model.capacity import WorkCenter
from core.model.change_request import AuditEntry, ChangeRequest
from core.model.materials import Item, PurchaseOrder
from core.model.parties import Customer, Person, Role
from core.model.plan import OrderEta, PlannedOperation, PlanVersion
from core.model.products import Bom, Product, Routing
from core.model.work_order import WorkOrder
from core.outbox import OutboxMessage, OutboxStatus


class FixedClock:
    """A clock that says what it is told; `advance` moves it."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 11, 23, 1, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass(slots=True)
class FakeStore:
    """Everything the fake database holds (the committed state)."""

    orders: dict[str, WorkOrder] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    purchase_orders: dict[str, PurchaseOrder] = field(default_factory=dict)
    work_centers: dict[str, WorkCenter] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    boms: dict[tuple[str, int], Bom] = field(default_factory=dict)
    routings: dict[tuple[str, int], Routing] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    change_requests: dict[str, ChangeRequest] = field(default_factory=dict)
    plans: dict[int, PlanVersion] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    inbox: dict[tuple[str, str], datetime] = field(default_factory=dict)
    effects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)


def _insert(table: dict[Any, Any], key: Any, value: Any, what: str) -> None:
    if key in table:
        raise WriteConflict(f"{what} {key!r} already exists")
    table[key] = copy.deepcopy(value)


def _update(table: dict[Any, Any], key: Any, value: Any) -> None:
    if key in table:  # an UPDATE of a missing row changes nothing
        table[key] = copy.deepcopy(value)


class FakeWorkOrderRepository:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def get(self, ref: str) -> WorkOrder | None:
        return copy.deepcopy(self._s.orders.get(ref))

    async def all_refs(self) -> builtins.list[str]:
        return sorted(self._s.orders)

    async def open_refs(self, customers: Sequence[str] | None = None) -> builtins.list[str]:
        return [o.ref for o in await self.list(open_only=True, customers=customers)]

    async def list(self, *, open_only: bool = False, customers: Sequence[str] | None = None,
                   limit: int | None = None) -> builtins.list[WorkOrder]:
        found = sorted(self._s.orders.values(), key=lambda o: (o.due_date, o.ref))
        found = [o for o in found if (not open_only or o.status.is_open)
                 and (customers is None or o.customer_code in customers)]
        return copy.deepcopy(found[:limit] if limit is not None else found)

    async def count(self) -> int:
        return len(self._s.orders)

    async def add(self, order: WorkOrder) -> None:
        _insert(self._s.orders, order.ref, order, "order")

    async def save(self, order: WorkOrder) -> None:
        stored = self._s.orders.get(order.ref)
        if stored is None or stored.version != order.version:
            raise VersionConflict(order.ref, order.version,
                                  stored.version if stored is not None else None)
        order.version += 1
        self._s.orders[order.ref] = copy.deepcopy(order)


class FakeCatalogRepository:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def items(self) -> dict[str, Item]:
        return copy.deepcopy(dict(sorted(self._s.items.items())))

    async def add_item(self, item: Item) -> None:
        _insert(self._s.items, item.code, item, "item")

    async def save_item(self, item: Item) -> None:
        _update(self._s.items, item.code, item)

    async def purchase_orders(self, open_only: bool = True) -> list[PurchaseOrder]:
        found = sorted(self._s.purchase_orders.values(), key=lambda p: (p.expected, p.ref))
        return copy.deepcopy([p for p in found if not (open_only and p.received)])

    async def add_purchase_order(self, po: PurchaseOrder) -> None:
        if po.item_code not in self._s.items:
            raise WriteConflict(f"purchase order {po.ref}: no item {po.item_code!r}")
        _insert(self._s.purchase_orders, po.ref, po, "purchase order")

    async def work_centers(self) -> dict[str, WorkCenter]:
        return copy.deepcopy(dict(sorted(self._s.work_centers.items())))

    async def add_work_center(self, wc: WorkCenter) -> None:
        _insert(self._s.work_centers, wc.code, wc, "work center")

    async def products(self) -> dict[str, Product]:
        return copy.deepcopy(dict(sorted(self._s.products.items())))

    async def add_product(self, product: Product) -> None:
        _insert(self._s.products, product.code, product, "product")

    async def save_product(self, product: Product) -> None:
        _update(self._s.products, product.code, product)

    async def boms(self) -> dict[tuple[str, int], Bom]:
        return copy.deepcopy(self._s.boms)

    async def add_bom(self, bom: Bom) -> None:
        _insert(self._s.boms, (bom.product_code, bom.version), bom, "BOM")

    async def lock_bom(self, product_code: str, version: int) -> None:
        if (bom := self._s.boms.get((product_code, version))) is not None:
            bom.locked = True

    async def routings(self) -> dict[tuple[str, int], Routing]:
        return copy.deepcopy(self._s.routings)

    async def add_routing(self, routing: Routing) -> None:
        _insert(self._s.routings, (routing.product_code, routing.version), routing, "routing")

    async def lock_routing(self, product_code: str, version: int) -> None:
        if (routing := self._s.routings.get((product_code, version))) is not None:
            routing.locked = True


# the columns storage keeps unique, by the channel name person_by_platform takes
_PLATFORM_IDS = {"wecom": "wecom_userid", "dingtalk": "dingtalk_staff_id",
                 "wecom_kf": "wecom_external_userid"}


class FakePartyRepository:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def customers(self) -> dict[str, Customer]:
        return copy.deepcopy(dict(sorted(self._s.customers.items())))

    async def customer(self, code: str) -> Customer | None:
        return copy.deepcopy(self._s.customers.get(code))

    async def add_customer(self, customer: Customer) -> None:
        _insert(self._s.customers, customer.code, customer, "customer")

    async def save_customer(self, customer: Customer) -> None:
        _update(self._s.customers, customer.code, customer)

    async def people(self) -> list[Person]:
        found = sorted(self._s.people.values(), key=lambda p: (p.role.value, p.id))
        return copy.deepcopy(found)

    async def person(self, person_id: str) -> Person | None:
        return copy.deepcopy(self._s.people.get(person_id))

    async def add_person(self, person: Person) -> None:
        self._check_platform_ids(person)
        _insert(self._s.people, person.id, person, "person")

    async def save_person(self, person: Person) -> None:
        if person.id in self._s.people:
            self._check_platform_ids(person)
        _update(self._s.people, person.id, person)

    async def person_by_platform(self, channel: str, platform_id: str) -> Person | None:
        attribute = _PLATFORM_IDS.get(channel, "id")
        for person in self._s.people.values():
            if person.active and getattr(person, attribute) == platform_id:
                return copy.deepcopy(person)
        return None

    async def by_role(self, *roles: Role) -> list[Person]:
        return [p for p in await self.people() if p.role in roles and p.active]

    def _check_platform_ids(self, person: Person) -> None:
        for attribute in _PLATFORM_IDS.values():
            value = getattr(person, attribute)
            taken = [p.id for p in self._s.people.values()
                     if p.id != person.id and value and getattr(p, attribute) == value]
            if taken:
                raise WriteConflict(f"{attribute} {value!r} is {taken[0]}'s")


class FakeChangeRequestRepository:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def add(self, cr: ChangeRequest) -> ChangeRequest:
        cr.id = len(self._s.change_requests) + 1
        cr.ref = f"CR-{cr.id}"
        self._s.change_requests[cr.ref] = copy.deepcopy(cr)
        return cr

    async def save(self, cr: ChangeRequest, new_audit: list[AuditEntry]) -> None:
        _update(self._s.change_requests, cr.ref, cr)

    async def get(self, ref: str) -> ChangeRequest | None:
        return copy.deepcopy(self._s.change_requests.get(ref))

    async def open_for(self, person_id: str) -> list[ChangeRequest]:
        found = [c for c in self._s.change_requests.values()
                 if c.requested_by == person_id and c.status.is_open]
        return copy.deepcopy(sorted(found, key=lambda c: -(c.id or 0)))

    async def open_all(self) -> list[ChangeRequest]:
        return copy.deepcopy([c for c in self._s.change_requests.values() if c.status.is_open])

    async def for_order(self, order_ref: str) -> list[ChangeRequest]:
        return copy.deepcopy([c for c in self._s.change_requests.values()
                              if c.order_ref == order_ref])

    async def applied_between(self, start: datetime, end: datetime) -> list[ChangeRequest]:
        return copy.deepcopy([c for c in self._s.change_requests.values()
                              if c.status.value == "applied" and c.decided_at is not None
                              and start <= c.decided_at < end])


class FakePlanRepository:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def lock_for_commit(self) -> None:
        """One process, one event loop: the planner's own lock is the whole story."""

    async def next_number(self) -> int:
        return max(self._s.plans, default=0) + 1

    async def add(self, plan: PlanVersion) -> None:
        plan.number = await self.next_number()
        self._s.plans[plan.number] = copy.deepcopy(plan)

    async def latest(self) -> PlanVersion | None:
        number = await self.latest_number()
        return await self.get(number) if number is not None else None

    async def get(self, number: int) -> PlanVersion | None:
        return copy.deepcopy(self._s.plans.get(number))

    async def history(self, limit: int = 20) -> list[dict[str, Any]]:
        plans = sorted(self._s.plans.values(), key=lambda p: -p.number)[:limit]
        return [{k: getattr(p, k) for k in ("number", "created_at", "status", "method",
                                            "objective", "kpis", "reason", "diff")}
                for p in plans]

    async def latest_number(self) -> int | None:
        return max(self._s.plans, default=None)

    async def order_view(self, number: int,
                         ref: str) -> tuple[list[PlannedOperation], OrderEta | None]:
        plan = self._s.plans.get(number)
        if plan is None:
            return [], None
        return [op for op in plan.operations if op.order_ref == ref], plan.etas.get(ref)

    async def etas_for(self, number: int, refs: list[str]) -> dict[str, OrderEta]:
        plan = self._s.plans.get(number)
        return {r: plan.etas[r] for r in refs if plan and r in plan.etas}


class FakeOutbox:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        keys = {m.dedupe_key for m in self._s.outbox}
        for message in messages:
            if message.dedupe_key not in keys:
                message.id = len(self._s.outbox) + 1
                keys.add(message.dedupe_key)
                self._s.outbox.append(copy.deepcopy(message))

    async def claim_due(self, now: datetime, limit: int,
                        lease_seconds: float) -> list[OutboxMessage]:
        due = [m for m in self._s.outbox if m.status is OutboxStatus.PENDING
               and (m.next_attempt_at is None or m.next_attempt_at <= now)
               and (m.locked_until is None or m.locked_until <= now)][:limit]
        for message in due:
            message.locked_until = now + timedelta(seconds=lease_seconds)
        return copy.deepcopy(due)

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        self._set(message_id, status=OutboxStatus.SENT, sent_at=at, locked_until=None)

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        message = self._get(message_id)
        self._set(message_id, attempts=message.attempts + 1, next_attempt_at=next_attempt_at,
                  last_error=error, locked_until=None)

    async def mark_dead(self, message_id: int, error: str) -> None:
        self._set(message_id, status=OutboxStatus.DEAD, last_error=error, locked_until=None)

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]:
        dead = [m for m in self._s.outbox if m.status is OutboxStatus.DEAD]
        return copy.deepcopy(dead[:limit])

    def _get(self, message_id: int) -> OutboxMessage:
        return next(m for m in self._s.outbox if m.id == message_id)

    def _set(self, message_id: int, **changes: Any) -> None:
        message = self._get(message_id)
        for key, value in changes.items():
            setattr(message, key, value)


class FakeInbox:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        if (channel, key) in self._s.inbox:
            return False
        self._s.inbox[(channel, key)] = at
        return True

    async def effect(self, channel: str, key: str, kind: str) -> dict[str, Any] | None:
        found = self._s.effects.get((channel, key, kind))
        return copy.deepcopy(found) if found is not None else None

    async def record_effect(self, channel: str, key: str, kind: str, data: dict[str, Any],
                            at: datetime) -> None:
        if (channel, key, kind) in self._s.effects:
            raise WriteConflict(f"effect {kind} of {channel}:{key} recorded twice")
        self._s.effects[(channel, key, kind)] = copy.deepcopy(data)


class FakeStateStore:
    def __init__(self, store: FakeStore) -> None:
        self._s = store

    async def get(self, key: str) -> Any | None:
        return copy.deepcopy(self._s.state.get(key))

    async def put(self, key: str, value: Any, at: datetime) -> None:
        self._s.state[key] = copy.deepcopy(value)

    async def delete(self, key: str) -> None:
        self._s.state.pop(key, None)


class FakeUnitOfWork:
    """One transaction over a `FakeStore`: writes land in a copy until `commit`."""

    def __init__(self, store: FakeStore) -> None:
        self._committed = store
        self._work = copy.deepcopy(store)
        self.commits = 0
        self.orders = FakeWorkOrderRepository(self._work)
        self.catalog = FakeCatalogRepository(self._work)
        self.parties = FakePartyRepository(self._work)
        self.change_requests = FakeChangeRequestRepository(self._work)
        self.plans = FakePlanRepository(self._work)
        self.outbox = FakeOutbox(self._work)
        self.inbox = FakeInbox(self._work)
        self.state = FakeStateStore(self._work)

    async def __aenter__(self) -> FakeUnitOfWork:
        await self.rollback()  # start from what is committed now
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.rollback()

    async def commit(self) -> None:
        _copy_into(self._committed, self._work)
        self.commits += 1

    async def rollback(self) -> None:
        _copy_into(self._work, self._committed)


def _copy_into(target: FakeStore, source: FakeStore) -> None:
    """Replace every table of `target` in place, so repositories keep their reference."""
    for f in dataclasses.fields(FakeStore):
        setattr(target, f.name, copy.deepcopy(getattr(source, f.name)))


class FakeUnitOfWorkFactory:
    """Makes units of work over one shared store; `store` is what has been committed."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()
        self.made: list[FakeUnitOfWork] = []

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.store)
        self.made.append(uow)
        return uow

    @property
    def commits(self) -> int:
        return sum(u.commits for u in self.made)
