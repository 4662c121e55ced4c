"""Ordering records: a promise in the ledger, a logged quote, a new-order request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class PromiseSource(StrEnum):
    QUOTE = "quote"  # a quote accepted: the order confirmed at the quoted date
    NEW_ORDER = "new_order"  # a new order confirmed at the date the customer asked for
    CHANGE = "change"  # an applied change moved the due date


@dataclass(frozen=True, slots=True)
class Promise:
    """A date promised to a customer for an order: when, by whom, and why."""

    order_ref: str
    promised_date: date
    source: PromiseSource
    by: str
    at: datetime
    cr_ref: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    """A quote question and its answer; nothing else of a quote is saved."""

    asked_by: str
    product_code: str
    quantity: int
    specs: dict[str, str]
    customer_code: str | None
    at: datetime
    earliest: date | None  # None: refused (see outcome)
    outcome: str  # "quoted" or a refusal reason
    rush_date: date | None = None
    raw_text: str = ""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One written requirement: a spec key (color, finish, other, ...) and its value.

    `known` says the value is one of the product's own options (an amendment may
    settle a requirement on a catalogue value, which then becomes the order's spec).
    """

    key: str
    value: str
    known: bool = False


class RequirementStatus(StrEnum):
    PENDING = "pending"  # 需技术确认: awaiting a planner's or engineer's confirmation
    CONFIRMED = "confirmed"
    SUPERSEDED = "superseded"  # a later version replaced it before it was confirmed


@dataclass(slots=True)
class RequirementVersion:
    """One version of an order's requirement specification (需求说明书 v1, v2, ...).

    Every version is kept; the latest one says whether the order may be planned.
    """

    order_ref: str
    version: int
    items: tuple[Requirement, ...]
    written_by: str
    written_at: datetime
    status: RequirementStatus
    request_ref: str | None = None
    text: str = ""  # the message that wrote it
    decided_by: str | None = None
    decided_at: datetime | None = None


class RequestStatus(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    AWAITING_APPROVAL = "awaiting_approval"
    APPLIED = "applied"
    CANCELLED = "cancelled"
    DENIED = "denied"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        return self in (RequestStatus.AWAITING_CONFIRMATION, RequestStatus.AWAITING_APPROVAL)


@dataclass(slots=True)
class OrderRequest:
    """A new order taken in chat, awaiting confirmation (NO-<id>) until it becomes an order."""

    ref: str
    requested_by: str
    customer_code: str
    product_code: str
    quantity: int
    specs: dict[str, str]
    due_date: date
    status: RequestStatus
    created_at: datetime
    expires_at: datetime
    earliest: date  # the quote for it when the card was shown
    risk: str = "low"
    impact: dict[str, Any] = field(default_factory=dict)  # the card's facts, for approval
    raw_text: str = ""
    order_ref: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    plan_version: int | None = None
    id: int | None = None
    #: Written requirements the catalogue does not know: the order is held for
    #: technical confirmation once created.
    requirements: tuple[Requirement, ...] = ()
    #: The customer contact who asked, when a salesperson confirms on their behalf.
    asked_by: str | None = None

    def is_expired(self, now: datetime) -> bool:
        return self.status.is_open and now >= self.expires_at
