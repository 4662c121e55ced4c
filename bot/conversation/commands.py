"""The parser's command (bot.parsing.Command) as the core's typed command; typed to typed.

The one place that knows both vocabularies. JSON appears only at the edges
(`gongdan parse`, `/api/chat`), never between the bot and the core.
"""

from __future__ import annotations

from bot.parsing import Change, Command, Intent
from core import commands as core


def to_core(command: Command, by: str, raw_text: str = "") -> core.Command | None:
    """The core command for `command` sent by person `by`; None for intents the bot answers
    itself (help, unknown)."""
    intent = command.intent
    if intent in (Intent.CHANGE, Intent.WHAT_IF):
        items = tuple(change_item(c) for c in command.changes)
        relative = tuple(core.RelativeItem(r.field, r.factor, r.written) for r in command.relative)
        return core.RequestChange(by, command.order, items, raw_text,
                                  what_if=intent is Intent.WHAT_IF, relative=relative)
    if intent is Intent.CANCEL:
        return core.CancelOrder(by, command.order, raw_text)
    if intent is Intent.CONFIRM:
        return core.Confirm(by, command.ref)
    if intent is Intent.REJECT:
        return core.Reject(by, command.ref)
    if intent in (Intent.APPROVE, Intent.DENY):
        return core.Decide(by, command.ref, approve=intent is Intent.APPROVE)
    if intent is Intent.REPORT:
        return core.ReportProgress(by, command.order,
                                   command.operation_canonical or command.operation or "",
                                   command.quantity or 0, command.scrap or 0)
    if intent is Intent.QUERY_PROGRESS:
        return core.QueryProgress(by, command.order)
    return None


def change_item(change: Change) -> core.ChangeItem:
    return core.ChangeItem(change.field, change.value, change.delta, change.delta_days,
                           change.key, change.unit, change.canonical, change.direction)
