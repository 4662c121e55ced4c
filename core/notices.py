"""Notices: what the core tells people other than the sender, as data.

A use case decides who hears what inside its transaction; a `NoticeRenderer`
(core/ports.py, implemented by the bot) turns each notice into a reply in the
recipient's language, and the rows go to the outbox in that same transaction.
So the core knows the facts and the dedupe topics, never the wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.impact.types import Impact, PurchaseAction

if TYPE_CHECKING:  # core.ordering imports this module
    from core.ordering.model import Requirement
    from core.ordering.results import OrderCard


@dataclass(frozen=True, slots=True)
class BeforeAfter:
    """One understood change item: `before` -> `after` on the order (None = nothing).

    field is quantity | due_date | spec | priority | add_operation |
    remove_operation | cancel; `key` names the spec, `unit` the quantity's unit.
    """

    field: str
    before: int | str | date | None
    after: int | str | date | None
    key: str | None = None
    unit: str | None = None
    factor: float | None = None  # the multiple asked for ("翻倍" = 2), when stated as one

    def to_dict(self) -> dict[str, Any]:
        """JSON form, kept with the stored impact so an approval card restates the same."""
        def plain(v: int | str | date | None) -> int | str | None:
            return v.isoformat() if isinstance(v, date) else v
        out: dict[str, Any] = {"field": self.field, "before": plain(self.before),
                               "after": plain(self.after), "key": self.key, "unit": self.unit}
        if self.factor is not None:
            out["factor"] = self.factor
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BeforeAfter:
        def value(v: Any) -> int | str | date | None:
            if data.get("field") == "due_date" and isinstance(v, str):
                return date.fromisoformat(v)
            return v  # type: ignore[no-any-return]
        factor = data.get("factor")
        return cls(str(data.get("field", "")), value(data.get("before")), value(data.get("after")),
                   data.get("key"), data.get("unit"),
                   float(factor) if factor is not None else None)


Understood = tuple[BeforeAfter, ...]


@dataclass(frozen=True, slots=True)
class CustomerAsks:
    """A customer asked for a change; their salesperson gets the card to confirm."""

    cr_ref: str
    order_ref: str
    impact: Impact
    understood: Understood


@dataclass(frozen=True, slots=True)
class ApprovalAsked:
    """A confirmed change needs a supervisor; built from the stored impact the requester saw."""

    cr_ref: str
    order_ref: str
    requested_by: str  # the confirming person's name
    risk: str
    impact: Mapping[str, Any]
    understood: Understood = ()


@dataclass(frozen=True, slots=True)
class ChangeDenied:
    cr_ref: str
    order_ref: str
    denied_by: str  # the supervisor's name


@dataclass(frozen=True, slots=True)
class ChangeDone:
    """An applied change, told to `audience`: requester | warehouse | shop."""

    cr_ref: str
    order_ref: str
    audience: str
    understood: Understood


@dataclass(frozen=True, slots=True)
class MaterialsChanged:
    """Purchasing: what to buy, increase or expedite because of the change."""

    cr_ref: str
    order_ref: str
    actions: tuple[PurchaseAction, ...]


@dataclass(frozen=True, slots=True)
class SpecsChanged:
    """QC: the order's new specs, to inspect against."""

    cr_ref: str
    order_ref: str
    specs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OtherOrderSlips:
    """A salesperson's order finishes later because of someone else's change."""

    cr_ref: str
    order_ref: str
    other_ref: str
    minutes: int


@dataclass(frozen=True, slots=True)
class NewEta:
    """The customer's order was changed; its new estimated completion."""

    cr_ref: str
    order_ref: str
    eta: datetime


@dataclass(frozen=True, slots=True)
class NewOrderPlaced:
    """A new order was confirmed, told to `audience`: purchasing | warehouse | shop | customer.

    `to_buy` lists (item name, quantity, arrives) for purchasing.
    """

    request_ref: str
    order_ref: str
    audience: str
    customer: str
    product: str
    quantity: int
    specs: tuple[tuple[str, str], ...]
    due: date
    eta: datetime | None
    to_buy: tuple[tuple[str, float, date], ...] = ()


@dataclass(frozen=True, slots=True)
class TechConfirmationAsked:
    """Planners: an order is held until its requirements are confirmed or amended."""

    request_ref: str
    order_ref: str
    customer: str
    product: str
    quantity: int
    due: date
    requirements: tuple[Requirement, ...]
    requested_by: str  # the salesperson's name


@dataclass(frozen=True, slots=True)
class RequirementsSettled:
    """The salesperson: the held order's requirements were confirmed (or amended) by `by`."""

    order_ref: str
    version: int
    amended: bool
    requirements: tuple[Requirement, ...]
    by: str  # the planner's name
    due: date
    eta: datetime | None


@dataclass(frozen=True, slots=True)
class OrderRequestForSales:
    """A customer contact asked for a new order; their salesperson gets its card."""

    card: OrderCard
    asked_by: str  # the contact's name


@dataclass(frozen=True, slots=True)
class OrderRequestDeclined:
    """The customer contact: their salesperson did not take the order request."""

    request_ref: str
    product: str
    quantity: int


Notice = (CustomerAsks | ApprovalAsked | ChangeDenied | ChangeDone | MaterialsChanged
          | SpecsChanged | OtherOrderSlips | NewEta | NewOrderPlaced
          | TechConfirmationAsked | RequirementsSettled | OrderRequestForSales
          | OrderRequestDeclined)
