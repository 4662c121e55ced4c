"""Plan commits serialised across processes by the database, not only by one process's lock.

Two engines on one database stand for two processes: each has its own
connections, and neither sees the other's asyncio locks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_container
from bot.container import Container
from bot.settings import Settings
from core.errors import PlanMoved
from core.model.plan import PlanVersion
from storage.engine import create_engine
from storage.repositories.plans import SqlPlanRepository
from storage.seed import seed_demo
from storage.uow import SqlUnitOfWork
from tests.integration.change_control.conftest import MovableClock

NOW = datetime(2026, 11, 18, 1, 30, tzinfo=UTC)


@pytest.fixture
async def second_engine(engine: AsyncEngine, db_url: str) -> AsyncIterator[AsyncEngine]:
    """Another engine on the migrated database: the second process's connections."""
    other = create_engine(db_url)
    try:
        yield other
    finally:
        await other.dispose()


async def _commit_on_latest(engine: AsyncEngine, lock: bool) -> tuple[int | None, int]:
    """Check the latest plan and commit the next one on it, slowly; (base, number)."""
    async with SqlUnitOfWork(engine) as uow:
        if lock:
            await uow.plans.lock_for_commit()
        base = await uow.plans.latest_number()
        await asyncio.sleep(0.02)  # a solve's worth of time between the check and the insert
        version = PlanVersion(0, NOW, NOW, "HEURISTIC", "edd", 0, 0, {}, f"on {base}")
        await uow.plans.add(version)
        await uow.commit()
    return base, version.number


async def test_the_commit_lock_gives_every_plan_its_own_base(
    engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    commits = await asyncio.gather(*(_commit_on_latest(e, lock=True)
                                     for _ in range(4) for e in (engine, second_engine)))
    ordered = sorted(commits, key=lambda c: c[1])
    assert [n for _, n in ordered] == list(range(1, 9))
    assert [b for b, _ in ordered] == [None, *range(1, 8)]  # each on the one before it


async def test_without_the_lock_two_processes_share_a_base(
    engine: AsyncEngine, second_engine: AsyncEngine, db_url: str
) -> None:
    """The race the lock closes is real (on PostgreSQL; SQLite's first write already waits)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers from their first write")
    commits = await asyncio.gather(_commit_on_latest(engine, lock=False),
                                   _commit_on_latest(second_engine, lock=False))
    assert [b for b, _ in commits] == [None, None]


async def _container(db_url: str, clock: MovableClock) -> Container:
    settings = replace(Settings(), db_url=db_url, plan_time_limit=0.3, demo=True)
    return await build_container(settings, clock)


@pytest.mark.postgres
async def test_two_planners_on_one_postgres_never_commit_on_one_base(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("two processes share a database on PostgreSQL")
    clock = MovableClock(NOW)
    a = await _container(db_url, clock)
    b = await _container(db_url, clock)
    try:
        await seed_demo(a.uow_factory, NOW.date(), NOW)
        await a.planner.replan("start", time_limit_s=0.3)
        commits: list[tuple[int | None, int, str]] = []
        add = SqlPlanRepository.add

        async def spy(self: SqlPlanRepository, plan: PlanVersion) -> None:
            base = await self.latest_number()  # in the committing transaction, under the lock
            await add(self, plan)
            commits.append((base, plan.number, plan.reason))

        monkeypatch.setattr(SqlPlanRepository, "add", spy)
        async with a.uow_factory() as uow:
            refs = [o.ref for o in await uow.orders.list(open_only=True)][:2]
        runs = [p.replan(f"{name}{i}", [ref], time_limit_s=0.1)
                for i, ref in enumerate(refs) for name, p in (("a", a.planner), ("b", b.planner))]
        outcomes = await asyncio.gather(*runs, return_exceptions=True)
    finally:
        await a.close()
        await b.close()
    assert all(isinstance(o, PlanMoved) or not isinstance(o, BaseException) for o in outcomes)
    assert len(commits) == sum(not isinstance(o, BaseException) for o in outcomes) >= 2
    numbers = [n for _, n, _ in commits]
    bases = [base for base, _, _ in commits]
    assert len(set(numbers)) == len(numbers) and len(set(bases)) == len(bases)
    assert all(n == base + 1 for base, n, _ in commits if base is not None)
