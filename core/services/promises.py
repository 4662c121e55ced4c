"""Load what the promise KPIs need: plan versions' ETAs, real finishes, the promise ledger.

The arithmetic is in core/planning/promise_kpis.py (pure, unit-tested); this
use case only reads one unit of work and turns domain objects into its inputs.
The promised date is the ledger's (core/ordering/ledger.py): in each plan
version, the date last promised when the version was made; for a delivered
order, the date last promised. Only an order the ledger has nothing for
(imported, or older than the ledger) falls back to its due date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.model.plan import OrderEta
from core.model.work_order import OrderStatus, WorkOrder
from core.ordering.ledger import promised_as_of, promises_for_orders
from core.ordering.model import Promise
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
#: A change's apply records its promise a moment after it made the plan version it
#: commits with; the promise counts for that version.
PROMISE_GRACE = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class PromiseReport:
    trend: list[VersionPromise]
    summary: PromiseSummary


def snapshots(rows: Sequence[tuple[int, datetime, OrderEta]],
              promises: Mapping[str, Sequence[Promise]] | None = None) -> list[PlanSnapshot]:
    """(number, created_at, eta) rows -> one snapshot per plan version, oldest first.

    Each order carries the date last promised when the version was made.
    """
    book = promises or {}
    by_number: dict[int, tuple[datetime, dict[str, PlannedEta]]] = {}
    for number, created, e in rows:
        promised = promised_as_of(book.get(e.order_ref, ()), created, PROMISE_GRACE)
        by_number.setdefault(number, (created, {}))[1][e.order_ref] = PlannedEta(
            e.eta, e.due, promised)
    return [PlanSnapshot(n, c, etas) for n, (c, etas) in sorted(by_number.items())]


def deliveries(orders: Collection[WorkOrder],
               promises: Mapping[str, Sequence[Promise]] | None = None) -> list[Delivery]:
    """Finished orders: done or shipped, finished when their last operation finished,
    judged against the date last promised (the due date if the ledger has none)."""
    book = promises or {}
    out = []
    for o in orders:
        if o.status not in (OrderStatus.DONE, OrderStatus.SHIPPED):
            continue
        ends = [op.finished_at for op in o.operations if op.finished_at is not None]
        if ends:
            told = book.get(o.ref)
            promised = told[-1].promised_date if told else o.due_date
            out.append(Delivery(o.ref, max(ends), promised, o.created_at))
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
    promises = await promises_for_orders(uow, sorted(mine))
    history = snapshots(rows, promises)
    done = deliveries(orders, promises)
    ordered = {o.ref: o.created_at for o in orders if o.created_at is not None}
    return PromiseReport(trend(history, done, ordered, tz), summary(history, done, ordered, tz))
