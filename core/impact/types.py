"""The impact of a change, as frozen plain data.

Everything here is a value: the bot renders it on the impact card, the change
request stores `to_dict()` in its audit trail, and a supervisor reads the same
numbers when approving. Times are kept both as minutes from the plan epoch (to
compare) and as datetimes (to show).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """Dataclasses, dates, enums and tuples as JSON-ready dicts, strings and lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value


# plan -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderSlip:
    """Another order that finishes later because of this change."""

    ref: str
    minutes: int
    old_eta: datetime
    new_eta: datetime


@dataclass(frozen=True, slots=True)
class PlanImpact:
    """This order's ETA before and after, against its (new) due date, and who else moves."""

    old_eta: datetime | None
    new_eta: datetime | None
    old_due: datetime
    new_due: datetime
    old_lateness: int | None  # minutes; negative = early
    new_lateness: int | None
    others_slipped: tuple[OrderSlip, ...]
    operations_moved: int
    operations_reordered: int

    @property
    def becomes_late(self) -> bool:
        """Late after the change, and later than it already was."""
        if self.new_lateness is None or self.new_lateness <= 0:
            return False
        return self.old_lateness is None or self.new_lateness > max(0, self.old_lateness)

    @property
    def worst_other_slip(self) -> int:
        return max((s.minutes for s in self.others_slipped), default=0)


# materials --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PurchaseAction:
    """What purchasing must do: expedite a PO, increase it, or place a new one."""

    kind: str  # "expedite" | "increase" | "new"
    item_code: str
    quantity: float
    arrives: date
    po_ref: str | None = None
    was_expected: date | None = None  # an expedited PO's current date


@dataclass(frozen=True, slots=True)
class MaterialLine:
    """One item's requirement before and after, and how the difference is covered."""

    item_code: str
    name: str
    unit: str
    old_need: float
    new_need: float
    to_draw: float  # what this change makes the order draw (more) from supply
    free_stock: float  # on hand less what other orders were promised
    free_incoming: float  # open purchase orders less what other orders were promised
    short: float  # not covered by free stock
    uncovered: float  # not covered by free incoming either
    covered_by: tuple[str, ...]
    available_on: date | None  # when the last needed piece arrives, None if in stock
    unit_cost: float
    new_item: bool = False  # no such item exists yet (a colour nobody stocks): it must be bought
    issued: bool = False  # the order already drew its material: less need frees nothing

    @property
    def delta(self) -> float:
        return self.new_need - self.old_need

    @property
    def cost_delta(self) -> float:
        """Yuan: a lower need only saves money while the material is still in the warehouse."""
        delta = max(0.0, self.delta) if self.issued else self.delta
        return delta * self.unit_cost


@dataclass(frozen=True, slots=True)
class MaterialImpact:
    lines: tuple[MaterialLine, ...]  # every item whose need changed
    actions: tuple[PurchaseAction, ...]
    need_by: date  # when the order's first remaining operation is planned to start
    ready_on: date | None  # when every short item is in, None if nothing is short

    @property
    def shortages(self) -> tuple[MaterialLine, ...]:
        return tuple(ln for ln in self.lines if ln.short > 1e-9)


# rework -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedoOperation:
    """Reported work that must be done again (or was done for nothing)."""

    seq: int
    name: str
    work_center: str
    quantity: int
    minutes: int
    cost: float


@dataclass(frozen=True, slots=True)
class ReworkImpact:
    cause: str  # "spec:color" | "quantity" | "cancel" | "routing" | ""
    trigger_operation: str | None
    operations: tuple[RedoOperation, ...]
    scrap_quantity: int
    scrap_material_cost: float

    @property
    def minutes(self) -> int:
        return sum(op.minutes for op in self.operations)

    @property
    def labour_cost(self) -> float:
        return sum(op.cost for op in self.operations)


# contract ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FrozenHit:
    kind: str  # the change kind that is frozen ("color", "spec", "*" ...)
    after_operation: str


@dataclass(frozen=True, slots=True)
class PolicyImpact:
    changes_used: int  # before this change
    changes_max: int
    limit_reached: bool
    frozen: tuple[FrozenHit, ...]
    fee: float
    approval_always: bool

    @property
    def forbidden(self) -> bool:
        return self.limit_reached or bool(self.frozen)


# cost and risk ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Yuan. Material delta may be negative (less to buy); the rest are extra spend."""

    material_delta: float
    rework: float  # labour to redo plus scrapped material
    rush_fee: float
    overtime: float
    overtime_minutes: int
    fee: float

    @property
    def expediting(self) -> float:
        return self.rush_fee + self.overtime

    @property
    def total(self) -> float:
        return self.material_delta + self.rework + self.expediting + self.fee


@dataclass(frozen=True, slots=True)
class RiskReason:
    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Risk:
    level: str  # "low" | "medium" | "high" | "blocked"
    reasons: tuple[RiskReason, ...]


@dataclass(frozen=True, slots=True)
class Impact:
    order_ref: str
    due_date: date  # after the change
    kinds: tuple[str, ...]  # change kinds: "quantity", "spec", "color", "due_date", ...
    plan: PlanImpact | None  # None when no what-if was run
    materials: MaterialImpact
    rework: ReworkImpact
    policy: PolicyImpact
    cost: CostEstimate
    risk: Risk

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the derived figures a reader would otherwise recompute."""
        out: dict[str, Any] = jsonable(self)
        out["cost"]["total"] = round(self.cost.total, 2)
        out["cost"]["expediting"] = round(self.cost.expediting, 2)
        out["rework"]["minutes"] = self.rework.minutes
        if self.plan is not None:
            out["plan"]["becomes_late"] = self.plan.becomes_late
            out["plan"]["worst_other_slip"] = self.plan.worst_other_slip
        out["materials"]["shortages"] = [ln.item_code for ln in self.materials.shortages]
        return out
