"""Closing every other copy of a decided card (approvals go to every supervisor).

An approval card goes to each supervisor; once one of them decides, the other
copies must stop offering 批准/驳回. The trigger is on the delivery side: the
reply that announces the decision carries `Reply.settles_card` (the card id)
and `Reply.settled_by` (the decider's name), and when the dispatcher has
delivered it, `CardSettler.after_sent` closes every copy still open, on every
platform: WeCom through update_template_card with each copy's response_code,
DingTalk by updating the interactive card by its cardBizId. `CardSettler.settle`
can also be called directly by whoever decides (the approval use case), e.g.
for a decision made on the web page where no card was clicked.

A WeCom response_code is single use (and valid 72 h). The click itself spends
the code the send returned and brings a fresh one (the event's ResponseCode),
which the callback stores for the clicker's copy (`CardDeliveries.clicked`).
So the decider's copy, greyed at once by the passive update_button answer, is
then updated with the click's code to say who decided; and a late click on a
copy that could not be closed (its code expired) gets that copy updated with
who decided first. Every code is taken (`consume`) before it is used.

Closing is best effort, so a copy may stay clickable; the use case must
therefore still refuse a late click (see `CardSettler.decided_by`).
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
#: Channels whose handle works once (WeCom's response_code); DingTalk's cardBizId is kept.
SINGLE_USE_HANDLES = frozenset({"wecom"})


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

    async def copy(self, channel: str, card_id: str, recipient: str) -> CardDelivery | None:
        return self.rows.get((channel, card_id, recipient))

    async def clicked(self, channel: str, card_id: str, recipient: str, handle: str) -> bool:
        d = self.rows.get((channel, card_id, recipient))
        if d is None:
            return False
        self.rows[(channel, card_id, recipient)] = replace(d, handle=handle)
        return True

    async def consume(self, channel: str, card_id: str, recipient: str, handle: str) -> bool:
        d = self.rows.get((channel, card_id, recipient))
        if d is None or d.handle != handle:
            return False
        self.rows[(channel, card_id, recipient)] = replace(d, handle="")
        return True


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

        `decider` is (channel, platform id) of the person who decided or who
        clicked last. Their copy is updated like every other, with the handle it
        holds: after a WeCom click that is the click's own ResponseCode (the
        code from sending is spent by then). A click on a copy decided earlier
        (a late click, whose copy could not be closed) is updated with who
        decided it. Each copy is marked settled before it is updated, and each
        single-use handle taken before it is used, so two processes never
        update one copy twice.
        """
        now = self.clock.now()
        changed = 0
        for copy in await self.store.open_copies(card_id):
            if not await self.store.settle(copy.channel, card_id, copy.recipient, by, now):
                continue  # another process settled it first
            changed += await self._close(copy, self._note(by, lang))
        if decider is not None and decider[0] in SINGLE_USE_HANDLES:
            own = await self.store.copy(decider[0], card_id, decider[1])
            if own is not None and own.settled_at is not None and own.handle:
                # a handle on a settled copy is a click's, given after it was settled
                changed += await self._close(own, self._note(own.settled_by, lang))
        return changed

    @staticmethod
    def _note(by: str, lang: str) -> str:
        note = render(RENDER_TEXTS, "settled_by", lang, who=by) if by else ""
        if not note or len(note) > SETTLED_NOTE_CHARS:
            note = render(RENDER_TEXTS, "card_done", lang)
        return note

    async def _close(self, copy: CardDelivery, note: str) -> int:
        """Update one copy; 1 if it changed. A single-use handle is taken first, used or not."""
        closer = self.closers.get(copy.channel)
        if closer is None or not copy.handle:
            return 0
        if copy.channel in SINGLE_USE_HANDLES and not await self.store.consume(
                copy.channel, copy.card_id, copy.recipient, copy.handle):
            return 0  # another process used this code
        try:
            await closer.close_card(copy, note)
        except Exception as exc:  # an expired or used code: the use case still refuses
            log.warning("could not close %s copy of %s for %s: %s",
                        copy.channel, copy.card_id, copy.recipient, exc)
            return 0
        return 1

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
