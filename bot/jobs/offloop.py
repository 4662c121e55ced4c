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
import contextlib
import functools
import logging
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import run_coroutine_job
from apscheduler.job import Job
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.asyncio import AsyncIOScheduler, run_in_event_loop
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.util import iscoroutinefunction_partial

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0  # after a round that failed (APScheduler's own job-store retry interval)


async def to_the_end(awaitable: Awaitable[Any]) -> Any:
    """Await to the end even when the caller is cancelled, then pass the cancellation on.

    Cancelling `to_thread` leaves the thread running; a job-store call in it
    would hand its connection back to an engine already disposed, and a
    closer not waited for leaves its engine open past the app's stop.
    """
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


async def finish_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """`asyncio.to_thread`, except that a cancelled caller still waits for the thread."""
    return await to_the_end(asyncio.to_thread(fn, *args))


class ThreadSafeAsyncIOExecutor(AsyncIOExecutor):  # type: ignore[misc]  # untyped base
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

    def shutdown(self, wait: bool = True) -> None:
        """Cancel what still runs, from any thread.

        A cancelled future runs its done callback at once, which leaves the
        pending set: the parent's loop over that set then failed half-way
        ("Set changed size during iteration") and the scheduler never closed.
        """
        pending: list[Any] = list(self._pending_futures)
        self._pending_futures: set[Any] = set()
        for f in pending:
            if f.done():
                continue
            if isinstance(f, Future):
                f.cancel()  # thread-safe: cancels the task through the loop
            else:
                with contextlib.suppress(RuntimeError):  # the loop may be closed already
                    self._eventloop.call_soon_threadsafe(f.cancel)


class OffLoopScheduler(AsyncIOScheduler):  # type: ignore[misc]  # untyped base
    """AsyncIOScheduler that never runs job-store I/O on the event loop.

    Rounds run in a worker thread, one at a time. Shutdown stops new rounds at
    once and closes executors and job stores in a thread of its own: the base
    shutdown waits for the job-store lock, which a round in flight holds
    through its SQL.
    """

    _processing = False
    _again = False
    _closing = False
    _closer: threading.Thread | None = None  # closes executors and job stores

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # held by a round from its `_closing` check to its end, and by the closer:
        # a round that passed the check before shutdown could otherwise reach the
        # job-store lock after the closer, and query a disposed engine, which
        # quietly opens a new connection that nothing ever closes
        self._round_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    @run_in_event_loop  # type: ignore[untyped-decorator]
    def wakeup(self) -> None:
        self._stop_timer()
        if self._closing:
            return
        if self._processing:
            self._again = True  # wake once more when the round in flight ends
            return
        self._processing = True
        fut = self._eventloop.run_in_executor(None, self._process_jobs)
        fut.add_done_callback(self._processed)

    def _process_jobs(self) -> float | None:
        with self._round_lock:
            if self._closing:
                return None
            due: float | None = super()._process_jobs()
            return due

    def _processed(self, fut: asyncio.Future[float | None]) -> None:
        self._processing = False
        try:
            wait_seconds = fut.result()
        except Exception:
            log.exception("scheduler round failed; retrying in %.0f s", RETRY_SECONDS)
            wait_seconds = RETRY_SECONDS
        if self._closing or not self.running:
            return
        if self._again:
            self._again = False
            wait_seconds = 0
        self._start_timer(wait_seconds)

    def shutdown(self, wait: bool = True) -> None:
        """Stop at once (from the loop); executors and job stores close off the loop."""
        if self._closing or not self.running:
            raise SchedulerNotRunningError
        self._closing = True
        self._stop_timer()
        closer = threading.Thread(target=self._close, args=(wait,), name="scheduler-shutdown")
        closer.start()
        self._closer = closer

    def _close(self, wait: bool) -> None:
        """After the round in flight, if any; later rounds see `_closing` and stop."""
        with self._round_lock:
            BaseScheduler.shutdown(self, wait)

    async def wait_closed(self, timeout: float = 30.0) -> None:
        """Until the closer has shut the executors and job stores, off the loop.

        Without it the job store's engine could outlive the app that stopped
        the scheduler, and its open PostgreSQL connection was then collected
        unclosed in whatever ran next. A caller cancelled meanwhile still waits:
        a stop that cancels a step-down finds no scheduler left to wait for.
        """
        closer = self._closer
        if closer is not None:
            await finish_in_thread(closer.join, timeout)

    def _create_default_executor(self) -> ThreadSafeAsyncIOExecutor:
        return ThreadSafeAsyncIOExecutor()
