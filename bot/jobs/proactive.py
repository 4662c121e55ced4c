"""Scheduled jobs: morning digests per role, delay checks and a nightly full plan,
run by one process only. The nightly plan holds the planner for its time limit, so
it runs when few changes arrive.

APScheduler keeps its jobs in the project's database (SQLAlchemyJobStore, which
is synchronous: it gets the sync form of the engine's URL, psycopg on PostgreSQL
as for the app, and its I/O runs in worker threads, see bot/jobs/offloop.py),
so a restart keeps
the schedule and a digest missed while the server was down runs once on start
within the grace time (coalesced).
Only the process holding the leader lock (bot/jobs/leader.py) starts a scheduler;
the others try again every `retry_seconds`, so a crashed leader is replaced.

Persisted jobs name a module-level function and plain arguments; the function
finds the live runtime for its database in `_RUNTIMES`, where only the leader
registers itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import make_url

from bot import metrics
from bot.jobs.leader import Leadership
from bot.jobs.offloop import OffLoopScheduler, finish_in_thread
from bot.keys import container_key, settings_key
from bot.pages.gantt import render_png_async
from core.errors import ConfigError
from core.model.plan import PlanVersion
from core.services.proactive import (
    ProactiveConfig,
    check_delays,
    check_if_replanned,
    send_digest,
)

log = logging.getLogger(__name__)

DIGEST_GRACE_SECONDS = 3 * 3600  # a digest up to 3 h late is still worth sending
CHECK_GRACE_SECONDS = 600
CHECK_EVERY_MINUTES = 10  # overdue operations and slipped materials need no replan to appear
WATCH_EVERY_SECONDS = 120
"""The safety sweep "delays:watch". A plan committed in this process reaches the delay check
through the bus at once (bot/app.py subscribe_serving); the sweep catches the two cases the
bus cannot: a plan committed by another process, and a crash between a commit and its
after-commit handlers. Both are rare, so every two minutes is enough."""
JOB_TABLE = "apscheduler_jobs"
NIGHTLY_PLAN = "plan:nightly"
NIGHTLY_REASON = "nightly full plan"
NIGHTLY_MIN_GAP = timedelta(hours=6)

_RUNTIMES: dict[str, ProactiveRuntime] = {}


# configuration --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestTime:
    hour: int
    minute: int
    day_of_week: str | None = None  # None = every day; "mon" = weekly


def parse_time(text: str, weekly: bool = False) -> DigestTime:
    """ "08:07" or "mon 08:07" -> DigestTime; a weekly default falls on Monday."""
    parts = text.strip().split()
    day = parts[0].lower()[:3] if len(parts) == 2 else ("mon" if weekly else None)
    try:
        hour, minute = (int(x) for x in parts[-1].split(":"))
    except ValueError:
        raise ConfigError(f"digest time must look like 08:07, got {text!r}") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ConfigError(f"digest time out of range: {text!r}")
    return DigestTime(hour, minute, day)


def digest_times(default: str, spec: str = "") -> dict[str, DigestTime]:
    """Per-role times: supervisor and sales daily, customers weekly (Monday) by default.

    `spec` overrides per role: "supervisor=07:47,sales=08:13,customer=fri 16:07".
    """
    times = {
        "supervisor": parse_time(default),
        "sales": parse_time(default),
        "customer": parse_time(default, weekly=True),
    }
    for item in filter(None, (p.strip() for p in spec.split(","))):
        role, _, when = item.partition("=")
        if role.strip() not in times:
            raise ConfigError(f"unknown digest role {role.strip()!r}")
        times[role.strip()] = parse_time(when, weekly=role.strip() == "customer")
    return times


def digest_trigger(when: DigestTime, tz: str) -> CronTrigger:
    return CronTrigger(
        hour=when.hour, minute=when.minute, day_of_week=when.day_of_week, timezone=tz
    )


def sync_url(async_url: str) -> str:
    """The job store's synchronous URL for the app's async one (same database).

    sqlite+aiosqlite -> sqlite (the standard library driver). PostgreSQL goes
    through psycopg 3 on both sides, so the URL stays as it is, TLS parameters
    (`sslmode`, `sslrootcert`) included; the runtime hands in the engine's URL,
    which storage has already normalised to postgresql+psycopg.
    """
    url = make_url(async_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite").render_as_string(hide_password=False)
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ConfigError(f"no job store for database {backend!r}")


def job_specs(
    times: Mapping[str, DigestTime], tz: str, nightly: DigestTime | None = None
) -> dict[str, BaseTrigger]:
    """The persisted jobs: id -> trigger.

    `nightly` is the daily full plan. Between full plans every change is a
    repair of the plan before it, which keeps the shop's queues stable but
    cannot re-sequence the whole shop; a full plan at night, hinted by the
    current one, collects what the repairs left (on shop_1000_s1 after a rush:
    163,178 weighted minutes late repaired, 147,504 planned afresh).
    """
    specs: dict[str, BaseTrigger] = {
        f"digest:{role}": digest_trigger(when, tz) for role, when in times.items()
    }
    specs["delays:check"] = IntervalTrigger(minutes=CHECK_EVERY_MINUTES, timezone=tz)
    if nightly is not None:
        specs[NIGHTLY_PLAN] = digest_trigger(nightly, tz)
    return specs


def ensure_jobs(
    scheduler: AsyncIOScheduler,
    specs: Mapping[str, BaseTrigger],
    db_key: str,
    jobstore: str = "default",
) -> None:
    """Add missing jobs, replace changed ones and drop those no longer configured; a stored
    job with the same trigger is kept as it is, so its next run time (possibly a missed
    one) survives a restart."""
    stored = {job.id: job for job in scheduler.get_jobs(jobstore)}  # one read, not one per job
    for job_id in stored.keys() - specs.keys():
        scheduler.remove_job(job_id, jobstore)
    for job_id, trigger in specs.items():
        existing = stored.get(job_id)
        if existing is not None and str(existing.trigger) == str(trigger):
            continue
        grace = CHECK_GRACE_SECONDS if job_id == "delays:check" else DIGEST_GRACE_SECONDS
        scheduler.add_job(
            run_scheduled,
            trigger,
            args=[job_id],
            kwargs={"db": db_key},
            id=job_id,
            name=job_id,
            jobstore=jobstore,
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=grace,
            max_instances=1,
        )


class MigratedJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
    """APScheduler's SQLAlchemy job store on the table the migrations made.

    APScheduler creates its table when the store starts; here the table is
    Alembic's (migration 0003), so starting runs no DDL, nor the blocking
    existence check that came with it on the event loop.
    """

    def start(self, scheduler: Any, alias: str) -> None:
        BaseJobStore.start(self, scheduler, alias)


def make_scheduler(db_url: str, tz: str) -> tuple[OffLoopScheduler, SQLAlchemyJobStore]:
    """A scheduler (not started) whose default job store is the project's migrated database."""
    url = sync_url(db_url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 10}
    store = MigratedJobStore(url=url, tablename=JOB_TABLE, engine_options=options)
    return store_scheduler(store, tz), store


