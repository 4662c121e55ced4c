"""The seam between chat channels and the conversation service.

Every channel (WeCom, DingTalk, web chat) turns its wire format into a
`ChatMessage`, hands it to `Pipeline.run`, and gets back the replies that are
ready within its answer window. Whatever the handler says later is queued in
the outbox, so nothing the bot says is lost when a platform's window closes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from aiohttp import web

from bot.channels.render import reply_to_payload
from bot.settings import Settings
from core.i18n import render
from core.idempotency import Source, handling
from core.messages import Channel, ChatMessage, Reply, reply_from_payload
from core.outbox import OutboxMessage, OutboxStatus
from core.ports import CardDeliveries, Claim, Clock, Inbox, OutboxStore, UnitOfWorkFactory

log = logging.getLogger(__name__)

T = TypeVar("T")

QUEUE_ATTEMPTS = 3
KEY_LIMIT = 160  # inbox keys and outbox dedupe keys are stored in 200-character columns


def bounded_key(key: str, limit: int = KEY_LIMIT) -> str:
    """`key` itself when short; else a prefix plus its SHA-1, still unique and stable.

    Card-click keys embed the button key (up to 1024 bytes on WeCom).
    """
    if len(key) <= limit:
        return key
    return key[: limit - 41] + "#" + hashlib.sha1(key.encode()).hexdigest()

TEXTS = {
    "handler_failed": {
        "zh": "抱歉，处理出错了，请稍后再试。",
        "en": "Sorry, something went wrong. Please try again later.",
    },
}


class MessageHandler(Protocol):
    """The conversation service; also answers unknown users with a registration hint."""

    async def __call__(self, message: ChatMessage) -> list[Reply]: ...


def _no_wake() -> None:
    return None


MAX_RUNNING_HANDLERS = 4
"""Message handlers one process runs at once; the rest wait their turn (see HandlerSlots)."""


class HandlerSlots:
    """At most `size` message handlers of this process run at once; the rest wait their turn.

    Handlers and acknowledgements share one event loop. Under a burst every
    callback started a handler at once, each ack then waited behind all of
    them, the platform's 5-s window ran out and it sent the message again,
    adding to the burst. With a bounded number running, an ack waits for at
    most a few handler steps; and when every slot is busy, a channel that can
    reply later (WeCom) acknowledges at once and its replies go through the
    outbox (`Pipeline.run(..., shed=True)`). The messages waiting for a slot are
    claimed in the inbox, so a process that dies leaves them to the recovery
    sweep of another.
    """

    def __init__(self, size: int = MAX_RUNNING_HANDLERS) -> None:
        self._sem = asyncio.Semaphore(size)

    @property
    def busy(self) -> bool:
        """Every slot taken: a new handler would wait."""
        return self._sem.locked()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._sem:
            yield


@dataclass
class ChannelDeps:
    """What every channel needs; built once in `create_app`.

    `wake_outbox` is set by `setup_dispatcher` so that freshly queued replies
    go out at once instead of at the next poll. `uow_factory` is for channels
    that keep their own state in the database (the kf cursor and window); None
    where a channel needs none (tests with in-memory fakes). `cards` remembers each
    recipient's copy of an interactive card (in memory unless bound to the
    database), so a decision can close the other copies.
    """

    handler: MessageHandler
    inbox: Inbox
    outbox: OutboxStore
    clock: Clock
    settings: Settings
    wake_outbox: Callable[[], None] = field(default=_no_wake)
    uow_factory: UnitOfWorkFactory | None = None
    cards: CardDeliveries = field(default_factory=lambda: _memory_cards())
    slots: HandlerSlots = field(default_factory=HandlerSlots)

    @classmethod
    def deferred(cls, settings: Settings) -> ChannelDeps:
        """Deps whose services arrive at startup (e.g. built in a cleanup_ctx), via `bind`.

        The setup functions read only `settings` when called; everything else is
        read per request, or when the dispatcher starts, so create_app can add
        routes first and bind the database-backed services once they exist.
        """
        return cls(
            handler=cast(MessageHandler, _Unbound("handler")),
            inbox=cast(Inbox, _Unbound("inbox")),
            outbox=cast(OutboxStore, _Unbound("outbox")),
            clock=cast(Clock, _Unbound("clock")),
            settings=settings,
        )

    def bind(self, *, handler: MessageHandler, inbox: Inbox, outbox: OutboxStore,
             clock: Clock, uow_factory: UnitOfWorkFactory | None = None,
             cards: CardDeliveries | None = None) -> None:
        self.handler, self.inbox, self.outbox, self.clock = handler, inbox, outbox, clock
        self.uow_factory = uow_factory
        if cards is not None:
            self.cards = cards


def _memory_cards() -> CardDeliveries:
    from bot.delivery.cards import MemoryCardDeliveries  # bot.delivery imports this module

    return MemoryCardDeliveries()


class _Unbound:
    """Placeholder that fails loudly if a deferred dependency is used before `bind`."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        raise RuntimeError(f"ChannelDeps.{self._name} used before ChannelDeps.bind()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"ChannelDeps.{self._name} used before ChannelDeps.bind()")


