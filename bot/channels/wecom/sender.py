"""Delivers WeCom outbox rows through `WeComClient` and classifies failures.

Idempotency: every send asks WeCom for its duplicate check, looking back over
this row's own lifetime plus a minute. A re-send of the same row (lease expired
after a crash, or a retry after a timeout that WeCom did receive) is therefore
suppressed, while the same text legitimately sent again later (the same answer
to the same question an hour apart) is not.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channels.render import payload_to_reply, task_id_for, wecom_messages
from bot.delivery.senders import RetryLater, Undeliverable
from bot.channels.wecom.client import (
    TOKEN_ERRORS,
    MemberRateLimited,
    WeComApiError,
    WeComClient,
    WeComTransportError,
)
from core.outbox import OutboxMessage
from core.ports import Clock

# config or infrastructure problems an admin can fix without losing the message
RETRYABLE = TOKEN_ERRORS | {-1, 45009, 40001, 60020, 42009}
DUPLICATE_MARGIN_SECONDS = 60


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class WeComSender:
    def __init__(self, client: WeComClient, clock: Clock | None = None) -> None:
        self.client = client
        self.clock = clock or _UtcClock()

    async def send(self, message: OutboxMessage) -> None:
        reply = payload_to_reply(message.payload)
        bodies = wecom_messages(reply, task_id_for(reply, message.dedupe_key))
        age = (self.clock.now() - message.created_at).total_seconds()
        try:
            if reply.image_png:  # the digest's Gantt: upload, then send it as an image message
                media_id = await self.client.upload_image(reply.image_png)
                bodies = [*bodies, {"msgtype": "image", "image": {"media_id": media_id}}]
            await self.client.send(message.address, bodies,
                                   int(max(0.0, age)) + DUPLICATE_MARGIN_SECONDS)
        except MemberRateLimited as exc:
            raise RetryLater(str(exc), exc.after) from None
        except WeComTransportError as exc:
            raise RetryLater(str(exc)) from None
        except WeComApiError as exc:
            if exc.errcode in RETRYABLE:
                raise RetryLater(str(exc), exc.retry_after) from None
            raise Undeliverable(str(exc)) from None
