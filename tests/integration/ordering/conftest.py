"""The demo factory behind the real conversation service, on a SQLite file of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.change_control.conftest import Shop, make_shop


@pytest.fixture
async def shop(tmp_path: object) -> AsyncIterator[Shop]:
    s = await make_shop(f"sqlite+aiosqlite:///{tmp_path}/shop.db")
    try:
        yield s
    finally:
        await s.close()
