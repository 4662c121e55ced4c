"""The bot's side of quotes and new orders: parser command -> ordering command -> reply.

A planner's "SO-... 技术确认" / "SO-... 需求改为 ..." (tech_confirm) settles a
held order's requirements.

Confirm, cancel, approve and deny are shared with change control: a button
carries the request's ref ("confirm:NO-3"); a typed "确认" without a ref goes
to the sender's pending new order when they have one and no pending change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from bot.conversation.replies.ordering import render_ordering
from bot.parsing import Command, Intent
from core.commands import AmendRequirement, ConfirmRequirement
from core.commands import Command as CoreCommand
from core.messagebus import MessageBus
from core.messages import Reply
from core.model.change_request import CRStatus
from core.ordering.commands import ConfirmOrder, DecideOrder, PlaceOrder, QuoteOrder, RejectOrder
from core.ordering.new_order import has_awaiting_approval, has_pending
from core.ordering.results import (
    OrderCreated,
    OrderDenied,
    OrderHeld,
    OrderingResult,
    OrderRefused,
)
from core.ports import UnitOfWorkFactory

ORDER_INTENTS = (Intent.QUOTE, Intent.NEW_ORDER, Intent.TECH_CONFIRM)
REQUEST_PREFIX = "NO-"
#: refusals of a decision that came after another supervisor's (or after the request expired)
LATE_DECISIONS = frozenset({"no_approval_pending", "already_closed", "expired"})


def to_ordering(command: Command, by: str, raw_text: str) -> CoreCommand | None:
    specs = tuple((s.key or "", str(s.canonical or s.value or "")) for s in command.specs)
    if command.intent is Intent.QUOTE:
        return QuoteOrder(by, command.product, command.quantity, specs, command.customer, raw_text)
    if command.intent is Intent.NEW_ORDER:
        return PlaceOrder(by, command.customer, command.product, command.quantity,
                          command.due_date, specs, raw_text)
    if command.intent is Intent.TECH_CONFIRM:
        if not command.specs:
            return ConfirmRequirement(by, command.order)
        return AmendRequirement(by, command.order, specs, raw_text)
    if command.intent is Intent.CONFIRM:
        return ConfirmOrder(by, command.ref)
    if command.intent is Intent.REJECT:
        return RejectOrder(by, command.ref)
    if command.intent in (Intent.APPROVE, Intent.DENY):
        return DecideOrder(by, command.ref, approve=command.intent is Intent.APPROVE)
    return None


async def claims(uow_factory: UnitOfWorkFactory, command: Command, by: str) -> bool:
    """Whether a confirm/cancel/approve/deny is about a new order rather than a change."""
    if command.ref:
        return command.ref.upper().startswith(REQUEST_PREFIX)
    async with uow_factory() as uow:
        if command.intent in (Intent.CONFIRM, Intent.REJECT):
            if not await has_pending(uow, by):
                return False
            changes = await uow.change_requests.open_for(by)
            return not any(c.status is CRStatus.AWAITING_CONFIRMATION for c in changes)
        if not await has_awaiting_approval(uow):
            return False
        return not any(c.status is CRStatus.AWAITING_APPROVAL
                       for c in await uow.change_requests.open_all())


async def handle(bus: MessageBus, command: Command, by: str, raw_text: str, lang: str,
                 tz: str, by_name: str = "") -> list[Reply]:
    core = to_ordering(command, by, raw_text)
    assert core is not None, command
    result = cast(OrderingResult, await bus.handle(core))
    replies = render_ordering(result, lang, tz)
    if isinstance(core, DecideOrder) and replies:
        replies[0] = _settling(replies[0], core, result, by_name)
    return replies


def _settling(reply: Reply, command: DecideOrder, result: OrderingResult, by_name: str) -> Reply:
    """A supervisor's decision closes every supervisor's copy of the approval card once sent,
    as a change request's does; a late one has its own copy say who decided first."""
    if isinstance(result, OrderCreated | OrderHeld | OrderDenied):
        return replace(reply, settles_card=f"{result.request_ref}-approve", settled_by=by_name)
    if (command.request_ref and isinstance(result, OrderRefused)
            and result.reason in LATE_DECISIONS):
        return replace(reply, settles_card=f"{command.request_ref.upper()}-approve")
    return reply
