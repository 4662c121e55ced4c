"""Reading one cell at a time, collecting a specific error per bad cell instead of raising."""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from datetime import date, datetime, time
from typing import TypeVar

from core.importing.sheets import Kind, RowError, SourceRow, cell_text, is_blank
from core.model.capacity import Shift

T = TypeVar("T")


# cell parsing ------------------------------------------------------------------------------

class BadCell(Exception):
    """A cell that does not parse; the message is the reason shown to the user."""


_TRUE = {"yes", "y", "true", "1", "是", "对", "√", "x"}
_FALSE = {"no", "n", "false", "0", "否", "不", ""}
_SPLIT = re.compile(r"[,，、;；/|]+")


def parse_number(value: object) -> float:
    if isinstance(value, bool):
        raise BadCell(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = cell_text(value).replace(",", "").replace("，", "")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%"))
    except ValueError:
        raise BadCell(f"not a number: {cell_text(value)!r}") from None
    return number / 100 if percent else number


def parse_integer(value: object) -> int:
    number = parse_number(value)
    if not number.is_integer():
        raise BadCell(f"not a whole number: {cell_text(value)!r}")
    return int(number)


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                         r"(?:[ T]00:00(?::00)?)?", text)
    if not match:
        raise BadCell(f"not a date (use YYYY-MM-DD): {text!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise BadCell(f"no such date: {text!r}") from None


def parse_flag(value: object) -> bool:
    text = cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadCell(f"not yes/no: {cell_text(value)!r}")


def parse_names(value: object) -> tuple[str, ...]:
    return tuple(part.strip() for part in _SPLIT.split(cell_text(value)) if part.strip())


def parse_shifts(value: object) -> tuple[Shift, ...]:
    shifts: list[Shift] = []
    for part in re.split(r"[,，;；、]+", cell_text(value)):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-~～至]\s*(\d{1,2}):(\d{2})\s*", part)
        if not match:
            raise BadCell(f"not a shift like 08:00-12:00: {part.strip()!r}")
        a, b, c, d = (int(x) for x in match.groups())
        if a > 23 or c > 24 or b > 59 or d > 59:
            raise BadCell(f"no such time in {part.strip()!r}")
        shifts.append(Shift(time(a, b), time(c % 24, d)))
    return tuple(shifts)


def parse_weekdays(value: object) -> frozenset[int]:
    text = cell_text(value)
    span = re.fullmatch(r"([1-7])\s*[-~～至]\s*([1-7])", text)
    if span:
        lo, hi = int(span[1]), int(span[2])
        if lo > hi:
            raise BadCell(f"weekday range runs backwards: {text!r}")
        return frozenset(range(lo - 1, hi))
    days = parse_names(text)
    if not days or any(d not in "1234567" or len(d) != 1 for d in days):
        raise BadCell(f"weekdays must be 1-7 (Monday = 1), got {text!r}")
    return frozenset(int(d) - 1 for d in days)



class RowReader:
    """Reads one row's cells, collecting a specific error per bad cell instead of raising."""

    def __init__(self, kind: Kind, row: SourceRow, errors: list[RowError]) -> None:
        self.kind = kind
        self.number = row.number
        self.values = row.values
        self._errors = errors
        self.bad = False

    def error(self, reason: str, column: str | None = None) -> None:
        self.bad = True
        self._errors.append(RowError(self.kind.value, self.number, reason, column))

    def get(self, key: str, parse: Callable[[object], T], default: T | None = None,
               required: bool = False) -> T | None:
        value = self.values.get(key)
        if is_blank(value):
            if required:
                self.error("missing value", key)
            return default
        try:
            return parse(value)
        except BadCell as exc:
            self.error(str(exc), key)
            return default

    def text(self, key: str, required: bool = False) -> str | None:
        return self.get(key, cell_text, None, required)


def positive(row: RowReader, key: str, value: float | None,
             allow_zero: bool = False) -> float | None:
    if value is not None and (value < 0 or (value == 0 and not allow_zero)):
        bound = "zero or more" if allow_zero else "greater than zero"
        row.error(f"must be {bound}, got {value:g}", key)
        return None
    return value



def duplicate(row: RowReader, key: str, value: str, seen: dict[str, int], in_db: Container[str],
               what: str) -> bool:
    if value in seen:
        row.error(f"duplicate {what} {value!r} (also on row {seen[value]})", key)
        return True
    seen[value] = row.number
    if value in in_db:
        row.error(f"{what} {value!r} already exists in the database", key)
        return True
    return False



def choice(table: Mapping[str, T], what: str) -> Callable[[object], T]:
    def parse(value: object) -> T:
        text = cell_text(value).lower()
        if text not in table:
            raise BadCell(f"bad {what}: {cell_text(value)!r}")
        return table[text]
    return parse

