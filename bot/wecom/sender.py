"""Delivers WeCom outbox rows through `WeComClient` and classifies failures."""

from __future__ import annotations

from bot.render import payload_to_reply, task_id_for, wecom_messages
from bot.senders import RetryLater, Undeliverable
from bot.wecom.client import (
    TOKEN_ERRORS,
    MemberRateLimited,
    WeComApiError,
    WeComClient,
    WeComTransportError,
)
from core.outbox import OutboxMessage

# config or infrastructure problems an admin can fix without losing the message
RETRYABLE = TOKEN_ERRORS | {-1, 45009, 40001, 60020, 42009}


class WeComSender:
    def __init__(self, client: WeComClient) -> None:
        self.client = client

    async def send(self, message: OutboxMessage) -> None:
        reply = payload_to_reply(message.payload)
        bodies = wecom_messages(reply, task_id_for(reply, message.dedupe_key))
        try:
            await self.client.send(message.address, bodies)
        except MemberRateLimited as exc:
            raise RetryLater(str(exc), exc.after) from None
        except WeComTransportError as exc:
            raise RetryLater(str(exc)) from None
        except WeComApiError as exc:
            if exc.errcode in RETRYABLE:
                raise RetryLater(str(exc), exc.retry_after) from None
            raise Undeliverable(str(exc)) from None
