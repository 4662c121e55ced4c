"""Delivers DingTalk outbox rows: sessionWebhook while fresh, else the robot API."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.channels.dingtalk.client import DingTalkApiError, DingTalkClient, DingTalkTransportError
from bot.channels.render import dingtalk_robot_messages, dingtalk_session_bodies, payload_to_reply
from bot.delivery.senders import RetryLater, Undeliverable
from core.outbox import OutboxMessage
from core.ports import Clock

log = logging.getLogger(__name__)

# sessionWebhook lives 90 minutes from the message; leave a margin
WEBHOOK_FRESH = timedelta(minutes=80)


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DingTalkSender:
    def __init__(self, client: DingTalkClient, clock: Clock | None = None) -> None:
        self.client = client
        self.clock = clock or _UtcClock()

    async def send(self, message: OutboxMessage) -> None:
        reply = payload_to_reply(message.payload)
        try:
            answered = False
            if message.reply_hint and self.clock.now() - message.created_at < WEBHOOK_FRESH:
                try:
                    for body in dingtalk_session_bodies(reply):
                        await self.client.session_send(message.reply_hint, body)
                    answered = True
                except DingTalkApiError as exc:  # session gone: the API still reaches them
                    log.info("sessionWebhook refused (%s); using the robot API", exc)
            if not answered:
                for key, param in dingtalk_robot_messages(reply):
                    await self.client.batch_send([message.address], key, param)
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
