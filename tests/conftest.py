"""Shared fixtures: real databases (a SQLite file and the local PostgreSQL server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory

PG_HOST = os.environ.get("GONGDAN_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("GONGDAN_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("GONGDAN_TEST_PG_USER", "postgres")


async def _admin(statement: sql.Composed) -> None:
    """One statement on the server's `postgres` database, outside a transaction."""
    conn = await psycopg.AsyncConnection.connect(host=PG_HOST, port=PG_PORT, user=PG_USER,
                                                 dbname="postgres", autocommit=True)
    async with conn:
        await conn.execute(statement)


async def create_pg_database() -> str:
    """A new, empty database on the test server; its name."""
    name = f"gongdan_t_{uuid.uuid4().hex[:12]}"
    await _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


async def drop_pg_database(name: str) -> None:
    await _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pg_url(name: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> AsyncIterator[str]:
    """A fresh, empty database URL on each backend: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/gongdan.db"
        return
    name = await create_pg_database()
    try:
        yield pg_url(name)
    finally:
        await drop_pg_database(name)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated engine on a fresh database."""
    eng = create_engine(db_url)
    await upgrade(eng)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine)
