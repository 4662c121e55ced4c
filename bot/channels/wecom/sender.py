"""Delivers WeCom outbox rows through `WeComClient` and classifies failures.

Idempotency: every send asks WeCom for its duplicate check, looking back over
this row's own lifetime plus a minute. A re-send of the same row (lease expired
after a crash, or a retry after a timeout that WeCom did receive) is therefore
suppressed, while the same text legitimately sent again later (the same answer
to the same question an hour apart) is not.

Cards: each recipient's copy gets its own task_id (WeCom wants it unique in
the app), and the response_code WeCom returns for it is stored per
(card id, recipient), so that a decision can grey out every other copy
(`close_card`, called by bot.delivery.cards.CardSettler).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channels.render import payload_to_reply, task_id_for, wecom_messages
from bot.channels.wecom.client import (
    TOKEN_ERRORS,
    MemberRateLimited,
    WeComApiError,
    WeComClient,
    WeComTransportError,
)
from bot.delivery.senders import RetryLater, Undeliverable
from core.messages import CardDelivery
from core.outbox import OutboxMessage
from core.ports import CardDeliveries, Clock

# config or infrastructure problems an admin can fix without losing the message
RETRYABLE = TOKEN_ERRORS | {-1, 45009, 40001, 60020, 42009}
DUPLICATE_MARGIN_SECONDS = 60


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class WeComSender:
    def __init__(self, client: WeComClient, clock: Clock | None = None,
                 cards: CardDeliveries | None = None) -> None:
        self.client = client
        self.clock = clock or _UtcClock()
        self.cards = cards

    async def send(self, message: OutboxMessage) -> None:
        reply = payload_to_reply(message.payload)
        task_id = task_id_for(reply, message.dedupe_key, message.address)
        bodies = wecom_messages(reply, task_id)
        age = (self.clock.now() - message.created_at).total_seconds()
        try:
            if reply.image_png:  # the digest's Gantt: upload, then send it as an image message
                media_id = await self.client.upload_image(reply.image_png)
                bodies = [*bodies, {"msgtype": "image", "image": {"media_id": media_id}}]
            results = await self.client.send(message.address, bodies,
                                             int(max(0.0, age)) + DUPLICATE_MARGIN_SECONDS)
        except MemberRateLimited as exc:
            raise RetryLater(str(exc), exc.after) from None
        except WeComTransportError as exc:
            raise RetryLater(str(exc)) from None
        except WeComApiError as exc:
            if exc.errcode in RETRYABLE:
                raise RetryLater(str(exc), exc.retry_after) from None
            raise Undeliverable(str(exc)) from None
        await self._remember(reply.card_id, message.address, results)

    async def _remember(self, card_id: str | None, user: str,
                        results: list[dict[str, object]]) -> None:
        """Store the card's response_code; a duplicate-suppressed resend returns none."""
        codes = [str(r["response_code"]) for r in results if r.get("response_code")]
        if not (card_id and codes and self.cards is not None):
            return
        await self.cards.record(CardDelivery(channel="wecom", card_id=card_id, recipient=user,
                                             handle=codes[-1], sent_at=self.clock.now()))

    async def close_card(self, delivery: CardDelivery, note: str) -> None:
        """Grey out one recipient's copy: its buttons read `note` ("已由 王主管 处理")."""
        await self.client.update_template_card([delivery.recipient], delivery.handle,
                                               replace_name=note)
