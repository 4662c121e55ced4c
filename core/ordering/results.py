"""What the ordering use cases did, as data; bot/conversation/replies/ordering.py words it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from core.ordering.model import Requirement


@dataclass(frozen=True, slots=True)
class Pushed:
    """Another order the new one would finish later, and whether that makes it late."""

    ref: str
    minutes: int
    becomes_late: bool


@dataclass(frozen=True, slots=True)
class ToBuy:
    """A material short for the new order: bought new (`uncovered`) or awaited on a PO."""

    item_code: str
    item_name: str
    missing: float
    uncovered: float
    available_on: date
    purchase_orders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteFacts:
    """The live plan's answer for one prospective order."""

    product_code: str
    product_name: str
    quantity: int
    specs: Mapping[str, str]
    customer_code: str | None
    customer_name: str | None
    earliest: date  # the promise: ETA's day plus the safety guard
    eta: datetime  # the plan's completion at that date
    pushed: tuple[Pushed, ...]
    materials: tuple[ToBuy, ...]
    materials_ready: date
    rush_date: date | None = None  # a rush would keep this earlier date
    rush_fee: float | None = None
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Quoted:
    facts: QuoteFacts
    #: Asked beyond the product's options; the date holds once they are confirmed.
    requirements: tuple[Requirement, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderCard:
    """A new order awaiting the sender's confirmation (`request_ref` NO-<n>)."""

    request_ref: str
    order_ref: str
    facts: QuoteFacts
    due_date: date
    eta: datetime  # the plan's completion at the asked date
    on_time: bool
    pushed: tuple[Pushed, ...]  # at the asked date
    risk: str
    terms: Mapping[str, str]  # the customer's contract terms
    needs_approval: bool
    #: Needs technical confirmation: the order is created held out of the plan.
    requirements: tuple[Requirement, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderSentForApproval:
    request_ref: str


@dataclass(frozen=True, slots=True)
class OrderCreated:
    request_ref: str
    order_ref: str
    plan_version: int
    eta: datetime | None
    promised: date


@dataclass(frozen=True, slots=True)
class OrderHeld:
    """The order exists but is held out of the plan until its requirements are confirmed."""

    request_ref: str
    order_ref: str
    promised: date
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True, slots=True)
class OrderPassedToSales:
    """A customer contact's order request went to their salesperson as a card."""

    request_ref: str
    salesperson: str  # their name


@dataclass(frozen=True, slots=True)
class RequirementSettled:
    """An order's requirements were confirmed (or amended to `version`) and it is planned."""

    order_ref: str
    version: int
    amended: bool
    plan_version: int
    eta: datetime | None
    promised: date


@dataclass(frozen=True, slots=True)
class OrderCancelled:
    request_ref: str


@dataclass(frozen=True, slots=True)
class OrderDenied:
    request_ref: str


@dataclass(frozen=True, slots=True)
class OrderRefused:
    """Nothing was saved (but a logged quote); `reason` names the text, `params` fill it.

    reason: ask_customer | ask_product | ask_quantity | ask_due_date | unknown_product |
    unknown_customer | not_your_customer | role_cannot_order | bad_quantity | absurd_quantity |
    past_date | unknown_spec | no_routing | nothing_pending | expired | not_yours |
    only_supervisors | no_approval_pending | already_with_supervisor | no_salesperson |
    unknown_order | not_tech_role | no_requirement | already_confirmed.
    """

    reason: str
    params: Mapping[str, str] = field(default_factory=dict)


OrderingResult = (Quoted | OrderCard | OrderSentForApproval | OrderCreated | OrderCancelled
                  | OrderDenied | OrderRefused | OrderHeld | OrderPassedToSales
                  | RequirementSettled)
