"""Small named JSON state: last announced ETAs, digest bookkeeping, pending conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repositories.messaging import _insert_ignore
from storage.tables import kv_state


class SqlStateStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, key: str) -> Any | None:
        return (
            await self._conn.execute(select(kv_state.c.value).where(kv_state.c.key == key))
        ).scalar()

    async def put(self, key: str, value: Any, at: datetime) -> None:
        result = await self._conn.execute(
            update(kv_state).where(kv_state.c.key == key).values(value=value, updated_at=at)
        )
        if result.rowcount == 0:
            await self._conn.execute(
                _insert_ignore(self._conn, kv_state).values(key=key, value=value, updated_at=at)
            )

    async def delete(self, key: str) -> None:
        await self._conn.execute(delete(kv_state).where(kv_state.c.key == key))
