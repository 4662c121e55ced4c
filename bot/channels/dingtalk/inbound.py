"""The DingTalk callback as a service: verify headers, dedupe by msgId, hand off.

DingTalk is answered `200 {}` at once; replies go through the outbox to the
message's sessionWebhook (or the robot API once that has expired).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.channels.dingtalk.message import parse_body
from bot.channels.dingtalk.verify import verify_headers
from bot.channels.pipeline import ChannelDeps, Pipeline
from core.messages import Channel
from core.ports import Claim

log = logging.getLogger(__name__)


class DingTalkCallback:
    def __init__(self, deps: ChannelDeps, pipeline: Pipeline) -> None:
        self.deps = deps
        self.pipeline = pipeline

    async def receive(self, headers: Mapping[str, str], body: bytes) -> None:
        now = self.deps.clock.now()
        verify_headers(headers, self.deps.settings.dingtalk_app_secret, now)
        inbound = parse_body(body, self.deps.settings.dingtalk_oapi_base, now)
        if inbound.message is None:
            await self.deps.inbox.first_seen(Channel.DINGTALK, inbound.key, now)
            log.info("dingtalk %s acknowledged, not handled", inbound.key)
            return
        claim = await self.pipeline.claim(inbound.message)
        if claim in (Claim.HANDLED, Claim.BUSY):
            log.info("dingtalk repeat of %s ignored (%s)", inbound.key, claim.value)
            return
        await self.pipeline.run_detached(inbound.message)
