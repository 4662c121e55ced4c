"""Replanning the shop: load a snapshot, solve off the event loop, save a plan version.

One solve at a time per process (a lock), because each plan is hinted by and
diffed against the one before it. Committing a plan version is a second, short
lock: a confirmed change commits the plan it was assessed with while a longer
polish may be solving, and a solve whose base plan moved meanwhile is redone
rather than committed over the newer plan. Across processes the commit
transaction takes the database's plan-commit lock before it checks the latest
plan (`PlanRepository.lock_for_commit`). Every committed plan is published as
`PlanRevised` after the commit (delay alerts, metrics: see bot/app.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from core.errors import PlanMoved
from core.events import PlanRevised
from core.faults import crash_point
from core.model.plan import PlanVersion
from core.model.products import Routing
from core.model.work_order import WorkOrder
from core.plan_building import (
    ShopSnapshot,
    build_input,
    local_epoch,
    open_orders,
    previous_result,
    to_plan_version,
)
from core.planning import diff as plan_diff
from core.planning import engine
from core.planning.calendar import OfficialDays
from core.planning.types import PlanDiff, PlanInput, PlanResult, SolveParams
from core.ports import Clock, EventPublisher, UnitOfWork, UnitOfWorkFactory
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
            if diff.worst_slip
            else None
        ),
    }


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A hypothetical plan next to the current one; nothing is saved.

    `base` is the number of the stored plan both were repaired from, and
    `snapshot` the hypothetical shop, so that a confirmed change can commit
    `after` as its plan version while `base` is still the latest.
    """

    epoch: datetime
    before: PlanResult
    after: PlanResult
    diff: PlanDiff
    base: int | None = None
    snapshot: ShopSnapshot | None = None


Override = Mapping[str, WorkOrder]


