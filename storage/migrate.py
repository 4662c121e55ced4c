"""Schema migrations through Alembic, driven from code so no alembic.ini is needed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` on the engine's own connection.

    Alembic is synchronous; `run_sync` hands it the async connection's sync
    face, so migrations run without a second event loop or a thread.
    """
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))

    def _upgrade(sync_conn: object) -> None:
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


def upgrade_url(url: str) -> None:
    """Blocking form for the CLI."""
    from storage.engine import create_engine

    async def _go() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(_go())


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
