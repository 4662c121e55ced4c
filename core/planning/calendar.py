"""Working-time arithmetic shared by the dispatcher, the repair, the CP-SAT model
and the validator, so all of them agree on what "fits the calendar" means;
and the country's official calendar that work calendars consult."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from core.errors import ConfigError
from core.planning.types import Calendar

OfficialDays = Callable[[date], bool | None]
"""What the state says about a day: True = an official working day (a make-up
day, 调休, even on a weekend), False = an official holiday, None = nothing
special (the factory's own weekdays decide)."""


def china_official_days() -> OfficialDays:
    """China's statutory holidays and make-up working days, from `chinese_calendar`.

    The package ships the State Council's yearly notice for the years it
    knows (2004 up to the year after its release). Outside those years it has
    nothing to say, and the answer is None: the work calendar falls back to its
    weekdays and listed holidays, which is the best anyone can do before the
    notice is published (each year around November). Upgrade the package
    yearly to pick up the new year's dates.
    """
    import chinese_calendar

    def official(day: date) -> bool | None:
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # a year the package has no notice for
            return None
        if name is None:  # an ordinary weekday or weekend
            return None
        return not is_holiday

    return official


def official_days(kind: str) -> OfficialDays | None:
    """The official calendar a `GONGDAN_HOLIDAYS` value names: "cn" or "none"."""
    if kind == "cn":
        return china_official_days()
    if kind == "none":
        return None
    raise ConfigError(f"unknown official holiday calendar {kind!r}; use cn or none")


@dataclass(frozen=True)
class WorkTime:
    """A calendar compiled for fast queries (bisect over window starts).

    Past the last window time is open, matching `Calendar`'s contract.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    cum: tuple[int, ...]  # working minutes before window i
    can_pause: bool
    always_open: bool

    @classmethod
    def of(cls, cal: Calendar | None) -> WorkTime:
        if cal is None or cal.windows is None:
            return cls((), (), (), cal.can_pause if cal else True, True)
        starts = tuple(a for a, b in cal.windows if b > a)
        ends = tuple(b for a, b in cal.windows if b > a)
        cum: list[int] = []
        total = 0
        for a, b in zip(starts, ends, strict=True):
            cum.append(total)
            total += b - a
        return cls(starts, ends, tuple(cum), cal.can_pause, False)

    @property
    def open_from(self) -> int:
        """The time after which the calendar is open around the clock."""
        return self.ends[-1] if self.ends else 0

    def place(self, t: int, minutes: int) -> tuple[int, int]:
        """Earliest (start, end) at or after `t` for work of `minutes` minutes."""
        if self.always_open:
            return t, t + minutes
        if self.can_pause:
            return self._place_pausing(t, minutes)
        return self._place_whole(t, minutes)

    def _place_whole(self, t: int, minutes: int) -> tuple[int, int]:
        i = max(bisect_right(self.starts, t) - 1, 0)
        n = len(self.starts)
        while i < n:
            s = max(self.starts[i], t)
            if s + minutes <= self.ends[i]:
                return s, s + minutes
            i += 1
        s = max(t, self.open_from)
        return s, s + minutes

    def _place_pausing(self, t: int, minutes: int) -> tuple[int, int]:
        start = self.next_working(t)
        return start, self.end_after(start, minutes)

    def next_working(self, t: int) -> int:
        """First working minute at or after `t`."""
        if self.always_open:
            return t
        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        if i + 1 < len(self.starts):
            return self.starts[i + 1]
        return max(t, self.open_from)

    def worked_before(self, t: int) -> int:
        """Working minutes in [0, t)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        last = len(self.starts) - 1
        if i == last and t >= self.ends[i]:
            return self.cum[i] + self.ends[i] - self.starts[i] + (t - self.ends[i])
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def end_after(self, start: int, minutes: int) -> int:
        """Wall-clock end of `minutes` of pausable work starting at `start`."""
        if self.always_open:
            return start + minutes
        if minutes <= 0:
            return start
        target = self.worked_before(start) + minutes
        # the window in which cumulative working time reaches `target`
        lo, hi = 0, len(self.starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < target:
                lo = mid + 1
            else:
                hi = mid
        i = lo - 1
        if i < 0:
            return start + minutes
        return self.starts[i] + (target - self.cum[i])

    def fits(self, start: int, end: int, minutes: int) -> bool:
        """Whether [start, end) is a valid placement of `minutes` of work."""
        if self.always_open:
            return end - start == minutes
        if self.can_pause:
            return self.next_working(start) == start and self.end_after(start, minutes) == end
        if end - start != minutes:
            return False
        return self._place_whole(start, minutes) == (start, end)

    def breaks_between(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Non-working gaps [a, b) that intersect [lo, hi)."""
        if self.always_open:
            return []
        out: list[tuple[int, int]] = []
        first = max(bisect_right(self.starts, lo) - 1, 0)
        if self.starts and lo < self.starts[0]:
            out.append((min(lo, self.starts[0]), self.starts[0]))
        for i in range(first, len(self.starts) - 1):
            a, b = self.ends[i], self.starts[i + 1]
            if a >= hi:
                break
            if b > lo and b > a:
                out.append((a, b))
        return out

    def start_domain(self, lo: int, hi: int, minutes: int) -> list[tuple[int, int]]:
        """Closed ranges of feasible start times within [lo, hi] for `minutes` of work."""
        if self.always_open:
            return [(lo, hi)]
        out: list[tuple[int, int]] = []
        first = max(bisect_right(self.starts, lo) - 1, 0)
        for i in range(first, len(self.starts)):
            a = self.starts[i]
            if a > hi:
                break
            b = self.ends[i] if self.can_pause else self.ends[i] - minutes
            if self.can_pause:
                b -= 1
            a, b = max(a, lo), min(b, hi)
            if a <= b:
                out.append((a, b))
        tail = max(lo, self.open_from)
        if tail <= hi:
            if out and out[-1][1] >= tail - 1:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((tail, hi))
        return out
