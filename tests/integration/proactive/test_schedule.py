"""The scheduler: jobs persisted in the project's database, and one process running them."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import create_app
from bot.jobs import proactive as schedule
from bot.jobs.leader import Leadership
from bot.jobs.offloop import OffLoopScheduler
from bot.jobs.proactive import (
    ProactiveRuntime,
    digest_times,
    ensure_jobs,
    job_specs,
    make_scheduler,
    parse_time,
    proactive_key,
    sync_url,
)
from bot.settings import Settings
from core.planning.types import SolveParams
from core.services.planning import Planner
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.helpers import TZ, FakeClock, outbox_rows, seed

NOW = datetime.fromisoformat("2026-11-22T23:50:00+00:00")  # 07:50 on the 23rd in Shanghai
JOB_IDS = {"digest:supervisor", "digest:sales", "digest:customer", "delays:check"}


def test_sync_url_for_the_job_store() -> None:
    assert sync_url("sqlite+aiosqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    tls = "postgresql+psycopg://u:p@h:5432/db?sslmode=require&sslrootcert=%2Fca.pem"
    assert sync_url(tls) == tls  # the app's own URL: one driver, the same TLS settings


async def _started(engine: AsyncEngine) -> OffLoopScheduler:
    """A paused scheduler on the migrated database behind `engine`."""
    scheduler, _store = make_scheduler(engine.url.render_as_string(hide_password=False), TZ)
    scheduler.start(paused=True)
    return scheduler


def _next_runs(scheduler: AsyncIOScheduler) -> dict[str, datetime]:
    return {j.id: j.next_run_time for j in scheduler.get_jobs(jobstore="default")}


async def test_jobs_survive_a_restart(engine: AsyncEngine) -> None:
    first = await _started(engine)
    ensure_jobs(first, job_specs(digest_times("08:07"), TZ), "db")
    before = _next_runs(first)
    first.shutdown(wait=False)
    await first.wait_closed()  # its engine disposed before the database goes

    second = await _started(engine)
    try:
        assert _next_runs(second) == before and set(before) == JOB_IDS
        job = second.get_job("digest:supervisor")
        assert job is not None and job.coalesce and job.misfire_grace_time >= 3600
        ensure_jobs(second, job_specs(digest_times("08:07"), TZ), "db")  # unchanged: kept
        assert _next_runs(second) == before
        ensure_jobs(second, job_specs(digest_times("09:07"), TZ), "db")  # changed: replaced
        moved = second.get_job("digest:supervisor")
        assert moved is not None and moved.next_run_time.hour == 9
    finally:
        second.shutdown(wait=False)
        await second.wait_closed()  # its engine disposed before the database goes


async def test_the_nightly_plan_job_follows_the_configuration(engine: AsyncEngine) -> None:
    scheduler = await _started(engine)
    try:
        at_night = job_specs(digest_times("08:07"), TZ, parse_time("02:07"))
        await asyncio.to_thread(ensure_jobs, scheduler, at_night, "db")
        assert set(_next_runs(scheduler)) == JOB_IDS | {"plan:nightly"}
        job = scheduler.get_job("plan:nightly")
        assert job is not None and job.next_run_time.astimezone(ZoneInfo(TZ)).hour == 2
        await asyncio.to_thread(ensure_jobs, scheduler, job_specs(digest_times("08:07"), TZ), "db")
        assert set(_next_runs(scheduler)) == JOB_IDS  # turned off: the stored job goes too
    finally:
        scheduler.shutdown(wait=False)
        await scheduler.wait_closed()  # its engine disposed before the database goes


class _Recorder:
    """Stands in for a leader runtime: records what the scheduler asks it to run."""

    def __init__(self) -> None:
        self.leadership = type("Held", (), {"held": True})()
        self.ran: list[str] = []
        self.event = asyncio.Event()

    async def run(self, job_id: str) -> None:
        self.ran.append(job_id)
        self.event.set()


async def test_a_digest_missed_while_down_runs_once_after_restart(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _started(engine)
    ensure_jobs(first, job_specs(digest_times("08:07"), TZ), "db")
    missed = datetime.now(first.timezone) - timedelta(minutes=30)
    first.modify_job("digest:supervisor", next_run_time=missed)
    first.shutdown(wait=False)
    await first.wait_closed()  # its engine disposed before the database goes

    recorder = _Recorder()
    monkeypatch.setitem(schedule._RUNTIMES, "db", recorder)
    second = await _started(engine)
    second.resume()
    try:
        await asyncio.wait_for(recorder.event.wait(), 10)
        await asyncio.sleep(0.3)
        assert recorder.ran == ["digest:supervisor"]
        job = second.get_job("digest:supervisor")
        assert job is not None and job.next_run_time > datetime.now(second.timezone)
    finally:
        second.shutdown(wait=False)
        await second.wait_closed()  # its engine disposed before the database goes


async def test_leadership_is_exclusive_and_passes_on(engine: AsyncEngine) -> None:
    a, b = Leadership(engine), Leadership(engine)
    try:
        assert await a.try_acquire() and not await b.try_acquire()
        assert await a.try_acquire()  # holding it again is fine
        await a.release()
        assert await b.try_acquire() and not await a.try_acquire()
    finally:
        await a.release()
        await b.release()


# two app instances on one database ----------------------------------------------


async def _start(settings: Settings, clock: FakeClock) -> web.AppRunner:
    app = create_app(settings, clock=clock, leader_retry_seconds=0.2)
    runner = web.AppRunner(app)
    await runner.setup()
    return runner


def _runtime(runner: web.AppRunner) -> ProactiveRuntime:
    return runner.app[proactive_key]


async def _leaders(runners: list[web.AppRunner], timeout: float = 10.0) -> list[web.AppRunner]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        leading = [r for r in runners if _runtime(r).scheduler is not None]
        if leading or asyncio.get_running_loop().time() > deadline:
            return leading
        await asyncio.sleep(0.05)


async def _fire(runtime: ProactiveRuntime, job_id: str) -> None:
    scheduler = runtime.scheduler
    assert scheduler is not None
    # the job store is synchronous: on the loop its UPDATE could wait for the SQLite
    # write lock of an app transaction (an alert after a replan) that needs the loop
    now = datetime.now(scheduler.timezone)
    await asyncio.to_thread(scheduler.modify_job, job_id, next_run_time=now)
    scheduler.wakeup()
    for _ in range(200):
        if job_id in runtime.runs:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{job_id} did not run")


@pytest.fixture
async def instances(
    db_url: str, uow_factory: SqlUnitOfWorkFactory
) -> AsyncIterator[tuple[list[web.AppRunner], FakeClock]]:
    clock = FakeClock(NOW)
    await seed(uow_factory, NOW)
    settings = replace(Settings(), db_url=db_url, plan_time_limit=1.0, nightly_plan_time_limit=0.7)
    runners = [await _start(settings, clock), await _start(settings, clock)]
    try:
        yield runners, clock
    finally:
        for r in runners:
            await r.cleanup()


def _slow_take_over(
    monkeypatch: pytest.MonkeyPatch, pause: float
) -> tuple[list[tuple[OffLoopScheduler, Any]], threading.Event]:
    """Record each scheduler made and hold the take-over `pause` s inside `ensure_jobs`.

    Returns the schedulers with their job stores, and an event set once the
    take-over has entered `ensure_jobs`.
    """
    made: list[tuple[OffLoopScheduler, Any]] = []
    entered = threading.Event()
    real_make, real_ensure = schedule.make_scheduler, schedule.ensure_jobs

    def recorded(url: str, tz: str) -> tuple[OffLoopScheduler, Any]:
        made.append(real_make(url, tz))
        return made[-1]

    def slow_ensure(*args: Any) -> None:
        entered.set()
        time.sleep(pause)
        real_ensure(*args)

    monkeypatch.setattr(schedule, "make_scheduler", recorded)
    monkeypatch.setattr(schedule, "ensure_jobs", slow_ensure)
    return made, entered


async def test_stopping_during_the_take_over_closes_the_job_store(
    db_url: str, uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app stopped while it becomes leader leaves no scheduler and no open connection.

    The take-over's blocking steps run in threads; cancelled there, it used to
    drop a paused scheduler whose engine kept a pooled connection, collected
    unclosed in a later test.
    """
    made, entered = _slow_take_over(monkeypatch, 0.5)  # the app stops meanwhile
    await seed(uow_factory, NOW)
    runner = await _start(replace(Settings(), db_url=db_url), FakeClock(NOW))
    try:
        assert await asyncio.to_thread(entered.wait, 10)
    finally:
        await runner.cleanup()
    [(scheduler, store)] = made
    assert not scheduler.running
    assert store.engine.pool.checkedin() == 0 and store.engine.pool.checkedout() == 0
    assert schedule._RUNTIMES.get(_runtime(runner).db_key) is None


