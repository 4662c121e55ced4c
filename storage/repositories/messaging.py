"""The inbox (callback dedupe) and the transactional outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from core.outbox import OutboxMessage, OutboxStatus
from storage.tables import inbox, outbox


def _insert_ignore(conn: AsyncConnection, table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


class SqlInbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        # an INSERT's rowcount is kept only on request (psycopg reports -1 otherwise)
        result = await self._conn.execute(
            _insert_ignore(self._conn, inbox).values(channel=channel, key=key, seen_at=at),
            execution_options={"preserve_rowcount": True})
        return result.rowcount == 1

    async def first_seen_many(self, entries: Sequence[tuple[str, str, datetime]]) -> set[tuple[str, str]]:
        """Record many keys in one statement; returns the (channel, key) pairs that were new."""
        if not entries:
            return set()
        rows = [{"channel": c, "key": k, "seen_at": at} for c, k, at in entries]
        stmt = _insert_ignore(self._conn, inbox).values(rows).returning(inbox.c.channel, inbox.c.key)
        return {(r[0], r[1]) for r in await self._conn.execute(stmt)}


class SqlOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        if not messages:
            return
        await self._conn.execute(_insert_ignore(self._conn, outbox), [_row(m) for m in messages])

    async def claim_due(self, now: datetime, limit: int, lease_seconds: float) -> list[OutboxMessage]:
        """Lease due rows by a conditional UPDATE per row, so two dispatchers never share one."""
        due = and_(
            outbox.c.status == OutboxStatus.PENDING.value,
            or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
            or_(outbox.c.locked_until.is_(None), outbox.c.locked_until <= now),
        )
        query = select(outbox).where(due).order_by(outbox.c.id).limit(limit)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._conn.execute(query)).mappings().all()
        until = now + timedelta(seconds=lease_seconds)
        claimed: list[OutboxMessage] = []
        for r in rows:
            result = await self._conn.execute(
                update(outbox).where(outbox.c.id == r["id"], due).values(locked_until=until))
            if result.rowcount == 1:
                msg = _message(r)
                msg.locked_until = until
                claimed.append(msg)
        return claimed

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        await self._conn.execute(update(outbox).where(outbox.c.id == message_id).values(
            status=OutboxStatus.SENT.value, sent_at=at, locked_until=None,
            attempts=outbox.c.attempts + 1))

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        await self._conn.execute(update(outbox).where(outbox.c.id == message_id).values(
            next_attempt_at=next_attempt_at, last_error=error[:2000], locked_until=None,
            attempts=outbox.c.attempts + 1))

    async def mark_dead(self, message_id: int, error: str) -> None:
        await self._conn.execute(update(outbox).where(outbox.c.id == message_id).values(
            status=OutboxStatus.DEAD.value, last_error=error[:2000], locked_until=None,
            attempts=outbox.c.attempts + 1))

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]:
        rows = (await self._conn.execute(select(outbox).where(
            outbox.c.status == OutboxStatus.DEAD.value).order_by(outbox.c.id.desc()).limit(limit))).mappings()
        return [_message(r) for r in rows]

    async def all(self, limit: int = 1000) -> list[OutboxMessage]:
        rows = (await self._conn.execute(select(outbox).order_by(outbox.c.id).limit(limit))).mappings()
        return [_message(r) for r in rows]


def _row(m: OutboxMessage) -> dict[str, Any]:
    return {
        "channel": m.channel, "address": m.address, "payload": m.payload, "dedupe_key": m.dedupe_key,
        "status": m.status.value, "attempts": m.attempts, "next_attempt_at": m.next_attempt_at,
        "locked_until": m.locked_until, "last_error": m.last_error, "created_at": m.created_at,
        "sent_at": m.sent_at, "reply_hint": m.reply_hint, "meta": m.meta,
    }


def _message(r: Any) -> OutboxMessage:
    return OutboxMessage(
        channel=r["channel"], address=r["address"], payload=dict(r["payload"]),
        dedupe_key=r["dedupe_key"], created_at=r["created_at"], id=r["id"],
        status=OutboxStatus(r["status"]), attempts=r["attempts"], next_attempt_at=r["next_attempt_at"],
        locked_until=r["locked_until"], last_error=r["last_error"], sent_at=r["sent_at"],
        reply_hint=r["reply_hint"], meta=dict(r["meta"] or {}),
    )