def store_scheduler(store: SQLAlchemyJobStore, tz: str) -> OffLoopScheduler:
    return OffLoopScheduler(
        jobstores={"default": store, "memory": MemoryJobStore()},
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": CHECK_GRACE_SECONDS,
            "max_instances": 1,
        },
        timezone=tz,
    )


async def _close(scheduler: OffLoopScheduler, store: SQLAlchemyJobStore) -> None:
    """Shut a scheduler and close its job store's engine, whether it started or not."""
    if scheduler.running:
        scheduler.shutdown(wait=False)
        await scheduler.wait_closed()
    else:
        await finish_in_thread(store.engine.dispose)


# the job functions ----------------------------------------------------------------


async def run_scheduled(job_id: str, db: str) -> None:
    """Entry point of every persisted job: find this database's leader runtime and run."""
    runtime = _RUNTIMES.get(db)
    if runtime is None or not runtime.leadership.held:
        log.info("job %s skipped: this process does not lead for %s", job_id, db)
        return
    await runtime.run(job_id)


# the runtime -------------------------------------------------------------------


class ProactiveRuntime:
    """Leader election plus, while leader, a running scheduler; one per app."""

    def __init__(
        self,
        container: Any,
        db_url: str,
        times: Mapping[str, DigestTime],
        config: ProactiveConfig,
        retry_seconds: float = 15.0,
        nightly: DigestTime | None = None,
        nightly_time_limit: float = 60.0,
    ) -> None:
        self.container = container
        self.nightly = nightly
        self.nightly_time_limit = nightly_time_limit
        self.db_url = db_url
        # the job store reads the URL the engine was made from (driver and TLS settled)
        self.store_url = sync_url(container.engine.url.render_as_string(hide_password=False))
        self.db_key = make_url(db_url).render_as_string(hide_password=True)
        self.times = dict(times)
        self.config = config
        self.retry_seconds = retry_seconds
        self.leadership = Leadership(container.engine)
        self.scheduler: OffLoopScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self.runs: list[str] = []  # job ids run by this process, newest last

    async def start(self) -> None:
        self._task = asyncio.create_task(self._lead(), name="gongdan-scheduler-leader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._step_down()

    async def _lead(self) -> None:
        while True:
            try:
                if await self.leadership.try_acquire():
                    if self.scheduler is None:
                        await self._take_over()
                elif self.scheduler is not None:
                    await self._step_down()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad round must not end leader election for good
                log.exception("scheduler leadership round failed")
            await asyncio.sleep(self.retry_seconds)

    async def _take_over(self) -> None:
        scheduler, store = make_scheduler(self.store_url, self.config.tz)
        try:
            scheduler.start(paused=True)  # the job table is the migrations' (0003)
            # the job store is synchronous: on SQLite its INSERT waits for the write lock,
            # and on the loop it would wait for a transaction that needs the loop to commit
            # (the demo's first replan: "database is locked" after 10 s of a frozen loop)
            await finish_in_thread(
                ensure_jobs,
                scheduler,
                job_specs(self.times, self.config.tz, self.nightly),
                self.db_key,
            )
        except BaseException:
            # stopped (or failed) half-way: nothing else holds this scheduler, and its
            # engine's pooled connection would be collected unclosed
            await _close(scheduler, store)
            raise
        scheduler.add_job(
            self.run,
            IntervalTrigger(seconds=WATCH_EVERY_SECONDS),
            args=["delays:watch"],
            id="delays:watch",
            jobstore="memory",
            replace_existing=True,
        )
        _RUNTIMES[self.db_key] = self
        scheduler.resume()
        self.scheduler = scheduler
        metrics.LEADER.set(1)
        log.info("this process now runs the scheduled jobs")

    async def _step_down(self) -> None:
        if self.scheduler is not None:
            scheduler, self.scheduler = self.scheduler, None
            scheduler.shutdown(wait=False)
            await scheduler.wait_closed()
        if _RUNTIMES.get(self.db_key) is self:
            del _RUNTIMES[self.db_key]
        if self.leadership.held:
            await self.leadership.release()
        metrics.LEADER.set(0)

    async def run(self, job_id: str) -> None:
        """One job; failures are counted and logged, the schedule goes on."""
        c = self.container
        try:
            if job_id.startswith("digest:"):
                role = job_id.split(":", 1)[1]
                sent = await send_digest(role, c.uow_factory, c.clock, self.config, self._gantt)
                metrics.DIGESTS.labels(role).inc(len(sent))
            elif job_id == NIGHTLY_PLAN:
                await self._nightly_plan()
            elif job_id == "delays:watch":
                await self._count(await check_if_replanned(c.uow_factory, c.clock, self.config))
            else:
                await self._count(await check_delays(c.uow_factory, c.clock, self.config))
        except Exception:
            metrics.JOB_RUNS.labels(job_id, "error").inc()
            log.exception("scheduled job %s failed", job_id)
            return
        self.runs.append(job_id)
        metrics.JOB_RUNS.labels(job_id, "ok").inc()

    async def _nightly_plan(self) -> None:
        """A full plan, once a night; the planner announces it, so slipped orders raise alerts.

        A round whose job-store write failed runs its due jobs again on the retry,
        so a nightly plan made within the last hours is not made twice.
        """
        c = self.container
        async with c.uow_factory() as uow:
            latest = await uow.plans.latest()
        now = c.clock.now()
        if (
            latest is not None
            and latest.reason == NIGHTLY_REASON
            and now - latest.created_at < NIGHTLY_MIN_GAP
        ):
            log.info(
                "nightly plan skipped: version %s was made at %s", latest.number, latest.created_at
            )
            return
        await c.planner.replan(NIGHTLY_REASON, time_limit_s=self.nightly_time_limit)

    async def _gantt(self, plan: PlanVersion, now: datetime) -> bytes | None:
        return await render_png_async(
            plan, max(plan.epoch, now), self.config.gantt_days, self.config.tz
        )

    @staticmethod
    async def _count(alerts: list[Any] | None) -> None:
        for alert in alerts or ():
            metrics.ALERTS.labels(alert.kind.value).inc()


# wiring -------------------------------------------------------------------------

proactive_key = web.AppKey("proactive", ProactiveRuntime)


def config_from(settings: Any) -> ProactiveConfig:
    return ProactiveConfig(
        tz=settings.tz,
        threshold_minutes=settings.delay_alert_threshold_minutes,
        channels=frozenset(c for c in settings.channels if c != "web"),
    )


def setup_proactive(
    app: web.Application,
    *,
    times: Mapping[str, DigestTime] | None = None,
    retry_seconds: float = 15.0,
) -> None:
    """The scheduler's lifecycle.

    Call from create_app after the container's cleanup_ctx entry: the scheduler
    starts once the container exists and stops before it closes.
    """

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        settings = app[settings_key]
        chosen = times or digest_times(settings.digest_time, getattr(settings, "digest_times", ""))
        nightly_at = getattr(settings, "nightly_plan_time", "")
        runtime = ProactiveRuntime(
            app[container_key],
            settings.db_url,
            chosen,
            replace(config_from(settings), links=app[container_key].links),
            retry_seconds,
            nightly=parse_time(nightly_at) if nightly_at.strip() else None,
            nightly_time_limit=getattr(settings, "nightly_plan_time_limit", 60.0),
        )
        app[proactive_key] = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app.cleanup_ctx.append(lifecycle)
