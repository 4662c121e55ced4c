"""The scheduler that keeps job-store work off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler

from bot.jobs import offloop as offloop_scheduler
from bot.jobs.offloop import OffLoopScheduler


async def test_plain_and_coroutine_jobs_both_run() -> None:
    scheduler = OffLoopScheduler(jobstores={"default": MemoryJobStore()})
    loop = asyncio.get_running_loop()
    ran: list[str] = []
    both = asyncio.Event()

    def note(what: str) -> None:
        ran.append(what)
        if len(ran) == 2:
            both.set()

    def plain() -> None:  # runs in the loop's thread pool, off the loop
        off_loop = threading.current_thread() is not threading.main_thread()
        loop.call_soon_threadsafe(note, f"plain:{off_loop}")

    async def coroutine() -> None:  # runs on the loop itself
        note(f"coroutine:{threading.current_thread() is threading.main_thread()}")

    scheduler.start()
    try:
        scheduler.add_job(plain)
        scheduler.add_job(coroutine)
        await asyncio.wait_for(both.wait(), 5)
        assert sorted(ran) == ["coroutine:True", "plain:True"]
    finally:
        scheduler.shutdown(wait=False)
        await scheduler.wait_closed()


async def test_a_failed_round_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offloop_scheduler, "RETRY_SECONDS", 0.05)
    scheduler = OffLoopScheduler(jobstores={"default": MemoryJobStore()})
    real = scheduler._process_jobs
    calls: list[str] = []

    def flaky() -> float | None:
        if not calls:
            calls.append("failed")
            raise RuntimeError("database is locked")
        calls.append("ok")
        return real()

    monkeypatch.setattr(scheduler, "_process_jobs", flaky)
    scheduler.start()
    try:
        for _ in range(100):
            if "ok" in calls:
                break
            await asyncio.sleep(0.02)
        assert calls[:2] == ["failed", "ok"]
    finally:
        scheduler.shutdown(wait=False)
        await scheduler.wait_closed()


class _Store(MemoryJobStore):
    """Records its shutdown; with `slow`, its due-job query takes a while, as SQL behind a lock."""

    def __init__(self, slow: float = 0.0) -> None:
        super().__init__()
        self.slow = slow
        self.querying = threading.Event()
        self.closed = threading.Event()

    def get_due_jobs(self, now):  # type: ignore[no-untyped-def]
        self.querying.set()
        time.sleep(self.slow)
        return super().get_due_jobs(now)

    def shutdown(self) -> None:
        super().shutdown()
        self.closed.set()


async def test_shutdown_while_a_job_runs_cancels_it_and_closes_the_stores() -> None:
    store = _Store()
    scheduler = OffLoopScheduler(jobstores={"default": store})
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def long_job() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    scheduler.start()
    scheduler.add_job(long_job)
    await asyncio.wait_for(started.wait(), 5)
    scheduler.shutdown(wait=False)
    await asyncio.wait_for(cancelled.wait(), 5)
    assert await asyncio.to_thread(store.closed.wait, 5)  # the shutdown got to the end
    assert not scheduler.running


async def test_shutdown_during_a_round_does_not_wait_on_the_loop() -> None:
    store = _Store(slow=1.0)
    scheduler = OffLoopScheduler(jobstores={"default": store})
    scheduler.start()
    await asyncio.to_thread(store.querying.wait, 5)
    loop = asyncio.get_running_loop()
    t = loop.time()
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert loop.time() - t < 0.5  # the base shutdown waits for the round's lock
    assert await asyncio.to_thread(store.closed.wait, 5)


async def test_wait_closed_returns_once_the_stores_are_closed() -> None:
    store = _Store(slow=0.5)
    scheduler = OffLoopScheduler(jobstores={"default": store})
    scheduler.start()
    await asyncio.to_thread(store.querying.wait, 5)
    scheduler.shutdown(wait=False)
    assert not store.closed.is_set()  # the round in flight holds the store
    await asyncio.wait_for(scheduler.wait_closed(), 5)
    assert store.closed.is_set()


class _ClosableStore(MemoryJobStore):
    """Notes every query made after its shutdown: on SQL that opens a connection nobody closes."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        self.used_after_close: list[str] = []

    def get_due_jobs(self, now):  # type: ignore[no-untyped-def]
        if self.closed:
            self.used_after_close.append("get_due_jobs")
        return super().get_due_jobs(now)

    def get_next_run_time(self):  # type: ignore[no-untyped-def]
        if self.closed:
            self.used_after_close.append("get_next_run_time")
        return super().get_next_run_time()

    def shutdown(self) -> None:
        super().shutdown()
        self.closed = True


async def test_a_round_begun_before_shutdown_ends_before_the_stores_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _ClosableStore()
    scheduler = OffLoopScheduler(jobstores={"default": store})
    entered, finished = threading.Event(), threading.Event()

    def slow_round(self):  # type: ignore[no-untyped-def]
        entered.set()  # past the closing check, not yet at the job stores
        time.sleep(0.3)
        try:
            return BaseScheduler._process_jobs(self)
        finally:
            finished.set()

    monkeypatch.setattr(AsyncIOScheduler, "_process_jobs", slow_round)
    scheduler.start()
    assert await asyncio.to_thread(entered.wait, 5)
    scheduler.shutdown(wait=False)
    await asyncio.wait_for(scheduler.wait_closed(), 5)
    assert await asyncio.to_thread(finished.wait, 5)
    assert store.closed and store.used_after_close == []
