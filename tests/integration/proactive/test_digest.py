"""Digests: the right local time, the right day across the UTC boundary, sent once a day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jobs.proactive import digest_times, digest_trigger, parse_time
from core.errors import ConfigError
from core.messages import reply_from_payload
from core.model.plan import PlanVersion
from core.services.proactive import ProactiveConfig, build_digest, send_digest
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.helpers import (
    TZ,
    ZONE,
    FakeClock,
    make_plan,
    open_orders,
    outbox_rows,
    save_plan,
    seed,
)

UTC_EVENING = datetime.fromisoformat("2026-11-22T23:30:00+00:00")  # 07:30 on the 23rd in Shanghai


def test_default_time_is_0807_shanghai_across_the_utc_day() -> None:
    times = digest_times("08:07")
    trigger = digest_trigger(times["supervisor"], TZ)
    before = datetime.fromisoformat("2026-11-22T23:59:00+00:00")  # 07:59 local on the 23rd
    fire = trigger.get_next_fire_time(None, before)
    assert fire is not None
    assert fire.isoformat() == "2026-11-23T08:07:00+08:00"
    assert fire.astimezone(ZONE).date() == date(2026, 11, 23)
    assert (fire - before) == timedelta(minutes=8)  # 00:07 UTC: already the next UTC day
    after = trigger.get_next_fire_time(None, fire + timedelta(minutes=1))
    assert after is not None and after.isoformat() == "2026-11-24T08:07:00+08:00"


def test_customers_weekly_on_monday_and_per_role_overrides() -> None:
    times = digest_times("08:07", "sales=07:43, customer=fri 16:07")
    assert times["supervisor"] == parse_time("08:07")
    assert (times["sales"].hour, times["sales"].minute) == (7, 43)
    weekly = digest_trigger(digest_times("08:07")["customer"], TZ)
    fire = weekly.get_next_fire_time(None, UTC_EVENING)
    assert fire is not None and fire.weekday() == 0 and (fire.hour, fire.minute) == (8, 7)
    friday = digest_trigger(times["customer"], TZ).get_next_fire_time(None, UTC_EVENING)
    assert friday is not None and friday.weekday() == 4 and friday.hour == 16
    with pytest.raises(ConfigError):
        digest_times("08:07", "boss=09:00")
    with pytest.raises(ConfigError):
        parse_time("8h07")


async def _shop(uow_factory: SqlUnitOfWorkFactory, now: datetime) -> tuple[str, str]:
    """Seed, make one order due on the local day of `now` and late; return (due today, late)."""
    await seed(uow_factory, now)
    today = now.astimezone(ZONE).date()
    orders = await open_orders(uow_factory)
    target = orders[0]
    async with uow_factory() as uow:
        order = await uow.orders.get(target.ref)
        assert order is not None
        if order.due_date != today:
            order.change_due_date(today, "test")
            await uow.orders.save(order)
            await uow.commit()
    orders = await open_orders(uow_factory)
    late = next(o for o in orders if o.ref != target.ref)
    await save_plan(
        uow_factory, make_plan(1, orders[:10], now, {late.ref: 600}, bottleneck="POWDER")
    )
    return target.ref, late.ref


async def _png(plan: PlanVersion, now: datetime) -> bytes:
    return b"\x89PNG fake"


async def test_supervisor_digest_uses_the_local_day(uow_factory: SqlUnitOfWorkFactory) -> None:
    clock = FakeClock(UTC_EVENING)
    due_today, late = await _shop(uow_factory, clock.now())
    [first, *_] = await build_digest(
        "supervisor", uow_factory, clock, ProactiveConfig(), gantt=_png
    )
    text = first.reply.text
    assert "2026-11-23" in text.splitlines()[0]  # the Shanghai date, not the UTC one
    today_section = text.split("**本周到期")[0]
    assert due_today in today_section
    late_section = text.split("**延期订单")[1].split("**昨日")[0]
    assert late in late_section and "原因：瓶颈工作中心" in late_section
    assert "准时率" in text and first.reply.image_png == b"\x89PNG fake"


async def test_digest_is_queued_once_per_local_day(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    clock = FakeClock(UTC_EVENING)
    await _shop(uow_factory, clock.now())
    sent = await send_digest("supervisor", uow_factory, clock, ProactiveConfig(), gantt=_png)
    assert len(sent) == 2  # the demo factory's two supervisors
    clock.advance(hours=1)  # same local day, even though the UTC day changed
    await send_digest("supervisor", uow_factory, clock, ProactiveConfig(), gantt=_png)
    rows = await outbox_rows(engine, "digest:supervisor:")
    assert len(rows) == 2 and all(
        r["dedupe_key"].startswith("digest:supervisor:2026-11-23") for r in rows
    )
    assert reply_from_payload(rows[0]["payload"]).image_png == b"\x89PNG fake"
    clock.advance(days=1)
    await send_digest("supervisor", uow_factory, clock, ProactiveConfig(), gantt=_png)
    assert len(await outbox_rows(engine, "digest:supervisor:")) == 4


async def test_sales_see_their_customers_and_customers_opt_in(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    clock = FakeClock(UTC_EVENING)
    _, late = await _shop(uow_factory, clock.now())
    async with uow_factory() as uow:
        order = await uow.orders.get(late)
        customers = await uow.parties.customers()
    assert order is not None
    sales = await build_digest("sales", uow_factory, clock)
    owners = [m for m in sales if order.customer_code in m.person.customers]
    others = [m for m in sales if order.customer_code not in m.person.customers]
    assert owners and all(late in m.reply.text for m in owners)
    assert all(late not in m.reply.text for m in others)
    weekly = await build_digest("customer", uow_factory, clock)
    assert weekly and all(customers[m.person.customers[0]].weekly_summary for m in weekly)
    for m in weekly:
        refs = [
            o.ref
            for o in await open_orders(uow_factory)
            if o.customer_code != m.person.customers[0]
        ]
        assert not any(ref in m.reply.text for ref in refs)  # only their own orders


async def test_unknown_role_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(ValueError):
        await build_digest("boss", uow_factory, FakeClock(UTC_EVENING))
