from core.planning.calendar import WorkTime
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
