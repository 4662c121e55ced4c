"""Closing every other copy of a decided card (approvals go to every supervisor).

An approval card goes to each supervisor; once one of them decides, the other
copies must stop offering 批准/驳回. The trigger is on the delivery side: the
reply that announces the decision carries `Reply.settles_card` (the card id)
and `Reply.settled_by` (the decider's name), and when the dispatcher has
delivered it, `CardSettler.after_sent` closes every copy still open, on every
platform: WeCom through update_template_card with each copy's response_code,
DingTalk by updating the interactive card by its cardBizId. The decider's own
WeCom copy was already greyed out by the passive update_button answer to the
click, so it is only marked settled. `CardSettler.settle` can also be called
directly by whoever decides (the approval use case), e.g. for a decision made
on the web page where no card was clicked.

Closing is best effort: a response_code is single use and expires after 72 h,
so a copy may stay clickable; the use case must therefore still answer a late
click with "already decided by …" (see `CardSettler.decided_by`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Protocol, cast

from bot.channels.render import TEXTS as RENDER_TEXTS
from core.i18n import render
from core.messages import CardDelivery
from core.outbox import OutboxMessage
from core.ports import CardDeliveries, Clock

log = logging.getLogger(__name__)

SETTLED_NOTE_CHARS = 16  # a replaced button label is short on every client


class CardCloser(Protocol):
    """A sender that can change a copy it delivered (WeComSender, DingTalkSender)."""

    async def close_card(self, delivery: CardDelivery, note: str) -> None: ...


class MemoryCardDeliveries:
    """CardDeliveries in memory: tests, and processes without a database."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], CardDelivery] = {}

    async def record(self, delivery: CardDelivery) -> None:
        key = (delivery.channel, delivery.card_id, delivery.recipient)
        old = self.rows.get(key)
        self.rows[key] = delivery if old is None else replace(
            old, handle=delivery.handle, sent_at=delivery.sent_at)

    async def open_copies(self, card_id: str) -> list[CardDelivery]:
        return sorted((d for d in self.rows.values()
                       if d.card_id == card_id and d.settled_at is None),
                      key=lambda d: (d.channel, d.recipient))

    async def settle(self, channel: str, card_id: str, recipient: str, by: str,
                     at: datetime) -> bool:
        d = self.rows.get((channel, card_id, recipient))
        if d is None or d.settled_at is not None:
            return False
        self.rows[(channel, card_id, recipient)] = replace(d, settled_at=at, settled_by=by)
        return True

    async def settled(self, card_id: str) -> CardDelivery | None:
        done = [d for d in self.rows.values() if d.card_id == card_id and d.settled_at]
        return min(done, key=lambda d: d.settled_at or d.sent_at) if done else None


class CardSettler:
    def __init__(self, store: CardDeliveries, closers: Mapping[str, object], clock: Clock) -> None:
        """`closers` may be all the senders: those without `close_card` are skipped."""
        self.store = store
        self.closers: dict[str, CardCloser] = {
            ch: cast(CardCloser, c) for ch, c in closers.items() if hasattr(c, "close_card")}
        self.clock = clock

    async def settle(self, card_id: str, by: str, decider: tuple[str, str] | None = None,
                     lang: str = "zh") -> int:
        """Close every open copy of `card_id` with "已由 {by} 处理"; returns how many changed.

        `decider` is (channel, platform id) of the person who decided, whose
        clicked WeCom copy is already greyed out. Each copy is marked settled
        before it is updated, so two processes never update one copy twice.
        """
        note = render(RENDER_TEXTS, "settled_by", lang, who=by)
        if len(note) > SETTLED_NOTE_CHARS:
            note = render(RENDER_TEXTS, "card_done", lang)
        now = self.clock.now()
        changed = 0
        for copy in await self.store.open_copies(card_id):
            if not await self.store.settle(copy.channel, card_id, copy.recipient, by, now):
                continue  # another process settled it first
            if decider == (copy.channel, copy.recipient) and copy.channel == "wecom":
                continue
            closer = self.closers.get(copy.channel)
            if closer is None:
                continue
            try:
                await closer.close_card(copy, note)
                changed += 1
            except Exception as exc:  # an expired or used code: the use case still refuses
                log.warning("could not close %s copy of %s for %s: %s",
                            copy.channel, card_id, copy.recipient, exc)
        return changed

    async def after_sent(self, row: OutboxMessage) -> None:
        """Dispatcher hook: a delivered decision reply closes the other copies of its card."""
        card_id = row.payload.get("settles_card")
        if not card_id:
            return
        by = str(row.payload.get("settled_by") or "")
        try:
            await self.settle(str(card_id), by, (row.channel, row.address))
        except Exception:
            log.exception("closing the copies of card %s failed", card_id)

    async def decided_by(self, card_id: str) -> str | None:
        """Who settled `card_id` first, for a late click's "already decided by …" answer."""
        done = await self.store.settled(card_id)
        return done.settled_by if done else None
