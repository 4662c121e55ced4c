from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import ConfigError
from core.model.capacity import WorkCalendar
from core.planning.calendar import WorkTime, china_official_days, official_days
from core.planning.types import Calendar

SHIFTS = ((0, 100), (200, 300), (400, 500))


def test_whole_op_waits_for_a_window_long_enough() -> None:
    wt = WorkTime.of(Calendar("X", SHIFTS, can_pause=False))
    assert wt.place(50, 40) == (50, 90)
    assert wt.place(80, 40) == (200, 240)
    assert wt.place(100, 10) == (200, 210)
    assert wt.fits(200, 240, 40)
    assert not wt.fits(80, 120, 40)


def test_pausable_op_stretches_over_breaks() -> None:
    wt = WorkTime.of(Calendar("X", SHIFTS, can_pause=True))
    assert wt.place(80, 40) == (80, 220)  # 20 before the break, 20 after
    assert wt.place(100, 30) == (200, 230)  # cannot start in a break
    assert wt.place(50, 250) == (50, 500)
    assert wt.fits(80, 220, 40)
    assert not wt.fits(80, 120, 40)


def test_past_the_last_window_the_calendar_is_open() -> None:
    wt = WorkTime.of(Calendar("X", SHIFTS, can_pause=False))
    assert wt.place(480, 50) == (500, 550)
    wt_p = WorkTime.of(Calendar("X", SHIFTS, can_pause=True))
    assert wt_p.place(480, 50) == (480, 530)


def test_around_the_clock() -> None:
    wt = WorkTime.of(None)
    assert wt.place(7, 5) == (7, 12)
    assert wt.fits(7, 12, 5)


def test_start_domain_matches_place() -> None:
    wt = WorkTime.of(Calendar("X", SHIFTS, can_pause=False))
    dom = wt.start_domain(0, 600, 40)
    for t in range(0, 600, 7):
        inside = any(a <= t <= b for a, b in dom)
        assert inside == (wt.place(t, 40)[0] == t)


# --- official holidays and make-up working days (GONGDAN_HOLIDAYS) ---------------------

def _days(first: str, last: str) -> list[date]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


def test_china_national_day_2026_and_its_make_up_days() -> None:
    cn = china_official_days()
    assert all(cn(d) is False for d in _days("2026-10-01", "2026-10-07"))
    assert cn(date(2026, 9, 20)) is True  # a Sunday worked for National Day
    assert cn(date(2026, 10, 10)) is True  # a Saturday worked for National Day
    assert cn(date(2026, 10, 8)) is None  # an ordinary Thursday
    assert cn(date(2026, 10, 11)) is None  # an ordinary Sunday


def test_china_national_day_2025() -> None:
    cn = china_official_days()
    assert all(cn(d) is False for d in _days("2025-10-01", "2025-10-08"))
    assert cn(date(2025, 9, 28)) is True and cn(date(2025, 10, 11)) is True


def test_years_the_package_does_not_know_fall_back_to_the_calendar() -> None:
    cn = china_official_days()
    assert cn(date(2099, 10, 1)) is None
    cal = WorkCalendar()
    assert cal.is_working_day(date(2099, 10, 1), cn)  # a Thursday: weekdays decide
    assert not cal.is_working_day(date(2099, 10, 3), cn)  # a Saturday


def test_work_calendar_follows_the_official_days() -> None:
    cn = china_official_days()
    cal = WorkCalendar()
    worked = [d for d in _days("2026-09-19", "2026-10-11") if cal.is_working_day(d, cn)]
    assert date(2026, 9, 20) in worked and date(2026, 10, 10) in worked
    assert not any(date(2026, 10, 1) <= d <= date(2026, 10, 7) for d in worked)
    # without the official calendar, National Day is just weekdays
    assert cal.is_working_day(date(2026, 10, 1))
    assert not cal.is_working_day(date(2026, 10, 10))


def test_the_factorys_own_lists_win_over_the_official_calendar() -> None:
    cal = WorkCalendar(holidays=frozenset({date(2026, 10, 10)}),
                       extra_days=frozenset({date(2026, 10, 2)}))
    cn = china_official_days()
    assert not cal.is_working_day(date(2026, 10, 10), cn)  # the plant stays shut
    assert cal.is_working_day(date(2026, 10, 2), cn)  # the plant works the holiday


def test_an_injected_calendar_shapes_the_windows() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    off = date(2026, 11, 18)
    cal = WorkCalendar()
    start = datetime(2026, 11, 17, tzinfo=tz)
    windows = list(cal.windows(start, start + timedelta(days=2), lambda d: False if d == off
                               else None))
    assert {s.date() for s, _ in windows} == {date(2026, 11, 17)}


def test_official_days_setting() -> None:
    assert official_days("none") is None
    cn = official_days("cn")
    assert cn is not None and cn(date(2026, 10, 1)) is False
    with pytest.raises(ConfigError):
        official_days("us")
