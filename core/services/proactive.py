"""Proactive use cases: delay alerts after a replan or on a schedule, and role digests.

Both load what they need in one unit of work and write their outbox rows in
it too; delay alerts also store what was announced in the same transaction,
so an alert is either queued and remembered, or neither.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from core.alerts import STATE_KEY, Alert, AlertContext, evaluate, render_alert
from core.alerts import TEXTS as ALERT_TEXTS
from core.digest import (
    ROLES,
    DigestData,
    customer_text,
    plan_link_line,
    sales_text,
    supervisor_text,
)
from core.i18n import render
from core.messages import Reply
from core.model.change_request import ChangeRequest
from core.model.parties import Person, Role
from core.model.plan import PlanVersion
from core.notify import notify
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.services.promises import promise_report
from core.supply import allocate

CHECKED_KEY = "proactive.checked_plan"  # the plan number the last check looked at
GanttRenderer = Callable[[PlanVersion, datetime], Awaitable[bytes | None]]


class PageLinks(Protocol):
    """Signed links to the pages, made by the bot (the secret lives outside the core)."""

    def plan_link(self, person: Person, filters: Mapping[str, str] | None = None) -> str: ...
    def order_link(self, person: Person, ref: str) -> str: ...


@dataclass(frozen=True, slots=True)
class ProactiveConfig:
    tz: str = "Asia/Shanghai"
    threshold_minutes: int = 480
    channels: frozenset[str] = frozenset()  # enabled push channels besides the web
    gantt_days: int = 5
    links: PageLinks | None = None  # adds each supervisor's /plan link to their digest


@dataclass(frozen=True, slots=True)
class DigestMessage:
    person: Person
    reply: Reply


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


# delay alerts -----------------------------------------------------------------


async def check_delays(
    uow_factory: UnitOfWorkFactory, clock: Clock, config: ProactiveConfig = ProactiveConfig()
) -> list[Alert]:
    """Compare the latest plan with what was announced; queue and remember new alerts."""
    now = clock.now()
    async with uow_factory() as uow:
        plan = await uow.plans.latest()
        if plan is None:
            return []
        ctx = await load_alert_context(uow, plan, now, config)
        alerts, state = evaluate(ctx, await uow.state.get(STATE_KEY))
        if alerts:
            await uow.outbox.add(await _alert_rows(uow, alerts, now, config))
        await uow.state.put(STATE_KEY, state, now)
        await uow.state.put(CHECKED_KEY, plan.number, now)
        await uow.commit()
    return alerts


async def check_if_replanned(
    uow_factory: UnitOfWorkFactory, clock: Clock, config: ProactiveConfig = ProactiveConfig()
) -> list[Alert] | None:
    """Run `check_delays` only when a plan version appeared since the last check.

    A cheap poll: replans happen in any server process, and the one that runs
    the jobs notices them here. None means nothing new.
    """
    async with uow_factory() as uow:
        newest = await uow.plans.next_number() - 1
        checked = await uow.state.get(CHECKED_KEY)
    if newest <= 0 or checked == newest:
        return None
    return await check_delays(uow_factory, clock, config)


async def load_alert_context(
    uow: UnitOfWork, plan: PlanVersion, now: datetime, config: ProactiveConfig
) -> AlertContext:
    orders = {o.ref: o for o in await uow.orders.list(open_only=True)}
    today = local_today(now, config.tz)
    availability = allocate(
        orders.values(),
        await uow.catalog.boms(),
        await uow.catalog.items(),
        await uow.catalog.purchase_orders(),
        today,
    )
    causes = await _change_causes(uow, plan, now)
    return AlertContext(
        plan,
        orders,
        availability,
        await uow.catalog.work_centers(),
        now,
        config.threshold_minutes,
        causes,
    )


async def _change_causes(uow: UnitOfWork, plan: PlanVersion, now: datetime) -> dict[str, str]:
    """order ref -> the change request that moved it: its own change, or the one that
    triggered the replan in which it slipped."""
    causes: dict[str, str] = {}
    trigger = re.search(r"CR-\d+", plan.reason)
    if trigger:
        for slip in plan.diff.get("slipped") or []:
            causes[str(slip["order"])] = trigger.group(0)
    repo: Any = uow.change_requests
    if hasattr(repo, "applied_between"):
        recent: list[ChangeRequest] = await repo.applied_between(now - timedelta(days=2), now)
        causes.update({cr.order_ref: cr.ref for cr in recent})
    return causes


async def _alert_rows(
    uow: UnitOfWork, alerts: Sequence[Alert], now: datetime, config: ProactiveConfig
) -> list[Any]:
    people = [p for p in await uow.parties.people() if p.active]
    names = {c.code: c.name for c in (await uow.parties.customers()).values()}
    rows: list[Any] = []
    for person in people:
        mine = [a for a in alerts if _is_recipient(person, a)]
        if not mine:
            continue
        body = "\n\n".join(
            render_alert(a, person.lang, names.get(a.customer_code, ""))
            + _order_link(config.links, person, a.order_ref)
            for a in mine
        )
        title = render(ALERT_TEXTS, "title", person.lang)
        reply = Reply("markdown", f"### {title}\n\n{body}", title=title)
        rows += notify(
            [person], reply, f"alert:{_fingerprint(a.key for a in mine)}", now, config.channels
        )
    return rows


def _order_link(links: PageLinks | None, person: Person, ref: str) -> str:
    """A line with the person's signed link to the order's page, when links are configured."""
    return f"\n{links.order_link(person, ref)}" if links is not None else ""


def _is_recipient(person: Person, alert: Alert) -> bool:
    if person.role is Role.SUPERVISOR:
        return True
    return person.role is Role.SALES and person.owns_customer(alert.customer_code)


def _fingerprint(keys: Any) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:20]


# digests ----------------------------------------------------------------------


async def build_digest(
    role: str,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    config: ProactiveConfig = ProactiveConfig(),
    gantt: GanttRenderer | None = None,
) -> list[DigestMessage]:
    """Every digest message of `role` for today, one per recipient, not yet queued."""
    if role not in ROLES:
        raise ValueError(f"unknown digest role {role!r}; use one of {', '.join(ROLES)}")
    now = clock.now()
    async with uow_factory() as uow:
        data = await _digest_data(uow, now, config)
        people = [p for p in await uow.parties.people() if p.active]
    if role == "supervisor":
        return await _supervisor(people, data, gantt, config.links)
    if role == "sales":
        return [
            DigestMessage(p, _markdown(sales_text(data, p.name, p.customers, p.lang)))
            for p in people
            if p.role is Role.SALES and p.customers
        ]
    return _customers(people, data)


async def send_digest(
    role: str,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    config: ProactiveConfig = ProactiveConfig(),
    gantt: GanttRenderer | None = None,
) -> list[DigestMessage]:
    """Build and queue; the dedupe key holds the local day (or week), so a rerun queues nothing."""
    messages = await build_digest(role, uow_factory, clock, config, gantt)
    now = clock.now()
    topic = digest_topic(role, local_today(now, config.tz))
    async with uow_factory() as uow:
        for m in messages:
            await uow.outbox.add(notify([m.person], m.reply, topic, now, config.channels))
        await uow.commit()
    return messages


def digest_topic(role: str, today: date) -> str:
    if role == "customer":
        year, week, _ = today.isocalendar()
        return f"digest:customer:{year}-W{week:02d}"
    return f"digest:{role}:{today.isoformat()}"


async def _digest_data(uow: UnitOfWork, now: datetime, config: ProactiveConfig) -> DigestData:
    today = local_today(now, config.tz)
    plan = await uow.plans.latest()
    orders = sorted(await uow.orders.list(open_only=True), key=lambda o: (o.due_date, o.ref))
    ctx = await load_alert_context(uow, plan, now, config) if plan else None
    return DigestData(
        today,
        now,
        plan,
        orders,
        await uow.parties.customers(),
        await _applied_yesterday(uow, today, config.tz),
        ctx,
        config.gantt_days,
        {p.id: p.name for p in await uow.parties.people()},
        (await promise_report(uow, config.tz)).summary if plan else None,
    )


async def _applied_yesterday(uow: UnitOfWork, today: date, tz: str) -> list[ChangeRequest]:
    repo: Any = uow.change_requests
    if not hasattr(repo, "applied_between"):
        return []
    zone = ZoneInfo(tz)
    start = datetime.combine(today - timedelta(days=1), time(0), zone)
    found: list[ChangeRequest] = await repo.applied_between(start, start + timedelta(days=1))
    return found


async def _supervisor(
    people: Collection[Person],
    data: DigestData,
    gantt: GanttRenderer | None,
    links: PageLinks | None = None,
) -> list[DigestMessage]:
    """One text per language; each supervisor's own signed /plan link is added to it."""
    image = await gantt(data.plan, data.now) if gantt and data.plan else None
    texts: dict[str, str] = {}
    out = []
    for p in people:
        if p.role is not Role.SUPERVISOR:
            continue
        if p.lang not in texts:
            texts[p.lang] = supervisor_text(data, p.lang)
        text = texts[p.lang]
        if links is not None:
            text += "\n" + plan_link_line(links.plan_link(p), p.lang)
        out.append(DigestMessage(p, _markdown(text, image)))
    return out


def _customers(people: Collection[Person], data: DigestData) -> list[DigestMessage]:
    opted: Mapping[str, Any] = {c.code: c for c in data.customers.values() if c.weekly_summary}
    return [
        DigestMessage(p, _markdown(customer_text(data, opted[p.customers[0]], p.lang)))
        for p in people
        if p.role is Role.CUSTOMER and p.customers and p.customers[0] in opted
    ]


def _markdown(text: str, image: bytes | None = None) -> Reply:
    title = text.splitlines()[0].lstrip("# ").strip() if text else ""
    return Reply("markdown", text, title=title, image_png=image)
