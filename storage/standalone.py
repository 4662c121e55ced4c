"""Inbox and outbox as stand-alone services, each call its own short transaction.

Channels and the dispatcher use these; business code writes the outbox inside
its own unit of work instead, so that a change and its messages commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.outbox import OutboxMessage
from storage.uow import SqlUnitOfWorkFactory


class SqlInboxService:
    def __init__(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        async with self._uow_factory() as uow:
            fresh = await uow.inbox.first_seen(channel, key, at)
            await uow.commit()
            return fresh


class SqlOutboxService:
    def __init__(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        async with self._uow_factory() as uow:
            await uow.outbox.add(messages)
            await uow.commit()

    async def claim_due(self, now: datetime, limit: int, lease_seconds: float) -> list[OutboxMessage]:
        async with self._uow_factory() as uow:
            claimed = await uow.outbox.claim_due(now, limit, lease_seconds)
            await uow.commit()
            return claimed

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        async with self._uow_factory() as uow:
            await uow.outbox.mark_sent(message_id, at)
            await uow.commit()

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        async with self._uow_factory() as uow:
            await uow.outbox.mark_retry(message_id, next_attempt_at, error)
            await uow.commit()

    async def mark_dead(self, message_id: int, error: str) -> None:
        async with self._uow_factory() as uow:
            await uow.outbox.mark_dead(message_id, error)
            await uow.commit()

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]:
        async with self._uow_factory() as uow:
            return await uow.outbox.dead_letters(limit)
