"""The scheduler that keeps job-store work off the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest
from apscheduler.jobstores.memory import MemoryJobStore

from bot import offloop_scheduler
from bot.offloop_scheduler import OffLoopScheduler


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
