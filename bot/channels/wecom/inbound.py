"""The WeCom callback as a service: authenticate, dedupe, hand off, answer in time.

Order matters: signature (constant time) -> corp id -> timestamp window ->
inbox claim -> handler. Only authentic, fresh input may write to the inbox. A
retry of a handled message is answered from its recorded reply without a
second run; a retry of one whose handler died is handled again (see
`Pipeline.claim` and docs/ARCHITECTURE.md, "Exactly-once handling").
WeCom waits 5 s; we give the handler `passive_window` seconds to answer
passively and queue anything later for the send API. When every handler slot
of the process is busy (a burst), the callback is acknowledged at once and the
reply goes through the send API (`HandlerSlots`). A 微信客服 (kf) event
carries no message and no sender: it is answered empty at once and the kf
puller fetches the messages in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.channels.pipeline import ChannelDeps, ChannelRejected, Pipeline
from bot.channels.render import TEXTS as RENDER_TEXTS
from bot.channels.render import card_id_of_task, wecom_passive_text
from bot.channels.wecom.cards import passive_text_xml, update_button_xml
from bot.channels.wecom.crypto import WeComCrypto, check_window
from bot.channels.wecom.message import Inbound, envelope_encrypt, parse_plaintext
from bot.channels.wecom_kf.inbound import KfPuller, parse_kf_event
from core.i18n import render
from core.messages import Channel, ChatMessage
from core.ports import Claim

log = logging.getLogger(__name__)

PASSIVE_WINDOW_SECONDS = 3.0


def _always() -> bool:
    return True


def _signed_params(query: Mapping[str, str]) -> tuple[str, str, str]:
    sig, ts, nonce = (query.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
    if not (sig and ts and nonce):
        raise ChannelRejected(403, "missing msg_signature, timestamp or nonce")
    return sig, ts, nonce


class WeComCallback:
    def __init__(
        self,
        deps: ChannelDeps,
        pipeline: Pipeline,
        crypto: WeComCrypto,
        passive_window: float = PASSIVE_WINDOW_SECONDS,
        kf: KfPuller | None = None,
    ) -> None:
        self.deps = deps
        self.pipeline = pipeline
        self.crypto = crypto
        self.passive_window = passive_window
        self.kf = kf

    def verify_url(self, query: Mapping[str, str]) -> str:
        """GET handshake: the decrypted echostr, verbatim."""
        sig, ts, nonce = _signed_params(query)
        # a raw '+' in the query arrives as a space after URL decoding
        echostr = query.get("echostr", "").replace(" ", "+")
        if not echostr:
            raise ChannelRejected(400, "missing echostr")
        plaintext = self.crypto.decrypt(sig, ts, nonce, echostr)
        check_window(ts, self.deps.clock.now())
        return plaintext

    async def receive(self, query: Mapping[str, str], body: bytes,
                      caller_waits: Callable[[], bool] = _always) -> str:
        """POST: the response body: '' or an encrypted passive reply.

        `caller_waits` says whether the HTTP caller is still there once the handler
        is done: WeCom gives up after 5 s (and retries), and a passive reply written
        to a closed connection would be recorded as answered yet reach nobody, so
        then the replies are queued for the send API instead.
        """
        sig, ts, nonce = _signed_params(query)
        plaintext = self.crypto.decrypt(sig, ts, nonce, envelope_encrypt(body))
        now = self.deps.clock.now()
        check_window(ts, now)
        kf_event = parse_kf_event(plaintext)
        if kf_event is not None:
            if self.kf is None:
                log.warning("kf event for %s ignored: kf is not set up (no secret)",
                            kf_event.open_kfid)
            else:
                self.kf.on_event(kf_event)
            return ""
        inbound = parse_plaintext(plaintext)
        message = inbound.message
        if message is None:
            await self.deps.inbox.first_seen(Channel.WECOM, inbound.key, now)
            log.info("wecom %s acknowledged, not handled", inbound.key)
            return ""
        claim = await self.pipeline.claim(message)
        if claim is Claim.HANDLED:
            return await self._again(message, nonce, ts, now)
        if claim is Claim.BUSY:
            log.info("wecom retry of %s while it is being handled; replies will be queued",
                     inbound.key)
            return ""
        if inbound.is_card_click:
            await self._keep_click_code(inbound)
            # grey the card out at once, so it cannot be clicked twice; answers are queued
            await self.pipeline.run_detached(message)
            return self._card_done(message.user_id, nonce, ts, now)
        replies = await self.pipeline.run(message, self.passive_window, shed=True)
        if replies is None:
            return ""
        passive = wecom_passive_text(replies[0]) if replies and caller_waits() else None
        if not await self.pipeline.finish(message, replies,
                                          answered=1 if passive is not None else 0):
            return ""  # another run of the handler answered it
        if passive is None:
            return ""
        return self._encrypt(passive_text_xml(message.user_id, self.crypto.corp_id,
                                              int(now.timestamp()), passive), nonce, ts)

    async def _again(self, message: ChatMessage, nonce: str, ts: str, now: datetime) -> str:
        """A retry of a handled message: WeCom never got our answer, so give it again.

        Only the reply that went in the HTTP answer is repeated; the others are in
        the outbox, which sends each once.
        """
        log.info("wecom retry of %s answered from its recorded replies", message.msg_id)
        if message.button_key is not None:
            return self._card_done(message.user_id, nonce, ts, now)
        answered = await self.pipeline.recorded(message)
        passive = wecom_passive_text(answered[0]) if answered else None
        if passive is None:
            return ""
        return self._encrypt(passive_text_xml(message.user_id, self.crypto.corp_id,
                                              int(now.timestamp()), passive), nonce, ts)

    async def _keep_click_code(self, inbound: Inbound) -> None:
        """The click's ResponseCode is what the clicked copy is updated with from now on.

        WeCom codes are single use and the click spent the one the send gave, so
        the copy's stored handle becomes the click's (before the handler runs,
        whose decision reply settles the card).
        """
        card_id = card_id_of_task(inbound.task_id or "")
        if not (card_id and inbound.response_code):
            return
        try:
            kept = await self.deps.cards.clicked("wecom", card_id, inbound.user_id,
                                                 inbound.response_code)
        except Exception:  # the click still counts; only the later update may fail
            log.exception("keeping the click's response code for %s failed", card_id)
            return
        if not kept:
            log.info("click on %s by %s: no recorded copy to keep its code for",
                     card_id, inbound.user_id)

    def _card_done(self, user: str, nonce: str, ts: str, now: datetime) -> str:
        done = render(RENDER_TEXTS, "card_done")
        return self._encrypt(update_button_xml(user, self.crypto.corp_id,
                                               int(now.timestamp()), done), nonce, ts)

    def _encrypt(self, xml: str, nonce: str, timestamp: str) -> str:
        return self.crypto.encrypt_reply(xml, nonce, timestamp)