class ChannelRejected(Exception):
    """Bad input from outside: the route answers `status` and changes nothing."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class TaskTracker:
    """Keeps references to background tasks so they are neither GC'd nor orphaned.

    `drain` runs from a cleanup_ctx: it gives running handlers a grace period to
    finish (their replies reach the outbox), then cancels the rest.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float = 5.0) -> None:
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        if pending:
            log.warning("cancelling %d handler task(s) still running at shutdown", len(pending))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


@dataclass
class _Late:
    """Set by the caller when its window has closed; the task then queues its replies."""

    late: bool = False


class Pipeline:
    """Runs the handler for one inbound message and routes its replies.

    Replies that are ready within `window` seconds are returned to the channel
    (which answers them in the HTTP response and records them as sent);
    replies that come later are queued in the outbox for the dispatcher.
    """

    def __init__(self, deps: ChannelDeps, tasks: TaskTracker) -> None:
        self.deps = deps
        self.tasks = tasks

    async def claim(self, message: ChatMessage) -> Claim:
        """Take `message` for handling (NEW, RETRY) or learn it is BUSY or HANDLED already."""
        return await self.deps.inbox.claim(
            str(message.channel), message.msg_id, message_to_dict(message),
            self.deps.clock.now(), self.deps.settings.inbox_lease_seconds)

    async def run(self, message: ChatMessage, window: float,
                  shed: bool = False) -> list[Reply] | None:
        """Replies if the handler finished within `window`, else None (they get queued).

        The caller answers them and records them with `finish`; replies that miss
        the window are recorded by the handler's task, with the handled mark.
        `shed`: when every handler slot is busy, do not wait at all (the caller
        acknowledges now and the replies are queued), so acks stay fast in a burst.
        """
        if shed and self.deps.slots.busy:
            window = 0.0
        state = _Late()
        task = self.tasks.spawn(self._handle(message, state))
        done, _ = await asyncio.wait({task}, timeout=window)
        if task in done:
            return task.result()
        state.late = True
        log.info("handler for %s:%s missed the %.1fs window; replies will be queued",
                 message.channel, message.msg_id, window)
        return None

    async def run_detached(self, message: ChatMessage) -> None:
        """Handle in the background and queue every reply (channels with no sync answer)."""
        self.tasks.spawn(self._handle(message, _Late(late=True)))

    async def _handle(self, message: ChatMessage, state: _Late) -> list[Reply]:
        try:
            async with self.deps.slots.slot():
                with handling(Source(str(message.channel), message.msg_id)):
                    replies = list(await self.deps.handler(message))
        except Exception:
            log.exception("handler failed for %s:%s", message.channel, message.msg_id)
            replies = [Reply(kind="text", text=render(TEXTS, "handler_failed"))]
        if state.late:
            await self._finish_late(message, replies)
        return replies

    async def _finish_late(self, message: ChatMessage, replies: Sequence[Reply]) -> None:
        """Queue from a background task: nobody awaits it, so retry and log here.

        Should it fail for good, the message stays `received` and the recovery
        sweep handles it again once its lease has run out.
        """
        for attempt in range(QUEUE_ATTEMPTS):
            try:
                await self.finish(message, replies)
                return
            except Exception:
                if attempt == QUEUE_ATTEMPTS - 1:
                    log.exception("replies to %s:%s could not be recorded; left to recovery",
                                  message.channel, message.msg_id)
                    return
                log.warning("recording replies to %s:%s failed; retrying",
                            message.channel, message.msg_id, exc_info=True)
                await asyncio.sleep(0.5 * 2**attempt)

    async def finish(self, message: ChatMessage, replies: Sequence[Reply],
                     answered: int = 0) -> bool:
        """Record the replies and mark the message handled, in one transaction.

        The first `answered` replies are the ones the channel answers in its HTTP
        response (recorded as sent, marked `answered` so a retry can answer them
        again); the rest are queued for the dispatcher. False when another run of
        the handler finished first: the channel must not answer these replies (the
        other run's are recorded, and sent or answered).
        """
        now = self.deps.clock.now()
        rows = [_row(message, r, i, now,
                     OutboxStatus.SENT if i < answered else OutboxStatus.PENDING,
                     answered=i < answered)
                for i, r in enumerate(replies)]
        if not await self.deps.inbox.handled(str(message.channel), message.msg_id, rows, now):
            log.info("%s:%s was handled by another run meanwhile; these replies are dropped",
                     message.channel, message.msg_id)
            return False
        if len(rows) > answered:
            self.deps.wake_outbox()
        return True

    async def recorded(self, message: ChatMessage, everything: bool = False) -> list[Reply]:
        """For a retry of a handled message: the replies its HTTP answer carried, again.

        Replies that went (or go) through the outbox are not repeated, unless
        `everything` (the web chat, whose only way to the person is the answer).
        """
        rows = await self.deps.inbox.replies(str(message.channel), message.msg_id)
        return [reply_from_payload(r.payload) for r in rows
                if everything or r.meta.get("answered")]

    async def queue(self, message: ChatMessage, replies: Sequence[Reply], first: int = 0) -> None:
        """Queue replies for the dispatcher; keys are stable so a retried message queues once."""
        if not replies:
            return
        now = self.deps.clock.now()
        rows = [
            _row(message, reply, first + i, now, OutboxStatus.PENDING)
            for i, reply in enumerate(replies)
        ]
        await self.deps.outbox.add(rows)
        self.deps.wake_outbox()

    async def record_sent(self, message: ChatMessage, replies: Sequence[Reply]) -> None:
        """Record replies already delivered in the HTTP answer, so the outbox sees everything."""
        if not replies:
            return
        now = self.deps.clock.now()
        rows = [_row(message, r, i, now, OutboxStatus.SENT) for i, r in enumerate(replies)]
        await self.deps.outbox.add(rows)


