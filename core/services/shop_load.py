"""Answers to load questions ("瓶颈在哪", "这周产能怎么样"), as data.

The bottleneck is the in-house work center most loaded over the coming seven
days: planned operation time inside its working hours, against those hours
times its machines (outsourced centers have no machines and no limit). With
nothing planned this week it is the one the live plan version names in its
KPIs (over the plan's whole horizon). The orders it delays are the late orders (by the plan's
ETA) with an operation still planned on it, most late first, scoped to what
the person may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.model.capacity import WorkCenter
from core.model.parties import Person
from core.model.plan import PlannedOperation
from core.ports import UnitOfWork
from core.services.scope import customer_scope

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class CenterLoad:
    code: str
    name: str
    planned_minutes: int
    capacity_minutes: int

    @property
    def load(self) -> float:
        """Planned over available time; above 1.0 the center is overbooked."""
        return self.planned_minutes / self.capacity_minutes if self.capacity_minutes else 0.0


@dataclass(frozen=True, slots=True)
class DelayedOrder:
    ref: str
    eta: datetime
    lateness_minutes: int


@dataclass(frozen=True, slots=True)
class ShopLoad:
    """`bottleneck` None when there is no plan or nothing planned; `busiest` are the
    other centers, most loaded first; `delayed` holds at most `limit` orders of `total_delayed`."""

    start: datetime
    end: datetime
    bottleneck: CenterLoad | None
    busiest: tuple[CenterLoad, ...] = ()
    delayed: tuple[DelayedOrder, ...] = ()
    total_delayed: int = 0
    plan_version: int | None = None


async def shop_load(uow: UnitOfWork, person: Person, now: datetime, tz: str,
                    limit: int = 5) -> ShopLoad:
    """The bottleneck, its load over the coming week, and the orders it delays."""
    start = now.astimezone(ZoneInfo(tz))
    end = start + WEEK
    plan = await uow.plans.latest()
    if plan is None:
        return ShopLoad(start, end, None)
    centers = await uow.catalog.work_centers()
    loads = sorted((center_load(wc, plan.operations, start, end) for wc in centers.values()
                    if wc.machines), key=lambda c: (-c.load, c.code))
    bottleneck = loads[0] if loads and loads[0].planned_minutes > 0 else None
    if bottleneck is None:
        named = plan.kpis.get("bottleneck")
        bottleneck = next((c for c in loads if c.code == named), None)
    if bottleneck is None:
        return ShopLoad(start, end, None, plan_version=plan.number)
    others = tuple(c for c in loads if c.code != bottleneck.code and c.planned_minutes > 0)[:2]
    waiting = {op.order_ref for op in plan.operations
               if op.work_center == bottleneck.code and op.end > now}
    scope = customer_scope(person)
    if scope is not None:
        mine = {o.ref for o in await uow.orders.list(open_only=True, customers=list(scope))}
        waiting &= mine
    delayed = sorted((DelayedOrder(e.order_ref, e.eta, e.lateness_minutes)
                      for ref, e in plan.etas.items() if ref in waiting and e.late),
                     key=lambda d: (-d.lateness_minutes, d.ref))
    return ShopLoad(start, end, bottleneck, others, tuple(delayed[:limit]), len(delayed),
                    plan.number)


def center_load(wc: WorkCenter, operations: Iterable[PlannedOperation], start: datetime,
                end: datetime) -> CenterLoad:
    """Planned minutes of `wc` inside its working windows in [start, end), and its capacity."""
    windows = list(wc.calendar.windows(start, end))
    capacity = sum(_minutes(s, e) for s, e in windows) * len(wc.machines)
    planned = 0
    for op in operations:
        if op.work_center != wc.code or op.end <= start or op.start >= end:
            continue
        planned += sum(_minutes(max(s, op.start), min(e, op.end)) for s, e in windows
                       if s < op.end and e > op.start)
    return CenterLoad(wc.code, wc.name, planned, capacity)


def _minutes(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds() // 60), 0)
