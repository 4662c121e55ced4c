"""Delivers `wecom_kf` outbox rows: inside the customer's window through kf/send_msg,
outside it to the customer's salesperson.

WeCom lets the company send a customer at most 5 messages within 48 hours of
the customer's last message. Replies to a question fit easily; a proactive
notice (a delay alert, a digest) often does not. So before sending, the
sender consults the window kept in the database: if the row's pieces no
longer fit, the notice goes to the salespeople who own the customer, with a
line asking them to pass it on, and the row counts as handled. If WeCom
refuses anyway (95018: the window is gone, or a human agent holds the
session), the row is dead at once (retrying cannot help), the window is
marked used up, and the text is relayed the same way.

kf has no template cards: a card goes out as its text with the typed
fallback ("回复 1 确认 / 2 取消"). Images are not sent through kf.
Each piece carries a msgid derived from the row, so a piece WeCom already
took is recognisable on a re-send after a crash.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection
from datetime import UTC, datetime

from bot.channels.render import plain_text, split_utf8
from bot.channels.wecom.client import WeComApiError, WeComTransportError
from bot.channels.wecom.sender import RETRYABLE
from bot.channels.wecom_kf.client import KF_TEXT_LIMIT, SESSION_CLOSED, KfClient
from bot.channels.wecom_kf.store import KfStore
from bot.delivery.senders import RetryLater, Undeliverable
from core.messages import reply_from_payload
from core.outbox import OutboxMessage
from core.ports import Clock, UnitOfWorkFactory
from core.services.customer_service import relay_to_sales

log = logging.getLogger(__name__)


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


_HEADING = re.compile(r"^#{1,6}\s*", re.MULTILINE)


def kf_texts(payload: dict[str, object]) -> list[str]:
    """The row as kf text pieces of at most 2048 bytes each.

    WeChat shows kf text as typed, so markdown (alerts are "### title" and
    **bold**) loses its markup; its title is already its first line.
    """
    reply = reply_from_payload(dict(payload))
    if reply.kind == "markdown":
        text = _HEADING.sub("", reply.text).replace("**", "")
    else:
        text = plain_text(reply)
    return split_utf8(text, KF_TEXT_LIMIT) if text.strip() else []


def piece_msgid(dedupe_key: str, index: int) -> str:
    """kf's optional msgid: at most 32 of [0-9a-zA-Z_-], stable per row and piece."""
    return hashlib.sha1(f"{dedupe_key}#{index}".encode()).hexdigest()[:32]


class KfSender:
    def __init__(self, client: KfClient, store: KfStore, uow_factory: UnitOfWorkFactory,
                 enabled: Collection[str], default_open_kfid: str = "",
                 clock: Clock | None = None) -> None:
        self.client = client
        self.store = store
        self.uow_factory = uow_factory
        self.enabled = tuple(enabled)
        self.default_open_kfid = default_open_kfid
        self.clock = clock or _UtcClock()

    async def send(self, message: OutboxMessage) -> None:
        pieces = kf_texts(message.payload)
        if not pieces:
            log.info("kf row %s has no text for kf (image only); skipped", message.id)
            return
        user = message.address
        now = self.clock.now()
        window = await self.store.window(user)
        if window.remaining(now) < len(pieces):
            who = await self._relay(message, pieces)
            if not who:
                raise Undeliverable("outside the customer's 48-hour/5-message kf window, and "
                                    "no salesperson of theirs to pass it on to")
            log.info("kf row %s to %s is outside the window; passed on to %s",
                     message.id, user, ", ".join(who))
            return
        open_kfid = (str(message.meta.get("chat_id") or "") or window.open_kfid
                     or self.default_open_kfid)
        if not open_kfid:
            raise Undeliverable("no kf account (open_kfid) to send from; "
                                "set GONGDAN_WECOM_KF_OPEN_KFID")
        try:
            for index, piece in enumerate(pieces):
                await self.client.send_text(user, open_kfid, piece,
                                            piece_msgid(message.dedupe_key, index))
                await self.store.count_sent(user)
        except WeComTransportError as exc:
            raise RetryLater(str(exc)) from None
        except WeComApiError as exc:
            if exc.errcode == SESSION_CLOSED:
                await self.store.close_window(user)
                who = await self._relay(message, pieces)
                passed = (f"passed on to {', '.join(who)}" if who
                          else "no salesperson to pass it on to")
                raise Undeliverable(
                    f"kf errcode 95018: the customer is outside the 48-hour/5-message window "
                    f"or the session is with a human agent; not retried; {passed}") from None
            if exc.errcode in RETRYABLE:
                raise RetryLater(str(exc), exc.retry_after) from None
            raise Undeliverable(str(exc)) from None

    async def _relay(self, message: OutboxMessage, pieces: list[str]) -> list[str]:
        return await relay_to_sales(self.uow_factory, message.address, "".join(pieces),
                                    message.dedupe_key, self.clock.now(), self.enabled)
