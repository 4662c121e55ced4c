"""Schema migrations through Alembic, driven from code so no alembic.ini is needed.

Every process start migrates, so several processes starting together must not
race: the upgrade runs in one transaction that first takes the migration lock
(PostgreSQL: a transaction-scoped advisory lock on a fixed key; SQLite: the
database's write lock, by BEGIN IMMEDIATE). The first process applies the
revisions; the others wait on the lock, then read the version the first one
committed and find nothing left to do.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import normalise_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# "gdmigr" as a bigint; the scheduler's leader lock uses another key (bot/jobs/leader.py)
MIGRATION_LOCK_KEY = 0x67_64_6D_69_67_72


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def lock_for_migration(conn: Connection) -> None:
    """Take the migration lock; it is held until `conn`'s transaction ends.

    Call first in the transaction, before the schema version is read, so a
    process that waited sees what the one before it committed.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        # the write lock now rather than at the first write: a deferred transaction would
        # read the version, then fail to upgrade once another writer got in first
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `revision` on the engine's own connection, under the lock.

    Returns the revision before and after; equal when another process had
    already done the work. Alembic is synchronous; `run_sync` hands it the
    async connection's sync face, so migrations run without a second event
    loop or a thread.
    """
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))

    def _upgrade(sync_conn: Connection) -> tuple[str | None, str | None]:
        lock_for_migration(sync_conn)
        before = current_revision(sync_conn)
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)
        return before, current_revision(sync_conn)

    async with engine.connect() as conn:
        before, after = await conn.run_sync(_upgrade)
        await conn.commit()
    if before != after:
        log.info("database schema migrated from %s to %s", before or "empty", after)
    return before, after


def upgrade_url(url: str) -> tuple[str | None, str | None]:
    """Blocking form for the CLI; the revisions before and after, as `upgrade`."""
    from storage.engine import create_engine

    async def _go() -> tuple[str | None, str | None]:
        engine = create_engine(url)
        try:
            return await upgrade(engine)
        finally:
            await engine.dispose()

    return asyncio.run(_go())


def head_revisions() -> frozenset[str]:
    """The revisions this code's migrations end at (one, unless a merge is missing)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


async def current_revisions(engine: AsyncEngine) -> frozenset[str]:
    """The revisions the database is stamped with; empty for a database never migrated."""

    def _current(sync_conn: object) -> frozenset[str]:
        return frozenset(MigrationContext.configure(sync_conn).get_current_heads())  # type: ignore[arg-type]

    async with engine.connect() as conn:
        return await conn.run_sync(_current)
