"""An AsyncIOScheduler whose job-store work runs in a worker thread.

APScheduler 3's AsyncIOScheduler looks up due jobs and writes each one's next
run time (`SQLAlchemyJobStore.update_job`, synchronous SQL) on the event loop.
On SQLite that UPDATE waits for the write lock, and the transaction holding
it is usually the app's own, which needs the loop to commit: the loop froze
for the 10 s busy timeout, then the UPDATE failed, and as APScheduler does not
catch that error the scheduler never set its timer again, so no digest or
delay check ran until a restart. Here a wake-up processes the jobs in a
worker thread, coroutine jobs are handed to the loop thread-safely, and a
failed round is logged and retried.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import run_coroutine_job
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler, run_in_event_loop
from apscheduler.util import iscoroutinefunction_partial

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0  # after a round that failed (APScheduler's own job-store retry interval)


class ThreadSafeAsyncIOExecutor(AsyncIOExecutor):
    """Runs coroutine jobs on the scheduler's loop, whichever thread submits them."""

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if not iscoroutinefunction_partial(job.func):
            # the parent hands plain functions to the loop's executor, from the loop only
            submit = functools.partial(AsyncIOExecutor._do_submit_job, self, job, run_times)
            self._eventloop.call_soon_threadsafe(submit)
            return

        def done(f: Future[Any]) -> None:
            self._pending_futures.discard(f)
            try:
                events = f.result()
            except BaseException:
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        coro = run_coroutine_job(job, job._jobstore_alias, run_times, self._logger.name)
        f = asyncio.run_coroutine_threadsafe(coro, self._eventloop)
        self._pending_futures.add(f)
        f.add_done_callback(done)


class OffLoopScheduler(AsyncIOScheduler):
    """AsyncIOScheduler that never runs job-store I/O on the event loop when it wakes."""

    _processing = False
    _again = False

    @run_in_event_loop
    def wakeup(self) -> None:
        self._stop_timer()
        if self._processing:
            self._again = True  # wake once more when the round in flight ends
            return
        self._processing = True
        fut = self._eventloop.run_in_executor(None, self._process_jobs)
        fut.add_done_callback(self._processed)

    def _processed(self, fut: asyncio.Future[float | None]) -> None:
        self._processing = False
        try:
            wait_seconds = fut.result()
        except Exception:
            log.exception("scheduler round failed; retrying in %.0f s", RETRY_SECONDS)
            wait_seconds = RETRY_SECONDS
        if not self.running or self._eventloop is None:
            return
        if self._again:
            self._again = False
            wait_seconds = 0
        self._start_timer(wait_seconds)

    def _create_default_executor(self) -> ThreadSafeAsyncIOExecutor:
        return ThreadSafeAsyncIOExecutor()
