"""The outbox dispatcher: delivers queued messages with retries, backoff and rate limits.

Crash safety comes from the store's leases: `claim_due` leases rows, and a
dispatcher that dies mid-send simply lets the lease expire, after which the
rows are due again. A row can therefore be sent twice after a crash; WeCom's
enable_duplicate_check, looking back over the row's lifetime, keeps that from
showing twice (see bot.channels.wecom.sender). DingTalk has no such check: a crash in
the instant between DingTalk's answer and mark_sent can repeat one message.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.dingtalk.client import DingTalkClient
from bot.channels.dingtalk.sender import DingTalkSender
from bot.channels.pipeline import ChannelDeps
from bot.channels.web.auth import require_admin
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.sender import WeComSender
from bot.channels.wecom_kf.client import KfClient
from bot.channels.wecom_kf.sender import KfSender
from bot.channels.wecom_kf.store import KfStore
from bot.delivery.cards import CardSettler
from bot.delivery.senders import RetryLater, Senders, TokenBucket, Undeliverable, WebSender
from bot.metrics import observe_push
from bot.settings import Settings
from core.errors import ConfigError
from core.faults import crash_point
from core.outbox import OutboxMessage
from core.ports import CardDeliveries, Clock, OutboxStore, UnitOfWorkFactory

log = logging.getLogger(__name__)

# messages per second per channel; well under WeCom's and DingTalk's API rates
DEFAULT_RATES = {"wecom": (20.0, 20.0), "dingtalk": (10.0, 10.0), "wecom_kf": (10.0, 10.0)}


class OutboxDispatcher:
    def __init__(
        self,
        outbox: OutboxStore,
        senders: Senders,
        clock: Clock,
        *,
        max_attempts: int = 8,
        batch_size: int = 50,
        lease_seconds: float = 120.0,
        poll_seconds: float = 1.0,
        base_backoff: float = 2.0,
        max_backoff: float = 300.0,
        concurrency: int = 8,
        send_timeout: float = 60.0,
        rates: Mapping[str, tuple[float, float]] | None = None,
        jitter: Callable[[], float] = random.random,
        on_sent: Callable[[OutboxMessage], Awaitable[None]] | None = None,
    ) -> None:
        self.outbox = outbox
        self.on_sent = on_sent  # e.g. CardSettler.after_sent: a decision closes other cards
        self.senders = senders
        self.clock = clock
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.send_timeout = send_timeout  # a safety net; the clients time out sooner
        self._jitter = jitter
        self._slots = asyncio.Semaphore(concurrency)
        self._buckets = {ch: TokenBucket(rate, burst)
                         for ch, (rate, burst) in (rates or DEFAULT_RATES).items()}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows were queued: look now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Poll forever (until cancelled); a failing store only delays the next round."""
        while True:
            self._wake.clear()  # before the round: a wake during it is not lost
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("outbox round failed; retrying after the poll interval")
                handled = 0
            if handled >= self.batch_size:
                continue  # more may be due right away
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed."""
        rows = await self.outbox.claim_due(self.clock.now(), self.batch_size, self.lease_seconds)
        groups: dict[tuple[str, str], list[OutboxMessage]] = {}
        for row in rows:
            groups.setdefault((row.channel, row.address), []).append(row)
        await asyncio.gather(*(self._deliver_in_order(g) for g in groups.values()))
        return len(rows)

    async def _deliver_in_order(self, rows: list[OutboxMessage]) -> None:
        """One address's rows, oldest first; after a failure the rest wait for their lease.

        Leaving them leased (instead of counting a failed attempt) keeps the
        person's messages in order without burning their retries.
        """
        rows.sort(key=lambda r: (r.created_at, r.id or 0))
        async with self._slots:
            for row in rows:
                if not await self._deliver(row):
                    return

    async def _deliver(self, row: OutboxMessage) -> bool:
        """Send one row and record the outcome, with its latency, in /metrics."""
        started = time.perf_counter()
        delivered = await self._attempt(row)
        observe_push(row.channel, "sent" if delivered else "failed", time.perf_counter() - started)
        return delivered

    async def _attempt(self, row: OutboxMessage) -> bool:
        assert row.id is not None
        sender = self.senders.get(row.channel)
        if sender is None:
            await self.outbox.mark_dead(row.id, f"no sender for channel {row.channel!r}")
            return False
        bucket = self._buckets.get(row.channel)
        if bucket is not None and (wait := bucket.take()) > 0:
            await asyncio.sleep(wait)
        try:
            async with asyncio.timeout(self.send_timeout):
                await sender.send(row)
        except RetryLater as exc:
            await self._retry(row, str(exc), exc.after)
            return False
        except Undeliverable as exc:
            log.warning("outbox %s to %s:%s is undeliverable: %s",
                        row.id, row.channel, row.address, exc)
            await self.outbox.mark_dead(row.id, str(exc))
            return False
        except TimeoutError:
            await self._retry(row, f"no answer within {self.send_timeout:.0f}s", None)
            return False
        except Exception as exc:  # a bug or an unexpected answer: retry, bounded
            log.exception("outbox %s failed unexpectedly", row.id)
            await self._retry(row, f"{type(exc).__name__}: {exc}", None)
            return False
        crash_point("outbox_after_send_before_mark")
        await self.outbox.mark_sent(row.id, self.clock.now())
        if self.on_sent is not None:
            try:
                await self.on_sent(row)
            except Exception:  # the row is sent; a failing hook must not resend it
                log.exception("after-send hook failed for outbox %s", row.id)
        return True

    async def _retry(self, row: OutboxMessage, error: str, hint: float | None) -> None:
        assert row.id is not None
        attempt = row.attempts + 1
        if attempt >= self.max_attempts:
            log.error("outbox %s to %s:%s dead after %d attempts: %s",
                      row.id, row.channel, row.address, attempt, error)
            await self.outbox.mark_dead(row.id, f"gave up after {attempt} attempts: {error}")
            return
        delay = self.backoff(attempt, hint)
        log.info("outbox %s attempt %d failed (%s); next in %.1fs", row.id, attempt, error, delay)
        await self.outbox.mark_retry(row.id, self.clock.now() + timedelta(seconds=delay), error)

    def backoff(self, attempt: int, hint: float | None = None) -> float:
        """Exponential, capped, with jitter in [50%, 100%]; never sooner than the hint."""
        ceiling = min(self.max_backoff, self.base_backoff * 2.0 ** (attempt - 1))
        delay = ceiling * (0.5 + 0.5 * self._jitter())
        return max(delay, hint or 0.0)


def build_senders(
    session: aiohttp.ClientSession, settings: Settings, clock: Clock | None = None,
    uow_factory: UnitOfWorkFactory | None = None,
    cards: CardDeliveries | None = None,
) -> dict[str, Any]:
    """A sender per configured channel; web replies are always answered in-line.

    The kf sender needs the database (the customers' windows, and the
    salespeople a notice outside the window goes to), hence `uow_factory`.
    `cards` records each recipient's copy of an interactive card. DingTalk
    cards call back only in Stream mode, so only then are they interactive.
    """
    senders: dict[str, Any] = {"web": WebSender()}
    if settings.wecom_corp_id and settings.wecom_secret:
        if not settings.wecom_agent_id.isdigit():
            raise ConfigError("sending through WeCom needs a numeric GONGDAN_WECOM_AGENT_ID")
        senders["wecom"] = WeComSender(WeComClient(
            session, settings.wecom_api_base, settings.wecom_corp_id, settings.wecom_secret,
            int(settings.wecom_agent_id)), clock, cards)
    kf_secret = settings.wecom_kf_secret or settings.wecom_secret
    if settings.wecom_corp_id and kf_secret and uow_factory is not None:
        senders["wecom_kf"] = KfSender(
            KfClient.from_settings(session, settings),
            KfStore(uow_factory, clock or _SystemClock(), settings.wecom_kf_link_secret),
            uow_factory, settings.channels, settings.wecom_kf_open_kfid, clock)
    if settings.dingtalk_app_secret and settings.dingtalk_robot_code:
        senders["dingtalk"] = DingTalkSender(DingTalkClient(
            session, settings.dingtalk_api_base, settings.dingtalk_robot_code,
            settings.dingtalk_app_secret, oapi_base=settings.dingtalk_oapi_base), clock,
            interactive_cards=settings.dingtalk_mode == "stream", cards=cards)
    return senders


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


dispatcher_key = web.AppKey("outbox_dispatcher", OutboxDispatcher)
card_settler_key = web.AppKey("card_settler", CardSettler)
_deps_key = web.AppKey("outbox_deps", ChannelDeps)


def setup_dispatcher(
    app: web.Application, deps: ChannelDeps, senders: Senders | None = None
) -> None:
    """Run the dispatcher for the app's lifetime and add GET /api/outbox/dead.

    Also points `deps.wake_outbox` at the dispatcher, so call this before the
    first request (i.e. in create_app, like the channel setups). The app's
    `card_settler_key` holds the CardSettler that closes the other copies of a
    decided card (also callable directly by the approval use case).
    """
    app[_deps_key] = deps

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            chosen = senders if senders is not None else build_senders(
                session, deps.settings, deps.clock, deps.uow_factory, deps.cards)
            settler = CardSettler(deps.cards, chosen, deps.clock)
            dispatcher = OutboxDispatcher(
                deps.outbox, chosen, deps.clock, max_attempts=deps.settings.outbox_max_attempts,
                poll_seconds=deps.settings.outbox_poll_seconds, on_sent=settler.after_sent,
                lease_seconds=deps.settings.outbox_lease_seconds)
            app[dispatcher_key] = dispatcher
            app[card_settler_key] = settler
            deps.wake_outbox = dispatcher.wake
            task = asyncio.create_task(dispatcher.run(), name="outbox-dispatcher")
            try:
                yield
            finally:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    app.cleanup_ctx.append(lifetime)
    app.router.add_get("/api/outbox/dead", dead_letters)


async def dead_letters(request: web.Request) -> web.Response:
    deps = request.app[_deps_key]
    require_admin(request, deps.settings)
    rows = await deps.outbox.dead_letters(limit=100)
    return web.json_response([_dead_view(r) for r in rows])


def _dead_view(row: OutboxMessage) -> dict[str, Any]:
    return {
        "id": row.id, "channel": row.channel, "address": row.address,
        "dedupe_key": row.dedupe_key, "attempts": row.attempts, "last_error": row.last_error,
        "created_at": row.created_at.isoformat(), "payload": row.payload,
    }