async def test_a_second_cancel_does_not_cut_short_the_close_of_a_half_taken_over_scheduler(
    db_url: str, uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled inside the take-over, then again while it closes what it opened."""
    made, entered = _slow_take_over(monkeypatch, 0.3)
    closing = threading.Event()
    real_close = OffLoopScheduler._close

    def slow_close(self: OffLoopScheduler, wait: bool) -> None:
        closing.set()
        time.sleep(0.5)  # the second cancel lands meanwhile
        real_close(self, wait)

    monkeypatch.setattr(OffLoopScheduler, "_close", slow_close)
    await seed(uow_factory, NOW)
    runner = await _start(replace(Settings(), db_url=db_url), FakeClock(NOW))
    try:
        assert await asyncio.to_thread(entered.wait, 10)
        task = _runtime(runner)._task
        assert task is not None
        task.cancel()
        assert await asyncio.to_thread(closing.wait, 10)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        [(scheduler, store)] = made
        closer = scheduler._closer
        assert closer is not None and not closer.is_alive()
        assert store.engine.pool.checkedin() == 0 and store.engine.pool.checkedout() == 0
    finally:
        await runner.cleanup()


async def test_stopping_while_stepping_down_waits_for_the_job_store_to_close(
    db_url: str, uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app stopped while it hands over leadership returns only once its job store is shut.

    The stop cancels the election task inside its step-down; the stop's own
    step-down then finds no scheduler, so the cancelled wait was the only one.
    """
    real_close = OffLoopScheduler._close

    def slow_close(self: OffLoopScheduler, wait: bool) -> None:
        time.sleep(0.5)  # the app stops meanwhile
        real_close(self, wait)

    await seed(uow_factory, NOW)
    runner = await _start(replace(Settings(), db_url=db_url), FakeClock(NOW))
    try:
        assert await _leaders([runner]) == [runner]
        runtime = _runtime(runner)
        scheduler = runtime.scheduler
        assert scheduler is not None
        monkeypatch.setattr(OffLoopScheduler, "_close", slow_close)

        async def lost() -> bool:
            return False

        monkeypatch.setattr(runtime.leadership, "try_acquire", lost)
        deadline = asyncio.get_running_loop().time() + 10
        while runtime.scheduler is not None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert runtime.scheduler is None  # the step-down has begun
    finally:
        await runner.cleanup()
    closer = scheduler._closer
    assert closer is not None and not closer.is_alive()
    store = scheduler._jobstores["default"]
    assert store.engine.pool.checkedin() == 0 and store.engine.pool.checkedout() == 0


async def test_two_instances_never_both_send_the_digest(
    engine: AsyncEngine, instances: tuple[list[web.AppRunner], FakeClock]
) -> None:
    runners, _ = instances
    leading = await _leaders(runners)
    await asyncio.sleep(0.6)  # several election rounds: still one leader
    leading = await _leaders(runners)
    assert len(leading) == 1
    leader = leading[0]
    follower = next(r for r in runners if r is not leader)
    await _fire(_runtime(leader), "digest:supervisor")
    await schedule.run_scheduled("digest:supervisor", _runtime(follower).db_key)  # same leader
    await asyncio.sleep(0.3)
    assert _runtime(follower).runs == [] and _runtime(follower).scheduler is None
    rows = await outbox_rows(engine, "digest:supervisor:")
    assert len(rows) == 2  # one per supervisor, once
    assert {r["dedupe_key"].rsplit(":", 1)[0] for r in rows} == {"digest:supervisor:2026-11-23"}

    await leader.cleanup()  # the leader goes away; the other takes over the stored jobs
    runners.remove(leader)
    assert await _leaders([follower]) == [follower]
    job = _runtime(follower).scheduler.get_job("digest:supervisor")  # type: ignore[union-attr]
    assert job is not None
    await _fire(_runtime(follower), "digest:supervisor")
    assert len(await outbox_rows(engine, "digest:supervisor:")) == 2  # same day: not again


async def test_a_job_due_while_the_app_holds_the_sqlite_write_lock_keeps_the_loop_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job store's UPDATE waits for the lock in a worker thread, not on the loop.

    On the loop it would wait for a transaction that needs the loop to end:
    a 10 s freeze, then "database is locked" and a scheduler that never woke again.
    """
    url = f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await _wal(engine)
    scheduler = await _started(engine)
    recorder = _Recorder()
    monkeypatch.setitem(schedule._RUNTIMES, "db", recorder)
    try:
        await asyncio.to_thread(ensure_jobs, scheduler, job_specs(digest_times("08:07"), TZ), "db")
        now = datetime.now(scheduler.timezone)
        await asyncio.to_thread(scheduler.modify_job, "delays:check", next_run_time=now)
        async with engine.connect() as conn:
            await conn.exec_driver_sql("BEGIN IMMEDIATE")  # as an app write transaction does
            scheduler.resume()
            worst = await _worst_loop_lag(seconds=1.5)
            await conn.rollback()
        assert worst < 0.5, f"the event loop stalled {worst:.1f} s"
        await asyncio.wait_for(recorder.event.wait(), 5)
        assert recorder.ran == ["delays:check"]
        for _ in range(100):  # the next run time lands once the lock is free
            job = await asyncio.to_thread(scheduler.get_job, "delays:check")
            if job is not None and job.next_run_time > now:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the job's next run time was never stored")
    finally:
        scheduler.shutdown(wait=False)
        await scheduler.wait_closed()  # its engine disposed before the database goes
        await engine.dispose()


async def _wal(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.exec_driver_sql("SELECT 1")


async def _worst_loop_lag(seconds: float, tick: float = 0.05) -> float:
    loop = asyncio.get_running_loop()
    worst, end = 0.0, loop.time() + seconds
    while loop.time() < end:
        before = loop.time()
        await asyncio.sleep(tick)
        worst = max(worst, loop.time() - before - tick)
    return worst


async def test_the_nightly_job_makes_one_full_plan_and_saves_it(
    uow_factory: SqlUnitOfWorkFactory,
    instances: tuple[list[web.AppRunner], FakeClock],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runners, clock = instances
    leader = (await _leaders(runners))[0]
    planner = _runtime(leader).container.planner
    first = await planner.replan("start")
    solved: list[tuple[object, float]] = []
    real = Planner._solve

    def spy(inp: Any, previous: Any, changed: Any, params: SolveParams) -> Any:
        solved.append((changed, params.time_limit_s))
        return real(inp, previous, changed, params)

    monkeypatch.setattr(Planner, "_solve", staticmethod(spy))
    await _fire(_runtime(leader), "plan:nightly")
    assert solved == [(None, 0.7)]  # a full plan, with the nightly time limit
    async with uow_factory() as uow:
        latest = await uow.plans.latest()
    assert latest is not None and latest.reason == "nightly full plan"
    assert latest.number == first.version.number + 1
    assert set(latest.etas) == set(first.version.etas)

    _runtime(leader).runs.clear()
    await _fire(_runtime(leader), "plan:nightly")  # a retried round: not a second plan
    assert len(solved) == 1
    clock.advance(days=1)
    _runtime(leader).runs.clear()
    await _fire(_runtime(leader), "plan:nightly")  # the next night
    assert len(solved) == 2
