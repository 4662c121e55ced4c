"""The composition root: the one place that wires storage, core and the channels together.

Everything the process runs is decided here: the container (database, planner,
change control), the web routes, the channels that are configured, the
scheduled jobs and the outbox dispatcher. No other module under `bot/` imports
`storage`; they receive what they need from the container.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
from aiohttp import web

from bot.channels.dingtalk.routes import setup_dingtalk
from bot.channels.dingtalk.stream import setup_dingtalk_stream
from bot.channels.pipeline import ChannelDeps, Pipeline, Recovery, TaskTracker
from bot.channels.web.routes import setup_webchat
from bot.channels.wecom.routes import setup_wecom
from bot.channels.wecom_kf.links import KfLinks
from bot.clock import SystemClock
from bot.container import Container
from bot.conversation.replies import NoticeTexts
from bot.conversation.service import ChatService
from bot.delivery.dispatcher import setup_dispatcher
from bot.jobs.proactive import config_from, setup_proactive
from bot.keys import container_key, settings_key
from bot.metrics import observe_solve, setup_metrics
from bot.pages.api import people_view, setup_api
from bot.pages.links import build_signer
from bot.pages.order import setup_order_page
from bot.pages.plan import setup_plan_page
from bot.pages.static import setup_static
from bot.settings import Settings
from core.change_control import (
    AssessedPlans,
    ChangeSettings,
    Deps,
    Fanout,
    Polisher,
    command_handlers,
)
from core.errors import ConfigError
from core.events import ChangeApplied, PlanRevised
from core.messagebus import MessageBus
from core.ordering import OrderingDeps
from core.ordering import command_handlers as ordering_handlers
from core.planning.calendar import official_days
from core.planning.types import SolveParams
from core.ports import Clock
from core.services.planning import Planner
from core.services.proactive import check_delays
from storage.card_deliveries import SqlCardDeliveries
from storage.conversations import SqlConversationStore
from storage.engine import create_engine
from storage.message_services import SqlInboxService, SqlOutboxService
from storage.migrate import current_revisions, head_revisions, upgrade, upgrade_url
from storage.seed import seed_demo
from storage.uow import SqlUnitOfWorkFactory


async def build_container(settings: Settings, clock: Clock | None = None,
                          migrate: bool = True) -> Container:
    """The live services for one process; `close()` releases the database."""
    engine = create_engine(settings.db_url)
    if migrate:
        await upgrade(engine)
    uow_factory = SqlUnitOfWorkFactory(engine)
    clock = clock or SystemClock()
    bus = MessageBus()
    tasks = TaskTracker()
    planner = Planner(uow_factory, clock, settings.tz,
                      SolveParams(time_limit_s=settings.plan_time_limit, seed=0), events=bus,
                      official_days=official_days(settings.holidays))
    change_settings = ChangeSettings(
        confirm_timeout=timedelta(minutes=settings.confirm_timeout_minutes),
        approval_threshold=settings.approval_risk_threshold,
        enabled_channels=settings.channels,
    )
    fanout = Fanout(NoticeTexts(settings.tz), settings.channels)
    deps = Deps(uow_factory, planner, clock, change_settings, fanout, bus, AssessedPlans())
    bus.register(command_handlers(deps))
    bus.register(ordering_handlers(OrderingDeps(uow_factory, planner, clock, change_settings,
                                                fanout, bus)))
    bus.subscribe(ChangeApplied, Polisher(planner, tasks))
    links = await build_signer(settings, uow_factory, clock)
    return Container(settings, engine, uow_factory, clock, planner, bus, tasks,
                     SqlConversationStore(engine), engine.dispose, links)


def _sql(container: Container) -> SqlUnitOfWorkFactory:
    """The container's unit-of-work factory as what this root built it as.

    Core sees only the port; the inbox, outbox and card services work below
    the unit of work (short transactions of their own) and need the engine.
    """
    return cast(SqlUnitOfWorkFactory, container.uow_factory)


def migrate_database(url: str) -> tuple[str | None, str | None]:
    """`gongdan db upgrade`: bring the schema at `url` to the newest revision.

    Returns the revision before (None: an empty database) and after."""
    return upgrade_url(url)


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where a database's schema is against what this code expects (for `gongdan doctor`)."""

    exists: bool
    current: frozenset[str]
    head: frozenset[str]

    @property
    def at_head(self) -> bool:
        return self.exists and self.current == self.head


async def schema_status(url: str) -> SchemaStatus:
    """Connect, read the Alembic revision and compare it with the code's head; change nothing.

    A SQLite file that does not exist is reported as missing rather than
    opened, because opening it would create an empty database.
    """
    from sqlalchemy.engine import make_url

    head = head_revisions()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(str(parsed.database)).is_file():
            return SchemaStatus(False, frozenset(), head)
    engine = create_engine(url)
    try:
        return SchemaStatus(True, await current_revisions(engine), head)
    finally:
        await engine.dispose()


