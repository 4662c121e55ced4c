"""The pages' promise KPIs read the promise ledger, not the orders' due dates.

On the demo factory: one open order is promised (in the ledger) a day earlier
than its plan ETA although its due date is later, and then promised again on
another day. Judged by due dates the order is kept and its promise never
moved; judged by the ledger, as /plan and the digest now are, it is late and
moved once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.ordering.model import Promise, PromiseSource
from core.ordering.ports import ordering_uow
from core.planning.promise_kpis import local_day, summary
from core.services.promises import deliveries, promise_report, snapshots
from tests.integration.change_control.conftest import Shop

TZ = "Asia/Shanghai"


async def _by_due_dates(shop: Shop) -> tuple[float | None, int]:
    """The headline the way it was computed before: due dates only, no ledger."""
    async with shop.container.uow_factory() as uow:
        orders = await uow.orders.list()
        history = snapshots(await uow.plans.eta_history(30))
    s = summary(history, deliveries(orders), {}, TZ)
    return s.promise_kept_rate, s.promise_moves


async def test_plan_page_kpis_follow_the_ledger_where_it_and_the_due_date_disagree(
        shop: Shop) -> None:
    async with shop.container.uow_factory() as uow:
        plan = await uow.plans.latest()
        orders = {o.ref: o for o in await uow.orders.list()}
    assert plan is not None
    # an open order the plan finishes on or before its due day: kept, by its due date
    ref, eta = next((r, e) for r, e in sorted(plan.etas.items())
                    if e.eta is not None and local_day(e.eta, TZ) < orders[r].due_date)
    eta_day = local_day(eta.eta, TZ)
    async with shop.container.uow_factory() as uow:
        before = (await promise_report(uow, TZ)).summary
        first = Promise(ref, eta_day - timedelta(days=1), PromiseSource.QUOTE, "sales.wangfang",
                        plan.created_at - timedelta(hours=1))
        await ordering_uow(uow).promises.record(first)
        await uow.commit()
    async with shop.container.uow_factory() as uow:
        after = (await promise_report(uow, TZ)).summary
    assert before.promise_kept_rate is not None and after.promise_kept_rate is not None
    drop = before.promise_kept_rate - after.promise_kept_rate
    assert drop > 0 and 1 / drop == pytest.approx(round(1 / drop))  # exactly one order flipped
    assert after.promise_moves == before.promise_moves  # one promise is no move

    # told again, a day earlier still; the next plan version carries the new promise
    shop.clock.advance(hours=1)
    async with shop.container.uow_factory() as uow:
        await ordering_uow(uow).promises.record(Promise(
            ref, eta_day - timedelta(days=2), PromiseSource.CHANGE, "sales.wangfang",
            shop.clock.now(), "CR-1"))
        # the next plan version (the same schedule, made after the promise moved)
        await uow.plans.add(replace(plan, number=0, created_at=shop.clock.now(),
                                    reason="after the promise moved"))
        await uow.commit()
    async with shop.container.uow_factory() as uow:
        report = await promise_report(uow, TZ)
    by_due_kept, by_due_moves = await _by_due_dates(shop)
    assert report.summary.promise_moves == by_due_moves + 1  # the ledger's move, not the due's
    assert report.summary.promise_kept_rate is not None and by_due_kept is not None
    assert report.summary.promise_kept_rate < by_due_kept
    assert report.trend[-1].promise_kept_rate == report.summary.promise_kept_rate
