"""Delivers DingTalk outbox rows: sessionWebhook while fresh, else the robot API.

Cards: in Stream mode (`interactive_cards=True`) a card with buttons goes out
as an interactive card whose buttons call back over the Stream connection with
their own key ("approve:CR-12"); its cardBizId is stored per (card id,
recipient) so a decision can close every other copy (`close_card`). Without
callbacks (HTTP mode, or when DingTalk refuses the interactive card) the
buttons are links that type "批准 CR-12" for the user: never a bare "1"/"2".
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.channels.dingtalk.client import DingTalkApiError, DingTalkClient, DingTalkTransportError
from bot.channels.render import (
    dingtalk_interactive_card,
    dingtalk_robot_messages,
    dingtalk_session_bodies,
    dingtalk_settled_card,
    payload_to_reply,
    task_id_for,
)
from bot.delivery.senders import RetryLater, Undeliverable
from core.messages import CardDelivery, Reply
from core.outbox import OutboxMessage
from core.ports import CardDeliveries, Clock

log = logging.getLogger(__name__)

# sessionWebhook lives 90 minutes from the message; leave a margin
WEBHOOK_FRESH = timedelta(minutes=80)


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DingTalkSender:
    def __init__(self, client: DingTalkClient, clock: Clock | None = None, *,
                 interactive_cards: bool = False, cards: CardDeliveries | None = None) -> None:
        self.client = client
        self.clock = clock or _UtcClock()
        self.interactive_cards = interactive_cards
        self.cards = cards

    async def send(self, message: OutboxMessage) -> None:
        reply = payload_to_reply(message.payload)
        try:
            if not (self.interactive_cards and reply.kind == "card" and reply.buttons
                    and await self._interactive(message, reply)):
                await self._plain(message, reply)
            if reply.image_png:  # the digest's Gantt: upload, then send it as a picture
                media_id = await self.client.upload_image(reply.image_png)
                await self.client.batch_send([message.address], "sampleImageMsg",
                                             {"photoURL": media_id})
        except DingTalkTransportError as exc:
            raise RetryLater(str(exc)) from None
        except DingTalkApiError as exc:
            if exc.throttled or exc.status in (401, 403):
                raise RetryLater(str(exc), 1.0 if exc.throttled else None) from None
            raise Undeliverable(str(exc)) from None

    async def _plain(self, message: OutboxMessage, reply: Reply) -> None:
        if message.reply_hint and self.clock.now() - message.created_at < WEBHOOK_FRESH:
            try:
                for body in dingtalk_session_bodies(reply):
                    await self.client.session_send(message.reply_hint, body)
                return
            except DingTalkApiError as exc:  # session gone: the API still reaches them
                log.info("sessionWebhook refused (%s); using the robot API", exc)
        for key, param in dingtalk_robot_messages(reply):
            await self.client.batch_send([message.address], key, param)

    async def _interactive(self, message: OutboxMessage, reply: Reply) -> bool:
        """Send a card whose buttons call back; False if DingTalk refuses it (use links)."""
        card_biz_id = task_id_for(reply, message.dedupe_key, message.address)
        chat_id = message.meta.get("chat_id") if message.meta else None
        try:
            await self.client.send_interactive_card(
                card_biz_id, dingtalk_interactive_card(reply), user_id=message.address,
                open_conversation_id=str(chat_id) if chat_id else None)
        except DingTalkApiError as exc:
            if exc.throttled or exc.status in (401, 403):
                raise
            log.warning("interactive card refused (%s); sending links instead", exc)
            return False
        if reply.card_id and self.cards is not None:
            await self.cards.record(CardDelivery(
                channel="dingtalk", card_id=reply.card_id, recipient=message.address,
                handle=card_biz_id, sent_at=self.clock.now()))
        return True

    async def close_card(self, delivery: CardDelivery, note: str) -> None:
        """Replace one copy with a card without buttons that says who decided."""
        await self.client.update_interactive_card(delivery.handle, dingtalk_settled_card(note))
