"""One PostgreSQL URL, libpq parameters included, serves the app and the job store alike."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.jobs.proactive import sync_url
from storage.engine import create_engine
from tests.conftest import pg_url

pytestmark = pytest.mark.postgres
SERVER = pg_url("postgres")  # only connects; nothing is written


def _app_name_sync(url: str) -> str:
    engine = create_sync_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT current_setting('application_name')")).scalar())
    finally:
        engine.dispose()


async def _app_name(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return str((await conn.execute(
                text("SELECT current_setting('application_name')"))).scalar())
    finally:
        await engine.dispose()


async def test_query_parameters_reach_both_drivers() -> None:
    url = f"{SERVER}?sslmode=disable&application_name=gongdan-one-url"
    assert await _app_name(url) == "gongdan-one-url"
    assert await asyncio.to_thread(_app_name_sync, sync_url(url)) == "gongdan-one-url"


async def test_a_tls_requirement_is_honoured_by_both() -> None:
    """The test server has no TLS: `sslmode=require` must make both sides refuse it."""
    url = f"{SERVER}?sslmode=require&connect_timeout=5"
    probe = create_engine(SERVER)
    try:
        async with probe.connect() as conn:
            if (await conn.execute(text("SHOW ssl"))).scalar() == "on":
                pytest.skip("the test server speaks TLS")
    finally:
        await probe.dispose()
    with pytest.raises(OperationalError, match="SSL"):
        await _app_name(url)
    with pytest.raises(OperationalError, match="SSL"):
        await asyncio.to_thread(_app_name_sync, sync_url(url))
