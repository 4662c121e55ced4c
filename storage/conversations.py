"""The conversation store on the project's database (core.ports.ConversationStore).

Each call is its own short transaction: what a conversation waits for must be
visible to every process as soon as the reply has gone out. `take` is one
DELETE ... RETURNING, so two processes receiving answers to one question at
the same moment cannot both get it: PostgreSQL makes the second DELETE wait for
the first to commit and then finds no row; SQLite has one writer at a time.
A take on behalf of a message is recorded with the message's key, so handling
the message again answers the question it answered (core/idempotency.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from core.idempotency import CONVERSATION, Source
from core.ports import SavedConversation
from storage.tables import conversation_state as table
from storage.tables import message_effects as effects

_COLUMNS = (table.c.state, table.c.saved_at, table.c.expires_at)


class SqlConversationStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(self, channel: str, user: str, state: Mapping[str, Any],
                   saved_at: datetime, expires_at: datetime) -> None:
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(table).values(channel=channel, user_id=user, state=dict(state),
                                    saved_at=saved_at, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.channel, table.c.user_id],
            set_={"state": stmt.excluded.state, "saved_at": stmt.excluded.saved_at,
                  "expires_at": stmt.excluded.expires_at})
        async with self._engine.begin() as conn:
            await conn.execute(stmt)

    async def take(self, channel: str, user: str, *, by: Source | None = None,
                   at: datetime | None = None) -> SavedConversation | None:
        """One DELETE ... RETURNING; with `by`, in the transaction that records what it took
        in `message_effects` (or, for a message that took before, only that record read)."""
        stmt = delete(table).where(*self._key(channel, user)).returning(*_COLUMNS)
        async with self._engine.begin() as conn:
            if by is not None:
                done = (await conn.execute(select(effects.c.data).where(
                    effects.c.channel == by.channel, effects.c.key == by.key,
                    effects.c.kind == CONVERSATION))).first()
                if done is not None:
                    return _from_effect(done[0])
            taken = _saved((await conn.execute(stmt)).first())
            if by is not None:
                await conn.execute(insert(effects).values(
                    channel=by.channel, key=by.key, kind=CONVERSATION, data=_to_effect(taken),
                    at=at or (taken.saved_at if taken else datetime.now(UTC))))
        return taken

    async def peek(self, channel: str, user: str) -> SavedConversation | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(*_COLUMNS).where(*self._key(channel, user)))).first()
        return _saved(row)

    async def discard(self, channel: str, user: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(table).where(*self._key(channel, user)))

    async def purge(self, before: datetime) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(table).where(table.c.expires_at < before))
        return int(result.rowcount)

    @staticmethod
    def _key(channel: str, user: str) -> tuple[Any, Any]:
        return table.c.channel == channel, table.c.user_id == user


def _to_effect(taken: SavedConversation | None) -> dict[str, Any]:
    if taken is None:
        return {"state": None}
    return {"state": dict(taken.state), "saved_at": taken.saved_at.isoformat(),
            "expires_at": taken.expires_at.isoformat()}


def _from_effect(data: Mapping[str, Any]) -> SavedConversation | None:
    if data.get("state") is None:
        return None
    return SavedConversation(dict(data["state"]), datetime.fromisoformat(data["saved_at"]),
                             datetime.fromisoformat(data["expires_at"]))


def _saved(row: Sequence[Any] | None) -> SavedConversation | None:
    """A (state, saved_at, expires_at) row as the port's value."""
    if row is None:
        return None
    state, saved_at, expires_at = row
    return SavedConversation(dict(state), saved_at, expires_at)