def _row(
    message: ChatMessage, reply: Reply, index: int, now: Any, status: OutboxStatus,
    answered: bool = False,
) -> OutboxMessage:
    sent = status is OutboxStatus.SENT
    meta: dict[str, Any] = {"chat_id": message.chat_id} if message.chat_id else {}
    if answered:
        meta["answered"] = True
    return OutboxMessage(
        channel=str(message.channel),
        address=message.user_id,
        payload=reply_to_payload(reply),
        dedupe_key=bounded_key(f"{message.channel}:reply:{message.msg_id}:{index}", 200),
        created_at=now,
        status=status,
        attempts=1 if sent else 0,
        next_attempt_at=None if sent else now,
        sent_at=now if sent else None,
        reply_hint=message.reply_hint,
        meta=meta,
    )


def message_to_dict(message: ChatMessage) -> dict[str, Any]:
    """The message as JSON for its inbox row, so recovery can handle it without the platform."""
    return {"channel": str(message.channel), "user_id": message.user_id,
            "msg_id": message.msg_id, "at": message.at.isoformat(), "text": message.text,
            "button_key": message.button_key, "chat_id": message.chat_id,
            "reply_hint": message.reply_hint}


def message_from_dict(data: dict[str, Any]) -> ChatMessage:
    return ChatMessage(channel=Channel(data["channel"]), user_id=data["user_id"],
                       msg_id=data["msg_id"], at=datetime.fromisoformat(data["at"]),
                       text=data.get("text") or "", button_key=data.get("button_key"),
                       chat_id=data.get("chat_id"), reply_hint=data.get("reply_hint"))


class Recovery:
    """Handles again the messages whose handler died (a `received` row whose lease ran out).

    Every process sweeps, a conditional UPDATE gives each message to one of
    them, and the replies go through the outbox: the platform's retries may
    have stopped long ago (DingTalk does not retry at all once answered).
    """

    def __init__(self, pipeline: Pipeline, interval: float | None = None, batch: int = 20) -> None:
        self.pipeline = pipeline
        lease = pipeline.deps.settings.inbox_lease_seconds
        self.interval = interval if interval is not None else max(0.5, lease / 2)
        self.batch = batch

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("inbox recovery sweep failed; trying again")
            await asyncio.sleep(self.interval)

    async def sweep(self) -> int:
        deps = self.pipeline.deps
        taken = await deps.inbox.claim_unhandled(deps.clock.now(),
                                                 deps.settings.inbox_lease_seconds, self.batch)
        for entry in taken:
            log.warning("handling %s:%s again: its handler died before it was handled",
                        entry.channel, entry.key)
            await self.pipeline.run_detached(message_from_dict(entry.message))
        return len(taken)


async def read_capped(request: web.Request, limit: int) -> bytes:
    """The request body, or ChannelRejected(413) past `limit` bytes (chunked bodies too)."""
    if request.content_length is not None and request.content_length > limit:
        raise ChannelRejected(413, f"body of {request.content_length} bytes exceeds {limit}")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ChannelRejected(413, f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
