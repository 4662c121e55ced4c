"""Inbox and outbox as stand-alone services, each call its own short transaction.

Channels and the dispatcher use these; business code writes the outbox inside
its own unit of work instead, so that a change and its messages commit together.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from core.faults import crash_point
from core.outbox import OutboxMessage
from core.ports import Claim, Unhandled
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def _short_write(uow_factory: SqlUnitOfWorkFactory) -> AsyncIterator[SqlUnitOfWork]:
    """A short write transaction; on SQLite, one at a time per process.

    SQLite has one writer; concurrent writers otherwise meet in its busy
    handler, which sleeps in growing steps (up to 100 ms) and turned 200
    callbacks a second into a multi-second backlog. Waiting on an asyncio
    lock instead costs only the writes themselves.
    """
    engine = uow_factory.engine
    if engine.dialect.name != "sqlite":
        async with uow_factory() as uow:
            yield uow
        return
    lock = _SQLITE_WRITERS.setdefault(engine.sync_engine, asyncio.Lock())
    async with lock, uow_factory() as uow:
        yield uow


class _GroupCommit:
    """Many small writes, one transaction: callers queue and await their own result.

    At 200 callbacks a second, a commit per dedupe key and per recorded reply
    left the event loop and SQLite's single writer behind the load; whatever
    arrives while one batch commits goes into the next, so the batch size
    follows the load and an idle system still commits at once.
    """

    def __init__(
        self,
        uow_factory: SqlUnitOfWorkFactory,
        write: Callable[[SqlUnitOfWork, list[Any]], Awaitable[list[Any]]],
        max_batch: int = 500,
    ) -> None:
        self._uow_factory = uow_factory
        self._write = write
        self._max_batch = max_batch
        self._pending: list[tuple[Any, asyncio.Future[Any]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = (
                self._pending[: self._max_batch],
                self._pending[self._max_batch :],
            )
            try:
                async with _short_write(self._uow_factory) as uow:
                    results = await self._write(uow, [item for item, _ in batch])
                    await uow.commit()
            except Exception as exc:  # every caller in the batch hears the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


async def _record_keys(uow: SqlUnitOfWork, entries: list[tuple[str, str, datetime]]) -> list[bool]:
    new = await uow.inbox.first_seen_many(entries)
    answers: list[bool] = []
    for channel, key, _ in entries:  # a key twice in one batch is new only the first time
        answers.append((channel, key) in new)
        new.discard((channel, key))
    return answers


async def _add_messages(uow: SqlUnitOfWork, groups: list[Sequence[OutboxMessage]]) -> list[None]:
    await uow.outbox.add([m for group in groups for m in group])
    return [None] * len(groups)


class SqlInboxService:
    def __init__(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        self._writer = _GroupCommit(uow_factory, _record_keys)

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        return bool(await self._writer.submit((channel, key, at)))

    async def claim(
        self, channel: str, key: str, message: dict[str, Any], at: datetime, lease_seconds: float
    ) -> Claim:
        async with _short_write(self._uow_factory) as uow:
            claim = await uow.inbox.claim(channel, key, message, at, lease_seconds)
            await uow.commit()
        crash_point("after_inbox_commit")
        return claim

    async def handled(
        self, channel: str, key: str, replies: Sequence[OutboxMessage], at: datetime
    ) -> bool:
        """The replies and the handled mark commit together: a message is handled with its
        answer recorded, or not handled at all (and then handled again). False, and nothing
        written, when another run of its handler marked it first."""
        async with _short_write(self._uow_factory) as uow:
            if not await uow.inbox.mark_handled(channel, key, [m.dedupe_key for m in replies],
                                                at):
                return False
            await uow.outbox.add(replies)
            await uow.commit()
        crash_point("after_handled_commit")
        return True

    async def replies(self, channel: str, key: str) -> list[OutboxMessage]:
        async with self._uow_factory() as uow:
            return await uow.outbox.by_keys(await uow.inbox.reply_keys(channel, key))

    async def claim_unhandled(
        self, now: datetime, lease_seconds: float, limit: int
    ) -> list[Unhandled]:
        async with _short_write(self._uow_factory) as uow:
            taken = await uow.inbox.claim_unhandled(now, lease_seconds, limit)
            await uow.commit()
            return taken


class SqlOutboxService:
    def __init__(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        self._adder = _GroupCommit(uow_factory, _add_messages)

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            await self._adder.submit(messages)

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        async with _short_write(self._uow_factory) as uow:
            claimed = await uow.outbox.claim_due(now, limit, lease_seconds)
            await uow.commit()
            return claimed

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        async with _short_write(self._uow_factory) as uow:
            await uow.outbox.mark_sent(message_id, at)
            await uow.commit()

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        async with _short_write(self._uow_factory) as uow:
            await uow.outbox.mark_retry(message_id, next_attempt_at, error)
            await uow.commit()

    async def mark_dead(self, message_id: int, error: str) -> None:
        async with _short_write(self._uow_factory) as uow:
            await uow.outbox.mark_dead(message_id, error)
            await uow.commit()

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]:
        async with self._uow_factory() as uow:
            return await uow.outbox.dead_letters(limit)
