"""Promise KPIs: does the shop deliver what it promised, and does the promise hold still.

A plan version's own KPIs (on-time rate, tardiness) say how the current plan
looks. A customer sees something else: whether the order came on the date they
were told, and how often that date moved (交付日期反复变动). These are pure
functions over the stored history of plan versions and the orders' actual
finishes; docs/KPIS.md gives the formulas.

The promised date of an order is the one the promise ledger last recorded
(a quote or new order confirmed, a change that moved it; the caller reads it,
core/services/promises.py); an order the ledger knows nothing of (entered by
import, or before the ledger) is judged against its due date.

All dates are compared as local calendar days of the factory (`tz`): an ETA
that moves from 10:00 to 15:00 on the same day is not a move a customer sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DELIVERY_WINDOW = timedelta(days=30)  # deliveries counted by a version: the 30 days before it


@dataclass(frozen=True, slots=True)
class PlannedEta:
    """One order in one plan version."""

    eta: datetime
    due: datetime  # the order's due date and time, as the plan had it
    promised: date | None = None  # the day last promised by then (ledger); None: the due day

    def promised_day(self, tz: str) -> date:
        return self.promised if self.promised is not None else local_day(self.due, tz)


@dataclass(frozen=True, slots=True)
class PlanSnapshot:
    """What one plan version promised: its number, when it was made, and each order's ETA."""

    number: int
    created_at: datetime
    etas: Mapping[str, PlannedEta]


@dataclass(frozen=True, slots=True)
class Delivery:
    """An order that was finished: when it was ordered, finished, and what was promised."""

    ref: str
    finished_at: datetime
    promised: date
    ordered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class VersionPromise:
    """The promise KPIs as they stood when one plan version was made."""

    number: int
    created_at: datetime
    orders: int  # open orders in the version
    on_time_rate: float | None  # open orders whose ETA <= due (the plan's own forecast)
    promise_kept_rate: float | None  # delivered + planned orders kept to the promised day
    eta_moved: int  # orders whose ETA day moved since the previous version
    days_moved: float  # sum of |ETA day change| since the previous version
    lead_days: float | None  # mean order-to-finish days (actual or planned)


@dataclass(frozen=True, slots=True)
class PromiseSummary:
    """Headline numbers over a whole history (the newest version for rates)."""

    on_time_rate: float | None
    promise_kept_rate: float | None
    orders_tracked: int  # orders seen in at least two versions
    eta_moves_per_order: float  # ETA day changes per tracked order
    eta_days_moved_per_order: float  # |days| moved per tracked order
    promise_moves: int  # how often a promised (due) date changed across versions
    lead_days: float | None
    delivered: int  # deliveries counted by the newest version


def local_day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def on_time_rate(etas: Mapping[str, PlannedEta]) -> float | None:
    """Share of the orders in a plan whose ETA is at or before their due time."""
    if not etas:
        return None
    return sum(1 for e in etas.values() if e.eta <= e.due) / len(etas)


def kept(finish: datetime, promised: date, tz: str) -> bool:
    """Kept: finished (or planned to finish) on or before the promised local day."""
    return local_day(finish, tz) <= promised


def counted_deliveries(
    deliveries: Sequence[Delivery], at: datetime, window: timedelta = DELIVERY_WINDOW
) -> list[Delivery]:
    """Deliveries known at `at`: finished in the window before it."""
    return [d for d in deliveries if at - window <= d.finished_at <= at]


def promise_kept_rate(
    snapshot: PlanSnapshot | None,
    deliveries: Sequence[Delivery],
    tz: str,
    at: datetime | None = None,
) -> float | None:
    """Orders delivered in the window or planned in the version, kept to their promised day.

    A delivered order counts with its real finish, an open one with its ETA;
    an order in both (finished after the plan was made) counts once, delivered.
    """
    when = at if at is not None else (snapshot.created_at if snapshot else None)
    done = {d.ref: d for d in counted_deliveries(deliveries, when)} if when else {}
    outcomes = [kept(d.finished_at, d.promised, tz) for d in done.values()]
    if snapshot is not None:
        outcomes += [
            kept(e.eta, e.promised_day(tz), tz)
            for ref, e in snapshot.etas.items()
            if ref not in done
        ]
    return sum(outcomes) / len(outcomes) if outcomes else None


