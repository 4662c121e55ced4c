"""Seeding and importing against a real SQLite file, through the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.demo_factory import build_demo_factory
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.seed import seed_demo
from storage.uow import SqlUnitOfWorkFactory

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture
async def factory(tmp_path: Path) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine("sqlite+aiosqlite:///" + str(tmp_path / "gongdan.db"))
    await upgrade(engine)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


async def test_seed_writes_the_demo_once(factory: SqlUnitOfWorkFactory) -> None:
    demo = build_demo_factory(TODAY)
    assert await seed_demo(factory, TODAY, NOW) is True
    async with factory() as uow:
        assert await uow.orders.count() == len(demo.orders)
        assert len(await uow.catalog.work_centers()) == len(demo.work_centers)
        assert len(await uow.parties.people()) == len(demo.people)
        assert len(await uow.catalog.purchase_orders()) == len(demo.purchase_orders)
        so77 = await uow.orders.get("SO-77")
        assert so77 is not None and any(op.started for op in so77.operations)
        boms = await uow.catalog.boms()
        routings = await uow.catalog.routings()
    released = [o for o in demo.orders if o.status.value in ("released", "in_progress")]
    assert all(boms[(o.product_code, o.bom_version)].locked for o in released)
    assert all(routings[(o.product_code, o.routing_version)].locked for o in released)
    assert not all(b.locked for b in boms.values())  # unused revisions stay editable

    assert await seed_demo(factory, TODAY, NOW) is False  # a second start reuses the database
    async with factory() as uow:
        assert await uow.orders.count() == len(demo.orders)
