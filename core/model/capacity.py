"""Work centers, their machines and working calendars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True, slots=True)
class Shift:
    start: time
    end: time  # an end at or before start runs past midnight


@dataclass(slots=True)
class WorkCalendar:
    """Shifts on working weekdays, less holidays, plus extra working days.

    `extra_days` are make-up working days (调休): in China a Saturday is
    sometimes worked to bridge a holiday.

    `official` is the country's calendar (see core.planning.calendar.
    china_official_days), passed in by whoever plans rather than stored, so
    that each factory's own lists stay what the factory typed. The factory has
    the last word: its extra days and holidays win, then the official
    holidays and make-up days, then the weekdays.
    """

    shifts: tuple[Shift, ...] = (Shift(time(8), time(12)), Shift(time(13), time(17)))
    weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    holidays: frozenset[date] = frozenset()
    extra_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date,
                       official: Callable[[date], bool | None] | None = None) -> bool:
        if day in self.extra_days:
            return True
        if day in self.holidays:
            return False
        said = official(day) if official is not None else None
        if said is not None:
            return said
        return day.weekday() in self.weekdays

    def windows(self, start: datetime, end: datetime,
                official: Callable[[date], bool | None] | None = None,
                ) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals overlapping [start, end), in order, in start's time zone."""
        tz = start.tzinfo
        day = start.date() - timedelta(days=1)  # a night shift from yesterday may still run
        while day <= end.date():
            if self.is_working_day(day, official):
                for shift in self.shifts:
                    s = datetime.combine(day, shift.start, tz)
                    e = datetime.combine(day, shift.end, tz)
                    if e <= s:
                        e += timedelta(days=1)
                    if e > start and s < end:
                        yield max(s, start), min(e, end)
            day += timedelta(days=1)

    def minutes_per_day(self) -> int:
        total = 0
        for shift in self.shifts:
            s = shift.start.hour * 60 + shift.start.minute
            e = shift.end.hour * 60 + shift.end.minute
            total += (e - s) % (24 * 60) or 24 * 60
        return total


@dataclass(slots=True)
class WorkCenter:
    """A group of interchangeable machines with one calendar.

    `alternatives` name other work centers that can take this one's work when
    it is overloaded (a second CNC cell, say); `can_pause` says whether an
    operation may stop at a break and resume (painting may not).
    """

    code: str
    name: str
    machines: tuple[str, ...]
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    can_pause: bool = True
    alternatives: tuple[str, ...] = ()
    lead_person: str | None = None
    hourly_cost: float = 60.0
