"""Migrations: processes starting together migrate once; the schema is the tables' schema."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jobs.proactive import JOB_TABLE, sync_url
from storage.engine import create_engine
from storage.migrate import alembic_config, upgrade
from storage.tables import metadata


def _head(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


async def test_starting_together_both_end_on_head_and_one_migrates(db_url: str) -> None:
    engines = [create_engine(db_url), create_engine(db_url)]
    try:
        results = await asyncio.gather(*(upgrade(e) for e in engines))
    finally:
        for e in engines:
            await e.dispose()
    head = _head(db_url)
    assert sorted(results, key=str) == sorted([(None, head), (head, head)], key=str)


async def test_a_second_upgrade_does_nothing(engine: AsyncEngine) -> None:
    head = _head(engine.url.render_as_string(hide_password=False))
    assert await upgrade(engine) == (head, head)


async def test_the_migrated_schema_is_the_tables_schema(engine: AsyncEngine) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_the_job_table_is_the_migrations_and_an_older_one_is_kept(db_url: str) -> None:
    """Before 0004 the scheduler made the table itself; such a database still upgrades."""
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0002")
        store = SQLAlchemyJobStore(url=sync_url(db_url), tablename=JOB_TABLE)
        try:
            await asyncio.to_thread(store.jobs_t.create, store.engine, True)
        finally:
            await asyncio.to_thread(store.engine.dispose)
        await upgrade(engine)

        def columns(conn: Connection) -> dict[str, bool]:
            return {c["name"]: c["nullable"] for c in inspect(conn).get_columns(JOB_TABLE)}

        async with engine.connect() as conn:
            assert await conn.run_sync(columns) == {
                "id": False, "next_run_time": True, "job_state": False}
    finally:
        await engine.dispose()
