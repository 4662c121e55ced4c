"""The kf pull: a `kf_msg_or_event` callback says "messages are waiting"; we fetch them.

The callback itself carries no message, so `/wecom/callback` answers it at
once with an empty 200 and the pull runs in the background: `kf/sync_msg`
from the stored cursor, with the event's token, page after page while
`has_more`. Each message is deduped by msgid through the inbox (a callback
retried by WeCom, two processes pulling at once, or a cursor that lagged
behind a crash all re-read messages, and none is handled twice). Customer
text (origin 3) opens the 48-hour window and is claimed and handled as every
other channel's messages are (`Pipeline.claim`, `run_detached`: replies queued
with the handled mark); servicer and system messages are ignored, except the
`enter_session` event, which binds a customer through a signed link and is
answered with the one-time welcome code.

Within one process, pulls for one kf account never overlap: an event that
arrives during a pull makes that pull go round once more with the newer token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from bot.channels.pipeline import ChannelDeps, ChannelRejected, Pipeline, TaskTracker, bounded_key
from bot.channels.render import plain_text, split_utf8
from bot.channels.wecom.client import WeComApiError, WeComTransportError
from bot.channels.wecom.message import safe_xml
from bot.channels.wecom_kf.client import KF_TEXT_LIMIT, KfClient
from bot.channels.wecom_kf.store import KfStore
from core.i18n import render
from core.kf import SceneRejected, verify_scene
from core.messages import Channel, ChatMessage
from core.ports import Claim
from core.services.customer_service import bind_contact

log = logging.getLogger(__name__)

KF_EVENT = "kf_msg_or_event"
FROM_CUSTOMER = 3  # origin: 3 customer, 4 system event, 5 human agent (servicer)
MAX_PAGES = 50  # a bound on one pull; the next callback continues from the cursor
PULL_ATTEMPTS = 4
PULL_RETRYABLE = {45009, -1, 40014, 42001}  # busy, throttled, or a token that failed twice

TEXTS = {
    "welcome": {
        "zh": "您好，{name}！您已绑定{customer}。可以直接问：“我的订单”，或“SO-31 到哪了”。",
        "en": "Hello {name}! You are now linked to {customer}. Ask e.g. \"my orders\" or "
              "\"where is SO-31\".",
    },
    "welcome_back": {
        "zh": "您好，{name}！可以直接问：“我的订单”，或“SO-31 到哪了”。",
        "en": "Hello {name}! Ask e.g. \"my orders\" or \"where is SO-31\".",
    },
}


@dataclass(frozen=True, slots=True)
class KfEvent:
    token: str
    open_kfid: str


def parse_kf_event(xml: str) -> KfEvent | None:
    """The kf "pull now" event, or None for every other callback (which has a sender)."""
    root = safe_xml(xml)
    if (root.findtext("MsgType") or "").strip().lower() != "event":
        return None
    if (root.findtext("Event") or "").strip() != KF_EVENT:
        return None
    open_kfid = (root.findtext("OpenKfId") or "").strip()
    if not open_kfid:
        raise ChannelRejected(400, "kf_msg_or_event without OpenKfId")
    return KfEvent(token=(root.findtext("Token") or "").strip(), open_kfid=open_kfid)


class KfPuller:
    """Pulls and dispatches kf messages; built by `setup_wecom_kf`, fed by the callback.

    `client` is a callable because the HTTP session exists only while the app runs.
    """

    def __init__(self, deps: ChannelDeps, pipeline: Pipeline, tasks: TaskTracker,
                 client: Callable[[], KfClient], store: Callable[[], KfStore]) -> None:
        self.deps = deps
        self.pipeline = pipeline
        self.tasks = tasks
        self._client = client
        self._store = store
        self._pending: dict[str, str] = {}  # open_kfid -> newest token not yet pulled with
        self._running: set[str] = set()

    def on_event(self, event: KfEvent) -> None:
        """Schedule a pull and return at once (the callback must answer within 5 s)."""
        self._pending[event.open_kfid] = event.token
        if event.open_kfid not in self._running:
            self._running.add(event.open_kfid)
            self.tasks.spawn(self._drain(event.open_kfid))

    async def _drain(self, open_kfid: str) -> None:
        try:
            while (token := self._pending.pop(open_kfid, None)) is not None:
                await self._pull_with_retries(open_kfid, token)
        finally:
            self._running.discard(open_kfid)

    async def _pull_with_retries(self, open_kfid: str, token: str) -> None:
        """Retry a busy or unreachable API a few times while the token lasts (10 minutes).

        Without this a customer's message would wait for the next callback, which
        comes only when someone writes again. The cursor holds what was done, so a
        retry (or the next callback, after the last one) resumes where this stopped.
        """
        for attempt in range(1, PULL_ATTEMPTS + 1):
            try:
                await self.pull(open_kfid, token)
                return
            except (WeComApiError, WeComTransportError) as exc:
                code = exc.errcode if isinstance(exc, WeComApiError) else None
                if code is not None and code not in PULL_RETRYABLE or attempt == PULL_ATTEMPTS:
                    log.warning("kf pull for %s stopped: %s", open_kfid, exc)
                    return
                hint = exc.retry_after if isinstance(exc, WeComApiError) else None
                wait = min(60.0, max(hint or 0.0, 2.0 ** attempt))
                log.info("kf pull for %s failed (%s); again in %.0fs", open_kfid, exc, wait)
                await asyncio.sleep(wait)
                token = self._pending.pop(open_kfid, token)  # a newer token, if one came
            except Exception:
                log.exception("kf pull for %s failed", open_kfid)
                return

    async def pull(self, open_kfid: str, token: str) -> int:
        """Fetch and dispatch everything after the stored cursor; returns messages new to us."""
        client, store = self._client(), self._store()
        cursor = await store.cursor(open_kfid)
        handled = 0
        for _ in range(MAX_PAGES):
            page = await client.sync_msg(open_kfid, cursor, token)
            for msg in page.get("msg_list") or ():
                if isinstance(msg, dict):
                    handled += await self._one(msg, open_kfid)
            next_cursor = str(page.get("next_cursor") or "")
            if next_cursor and next_cursor != cursor:
                cursor = next_cursor
                await store.save_cursor(open_kfid, cursor)
            if not page.get("has_more"):
                break
        return handled

    async def _one(self, msg: dict[str, Any], open_kfid: str) -> int:
        msgid = str(msg.get("msgid") or "")
        if not msgid:
            return 0
        key = bounded_key(f"kf:{msgid}")
        kfid = str(msg.get("open_kfid") or open_kfid)
        try:
            if msg.get("msgtype") == "event":
                if await self._first_seen(key):
                    await self._event(msg.get("event") or {}, kfid, key)
                    return 1
            elif int(msg.get("origin") or 0) == FROM_CUSTOMER:
                return await self._customer_message(msg, kfid, key)
            elif await self._first_seen(key):  # a servicer's or the system's: nothing to do
                return 1
        except (WeComApiError, WeComTransportError) as exc:
            log.warning("kf message %s not answered: %s", msgid, exc)
            return 1
        except Exception:  # one bad message must not stop the pull or lose the cursor
            log.exception("kf message %s failed", msgid)
            return 1
        log.info("kf message %s already handled", msgid)
        return 0

    async def _first_seen(self, key: str) -> bool:
        """Record a message there is nothing to handle for (or one handled on the spot)."""
        return await self.deps.inbox.first_seen(Channel.WECOM_KF, key, self.deps.clock.now())

    async def _customer_message(self, msg: dict[str, Any], open_kfid: str, key: str) -> int:
        """A customer's text goes through the pipeline's claim -> handled states, as every
        channel's messages do: a message re-read (a retried callback, two processes
        pulling, a cursor that lagged behind a crash) is handled once, and one whose
        handler died is handled again by the recovery sweep."""
        user = str(msg.get("external_userid") or "")
        if not user:
            return 0
        sent = str(msg.get("send_time") or "")
        at = datetime.fromtimestamp(int(sent), UTC) if sent.isdigit() else self.deps.clock.now()
        if msg.get("msgtype") != "text":
            if not await self._first_seen(key):
                return 0
            await self._store().customer_wrote(user, at, open_kfid)
            log.info("kf %s message from %s not handled", msg.get("msgtype"), user)
            return 1
        text = str((msg.get("text") or {}).get("content") or "").strip()
        message = ChatMessage(channel=Channel.WECOM_KF, user_id=user, msg_id=key, at=at,
                              text=text, chat_id=open_kfid)
        if await self.pipeline.claim(message) not in (Claim.NEW, Claim.RETRY):
            return 0  # handled, or a live handler has it
        await self._store().customer_wrote(user, at, open_kfid)  # before any reply is queued
        await self.pipeline.run_detached(message)
        return 1

    async def _event(self, event: dict[str, Any], open_kfid: str, key: str) -> None:
        if event.get("event_type") != "enter_session":
            return  # msg_send_fail, servicer and session status changes: nothing to answer
        user = str(event.get("external_userid") or "")
        code = str(event.get("welcome_code") or "")
        if not user:
            return
        text = await self._welcome_text(user, str(event.get("scene_param") or ""), open_kfid, key)
        if not code or not text:
            log.info("kf enter_session of %s without welcome code; not greeted", user)
            return
        await self._client().send_on_event(code, split_utf8(text, KF_TEXT_LIMIT)[0])

    async def _welcome_text(self, user: str, scene_param: str, open_kfid: str, key: str) -> str:
        """Bind through a valid link and greet; anyone else hears the unknown-sender answer."""
        store = self._store()
        if scene_param and self.deps.uow_factory is not None:
            try:
                code = verify_scene(await store.link_secret(), unquote(scene_param),
                                    self.deps.clock.now())
            except SceneRejected as exc:
                log.warning("kf enter_session of %s with a rejected scene_param: %s", user, exc)
            else:
                binding = await bind_contact(self.deps.uow_factory, user, code)
                if binding is not None:
                    log.info("kf user %s bound to customer %s as %s", user, code,
                             binding.person.id)
                    return render(TEXTS, "welcome", binding.person.lang,
                                  name=binding.person.name, customer=binding.customer.name)
                log.warning("kf user %s could not be bound to customer %s", user, code)
        person = await store.contact(user)
        if person is not None:
            return render(TEXTS, "welcome_back", person.lang, name=person.name)
        # the conversation service owns the unknown-sender answer (with the sender's id)
        replies = await self.deps.handler(ChatMessage(
            channel=Channel.WECOM_KF, user_id=user, msg_id=key, at=self.deps.clock.now(),
            chat_id=open_kfid))
        return "\n".join(plain_text(r) for r in replies if plain_text(r))
