"""The aiohttp application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from aiohttp import web

from bot.api import people_view, setup_api
from bot.bootstrap import Container, build_container
from bot.dingtalk.routes import setup_dingtalk
from bot.keys import container_key, settings_key
from bot.metrics import observe_solve
from bot.outbox_worker import setup_dispatcher
from bot.pipeline import ChannelDeps, TaskTracker
from bot.schedule import config_from, setup_proactive
from bot.service import ChatService
from bot.settings import Settings
from bot.webchat.routes import setup_webchat
from bot.wecom.routes import setup_wecom
from core.ports import Clock
from core.services.planning import PlanOutcome
from core.services.proactive import check_delays
from storage.standalone import SqlInboxService, SqlOutboxService


class _People:
    """The people list for the web chat's picker, read from the app's database."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    async def list_people(self) -> Sequence[Mapping[str, Any]]:
        async with self._app[container_key].uow_factory() as uow:
            return people_view(await uow.parties.people())


def watch_plans(container: Container, settings: Settings) -> None:
    """After every committed plan: record the solve in /metrics and check for new delays.

    The scheduler also polls for new plan versions, so an alert missed here (a
    crash between commit and check) still goes out; stored state and dedupe
    keys keep the two from announcing anything twice.
    """
    config = config_from(settings)

    async def after_replan(outcome: PlanOutcome) -> None:
        version = outcome.version
        observe_solve(version.status, version.method, float(version.kpis.get("solve_seconds", 0.0)))
        await check_delays(container.uow_factory, container.clock, config)

    container.planner.on_replanned(after_replan)


def create_app(settings: Settings, clock: Clock | None = None,
               container: Container | None = None,
               leader_retry_seconds: float = 15.0) -> web.Application:
    """Build the app; the container (engine, planner ...) lives as long as the app.

    `leader_retry_seconds` is how often a follower process tries to take over
    the scheduled jobs. Order of the cleanup contexts matters: the container comes first and goes
    last; the outbox dispatcher comes last and stops first, after the message
    handlers have drained their replies into the outbox.
    """
    app = web.Application(client_max_size=1024 * 1024)
    app[settings_key] = settings
    deps = ChannelDeps.deferred(settings)
    tasks = TaskTracker()

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        owned = container is None
        c = container or await build_container(settings, clock)
        app[container_key] = c
        deps.bind(handler=ChatService(c, tasks), inbox=SqlInboxService(c.uow_factory),
                  outbox=SqlOutboxService(c.uow_factory), clock=c.clock)
        watch_plans(c, settings)
        try:
            yield
        finally:
            await tasks.drain()
            if owned:
                await c.close()

    app.cleanup_ctx.append(lifecycle)
    if settings.demo:
        from bot.server import demo_setup

        app.cleanup_ctx.append(demo_setup(settings))
    setup_api(app)
    if settings.wecom_enabled:
        setup_wecom(app, deps)
    if settings.dingtalk_enabled:
        setup_dingtalk(app, deps)
    setup_webchat(app, deps, _People(app))
    setup_proactive(app, retry_seconds=leader_retry_seconds)
    setup_dispatcher(app, deps)
    return app
