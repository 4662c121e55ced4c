"""An app with the proactive parts, on a seeded database with two hand-made plan versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.helpers import (
    ZONE,
    FakeClock,
    make_plan,
    open_orders,
    save_plan,
    seed,
)

TOKEN = "s3cret-token"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)


async def seeded_plans(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    """Seed, save plans v1 and v2 (v2 makes two orders late); return the late refs."""
    await seed(uow_factory, NOW)
    orders = (await open_orders(uow_factory))[:12]
    late = [orders[0].ref, orders[1].ref]
    await save_plan(uow_factory, make_plan(1, orders, NOW, {}, reason="demo start", op_hours=6))
    await save_plan(
        uow_factory,
        make_plan(
            2,
            orders,
            NOW,
            {late[0]: 300, late[1]: 90},
            reason="change CR-5",
            bottleneck="POWDER",
            diff={"ops_moved": 4, "slipped": [{"order": late[0], "minutes": 300}]},
            op_hours=6,
        ),
    )
    return late


def plan_app(db_url: str) -> web.Application:
    settings = replace(Settings(), db_url=db_url, admin_token=TOKEN, plan_time_limit=1.0)
    app = create_app(settings, clock=FakeClock(NOW), leader_retry_seconds=30)
    return app