class _People:
    """The people list for the web chat's picker, read from the app's database.

    Each person also carries an order they may ask about (and an operator an
    operation of their work center), so the greeting's examples work as tapped.
    """

    def __init__(self, app: web.Application) -> None:
        self._app = app

    async def list_people(self) -> Sequence[Mapping[str, Any]]:
        async with self._app[container_key].uow_factory() as uow:
            persons = await uow.parties.people()
            orders = await uow.orders.list(open_only=True)
        running = sorted(orders, key=lambda o: (o.status.value != "in_progress", o.ref))
        out = []
        for person, view in zip(persons, people_view(persons), strict=True):
            mine = [o for o in running if not person.customers or
                    o.customer_code in person.customers] or running
            job = next(((o.ref, p.name) for o in running for p in o.operations
                        if p.work_center == person.work_center and not p.finished), None)
            view["example_order"] = job[0] if job else (mine[0].ref if mine else None)
            view["example_operation"] = job[1] if job else None
            out.append(view)
        return out


def subscribe_serving(container: Container, settings: Settings) -> None:
    """What a serving process does after every committed plan, through the bus:
    record the solve in /metrics and check for new delays.

    The scheduler's safety sweep also looks for new plan versions, so an alert
    missed here (a plan committed by another process, or a crash between commit
    and check) still goes out; stored state and dedupe keys keep the two from
    announcing anything twice.
    """
    config = replace(config_from(settings), links=container.links)

    async def record_solve(event: PlanRevised) -> None:
        observe_solve(event.status, event.method, event.solve_seconds)

    async def check_for_delays(event: PlanRevised) -> None:
        await check_delays(container.uow_factory, container.clock, config)

    container.bus.subscribe(PlanRevised, record_solve)
    container.bus.subscribe(PlanRevised, check_for_delays)


def demo_seeding(settings: Settings,
                 banner: Callable[[Settings], None]) -> Callable[[web.Application],
                                                                 AsyncIterator[None]]:
    """A cleanup_ctx entry: seed the demo factory once and make sure a plan exists."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        from core.plan_building import local_epoch

        container = app[container_key]
        now: datetime = container.clock.now()
        today: date = local_epoch(now, settings.tz).date()
        seeded = await seed_demo(_sql(container), today, now)
        async with container.uow_factory() as uow:
            has_plan = await uow.plans.latest() is not None
        if seeded or not has_plan:
            await container.planner.replan("demo start")
        banner(settings)
        yield

    return ctx


def create_app(settings: Settings, clock: Clock | None = None,
               container: Container | None = None,
               leader_retry_seconds: float = 15.0,
               banner: Callable[[Settings], None] | None = None) -> web.Application:
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
        sql = _sql(c)
        # binding links in chat, when 微信客服 is configured; the session lives with the app
        kf_session = None if KfLinks.missing_settings(settings) else aiohttp.ClientSession()
        kf_links = (KfLinks.build(kf_session, settings, c.uow_factory, c.clock)
                    if kf_session is not None else None)
        deps.bind(handler=ChatService(c, tasks, kf_links), inbox=SqlInboxService(sql),
                  outbox=SqlOutboxService(sql), clock=c.clock,
                  uow_factory=c.uow_factory, cards=SqlCardDeliveries(sql))
        subscribe_serving(c, settings)
        recovery = asyncio.create_task(Recovery(Pipeline(deps, tasks)).run(),
                                       name="inbox-recovery")
        try:
            yield
        finally:
            recovery.cancel()
            with suppress(asyncio.CancelledError):
                await recovery
            await tasks.drain()
            if kf_session is not None:
                await kf_session.close()
            if owned:
                await c.close()

    app.cleanup_ctx.append(lifecycle)
    if settings.demo:
        app.cleanup_ctx.append(demo_seeding(settings, banner or (lambda _s: None)))
    setup_metrics(app)
    setup_api(app)
    setup_plan_page(app)
    setup_order_page(app)
    setup_static(app)
    if settings.wecom_enabled:
        setup_wecom(app, deps)
    if settings.dingtalk_enabled:
        if settings.dingtalk_mode == "stream":
            setup_dingtalk_stream(app, deps)
        elif settings.dingtalk_mode == "http":
            setup_dingtalk(app, deps)
        else:
            raise ConfigError("GONGDAN_DINGTALK_MODE must be stream or http, "
                              f"not {settings.dingtalk_mode!r}")
    setup_webchat(app, deps, _People(app))
    setup_proactive(app, retry_seconds=leader_retry_seconds)
    setup_dispatcher(app, deps)
    return app