def with_overrides(
    snapshot: ShopSnapshot,
    orders: Override,
    routings: Mapping[tuple[str, int], Routing] | None = None,
) -> ShopSnapshot:
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

    RETRIES = 3  # solves of one replan whose base plan moved; the last holds the commit lock

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        tz: str,
        params: SolveParams,
        what_if_params: SolveParams | None = None,
        events: EventPublisher | None = None,
        official_days: OfficialDays | None = None,
    ) -> None:
        """`official_days`: the country's holidays and make-up days every work calendar
        follows (None: only the calendars' own weekdays and listed days)."""
        self._uow_factory = uow_factory
        self._official = official_days
        self._clock = clock
        self._tz = tz
        self.params = params
        self.what_if_params = what_if_params or replace(
            params, time_limit_s=min(params.time_limit_s, 1.5)
        )
        self._events = events
        self._solving = asyncio.Lock()
        self._committing = asyncio.Lock()
        self._before: tuple[tuple[Any, ...], PlanResult] | None = None

    @property
    def tz(self) -> str:
        return self._tz

    @asynccontextmanager
    async def committing(self) -> AsyncIterator[None]:
        """Hold while checking the latest plan number and committing a plan version on it.

        This orders the tasks of this process (a solve holding it cannot be overtaken
        here); across processes the committing transaction itself takes
        `uow.plans.lock_for_commit()` first. Enter it before the unit of work opens:
        a transaction that started earlier may not see a plan committed meanwhile
        (SQLite reads a snapshot).
        """
        async with self._committing:
            yield

    async def publish(self, version: PlanVersion, changed: Collection[str] | None = None) -> None:
        """Announce a committed plan version on the bus."""
        if self._events is not None:
            await self._events.publish(plan_revised(version, changed))

    async def replan(
        self,
        reason: str,
        changed: Collection[str] | None = None,
        *,
        time_limit_s: float | None = None,
        workers: int | None = None,
    ) -> PlanOutcome:
        """Solve and commit a plan version, then publish `PlanRevised`.

        `changed` None is a full plan (hinted by the latest), else a repair around
        those orders; `time_limit_s` and `workers` override the defaults. If another plan was
        committed while this one solved (a confirmed change), it is solved again
        on the newer plan, so no change's plan is ever overwritten by an older view.
        """
        params = replace(
            self.params,
            time_limit_s=self.params.time_limit_s if time_limit_s is None else time_limit_s,
            workers=self.params.workers if workers is None else workers,
        )
        outcome: PlanOutcome | None = None
        async with self._solving:
            for attempt in range(1, self.RETRIES + 1):
                if attempt == self.RETRIES:  # nothing in this process may overtake the last
                    async with self.committing():
                        outcome = await self._solve_and_commit(reason, changed, params, False)
                else:
                    outcome = await self._solve_and_commit(reason, changed, params, True)
                if outcome is not None:
                    break
                log.info("plan moved while solving %r; solving again on the newer plan", reason)
        if outcome is None:
            raise PlanMoved(f"{reason}: other processes committed plans during {self.RETRIES} "
                            "solves; nothing committed")
        await self.publish(outcome.version, changed)
        return outcome

    async def _solve_and_commit(
        self, reason: str, changed: Collection[str] | None, params: SolveParams, lock: bool
    ) -> PlanOutcome | None:
        """One solve; None when the base plan moved before the commit.

        Without `lock` the caller holds the commit lock for the whole solve.
        """
        async with self._uow_factory() as uow:
            base = await uow.plans.latest()
            outcome = await self._solve_in(uow, base, reason, changed, params)
        base_number = base.number if base is not None else None
        if not lock:
            return await self._commit(outcome, base_number)
        async with self.committing():
            return await self._commit(outcome, base_number)

    async def _commit(self, outcome: PlanOutcome, base: int | None) -> PlanOutcome | None:
        """Commit on `base` if it is still the latest plan, under the database's commit lock
        (the in-process lock orders this process's tasks; another process may still have
        committed since the solve began)."""
        async with self._uow_factory() as uow:
            await uow.plans.lock_for_commit()
            if await uow.plans.latest_number() != base:
                return None
            await uow.plans.add(outcome.version)  # numbers the version
            if outcome.version.reason.startswith("nightly"):
                crash_point("nightly_plan_commit")
            await uow.commit()
        return outcome

    async def _solve_in(
        self,
        uow: UnitOfWork,
        latest: PlanVersion | None,
        reason: str,
        changed: Collection[str] | None,
        params: SolveParams,
    ) -> PlanOutcome:
        """Solve on the shop as `uow` reads it; nothing is written."""
        now = self._clock.now()
        epoch = local_epoch(now, self._tz)
        snapshot = await load_snapshot(uow, epoch.date())
        inp = build_input(snapshot, epoch, self._official)
        previous = previous_result(latest, epoch) if latest else None
        result = await asyncio.to_thread(self._solve, inp, previous, changed, params)
        diff = plan_diff.compare(previous, result) if previous else None
        version = to_plan_version(0, result, snapshot, epoch, now, reason, diff_summary(diff))
        return PlanOutcome(version, result, diff)

    async def what_if(
        self,
        current: ShopSnapshot,
        hypothetical: ShopSnapshot,
        latest: PlanVersion | None,
        changed: Collection[str],
    ) -> WhatIf:
        """The change's own effect on the plan, evaluated off the event loop; nothing is saved.

        Both the shop as it is and the shop as it would be are repaired from the
        latest plan the same deterministic way (no solver search; the work a
        change pushes is moved onto sibling machines where that helps), and compared
        with each other. Comparing with the stored plan directly would blame the
        change for whatever time passing moved; the repair keeps every other
        order's machine sequence, so only what the change displaces moves.

        The shop as it is does not depend on the change, so its repair is kept
        for the same latest plan, minute and order versions: a change assessed
        on an unchanged shop costs one repair.
        """
        epoch = local_epoch(self._clock.now(), self._tz)
        new_inp = build_input(hypothetical, epoch, self._official)
        params = replace(self.what_if_params, use_cpsat=False, workers=1)
        before = await self._repaired_now(current, latest, epoch, params)

        def evaluate() -> tuple[PlanResult, PlanDiff]:
            after = engine.replan(new_inp, before, changed, params)
            return after, plan_diff.compare(before, after)

        after, diff = await asyncio.to_thread(evaluate)
        return WhatIf(epoch, before, after, diff, latest.number if latest else None, hypothetical)

    async def baseline(
        self, current: ShopSnapshot, latest: PlanVersion | None
    ) -> tuple[datetime, PlanResult]:
        """The plan epoch now and the latest plan repaired onto the shop as it is (cached),
        the same `before` a what-if compares with; for a capable-to-promise search."""
        epoch = local_epoch(self._clock.now(), self._tz)
        params = replace(self.what_if_params, use_cpsat=False, workers=1)
        return epoch, await self._repaired_now(current, latest, epoch, params)

    async def _repaired_now(
        self,
        current: ShopSnapshot,
        latest: PlanVersion | None,
        epoch: datetime,
        params: SolveParams,
    ) -> PlanResult:
        """The latest plan repaired onto the shop as it is now.

        Cached per plan, minute and orders.
        """
        key = (
            latest.number if latest else None,
            epoch,
            tuple((o.ref, o.version) for o in current.orders),
        )
        if self._before is not None and self._before[0] == key:
            return self._before[1]
        inp = build_input(current, epoch, self._official)
        previous = previous_result(latest, epoch) if latest is not None else None

        def evaluate() -> PlanResult:
            if previous is None:
                return engine.plan(inp, params)
            return engine.replan(inp, previous, (), params)

        before = await asyncio.to_thread(evaluate)
        self._before = (key, before)
        return before

    def version_of(self, what_if: WhatIf, reason: str) -> PlanVersion:
        """The assessed plan as a plan version to commit (numbered on add)."""
        assert what_if.snapshot is not None
        return to_plan_version(
            0,
            what_if.after,
            what_if.snapshot,
            what_if.epoch,
            self._clock.now(),
            reason,
            diff_summary(what_if.diff),
        )

    @staticmethod
    def _solve(
        inp: PlanInput,
        previous: PlanResult | None,
        changed: Collection[str] | None,
        params: SolveParams,
    ) -> PlanResult:
        if previous is not None and changed is not None:
            return engine.replan(inp, previous, changed, params)
        return engine.plan(inp, params, previous)


def plan_revised(version: PlanVersion, changed: Collection[str] | None = None) -> PlanRevised:
    """The event for a committed plan version."""
    return PlanRevised(
        version.number,
        version.reason,
        version.status,
        version.method,
        float(version.kpis.get("solve_seconds", 0.0)),
        tuple(changed or ()),
    )
