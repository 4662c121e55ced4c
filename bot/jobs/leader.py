"""Which server process runs the scheduled jobs: the one holding a database lock.

On PostgreSQL the leader holds `pg_try_advisory_lock` on a dedicated
connection in autocommit mode (no transaction left open for hours); the lock
goes when the connection does, so a crashed leader frees it and another
process takes over at its next try. SQLite serves one process, so a lock
within the process (per database file) is enough, and it keeps two apps in
one test process honest as well.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_KEY = 0x67_6F_6E_67_64_61_6E  # "gongdan" as a bigint: the advisory lock's id

_LOCAL_HOLDERS: dict[str, object] = {}  # SQLite: database -> the holder in this process


class Leadership:
    """Try to become, check, and stop being the job-running process."""

    def __init__(self, engine: AsyncEngine, key: int = LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._conn: AsyncConnection | None = None
        self._local = engine.dialect.name == "sqlite"
        self._db = engine.url.render_as_string(hide_password=True)
        self.held = False

    async def try_acquire(self) -> bool:
        if self.held:
            return await self.check()
        if self._local:
            self.held = _LOCAL_HOLDERS.setdefault(self._db, self) is self
            return self.held
        try:
            conn = await self._engine.connect()
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key})
            ).scalar()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("leader election: database unavailable: %s", exc)
            return False
        if got:
            self._conn, self.held = conn, True
        else:
            await conn.close()
        return bool(got)

    async def check(self) -> bool:
        """Still leader? A dropped connection has dropped the lock with it."""
        if not self.held:
            return False
        if self._conn is None:
            return True
        try:
            await self._conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError):
            log.warning("leader connection lost; stepping down")
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if not self.held:
            return
        if self._local:
            if _LOCAL_HOLDERS.get(self._db) is self:
                del _LOCAL_HOLDERS[self._db]
            self.held = False
            return
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            except (SQLAlchemyError, OSError):
                pass  # closing the connection frees it anyway
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn, self.held = self._conn, None, False
        if conn is not None:
            try:
                await asyncio.shield(conn.close())
            except (SQLAlchemyError, OSError, asyncio.CancelledError):
                pass
