"""Replanning the shop: load a snapshot, solve off the event loop, save a plan version.

One replan at a time per process (a lock), because each plan is hinted by and
diffed against the one before it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from core.model.plan import PlanVersion
from core.model.products import Routing
from core.model.work_order import WorkOrder
from core.planning import diff as plan_diff
from core.planning import engine
from core.planning.calendar import OfficialDays
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

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    version: PlanVersion
    result: PlanResult
    diff: PlanDiff | None


async def load_snapshot(uow: UnitOfWork, today: date) -> ShopSnapshot:
    """Everything planning and impact need, read once in one transaction."""
    orders = open_orders(await uow.orders.list(open_only=True))
    boms = await uow.catalog.boms()
    items = await uow.catalog.items()
    purchase_orders = tuple(await uow.catalog.purchase_orders())
    return ShopSnapshot(
        orders=orders,
        customers=await uow.parties.customers(),
        routings=await uow.catalog.routings(),
        work_centers=await uow.catalog.work_centers(),
        availability=allocate(orders, boms, items, purchase_orders, today),
        boms=boms,
        items=items,
        purchase_orders=purchase_orders,
    )


def diff_summary(diff: PlanDiff | None) -> dict[str, Any]:
    """The stored, JSON form of a plan diff: counts and the orders that slipped."""
    if diff is None:
        return {}
    return {
        "ops_moved": len(diff.moved),
        "ops_reordered": len(diff.reordered),
        "slipped": [{"order": s.ref, "minutes": s.delta} for s in diff.slipped],
        "improved": [{"order": s.ref, "minutes": -s.delta} for s in diff.improved],
        "worst_slip": (
            {"order": diff.worst_slip.ref, "minutes": diff.worst_slip.delta}
            if diff.worst_slip else None
        ),
    }


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A hypothetical plan next to the current one; nothing is saved."""

    epoch: datetime
    before: PlanResult
    after: PlanResult
    diff: PlanDiff


Override = Mapping[str, WorkOrder]


def with_overrides(snapshot: ShopSnapshot, orders: Override,
                   routings: Mapping[tuple[str, int], Routing] | None = None) -> ShopSnapshot:
    """The snapshot as it would be with some orders replaced (a closed one drops out)."""
    merged = {o.ref: o for o in snapshot.orders}
    merged.update(orders)
    return replace(
        snapshot,
        orders=open_orders(merged.values()),
        routings={**snapshot.routings, **(routings or {})},
    )


class Planner:
    """Makes and saves plan versions; the one entry point for every replan trigger."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, tz: str,
                 params: SolveParams, what_if_params: SolveParams | None = None,
                 official_days: OfficialDays | None = None) -> None:
        """`official_days`: the country's holidays and make-up days every work calendar
        follows (None: only the calendars' own weekdays and listed days)."""
        self._uow_factory = uow_factory
        self._official = official_days
        self._clock = clock
        self._tz = tz
        self.params = params
        self.what_if_params = what_if_params or replace(
            params, time_limit_s=min(params.time_limit_s, 1.5))
        self._lock = asyncio.Lock()
        self._listeners: list[Callable[[PlanOutcome], Awaitable[None]]] = []

    def on_replanned(self, listener: Callable[[PlanOutcome], Awaitable[None]]) -> None:
        """Call `listener` after every committed plan version (delay alerts, metrics)."""
        self._listeners.append(listener)

    async def announce(self, outcome: PlanOutcome) -> None:
        """Tell the listeners; a failing listener is logged and never undoes the plan."""
        for listener in self._listeners:
            try:
                await listener(outcome)
            except Exception:
                log.exception("plan listener failed after plan version %s", outcome.version.number)

    @property
    def tz(self) -> str:
        return self._tz

    async def replan(self, reason: str, changed: Collection[str] | None = None, *,
                     time_limit_s: float | None = None) -> PlanOutcome:
        """`changed` None is a full plan (hinted by the latest).

        `time_limit_s` overrides the default.
        """
        async with self._uow_factory() as uow:
            outcome = await self.replan_in(uow, reason, changed, time_limit_s=time_limit_s)
            await uow.commit()
        await self.announce(outcome)
        return outcome

    async def replan_in(self, uow: UnitOfWork, reason: str, changed: Collection[str] | None = None,
                        orders: Override | None = None,
                        routings: Mapping[tuple[str, int], Routing] | None = None,
                        time_limit_s: float | None = None) -> PlanOutcome:
        """Plan inside the caller's unit of work and add the version to it, uncommitted.

        A change is applied by writing the order, its plan and its notifications
        in one transaction; this is the planning half of that.
        """
        async with self._lock:
            now = self._clock.now()
            epoch = local_epoch(now, self._tz)
            snapshot = await load_snapshot(uow, epoch.date())
            if orders:
                snapshot = with_overrides(snapshot, orders, routings)
            latest = await uow.plans.latest()
            inp = build_input(snapshot, epoch, self._official)
            previous = previous_result(latest, epoch) if latest else None
            params = (self.params if time_limit_s is None
                      else replace(self.params, time_limit_s=time_limit_s))
            result = await asyncio.to_thread(self._solve, inp, previous, changed, params)
            diff = plan_diff.compare(previous, result) if previous else None
            version = to_plan_version(0, result, snapshot, epoch, now, reason,
                                      diff_summary(diff))
            await uow.plans.add(version)  # numbers the version
            return PlanOutcome(version, result, diff)

    async def what_if(self, current: ShopSnapshot, hypothetical: ShopSnapshot,
                      latest: PlanVersion | None, changed: Collection[str]) -> WhatIf:
        """The change's own effect on the plan, evaluated off the event loop; nothing is saved.

        Both the shop as it is and the shop as it would be are repaired from the
        latest plan the same deterministic way (no solver search; the work a
        change pushes is moved onto sibling machines where that helps), and compared
        with each other. Comparing with the stored plan directly would blame the
        change for whatever time passing or solver noise moved; the repair keeps
        every other order's machine sequence, so only what the change displaces
        moves. The real replan on apply can only do better.
        """
        epoch = local_epoch(self._clock.now(), self._tz)
        base_inp = build_input(current, epoch, self._official)
        new_inp = build_input(hypothetical, epoch, self._official)
        previous = previous_result(latest, epoch) if latest is not None else None
        params = replace(self.what_if_params, use_cpsat=False, workers=1)

        def evaluate() -> tuple[PlanResult, PlanResult, PlanDiff]:
            if previous is None:
                before = engine.plan(base_inp, params)
            else:
                before = engine.replan(base_inp, previous, changed, params)
            after = engine.replan(new_inp, before, changed, params)
            return before, after, plan_diff.compare(before, after)

        before, after, diff = await asyncio.to_thread(evaluate)
        return WhatIf(epoch, before, after, diff)

    @staticmethod
    def _solve(inp: PlanInput, previous: PlanResult | None,
               changed: Collection[str] | None, params: SolveParams) -> PlanResult:
        if previous is not None and changed is not None:
            return engine.replan(inp, previous, changed, params)
        return engine.plan(inp, params, previous)
