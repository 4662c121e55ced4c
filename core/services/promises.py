"""Load what the promise KPIs need: stored plan versions' ETAs and the orders' real finishes.

The arithmetic is in core/planning/promise_kpis.py (pure, unit-tested); this
use case only reads one unit of work and turns domain objects into its inputs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.model.plan import OrderEta
from core.model.work_order import OrderStatus, WorkOrder
from core.planning.promise_kpis import (
    Delivery,
    PlannedEta,
    PlanSnapshot,
    PromiseSummary,
    VersionPromise,
    summary,
    trend,
)
from core.ports import UnitOfWork

TREND_VERSIONS = 30  # plan versions shown in the trend


@dataclass(frozen=True, slots=True)
class PromiseReport:
    trend: list[VersionPromise]
    summary: PromiseSummary


def snapshots(rows: Sequence[tuple[int, datetime, OrderEta]]) -> list[PlanSnapshot]:
    """(number, created_at, eta) rows -> one snapshot per plan version, oldest first."""
    by_number: dict[int, tuple[datetime, dict[str, PlannedEta]]] = {}
    for number, created, e in rows:
        by_number.setdefault(number, (created, {}))[1][e.order_ref] = PlannedEta(e.eta, e.due)
    return [PlanSnapshot(n, c, etas) for n, (c, etas) in sorted(by_number.items())]


def deliveries(orders: Collection[WorkOrder]) -> list[Delivery]:
    """Finished orders: done or shipped, finished when their last operation finished."""
    out = []
    for o in orders:
        if o.status not in (OrderStatus.DONE, OrderStatus.SHIPPED):
            continue
        ends = [op.finished_at for op in o.operations if op.finished_at is not None]
        if ends:
            out.append(Delivery(o.ref, max(ends), o.due_date, o.created_at))
    return out


async def promise_report(
    uow: UnitOfWork,
    tz: str,
    customers: Collection[str] | None = None,
    versions: int = TREND_VERSIONS,
) -> PromiseReport:
    """The promise KPIs over the newest `versions` plans; `customers` narrows them to some."""
    orders = await uow.orders.list(customers=list(customers) if customers is not None else None)
    mine = {o.ref for o in orders}
    rows = [r for r in await uow.plans.eta_history(versions) if r[2].order_ref in mine]
    history = snapshots(rows)
    done = deliveries(orders)
    ordered = {o.ref: o.created_at for o in orders if o.created_at is not None}
    return PromiseReport(trend(history, done, ordered, tz), summary(history, done, ordered, tz))
