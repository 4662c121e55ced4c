"""check_delays on a real database: queued once per new delay, to the right people."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from core.alerts import STATE_KEY, AlertKind
from core.messages import reply_from_payload
from core.services.proactive import ProactiveConfig, check_delays, check_if_replanned
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.helpers import (
    ZONE,
    FakeClock,
    make_plan,
    open_orders,
    outbox_rows,
    save_plan,
    seed,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)
CONFIG = ProactiveConfig(threshold_minutes=480)


def recipients(rows: list[dict[str, object]]) -> set[str]:
    return {str(r["meta"]["person"]) for r in rows}  # type: ignore[index]


async def test_alerts_fire_once_per_delay_and_once_back_on_time(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    clock = FakeClock(NOW)
    await seed(uow_factory, NOW)
    orders = (await open_orders(uow_factory))[:3]
    late, ok = orders[0], orders[1]
    await save_plan(
        uow_factory,
        make_plan(
            1,
            orders[:2],
            NOW,
            {late.ref: 200, ok.ref: -100},
            reason="change CR-3",
            bottleneck="POWDER",
            diff={"slipped": [{"order": late.ref, "minutes": 200}]},
        ),
    )
    async with uow_factory() as uow:
        people = await uow.parties.people()
    supervisors = {p.id for p in people if p.role.value == "supervisor"}
    owner = {p.id for p in people if p.role.value == "sales" and late.customer_code in p.customers}

    found = await check_delays(uow_factory, clock, CONFIG)
    assert [(a.kind, a.order_ref) for a in found] == [(AlertKind.NEW_LATE, late.ref)]
    assert found[0].cause is not None and found[0].cause.subject == "CR-3"
    rows = await outbox_rows(engine, "alert:")
    assert recipients(rows) == supervisors | owner and len(rows) == len(supervisors | owner)
    text = reply_from_payload(rows[0]["payload"]).text
    assert late.ref in text and "CR-3" in text

    clock.advance(minutes=5)
    assert await check_delays(uow_factory, clock, CONFIG) == []
    assert await check_if_replanned(uow_factory, clock, CONFIG) is None  # plan 1 already seen
    assert len(await outbox_rows(engine, "alert:")) == len(rows)

    await save_plan(uow_factory, make_plan(2, orders[:2], NOW, {late.ref: -20, ok.ref: -100}))
    back = await check_if_replanned(uow_factory, clock, CONFIG)
    assert back is not None and [a.kind for a in back] == [AlertKind.BACK_ON_TIME]
    assert await check_delays(uow_factory, clock, CONFIG) == []
    assert len(await outbox_rows(engine, "alert:")) == 2 * len(rows)
    async with uow_factory() as uow:
        state = await uow.state.get(STATE_KEY)
    assert state is not None and state["orders"] == {}


async def test_no_plan_no_alerts(uow_factory: SqlUnitOfWorkFactory) -> None:
    assert await check_delays(uow_factory, FakeClock(NOW), CONFIG) == []
