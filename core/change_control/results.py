"""What a change-control use case did, as data; the bot words the reply.

Each use case returns one of these. None carries text: the bot's renderer
(bot/conversation/replies/) lays them out in the sender's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from core.impact import Impact
from core.notices import Understood


@dataclass(frozen=True, slots=True)
class CardShown:
    """A change request awaits the sender's confirmation: show the impact card."""

    cr_ref: str
    order_ref: str
    impact: Impact
    understood: Understood


@dataclass(frozen=True, slots=True)
class WhatIfShown:
    """An assessment only; nothing was stored."""

    order_ref: str
    impact: Impact
    understood: Understood


@dataclass(frozen=True, slots=True)
class Blocked:
    """The contract refuses the change (limit reached, frozen after an operation)."""

    cr_ref: str
    order_ref: str
    impact: Impact
    understood: Understood


@dataclass(frozen=True, slots=True)
class SentToSales:
    """A customer's request went to their salesperson to confirm."""

    cr_ref: str
    order_ref: str


@dataclass(frozen=True, slots=True)
class SentForApproval:
    cr_ref: str


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The requester said no; the order is unchanged."""

    cr_ref: str


@dataclass(frozen=True, slots=True)
class Denied:
    """A supervisor said no; the requester is told through the outbox."""

    cr_ref: str


@dataclass(frozen=True, slots=True)
class Applied:
    """The change, its order, plan version, audit and notices are committed."""

    cr_ref: str
    order_ref: str
    plan_version: int
    eta: datetime | None


@dataclass(frozen=True, slots=True)
class Superseded:
    """The order moved after the assessment; `then` is the fresh request, None if it closed."""

    cr_ref: str
    order_ref: str
    then: Result | None = None


@dataclass(frozen=True, slots=True)
class DirectionUnclear:
    """A new due date lies the other way from the verb ("提前到" a later date): asked back,
    nothing stored. `direction` is what the verb said: "earlier" or "later"."""

    order_ref: str
    current: date
    asked: date
    direction: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing happened, for a reason the sender is told.

    reason: which_order | not_found | refuse_not_your_customer | refuse_not_visible |
    refuse_role_cannot_change | closed (params: ref, status code) | invalid (ref, reason) |
    nothing_pending | expired | not_yours | already_with_supervisor | only_supervisors |
    which_cr (crs) | no_approval_pending | already_closed (cr, status code).
    """

    reason: str
    params: Mapping[str, str] = field(default_factory=dict)


Result = (CardShown | WhatIfShown | Blocked | SentToSales | SentForApproval | Cancelled | Denied
          | Applied | Superseded | DirectionUnclear | Refused)
