"""The composition root: the only place that wires storage, core and channels together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.settings import Settings
from core.planning.types import SolveParams
from core.ports import Clock
from core.services.change_control import ChangeControl, ChangeSettings
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
    changes: ChangeControl

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
    changes = ChangeControl(uow_factory, planner, clock, ChangeSettings(
        confirm_timeout=timedelta(minutes=settings.confirm_timeout_minutes),
        approval_threshold=settings.approval_risk_threshold,
        enabled_channels=enabled_channels(settings),
    ))
    return Container(settings, engine, uow_factory, clock, planner, changes)


def enabled_channels(settings: Settings) -> tuple[str, ...]:
    """Where notifications may go: the platforms configured, and always the web chat."""
    channels = ["web"]
    if settings.wecom_enabled:
        channels.append("wecom")
    if settings.dingtalk_enabled:
        channels.append("dingtalk")
    return tuple(channels)
