"""Replanning the shop: load a snapshot, solve off the event loop, save a plan version.

One replan at a time per process (a lock), because each plan is hinted by and
diffed against the one before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.model.plan import PlanVersion
from core.planning import diff as plan_diff
from core.planning import engine
from core.planning.types import PlanDiff, PlanInput, PlanResult, SolveParams
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.scheduling import (
    ShopSnapshot,
    build_input,
    local_epoch,
    open_orders,
    previous_result,
    to_plan_version,
)
from core.supply import allocate


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    version: PlanVersion
    result: PlanResult
    diff: PlanDiff | None


async def load_snapshot(uow: UnitOfWork, today: Any) -> ShopSnapshot:
    orders = open_orders(await uow.orders.list(open_only=True))
    boms = await uow.catalog.boms()
    availability = allocate(orders, boms, await uow.catalog.items(),
                            await uow.catalog.purchase_orders(), today)
    return ShopSnapshot(
        orders=orders,
        customers=await uow.parties.customers(),
        routings=await uow.catalog.routings(),
        work_centers=await uow.catalog.work_centers(),
        availability=availability,
    )


def diff_summary(diff: PlanDiff | None, epoch: datetime) -> dict[str, Any]:
    """The stored, JSON form of a plan diff: counts and the orders that slipped."""
    if diff is None:
        return {}
    return {
        "ops_moved": len(diff.moved),
        "ops_reordered": len(diff.reordered),
        "slipped": [{"order": s.ref, "minutes": s.delta} for s in diff.slipped],
        "improved": [{"order": s.ref, "minutes": -s.delta} for s in diff.improved],
        "worst_slip": (
            {"order": diff.worst_slip.ref, "minutes": diff.worst_slip.delta} if diff.worst_slip else None
        ),
    }


class Planner:
    """Makes and saves plan versions; the one entry point for every replan trigger."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, tz: str,
                 params: SolveParams) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._tz = tz
        self.params = params
        self._lock = asyncio.Lock()

    async def replan(self, reason: str, changed: Collection[str] | None = None) -> PlanOutcome:
        async with self._lock:
            now = self._clock.now()
            epoch = local_epoch(now, self._tz)
            async with self._uow_factory() as uow:
                snapshot = await load_snapshot(uow, epoch.date())
                latest = await uow.plans.latest()
            inp = build_input(snapshot, epoch)
            previous = previous_result(latest, epoch) if latest else None
            result = await asyncio.to_thread(self._solve, inp, previous, changed)
            diff = plan_diff.compare(previous, result) if previous else None
            async with self._uow_factory() as uow:
                number = await uow.plans.next_number()
                version = to_plan_version(number, result, snapshot, epoch, now, reason,
                                          diff_summary(diff, epoch))
                await uow.plans.add(version)
                await uow.commit()
            return PlanOutcome(version, result, diff)

    def _solve(self, inp: PlanInput, previous: PlanResult | None,
               changed: Collection[str] | None) -> PlanResult:
        if previous is not None and changed is not None:
            return engine.replan(inp, previous, changed, self.params)
        return engine.plan(inp, self.params, previous)