def eta_moves(
    history: Sequence[PlanSnapshot], tz: str
) -> dict[str, tuple[int, float]]:
    """order -> (times its ETA day changed, total |days| it moved), over consecutive versions.

    `history` in any order; compared oldest to newest, between the versions
    that hold the order (an order missing from one version is not a move).
    """
    last: dict[str, date] = {}
    out: dict[str, tuple[int, float]] = {}
    for snap in sorted(history, key=lambda s: s.number):
        for ref, e in snap.etas.items():
            day = local_day(e.eta, tz)
            before = last.get(ref)
            moves, days = out.get(ref, (0, 0.0))
            if before is not None and day != before:
                moves, days = moves + 1, days + abs((day - before).days)
            out[ref] = (moves, days)
            last[ref] = day
    return out


def promise_moves(history: Sequence[PlanSnapshot], tz: str) -> int:
    """How often an order's promised day differs from the version before."""
    last: dict[str, date] = {}
    count = 0
    for snap in sorted(history, key=lambda s: s.number):
        for ref, e in snap.etas.items():
            day = e.promised_day(tz)
            if ref in last and last[ref] != day:
                count += 1
            last[ref] = day
    return count


def lead_days(
    snapshot: PlanSnapshot | None,
    deliveries: Sequence[Delivery],
    ordered: Mapping[str, datetime],
    at: datetime | None = None,
) -> float | None:
    """Mean days from order to finish: real for deliveries in the window, planned for the rest."""
    when = at if at is not None else (snapshot.created_at if snapshot else None)
    delivered = counted_deliveries(deliveries, when) if when else []
    spans: list[float] = []
    for d in delivered:
        start = d.ordered_at or ordered.get(d.ref)
        if start is not None:
            spans.append((d.finished_at - start).total_seconds() / 86400)
    done = {d.ref for d in delivered}
    if snapshot is not None:
        for ref, e in snapshot.etas.items():
            start = ordered.get(ref)
            if ref not in done and start is not None:
                spans.append((e.eta - start).total_seconds() / 86400)
    return sum(spans) / len(spans) if spans else None


def trend(
    history: Sequence[PlanSnapshot],
    deliveries: Sequence[Delivery],
    ordered: Mapping[str, datetime],
    tz: str,
) -> list[VersionPromise]:
    """The promise KPIs version by version, oldest first: the charts on the plan page."""
    out: list[VersionPromise] = []
    previous: PlanSnapshot | None = None
    for snap in sorted(history, key=lambda s: s.number):
        moved, days = 0, 0.0
        if previous is not None:
            for ref, e in snap.etas.items():
                before = previous.etas.get(ref)
                if before is None:
                    continue
                shift = (local_day(e.eta, tz) - local_day(before.eta, tz)).days
                if shift:
                    moved, days = moved + 1, days + abs(shift)
        out.append(
            VersionPromise(
                snap.number,
                snap.created_at,
                len(snap.etas),
                on_time_rate(snap.etas),
                promise_kept_rate(snap, deliveries, tz),
                moved,
                days,
                lead_days(snap, deliveries, ordered),
            )
        )
        previous = snap
    return out


def summary(
    history: Sequence[PlanSnapshot],
    deliveries: Sequence[Delivery],
    ordered: Mapping[str, datetime],
    tz: str,
) -> PromiseSummary:
    """Headline numbers: rates of the newest version, volatility over the whole history."""
    newest = max(history, key=lambda s: s.number) if history else None
    moves = eta_moves(history, tz)
    seen: dict[str, int] = {}
    for snap in history:
        for ref in snap.etas:
            seen[ref] = seen.get(ref, 0) + 1
    tracked = [ref for ref, n in seen.items() if n >= 2]
    n = len(tracked)
    at = newest.created_at if newest else None
    return PromiseSummary(
        on_time_rate(newest.etas) if newest else None,
        promise_kept_rate(newest, deliveries, tz),
        n,
        sum(moves[r][0] for r in tracked) / n if n else 0.0,
        sum(moves[r][1] for r in tracked) / n if n else 0.0,
        promise_moves(history, tz),
        lead_days(newest, deliveries, ordered),
        len(counted_deliveries(deliveries, at)) if at else 0,
    )
