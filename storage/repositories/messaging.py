"""The inbox (callback dedupe) and the transactional outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from core.outbox import OutboxMessage, OutboxStatus
from core.ports import Claim, Unhandled
from storage.tables import inbox, message_effects, outbox

RECEIVED = "received"
HANDLED = "handled"


def _insert_ignore(conn: AsyncConnection, table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


class SqlInbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        """Record a key with nothing to handle (already `handled`); True the first time."""
        # an INSERT's rowcount is kept only on request (psycopg reports -1 otherwise)
        result = await self._conn.execute(
            _insert_ignore(self._conn, inbox).values(
                channel=channel, key=key, seen_at=at, state=HANDLED, handled_at=at
            ),
            execution_options={"preserve_rowcount": True},
        )
        return result.rowcount == 1

    async def first_seen_many(
        self, entries: Sequence[tuple[str, str, datetime]]
    ) -> set[tuple[str, str]]:
        """Record many keys in one statement; returns the (channel, key) pairs that were new."""
        if not entries:
            return set()
        rows = [
            {"channel": c, "key": k, "seen_at": at, "state": HANDLED, "handled_at": at}
            for c, k, at in entries
        ]
        stmt = (
            _insert_ignore(self._conn, inbox).values(rows).returning(inbox.c.channel, inbox.c.key)
        )
        return {(r[0], r[1]) for r in await self._conn.execute(stmt)}

    async def claim(
        self, channel: str, key: str, message: dict[str, Any], at: datetime, lease_seconds: float
    ) -> Claim:
        """NEW (inserted as received), RETRY (its lease ran out: taken over), BUSY or HANDLED."""
        until = at + timedelta(seconds=lease_seconds)
        inserted = await self._conn.execute(
            _insert_ignore(self._conn, inbox).values(
                channel=channel,
                key=key,
                seen_at=at,
                state=RECEIVED,
                claimed_until=until,
                message=message,
            ),
            execution_options={"preserve_rowcount": True},
        )
        if inserted.rowcount == 1:
            return Claim.NEW
        this = and_(inbox.c.channel == channel, inbox.c.key == key)
        taken = await self._conn.execute(
            update(inbox).where(this, _lease_over(at)).values(claimed_until=until)
        )
        if taken.rowcount == 1:
            return Claim.RETRY
        state = (await self._conn.execute(select(inbox.c.state).where(this))).scalar()
        return Claim.HANDLED if state == HANDLED else Claim.BUSY

    async def mark_handled(
        self, channel: str, key: str, replies: Sequence[str], at: datetime
    ) -> bool:
        """Mark a received message handled; False if it was handled already (by another run
        of its handler: the one whose lease ran out, or the recovery sweep's)."""
        result = await self._conn.execute(
            update(inbox)
            .where(inbox.c.channel == channel, inbox.c.key == key, inbox.c.state == RECEIVED)
            .values(state=HANDLED, handled_at=at, claimed_until=None, replies=list(replies))
        )
        return bool(result.rowcount == 1)

    async def reply_keys(self, channel: str, key: str) -> list[str]:
        found = (
            await self._conn.execute(
                select(inbox.c.replies).where(inbox.c.channel == channel, inbox.c.key == key)
            )
        ).scalar()
        return [str(k) for k in found or ()]

    async def claim_unhandled(
        self, now: datetime, lease_seconds: float, limit: int
    ) -> list[Unhandled]:
        """Take over received messages whose lease ran out, each by a conditional UPDATE."""
        query = (
            select(inbox.c.channel, inbox.c.key, inbox.c.message)
            .where(_lease_over(now), inbox.c.message.is_not(None))
            .order_by(inbox.c.seen_at)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._conn.execute(query)).all()
        until = now + timedelta(seconds=lease_seconds)
        taken: list[Unhandled] = []
        for channel, key, message in rows:
            result = await self._conn.execute(
                update(inbox)
                .where(inbox.c.channel == channel, inbox.c.key == key, _lease_over(now))
                .values(claimed_until=until)
            )
            if result.rowcount == 1:
                taken.append(Unhandled(channel, key, dict(message)))
        return taken

    async def effect(self, channel: str, key: str, kind: str) -> dict[str, Any] | None:
        found = (
            await self._conn.execute(
                select(message_effects.c.data).where(
                    message_effects.c.channel == channel,
                    message_effects.c.key == key,
                    message_effects.c.kind == kind,
                )
            )
        ).scalar()
        return dict(found) if found is not None else None

    async def record_effect(
        self, channel: str, key: str, kind: str, data: dict[str, Any], at: datetime
    ) -> None:
        """A plain INSERT: a second handler recording the same effect breaks the key."""
        await self._conn.execute(
            insert(message_effects).values(channel=channel, key=key, kind=kind, data=data, at=at)
        )


def _lease_over(now: datetime) -> Any:
    return and_(
        inbox.c.state == RECEIVED,
        or_(inbox.c.claimed_until.is_(None), inbox.c.claimed_until <= now),
    )


class SqlOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        if not messages:
            return
        await self._conn.execute(_insert_ignore(self._conn, outbox), [_row(m) for m in messages])

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
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
                update(outbox).where(outbox.c.id == r["id"], due).values(locked_until=until)
            )
            if result.rowcount == 1:
                msg = _message(r)
                msg.locked_until = until
                claimed.append(msg)
        return claimed

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(
                status=OutboxStatus.SENT.value,
                sent_at=at,
                locked_until=None,
                attempts=outbox.c.attempts + 1,
            )
        )

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(
                next_attempt_at=next_attempt_at,
                last_error=error[:2000],
                locked_until=None,
                attempts=outbox.c.attempts + 1,
            )
        )

    async def mark_dead(self, message_id: int, error: str) -> None:
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(
                status=OutboxStatus.DEAD.value,
                last_error=error[:2000],
                locked_until=None,
                attempts=outbox.c.attempts + 1,
            )
        )

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]:
        rows = (
            await self._conn.execute(
                select(outbox)
                .where(outbox.c.status == OutboxStatus.DEAD.value)
                .order_by(outbox.c.id.desc())
                .limit(limit)
            )
        ).mappings()
        return [_message(r) for r in rows]

    async def by_keys(self, keys: Sequence[str]) -> list[OutboxMessage]:
        """The rows with these dedupe keys, in the order of `keys`."""
        if not keys:
            return []
        rows = (
            await self._conn.execute(select(outbox).where(outbox.c.dedupe_key.in_(list(keys))))
        ).mappings()
        found = {r["dedupe_key"]: _message(r) for r in rows}
        return [found[k] for k in keys if k in found]

    async def all(self, limit: int = 1000) -> list[OutboxMessage]:
        rows = (
            await self._conn.execute(select(outbox).order_by(outbox.c.id).limit(limit))
        ).mappings()
        return [_message(r) for r in rows]


def _row(m: OutboxMessage) -> dict[str, Any]:
    return {
        "channel": m.channel,
        "address": m.address,
        "payload": m.payload,
        "dedupe_key": m.dedupe_key,
        "status": m.status.value,
        "attempts": m.attempts,
        "next_attempt_at": m.next_attempt_at,
        "locked_until": m.locked_until,
        "last_error": m.last_error,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
        "reply_hint": m.reply_hint,
        "meta": m.meta,
    }


def _message(r: Any) -> OutboxMessage:
    return OutboxMessage(
        channel=r["channel"],
        address=r["address"],
        payload=dict(r["payload"]),
        dedupe_key=r["dedupe_key"],
        created_at=r["created_at"],
        id=r["id"],
        status=OutboxStatus(r["status"]),
        attempts=r["attempts"],
        next_attempt_at=r["next_attempt_at"],
        locked_until=r["locked_until"],
        last_error=r["last_error"],
        sent_at=r["sent_at"],
        reply_hint=r["reply_hint"],
        meta=dict(r["meta"] or {}),
    )
