"""Running the server: `gongdan demo` and `gongdan serve`."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.keys import container_key
from bot.settings import Settings

DEMO_BANNER = """\
Gongdan demo factory is running.
  web chat     http://{host}:{port}/        pick a person and type, e.g. "SO-31 数量改成500件"
  plan         http://{host}:{port}/plan         Gantt by work center, KPIs, plan history
  orders       http://{host}:{port}/api/orders
  people       http://{host}:{port}/api/people
  health       http://{host}:{port}/healthz
Try next:
  gongdan parse "SO-31 交期提前到下周三"
  gongdan plan --db {db}
Ctrl-C stops the server; the database {db} is kept and reused next time.
"""


def demo_setup(settings: Settings):  # type: ignore[no-untyped-def]
    """A cleanup_ctx entry: seed the demo factory once and make sure a plan exists."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        from storage.seed import seed_demo

        container = app[container_key]
        now = container.clock.now()
        from core.plan_building import local_epoch

        today = local_epoch(now, settings.tz).date()
        seeded = await seed_demo(container.uow_factory, today, now)
        async with container.uow_factory() as uow:
            has_plan = await uow.plans.latest() is not None
        if seeded or not has_plan:
            await container.planner.replan("demo start")
        db = settings.db_url.split("///", 1)[-1]
        print(DEMO_BANNER.format(host=settings.host, port=settings.port, db=db), flush=True)
        yield

    return ctx


def create_app(settings: Settings) -> web.Application:
    from bot.app import create_app as factory

    return factory(settings)


def serve(settings: Settings) -> None:
    """Run until Ctrl-C; demo mode seeds and plans the demo factory first."""
    web.run_app(create_app(settings), host=settings.host, port=settings.port,
                print=None if settings.demo else print)
