"""Promise KPIs on hand-made plan histories: the formulas of docs/KPIS.md."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.planning.promise_kpis import (
    Delivery,
    PlannedEta,
    PlanSnapshot,
    eta_moves,
    lead_days,
    on_time_rate,
    promise_kept_rate,
    promise_moves,
    summary,
    trend,
)

TZ = "Asia/Shanghai"
Z = ZoneInfo(TZ)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=Z)


def due(day: int) -> datetime:
    return at(day, 17)


# Three versions of a two-order shop:
#   A due 12-10: ETA 12-09 -> 12-11 (late) -> 12-11 20:00 (same day, still late)
#   B due 12-12: ETA 12-08 -> 12-08 -> 12-06 (moved 2 days earlier); due moved to 12-07 in v3
V1 = PlanSnapshot(1, at(1), {"A": PlannedEta(at(9), due(10)), "B": PlannedEta(at(8), due(12))})
V2 = PlanSnapshot(2, at(2), {"A": PlannedEta(at(11), due(10)), "B": PlannedEta(at(8), due(12))})
V3 = PlanSnapshot(
    3, at(3), {"A": PlannedEta(at(11, 20), due(10)), "B": PlannedEta(at(6), due(7))}
)
HISTORY = [V3, V1, V2]  # any order


def test_on_time_rate_is_the_share_with_eta_at_or_before_due() -> None:
    assert on_time_rate(V1.etas) == 1.0
    assert on_time_rate(V2.etas) == 0.5
    assert on_time_rate({"X": PlannedEta(due(5), due(5))}) == 1.0  # exactly on the due time
    assert on_time_rate({}) is None


def test_eta_moves_count_local_day_changes_only() -> None:
    moves = eta_moves(HISTORY, TZ)
    assert moves["A"] == (1, 2.0)  # 12-09 -> 12-11; 12:00 -> 20:00 that day is not a move
    assert moves["B"] == (1, 2.0)  # 12-08 -> 12-06
    # across midnight in local time (16:30 UTC is 00:30 the next day in Shanghai)
    utc = ZoneInfo("UTC")
    before = datetime(2026, 12, 5, 15, 30, tzinfo=utc)
    a = PlanSnapshot(1, at(1), {"C": PlannedEta(before, due(9))})
    b = PlanSnapshot(2, at(2), {"C": PlannedEta(before + timedelta(hours=1), due(9))})
    assert eta_moves([a, b], TZ)["C"] == (1, 1.0)
    assert eta_moves([a, b], "UTC")["C"] == (0, 0.0)


def test_promise_moves_count_due_day_changes() -> None:
    assert promise_moves(HISTORY, TZ) == 1  # B: 12-12 -> 12-07


def test_promise_kept_counts_deliveries_and_etas_by_promised_day() -> None:
    # v3: A planned 12-11 20:00 against 12-10 (broken), B 12-06 against 12-07 (kept)
    assert promise_kept_rate(V3, [], TZ) == 0.5
    # A is delivered on 12-10 23:00 local: that is still the promised day, and counts once
    done = [Delivery("A", at(10, 23), date(2026, 12, 10))]
    assert promise_kept_rate(V3, done, TZ, at=at(11)) == 1.0
    # a delivery older than the window (30 days) no longer counts
    old = [Delivery("Z", at(1) - timedelta(days=40), date(2026, 10, 1))]
    assert promise_kept_rate(V3, old, TZ) == 0.5
    assert promise_kept_rate(None, [], TZ) is None


def test_lead_days_mix_real_and_planned() -> None:
    ordered = {"A": at(1), "B": at(1)}
    # v3: A planned 10 d 8 h after ordering, B 5 d
    assert lead_days(V3, [], ordered) == pytest.approx((10 + 8 / 24 + 5) / 2)
    done = [Delivery("A", at(3), date(2026, 12, 10), ordered_at=at(1))]
    # A delivered after 2 days (replaces its ETA), B still planned at 5 days
    assert lead_days(V3, done, ordered, at=at(3)) == pytest.approx((2 + 5) / 2)
    assert lead_days(V3, [], {}) is None


def test_trend_and_summary() -> None:
    rows = trend(HISTORY, [], {"A": at(1), "B": at(1)}, TZ)
    assert [r.number for r in rows] == [1, 2, 3]
    assert [r.on_time_rate for r in rows] == [1.0, 0.5, 0.5]
    assert [r.eta_moved for r in rows] == [0, 1, 1]
    assert [r.days_moved for r in rows] == [0.0, 2.0, 2.0]
    assert [r.promise_kept_rate for r in rows] == [1.0, 0.5, 0.5]
    s = summary(HISTORY, [], {}, TZ)
    assert s.orders_tracked == 2 and s.eta_moves_per_order == 1.0
    assert s.eta_days_moved_per_order == 2.0 and s.promise_moves == 1
    assert s.on_time_rate == 0.5 and s.lead_days is None and s.delivered == 0
    empty = summary([], [], {}, TZ)
    assert empty.on_time_rate is None and empty.orders_tracked == 0


def test_the_promised_day_from_the_ledger_replaces_the_due_day() -> None:
    # A is due 12-10 and planned 12-09 in V1: kept by its due date, but promised 12-08
    promised = PlanSnapshot(1, at(1), {"A": PlannedEta(at(9), due(10), date(2026, 12, 8))})
    assert promise_kept_rate(V1, [], TZ) == 1.0
    assert promise_kept_rate(promised, [], TZ) == 0.0
    assert on_time_rate(promised.etas) == 1.0  # the plan's own forecast still uses the due time
    # the promise moved 12-08 -> 12-09 while the due date stood still at 12-10
    later = PlanSnapshot(2, at(2), {"A": PlannedEta(at(9), due(10), date(2026, 12, 9))})
    assert promise_moves([promised, later], TZ) == 1
    unchanged = PlanSnapshot(2, at(2), {"A": PlannedEta(at(9), due(10))})
    assert promise_moves([V1, unchanged], TZ) == 0


def test_promised_as_of_takes_the_last_promise_made_by_then() -> None:
    from core.ordering.ledger import promised_as_of
    from core.ordering.model import Promise, PromiseSource

    rows = [Promise("A", date(2026, 12, 8), PromiseSource.QUOTE, "s", at(1)),
            Promise("A", date(2026, 12, 9), PromiseSource.CHANGE, "s", at(3))]
    assert promised_as_of(rows, at(1, 11)) is None  # nothing promised yet
    assert promised_as_of(rows, at(2)) == date(2026, 12, 8)
    assert promised_as_of(rows, at(3)) == date(2026, 12, 9)
    assert promised_as_of(rows, at(3) - timedelta(seconds=2), timedelta(seconds=5)) == date(
        2026, 12, 9)  # recorded a moment after the version it was made with
