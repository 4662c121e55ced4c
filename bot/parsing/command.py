"""The structured command a message is read into, and its contract JSON form.

`Command` is what the service layer consumes; `to_contract_dict` is the
exact CONTRACT section-3 object that `gongdan parse` prints. Extra keys
(`canonical` on a change item) are allowed by the contract and carry the
vocabulary match next to the value as written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from core.commands import ChangeItem


class Intent(StrEnum):
    QUERY_PROGRESS = "query_progress"
    CHANGE = "change"
    CANCEL = "cancel"
    WHAT_IF = "what_if"
    REPORT = "report"
    CONFIRM = "confirm"
    REJECT = "reject"
    APPROVE = "approve"
    DENY = "deny"
    HELP = "help"
    QUERY_ORDERS = "query_orders"
    QUERY_SHOP = "query_shop"
    QUOTE = "quote"
    NEW_ORDER = "new_order"
    TECH_CONFIRM = "tech_confirm"
    KF_LINK = "kf_link"
    UNKNOWN = "unknown"


#: Intents whose JSON carries `changes`.
CHANGE_INTENTS = frozenset({Intent.CHANGE, Intent.WHAT_IF})
#: `filter` values of query_orders (CONTRACT section 4).
ORDER_FILTERS = ("late", "due_today", "due_this_week", "rush")
#: Intents that act on one named order and cannot run without it.
ORDER_INTENTS = frozenset({Intent.CHANGE, Intent.WHAT_IF, Intent.CANCEL})


@dataclass(frozen=True, slots=True)
class Change:
    """One item of `changes[]`.

    field: quantity | due_date | spec | add_operation | remove_operation | priority.
    Exactly one of value / delta / delta_days is set; `unit` only for quantity,
    `key` only for spec, `canonical` when a vocabulary match was confident.
    """

    field: str
    value: int | str | None = None
    delta: int | None = None
    delta_days: int | None = None
    unit: str | None = None
    key: str | None = None
    canonical: str | None = None
    #: For due dates, the way the message's verb moves it ("提前到" earlier,
    #: "推迟到" later). Only the service knows the current due date, so only it
    #: can see that "推迟到12月1号" moves the date forward and ask back.
    #: Not part of the contract JSON.
    direction: str | None = dataclasses.field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The contract's item shape, as core's typed item writes it (one writer of it)."""
        return ChangeItem(field=self.field, value=self.value, delta=self.delta,
                          delta_days=self.delta_days, key=self.key, unit=self.unit,
                          canonical=self.canonical).to_dict()


@dataclass(frozen=True, slots=True)
class RelativeChange:
    """A change stated as a multiple of the current value ("翻倍", "减半", "×3").

    The parser never knows the current value, so it never turns this into a
    `Change`; the service multiplies the order's value by `factor` and shows
    both ("数量 8 -> 16件 (x2)"). `written` is the phrase as typed.
    """

    field: str
    factor: float
    written: str = ""


@dataclass(frozen=True, slots=True)
class Command:
    """A message read into the contract's vocabulary; `order` is canonical-cased."""

    intent: Intent
    order: str | None = None
    changes: tuple[Change, ...] = ()
    operation: str | None = None
    quantity: int | None = None
    scrap: int | None = None
    ref: str | None = None
    operation_canonical: str | None = field(default=None, compare=False)
    #: Multiples of the current value, to be resolved by the service; never in `changes`.
    relative: tuple[RelativeChange, ...] = ()
    #: query_orders: one of ORDER_FILTERS.
    filter: str | None = None
    #: query_orders / quote / new_order / kf_link: the customer as written.
    customer: str | None = None
    #: quote / new_order: the product code or name as written (`quantity` holds the count).
    product: str | None = None
    #: quote / new_order: spec items (field "spec", key, value); tech_confirm: the
    #: amended requirements (empty: confirm them as written).
    specs: tuple[Change, ...] = ()
    #: new_order: the due date, ISO.
    due_date: str | None = None
    #: unknown: "thanks" | "greeting" | "ping" when the message is only chit-chat.
    smalltalk: str | None = None

    def with_order(self, order: str | None) -> Command:
        return replace(self, order=order)

    def to_contract_dict(self) -> dict[str, Any]:
        """The CONTRACT section-3 object; keys only where the intent defines them."""
        out: dict[str, Any] = {"intent": self.intent.value, "order": self.order}
        if self.intent in CHANGE_INTENTS:
            out["changes"] = [c.to_dict() for c in self.changes]
            if self.relative:  # an extra key: never a number in `changes`
                out["relative"] = [{"field": r.field, "factor": r.factor, "written": r.written}
                                   for r in self.relative]
        elif self.intent is Intent.REPORT:
            out["operation"] = self.operation
            out["quantity"] = self.quantity
            if self.scrap is not None:
                out["scrap"] = self.scrap
            if self.operation_canonical is not None:
                out["operation_canonical"] = self.operation_canonical
        elif self.intent in (Intent.APPROVE, Intent.DENY):
            out["ref"] = self.ref
        elif self.intent in (Intent.CONFIRM, Intent.REJECT) and self.ref is not None:
            out["ref"] = self.ref
        elif self.intent is Intent.QUERY_ORDERS:
            out["filter"] = self.filter
            out["customer"] = self.customer
        elif self.intent in (Intent.QUOTE, Intent.NEW_ORDER):
            out["customer"] = self.customer
            out["product"] = self.product
            out["quantity"] = self.quantity
            out["specs"] = [{"key": s.key, "value": s.value} for s in self.specs]
            if self.intent is Intent.NEW_ORDER:
                out["due_date"] = self.due_date
        elif self.intent is Intent.TECH_CONFIRM:
            out["specs"] = [{"key": s.key, "value": s.value} for s in self.specs]
        elif self.intent is Intent.KF_LINK:
            out["customer"] = self.customer
        elif self.intent is Intent.UNKNOWN and self.smalltalk is not None:
            out["smalltalk"] = self.smalltalk
        return out


UNKNOWN = Command(Intent.UNKNOWN)
