"""Commands: what a person asks the core to do, as frozen typed values.

The bot reads chat text into these (bot/conversation/commands.py); nothing
untyped crosses from the bot into the core. Names are imperative, one class per
intent. `by` is the person id of whoever asked.

A change request keeps the contract JSON of its command (CONTRACT.md section 3)
for its audit trail; `contract_dict()` gives exactly that shape, and
`change_command_from_contract` reads it back when a superseded request is
assessed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """One item of a change: field quantity | due_date | spec | add_operation |
    remove_operation | priority.

    Exactly one of value / delta / delta_days is meant; `unit` only for quantity,
    `key` only for spec, `canonical` when the vocabulary matched the value.
    """

    field: str
    value: int | str | None = None
    delta: int | None = None
    delta_days: int | None = None
    key: str | None = None
    unit: str | None = None
    canonical: str | None = None
    #: For a due date set to `value`: "earlier" or "later" as the message's verb said
    #: ("提前到", "推迟到"). Not part of the contract's item; the request checks it
    #: against the order's current due date.
    direction: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's item shape: keys only where they are set (value when no delta is)."""
        out: dict[str, Any] = {"field": self.field}
        if self.key is not None:
            out["key"] = self.key
        if self.delta is not None:
            out["delta"] = self.delta
        elif self.delta_days is not None:
            out["delta_days"] = self.delta_days
        else:
            out["value"] = self.value
        if self.unit is not None:
            out["unit"] = self.unit
        if self.canonical is not None:
            out["canonical"] = self.canonical
        return out

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> ChangeItem:
        """The inverse of `to_dict`, for items read back from a stored request."""
        return cls(
            field=str(item.get("field", "")),
            value=item.get("value"),
            delta=item.get("delta"),
            delta_days=item.get("delta_days"),
            key=item.get("key"),
            unit=item.get("unit"),
            canonical=item.get("canonical"),
        )


@dataclass(frozen=True, slots=True)
class RelativeItem:
    """A change stated as a multiple of the order's current value ("翻倍" is factor 2).

    Resolved against the order when the change is assessed, never before: only
    then is the current value known. `written` is the phrase as typed.
    """

    field: str
    factor: float
    written: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "factor": self.factor, "written": self.written}

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> RelativeItem:
        return cls(str(item.get("field", "")), float(item.get("factor", 1.0)),
                   str(item.get("written", "")))


@dataclass(frozen=True, slots=True)
class Command:
    """Base of every command; `by` is the asking person's id."""

    by: str


@dataclass(frozen=True, slots=True)
class RequestChange(Command):
    """Change one or more things on an order; `what_if` only assesses, never applies."""

    order_ref: str | None
    items: tuple[ChangeItem, ...]
    raw_text: str = ""
    what_if: bool = False
    #: Multiples of the current value ("翻倍"); the contract's extra `relative` key.
    relative: tuple[RelativeItem, ...] = ()

    def contract_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "intent": "what_if" if self.what_if else "change",
            "order": self.order_ref,
            "changes": [item.to_dict() for item in self.items],
        }
        if self.relative:
            out["relative"] = [r.to_dict() for r in self.relative]
        return out


@dataclass(frozen=True, slots=True)
class CancelOrder(Command):
    """Cancel the order; goes through the same card and confirm as a change."""

    order_ref: str | None
    raw_text: str = ""

    @property
    def what_if(self) -> bool:
        return False

    def contract_dict(self) -> dict[str, Any]:
        return {"intent": "cancel", "order": self.order_ref}


ChangeCommand = RequestChange | CancelOrder


@dataclass(frozen=True, slots=True)
class Confirm(Command):
    """The requester (or a customer's salesperson) says yes; `cr_ref` None = their pending one."""

    cr_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Reject(Command):
    """The requester says no to a pending change."""

    cr_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Decide(Command):
    """A supervisor approves or denies a change waiting for approval."""

    cr_ref: str | None
    approve: bool


@dataclass(frozen=True, slots=True)
class ReportProgress(Command):
    """Shop-floor progress report (报工)."""

    order_ref: str | None
    operation: str
    quantity: int
    scrap: int = 0


@dataclass(frozen=True, slots=True)
class QueryProgress(Command):
    """Where is this order; `order_ref` None = the sender's own orders."""

    order_ref: str | None


@dataclass(frozen=True, slots=True)
class ConfirmRequirement(Command):
    """A planner or engineer confirms a held order's requirements as written (技术确认)."""

    order_ref: str | None


@dataclass(frozen=True, slots=True)
class AmendRequirement(Command):
    """A planner or engineer rewrites a held order's requirements: version n+1, confirmed.

    `items` are (spec key, value) pairs as written; "other" for free-text notes.
    """

    order_ref: str | None
    items: tuple[tuple[str, str], ...]
    raw_text: str = ""


def change_command_from_contract(command: Mapping[str, Any], by: str,
                                 raw_text: str) -> ChangeCommand:
    """A stored request's contract JSON back into its command, to assess it again."""
    ref = command.get("order")
    if command.get("intent") == "cancel":
        return CancelOrder(by, ref, raw_text)
    items = tuple(ChangeItem.from_dict(c) for c in command.get("changes") or ())
    relative = tuple(RelativeItem.from_dict(r) for r in command.get("relative") or ())
    return RequestChange(by, ref, items, raw_text, what_if=command.get("intent") == "what_if",
                         relative=relative)
