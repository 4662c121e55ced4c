"""Work orders: the aggregate that sales change and the shop builds.

The order records what happened as events; it never sends anything itself.
`version` is the optimistic lock: storage refuses to write an order whose
version moved since it was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from core.errors import InvalidTransition, ValidationError
from core.events import Event, OrderChanged, OrderStatusChanged, ProgressReported

SPEC_KEYS = ("color", "material", "size", "finish", "packaging", "other")


class OrderStatus(StrEnum):
    DRAFT = "draft"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    #: Created from chat with requirements the catalogue does not know; held out of
    #: the plan until a planner, supervisor or admin confirms or amends them.
    AWAITING_TECH = "awaiting_tech"

    @property
    def is_open(self) -> bool:
        return self in (OrderStatus.DRAFT, OrderStatus.RELEASED, OrderStatus.IN_PROGRESS,
                        OrderStatus.AWAITING_TECH)

    @property
    def in_plan(self) -> bool:
        """Whether the planner schedules (and supply allocates for) orders in this state."""
        return self.is_open and self is not OrderStatus.AWAITING_TECH


_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.RELEASED, OrderStatus.CANCELLED}),
    OrderStatus.RELEASED: frozenset(
        {OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED, OrderStatus.DONE}
    ),
    OrderStatus.IN_PROGRESS: frozenset({OrderStatus.DONE, OrderStatus.CANCELLED}),
    OrderStatus.DONE: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.AWAITING_TECH: frozenset({OrderStatus.RELEASED, OrderStatus.CANCELLED}),
}


class Priority(StrEnum):
    NORMAL = "normal"
    RUSH = "rush"


@dataclass(slots=True)
class OperationProgress:
    """Progress of one routing step on one order, as reported by the shop (报工)."""

    seq: int
    name: str
    work_center: str
    qty_done: int = 0
    qty_scrap: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    machine: str | None = None

    @property
    def started(self) -> bool:
        return self.started_at is not None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


@dataclass(slots=True)
class WorkOrder:
    ref: str
    customer_code: str
    product_code: str
    quantity: int
    due_date: date
    priority: Priority = Priority.NORMAL
    specs: dict[str, str] = field(default_factory=dict)
    note: str = ""
    status: OrderStatus = OrderStatus.DRAFT
    bom_version: int = 1
    routing_version: int = 1
    change_count: int = 0
    version: int = 1
    created_at: datetime | None = None
    operations: list[OperationProgress] = field(default_factory=list)
    events: list[Event] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValidationError(f"{self.ref}: quantity must be positive, got {self.quantity}")
        unknown = set(self.specs) - set(SPEC_KEYS)
        if unknown:
            raise ValidationError(f"{self.ref}: unknown spec keys {sorted(unknown)}")

    # lifecycle -----------------------------------------------------------
    def transition(self, to: OrderStatus, by: str = "system") -> None:
        if to not in _TRANSITIONS[self.status]:
            raise InvalidTransition(self.ref, self.status.value, f"move to {to.value}")
        old = self.status
        self.status = to
        self.events.append(OrderStatusChanged(self.ref, old.value, to.value, by))

    def release(self, by: str = "system") -> None:
        self.transition(OrderStatus.RELEASED, by)

    def cancel(self, by: str) -> None:
        self.transition(OrderStatus.CANCELLED, by)
        self.change_count += 1

    # changes -------------------------------------------------------------
    def ensure_changeable(self, action: str) -> None:
        if not self.status.is_open:
            raise InvalidTransition(self.ref, self.status.value, action, "order is closed")

    def started_operations(self) -> set[str]:
        return {op.name for op in self.operations if op.started}

    def change_quantity(self, quantity: int, by: str) -> None:
        self.ensure_changeable("change quantity")
        if quantity <= 0:
            raise ValidationError(f"{self.ref}: quantity must be positive, got {quantity}")
        done = max((op.qty_done for op in self.operations), default=0)
        if quantity < done:
            raise ValidationError(
                f"{self.ref}: {done} already made, cannot reduce the quantity to {quantity}"
            )
        self._record("quantity", self.quantity, quantity, by)
        self.quantity = quantity

    def change_due_date(self, due: date, by: str) -> None:
        self.ensure_changeable("change due date")
        self._record("due_date", self.due_date.isoformat(), due.isoformat(), by)
        self.due_date = due

    def change_spec(self, key: str, value: str, by: str) -> None:
        self.ensure_changeable("change spec")
        if key not in SPEC_KEYS:
            raise ValidationError(f"{self.ref}: unknown spec key {key}")
        self._record(f"spec.{key}", self.specs.get(key), value, by)
        self.specs[key] = value

    def change_priority(self, priority: Priority, by: str) -> None:
        self.ensure_changeable("change priority")
        self._record("priority", self.priority.value, priority.value, by)
        self.priority = priority

    def change_routing(
        self, routing_version: int, operations: list[OperationProgress], by: str
    ) -> None:
        self.ensure_changeable("change routing")
        self._record("routing_version", self.routing_version, routing_version, by)
        self.routing_version = routing_version
        self.operations = operations

    def _record(self, field_name: str, old: object, new: object, by: str) -> None:
        self.events.append(OrderChanged(self.ref, field_name, old, new, by))

    def count_change(self) -> None:
        """One applied change request, whatever it touched, counts once against the contract."""
        self.change_count += 1

    # progress ------------------------------------------------------------
    def operation(self, name: str) -> OperationProgress | None:
        return next((op for op in self.operations if op.name == name), None)

    def report_progress(
        self, op_name: str, qty: int, scrap: int, at: datetime, by: str
    ) -> OperationProgress:
        """Record 报工: quantities are added.

        The operation finishes when the order's quantity is done.
        """
        if self.status not in (OrderStatus.RELEASED, OrderStatus.IN_PROGRESS):
            raise InvalidTransition(self.ref, self.status.value, "report progress")
        op = self.operation(op_name)
        if op is None:
            raise ValidationError(f"{self.ref}: no operation named {op_name}")
        if qty < 0 or scrap < 0:
            raise ValidationError(f"{self.ref}: quantities must not be negative")
        if op.qty_done + qty > self.quantity:
            raise ValidationError(
                f"{self.ref}: {op_name} would reach {op.qty_done + qty} of {self.quantity}"
            )
        if op.started_at is None:
            op.started_at = at
        op.qty_done += qty
        op.qty_scrap += scrap
        if op.qty_done >= self.quantity:
            op.finished_at = at
        if self.status is OrderStatus.RELEASED:
            self.transition(OrderStatus.IN_PROGRESS, by)
        if all(o.finished for o in self.operations):
            self.transition(OrderStatus.DONE, by)
        self.events.append(ProgressReported(self.ref, op_name, qty, scrap, by))
        return op

    def next_operation(self) -> OperationProgress | None:
        return next((op for op in self.operations if not op.finished), None)
