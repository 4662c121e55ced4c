"""The composition root: the only place that wires storage, core and channels together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.settings import Settings
from core.planning.types import SolveParams
from core.ports import Clock
from core.services.planning import Planner
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory


@dataclass(slots=True)
class Container:
    settings: Settings
    engine: AsyncEngine
    uow_factory: SqlUnitOfWorkFactory
    clock: Clock
    planner: Planner

    async def close(self) -> None:
        await self.engine.dispose()


async def build_container(settings: Settings, clock: Clock | None = None,
                          migrate: bool = True) -> Container:
    engine = create_engine(settings.db_url)
    if migrate:
        await upgrade(engine)
    uow_factory = SqlUnitOfWorkFactory(engine)
    clock = clock or SystemClock()
    planner = Planner(uow_factory, clock, settings.tz,
                      SolveParams(time_limit_s=settings.plan_time_limit, seed=0))
    return Container(settings, engine, uow_factory, clock, planner)
