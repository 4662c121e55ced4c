"""The promise ledger: every date promised to a customer, and what the pages read from it.

Recorded by the new-order apply (source quote/new_order) and by change control
when an applied change moves the due date (source change). The pages' promise
KPIs (core/services/promises.py) read it with `promises_for_orders` and
`promised_as_of`; `promise_kpis` is the same judgement for one set of finishes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.ordering.model import Promise, PromiseSource
from core.ordering.ports import ledger_of
from core.ports import UnitOfWork


async def record_due_change(uow: UnitOfWork, order_ref: str, before: date, after: date,
                            by: str, at: datetime, cr_ref: str) -> None:
    """A change that moved the due date promises the new one (no ledger: nothing to do)."""
    ledger = ledger_of(uow)
    if ledger is not None and before != after:
        await ledger.record(Promise(order_ref, after, PromiseSource.CHANGE, by, at, cr_ref))


async def promises_for(uow: UnitOfWork, order_ref: str) -> list[Promise]:
    """Every date promised for the order, oldest first."""
    ledger = ledger_of(uow)
    return await ledger.promises_for(order_ref) if ledger is not None else []


async def promises_for_orders(uow: UnitOfWork,
                              order_refs: Sequence[str]) -> dict[str, list[Promise]]:
    """`promises_for` for many orders in one read: order -> its promises, oldest first."""
    ledger = ledger_of(uow)
    return await ledger.promises_for_many(order_refs) if ledger is not None else {}


def promised_as_of(promises: Sequence[Promise], at: datetime,
                   grace: timedelta = timedelta(0)) -> date | None:
    """The date last promised at `at` (up to `grace` after it); None if nothing was yet."""
    day = None
    for p in promises:  # oldest first
        if p.at <= at + grace:
            day = p.promised_date
    return day


@dataclass(frozen=True, slots=True)
class PromiseKpis:
    orders: int  # orders with a promise and a finish (or ETA) to judge it by
    kept: int  # finished (or planned) on or before the last date promised
    moves: int  # promised dates after the first, over all orders (volatility)

    @property
    def kept_rate(self) -> float | None:
        return self.kept / self.orders if self.orders else None


def promise_kpis(promises: Mapping[str, Sequence[Promise]],
                 finished: Mapping[str, date]) -> PromiseKpis:
    """Promise-kept rate against each order's last promise, and how often promises moved.

    `finished` is each order's completion day (or its plan ETA's day for open orders).
    """
    judged = kept = moves = 0
    for ref, rows in promises.items():
        if not rows:
            continue
        moves += len({p.promised_date for p in rows}) - 1
        done = finished.get(ref)
        if done is None:
            continue
        judged += 1
        kept += done <= rows[-1].promised_date
    return PromiseKpis(judged, kept, moves)
