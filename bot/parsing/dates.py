"""Due dates and due-date shifts as sales staff write them in chat.

Two kinds of answer come out of a message:

* an absolute date ("下周三", "12月5号", "三天后", "月底", "Dec 5", "2026-12-05"),
  resolved against ``now`` (aware, in the factory time zone);
* a shift of the order's stored due date ("提前三天" -> -3, "推迟一周" -> +7,
  "push back a week" -> +7), returned as ``delta_days`` because only the caller
  knows the stored date.

The date rules are CONTRACT.md section 3 and are binding: weeks start on Monday;
周X / 本周X / 这周X / 星期X / 礼拜X is that day of the *current* week even when it
is already past; 下周X is the following week's, 下下周X the one after; a month
and day without a year is the next such day on or after today; N天后 is today+N.

Decisions where the contract is silent (each chosen for due-date use):

* 下周 / 下星期 alone is the Monday of next week: the earliest day that satisfies
  "next week", so a plan built on it is never late; the bot echoes the date.
* A bare day of month ("5号", "29日") is the next such day on or after today,
  skipping months that lack it, like the contract's rule for 12月5号.
* 月中 is the 15th, 月初 the 1st, 年底 / 年末 31 December, 年初 1 January.
* "N天内" (within N days) is today+N: the last day the customer accepts;
  "N个工作日内/后" counts working days: Monday-Friday less China's official
  holidays, plus its make-up working days (调休).
* A shift in months ("推迟一个月") is 30 days per month, since ``delta_days``
  is a day count and the caller applies it to a stored date.
* Fixed-date holidays (元旦, 国庆, 双十一, 圣诞) are their next occurrence, or the
  named year's (明年国庆).  Lunar ones (春节, 中秋) and a bare 十一 / 五一, which
  in chat is the number, are not read.
* "12.5" / "12-5" are dates only with a 号/日 suffix, a date word nearby (交期,
  due, by) or when they are the whole text, so "数量改为12.5" stays a decimal;
  "12/5" needs a two-digit part or a cue, so "1/2" stays a fraction.
* A weekday note right after a date ("12月5日（周六）") belongs to that date.
* Two-digit years are this century unless over 20 years ahead ("99年" = 1999).
* Vague periods are not guessed: 周末, 上旬/中旬/下旬, 3月份, 下个月 alone,
  "end of next week" give no mention, so the grammar can ask.
* English: a bare weekday ("by Friday") is the next such day on or after today,
  which is what English speakers mean; "this Friday" follows 本周五 and
  "next Friday" / "Friday next week" follow 下周五.  A bare abbreviation (sat,
  wed) counts only after a preposition or in brackets.  "N days later /
  earlier", "push back a week", "delay 3 days" are shifts; "in N days" /
  "N days from now" are absolute.
* Dates that do not exist (2月30号) are not reported.

Patterns live in one table (``_RULES``) of compiled regexes with a resolver
each; overlapping matches are settled longest-first, so "下周三" beats "周三"
and "2026年12月5日" beats "12月5日".  Nothing is compiled per call.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from bot.parsing.numerals import parse_number
from core.planning.calendar import OfficialDays, china_official_days

__all__ = ["DateMention", "find_dates", "parse_date"]


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text; exactly one of ``date`` and
    ``delta_days`` is set.  ``text[start:end] == raw``."""

    start: int
    end: int
    raw: str
    date: date | None = None
    delta_days: int | None = None


# A resolver's answer: an absolute date, or a shift in days of the stored due date.
_Answer = tuple[date | None, int | None]
_Resolver = Callable[[re.Match[str], date], _Answer | None]

# ---------------------------------------------------------------- vocabulary tables

_CN_DIGITS = "零〇○一二两三四五六七八九"
# A Chinese date word must not continue a numeral ("两周三天" is no Wednesday,
# "每周一" no single Monday).  "#" (a masked order ref) may precede it: "SO-12下周五".
_NOT_AFTER_NUMERAL = r"(?<![0-9零〇○一二两俩三四五六七八九十百千几个每第])"

# Day of month and month as written: Arabic or Chinese, longest alternatives first.
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = (
    r"(?:3[01]|[12][0-9]|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?"
    r"|[一二三四五六七八九])"
)
_DAY_SUFFIX = r"[日号號]"
# An explicit year: 2026, 26, 二〇二六, 零七.
_YEAR = rf"(?:[0-9]{{4}}|[0-9]{{2}}|[{_CN_DIGITS}]{{2,4}})"
# A count inside a duration: 3, 三, 十五, 两.
_COUNT = r"(?:[0-9]+|[零一二两俩仨三四五六七八九十百]+|半)"

_REL_DAY_WORDS: Final[dict[str, int]] = {
    "今天": 0, "今日": 0, "今儿": 0, "当天": 0, "今早": 0, "今晚": 0,
    "明天": 1, "明日": 1, "明儿": 1, "次日": 1, "翌日": 1, "明早": 1, "明晚": 1,
    "后天": 2, "后日": 2, "大后天": 3, "大大后天": 4,
    "昨天": -1, "昨日": -1, "前天": -2, "前日": -2, "大前天": -3, "大大前天": -4,
}
_REL_YEAR_WORDS: Final[dict[str, int]] = {
    "今年": 0, "本年": 0, "明年": 1, "来年": 1, "次年": 1, "下年": 1, "下一年": 1,
    "后年": 2, "去年": -1, "上年": -1, "上一年": -1, "前年": -2,
}
# Month words, each with its offset from the current month.
_REL_MONTH_WORDS: Final[dict[str, int]] = {
    "本月": 0, "这个月": 0, "这月": 0, "当月": 0, "本月份": 0, "这一个月": 0,
    "下月": 1, "下个月": 1, "下一个月": 1, "下一月": 1, "次月": 1, "下个月份": 1,
    "下下月": 2, "下下个月": 2,
    "上月": -1, "上个月": -1, "上一个月": -1, "上一月": -1,
}
# Week prefixes, each with its offset in weeks from the current week.
_REL_WEEK_PREFIXES: Final[dict[str, int]] = {
    "": 0, "这": 0, "这个": 0, "这一": 0, "本": 0, "今": 0, "当": 0,
    "下": 1, "下个": 1, "下一": 1, "下一个": 1, "下下": 2, "下下个": 2,
    "上": -1, "上个": -1, "上一": -1, "上一个": -1, "上上": -2, "上上个": -2,
}
_WEEK_WORDS = ("周", "星期", "礼拜", "週", "禮拜")
_WEEKDAY_CHARS: Final[dict[str, int]] = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7,
    "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7,
}
# Duration units in days; months are handled by calendar arithmetic.
_UNIT_DAYS: Final[dict[str, int]] = {
    "天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "週": 7, "禮拜": 7,
}
_MONTH_UNITS = ("月",)
_YEAR_UNITS = ("年",)

# Verbs that shift the stored due date, with their sign.
_SHIFT_VERBS: Final[dict[str, int]] = {
    "提前": -1, "提早": -1, "往前挪": -1, "往前推": -1, "往前提": -1, "往前移": -1,
    "向前挪": -1, "向前推": -1, "前移": -1, "前挪": -1, "早": -1, "提前了": -1,
    "缩短": -1, "提": -1,
    "推迟": 1, "延后": 1, "延迟": 1, "延期": 1, "推后": 1, "顺延": 1, "往后推": 1,
    "往后挪": 1, "往后延": 1, "往后移": 1, "向后推": 1, "向后挪": 1, "后移": 1,
    "后延": 1, "晚": 1, "拖后": 1, "拖延": 1, "延长": 1, "推": 1, "延": 1, "宽限": 1, "拖": 1,
    "放宽": 1, "多给": 1,
}
# Nouns that may sit between a shift verb and its amount ("推迟交期3天").
_SHIFT_OBJECTS = ("交期", "交货期", "交货", "交付", "发货", "出货", "工期", "货期", "日期", "时间")

# Fixed-date holidays and shopping days that production plans are set against.
# Lunar ones (春节, 中秋, 端午) move every year and are not read; neither is a bare
# 十一 / 五一, which in chat is far more often the number.
_HOLIDAYS: Final[dict[str, tuple[int, int]]] = {
    "元旦": (1, 1), "元旦节": (1, 1), "情人节": (2, 14), "妇女节": (3, 8), "三八节": (3, 8),
    "劳动节": (5, 1), "五一节": (5, 1), "五一劳动节": (5, 1), "儿童节": (6, 1),
    "六一儿童节": (6, 1), "建军节": (8, 1), "教师节": (9, 10), "国庆": (10, 1),
    "国庆节": (10, 1), "十一国庆": (10, 1), "双十一": (11, 11), "双11": (11, 11),
    "双十二": (12, 12), "双12": (12, 12), "平安夜": (12, 24), "圣诞": (12, 25),
    "圣诞节": (12, 25),
}

# English vocabulary.
_EN_MONTHS: Final[dict[str, int]] = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_EN_WEEKDAYS: Final[dict[str, int]] = {
    name: i
    for i, names in enumerate(
        (
            ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"), ("fri", "friday"),
            ("sat", "saturday"), ("sun", "sunday"),
        ),
        start=1,
    )
    for name in names
}
_EN_NUMBERS: Final[dict[str, int]] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "couple of": 2,
    "a couple of": 2, "a few": 3, "few": 3,
}
_EN_REL_DAYS: Final[dict[str, int]] = {
    "today": 0, "tonight": 0, "tomorrow": 1, "tmr": 1, "tmrw": 1, "tomorow": 1,
    "the day after tomorrow": 2, "day after tomorrow": 2, "yesterday": -1,
}
_EN_UNIT_DAYS: Final[dict[str, int]] = {
    "day": 1, "days": 1, "d": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "w": 7,
    "month": 30, "months": 30,
}
# English words that give a shift its direction.
_EN_LATER = ("back", "later", "out", "delay", "postpone", "push", "slip", "extend", "defer")
_EN_EARLIER = ("forward", "earlier", "sooner", "ahead", "up", "advance", "expedite",
               "bring", "pull", "early")


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so the longest wins."""
    items = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w) for w in items if w)


# ---------------------------------------------------------------- date arithmetic


def _safe_date(year: int, month: int, day: int) -> date | None:
    """A date, or None when the day does not exist (2月30号)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    """Last day of a month, leap years included."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    """(year, month) moved by ``by`` months across year ends."""
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month end (1月31日 + 1 = 2月28日)."""
    year, month = _shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_month_day(today: date, month: int, day: int) -> date | None:
    """Contract rule: month and day with no year = next such day on or after today.

    Looks up to eight years ahead so that 2月29日 finds the next leap year."""
    for year in range(today.year, today.year + 9):
        found = _safe_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _next_day_of_month(today: date, day: int) -> date | None:
    """A bare day of month: the next month (from this one) that has it, on or after today."""
    for step in range(13):
        year, month = _shift_month(today.year, today.month, step)
        found = _safe_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _week_day(today: date, weeks: int, weekday: int) -> date:
    """Weekday 1..7 of the week ``weeks`` from the current one (weeks start Monday)."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=weeks, days=weekday - 1)


def _year_of(raw: str, today: date) -> int | None:
    """An explicit year: four digits, two digits or Chinese digits.

    Two digits mean this century unless that is over 20 years ahead ("07年" is
    2007, "99年" 1999)."""
    value = parse_number(raw)
    if value is None or not float(value).is_integer():
        return None
    year = int(value)
    if len(raw) <= 2:
        year += (today.year // 100) * 100
        if year > today.year + 20:
            year -= 100
    return year if 1900 <= year <= 2200 else None


def _int(raw: str | None) -> int | None:
    """Integer value of a numeral fragment, or None."""
    if not raw:
        return None
    value = parse_number(raw)
    if value is None or not float(value).is_integer():
        return None
    return int(value)


def _count(raw: str) -> float | None:
    """A duration count, halves allowed ("半", "一个半")."""
    value = parse_number(raw)
    return None if value is None else float(value)


def _offset(today: date, count: float, unit: str) -> date | None:
    """``today`` moved by a duration; months and years move by calendar."""
    if unit in _MONTH_UNITS:
        whole = int(count)
        extra = 15 if count - whole >= 0.5 else 0
        return _add_months(today, whole) + timedelta(days=extra)
    if unit in _YEAR_UNITS:
        return _add_months(today, int(count * 12))
    days = _UNIT_DAYS.get(unit)
    return None if days is None else today + timedelta(days=round(count * days))


def _unit_days(count: float, unit: str) -> int | None:
    """A duration in whole days for a shift (months count 30 days)."""
    if unit in _MONTH_UNITS:
        return round(count * 30)
    if unit in _YEAR_UNITS:
        return round(count * 365)
    days = _UNIT_DAYS.get(unit)
    return None if days is None else round(count * days)


# ---------------------------------------------------------------- resolvers


def _full_date(m: re.Match[str], today: date) -> _Answer | None:
    """2026年12月5日, 二〇二六年十二月五号, 明年3月5号, 2026-12-05."""
    month, day = _int(m["m"]), _int(m["d"])
    if month is None or day is None:
        return None
    if m["ry"]:
        year: int | None = today.year + _REL_YEAR_WORDS[m["ry"]]
    else:
        year = _year_of(m["y"], today)
    if year is None:
        return None
    found = _safe_date(year, month, day)
    return None if found is None else (found, None)


def _month_day(m: re.Match[str], today: date) -> _Answer | None:
    """12月5号, 1月3, 十二月五日, 12/5: the next such day on or after today."""
    month, day = _int(m["m"]), _int(m["d"])
    if month is None or day is None:
        return None
    found = _next_month_day(today, month, day)
    return None if found is None else (found, None)


def _day_only(m: re.Match[str], today: date) -> _Answer | None:
    """5号, 29日: the next such day of month on or after today."""
    day = _int(m["d"])
    if day is None or not 1 <= day <= 31:
        return None
    found = _next_day_of_month(today, day)
    return None if found is None else (found, None)


def _rel_month_day(m: re.Match[str], today: date) -> _Answer | None:
    """下个月5号, 上月15日, 本月9号."""
    day = _int(m["d"])
    if day is None:
        return None
    year, month = _shift_month(today.year, today.month, _REL_MONTH_WORDS[m["rm"]])
    found = _safe_date(year, month, day)
    return None if found is None else (found, None)


def _rel_day(m: re.Match[str], today: date) -> _Answer:
    """今天, 明天, 后天, 大后天, 昨天…"""
    return today + timedelta(days=_REL_DAY_WORDS[m["w"]]), None


def _weekday(m: re.Match[str], today: date) -> _Answer:
    """周X / 本周X / 下周X / 下下周X / 上周X, per the contract's week rules."""
    weeks = _REL_WEEK_PREFIXES[m["p"] or ""]
    return _week_day(today, weeks, _WEEKDAY_CHARS[m["wd"]]), None


def _week_alone(m: re.Match[str], today: date) -> _Answer:
    """下周 / 下下周 alone: Monday of that week (the earliest day it allows)."""
    return _week_day(today, _REL_WEEK_PREFIXES[m["p"]], 1), None


def _nth_weekday_of_month(m: re.Match[str], today: date) -> _Answer | None:
    """八月的第一个周二, 6月第3个星期日: in the next such month on or after today."""
    month, nth = _int(m["m"]), _int(m["n"])
    if month is None or nth is None or not 1 <= nth <= 5:
        return None
    weekday = _WEEKDAY_CHARS[m["wd"]]
    for year in (today.year, today.year + 1):
        first = date(year, month, 1)
        found = first + timedelta(days=(weekday - 1 - first.weekday()) % 7 + 7 * (nth - 1))
        if found.month == month and found >= today:
            return found, None
    return None


def _month_part_day(part: str, year: int, month: int) -> date | None:
    """Day meant by a part of a month: 底/末 the last day, 中 the 15th, 初 the 1st."""
    if part in ("底", "末", "月底", "月末"):
        return _month_end(year, month)
    if part in ("中", "月中"):
        return date(year, month, 15)
    if part in ("初", "月初"):
        return date(year, month, 1)
    return None


def _rel_month_part(m: re.Match[str], today: date) -> _Answer | None:
    """月底, 下个月底, 本月中, 下月初 (月底 = last day of this month)."""
    year, month = _shift_month(today.year, today.month, _REL_MONTH_WORDS[m["rm"] or "本月"])
    found = _month_part_day(m["part"], year, month)
    return None if found is None else (found, None)


def _named_month_part(m: re.Match[str], today: date) -> _Answer | None:
    """十二月月底, 2018年10月底, 3月中: a given month's end/middle/start."""
    month = _int(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    if m["y"] or m["ry"]:
        year = _year_of(m["y"], today) if m["y"] else today.year + _REL_YEAR_WORDS[m["ry"]]
        if year is None:
            return None
        found = _month_part_day(m["part"], year, month)
        return None if found is None else (found, None)
    for year in (today.year, today.year + 1):
        found = _month_part_day(m["part"], year, month)
        if found is not None and found >= today:
            return found, None
    return None


def _year_part(m: re.Match[str], today: date) -> _Answer | None:
    """年底 / 年末 = 31 December, 年初 = 1 January, of this or a named year."""
    year = today.year + _REL_YEAR_WORDS.get(m["ry"] or "今年", 0)
    if m["part"] in ("底", "末", "终", "年底", "年末", "年终"):
        return date(year, 12, 31), None
    return date(year, 1, 1), None


def _offset_after(m: re.Match[str], today: date) -> _Answer | None:
    """三天后, 10天以后, 两周后, 一个月后, 5天内: today plus the duration."""
    count = _count(m["n"])
    if count is None:
        return None
    if m.groupdict().get("half"):
        count += 0.5
    if m["dir"] in ("前", "以前", "之前"):
        found = _offset_back(today, count, m["u"])
    else:
        found = _offset(today, count, m["u"])
    return None if found is None else (found, None)


def _offset_back(today: date, count: float, unit: str) -> date | None:
    """``today`` moved back by a duration (三天前)."""
    if unit in _MONTH_UNITS:
        return _add_months(today, -int(count))
    if unit in _YEAR_UNITS:
        return _add_months(today, -int(count * 12))
    days = _UNIT_DAYS.get(unit)
    return None if days is None else today - timedelta(days=round(count * days))


def _holiday(m: re.Match[str], today: date) -> _Answer | None:
    """国庆, 元旦, 双十一: that year's when a year is named, else the next one."""
    month, day = _HOLIDAYS[m["h"]]
    if m["ry"]:
        return date(today.year + _REL_YEAR_WORDS[m["ry"]], month, day), None
    found = _next_month_day(today, month, day)
    return None if found is None else (found, None)


@functools.cache
def _official_days() -> OfficialDays:
    """China's official calendar, loaded once: people who say "5个工作日" skip the
    statutory holidays and count the make-up working days (调休) like the shop does."""
    return china_official_days()


def _is_working_day(day: date) -> bool:
    official = _official_days()(day)
    return official if official is not None else day.weekday() < 5


def _add_business_days(today: date, count: int) -> date:
    """``today`` plus ``count`` working days: Monday to Friday, less China's official
    holidays, plus its make-up working days (outside the years the calendar package
    knows, Monday to Friday)."""
    day = today
    while count > 0:
        day += timedelta(days=1)
        if _is_working_day(day):
            count -= 1
    return day


def _business_days_after(m: re.Match[str], today: date) -> _Answer | None:
    """5个工作日内 / 3个工作日后: today plus that many working days."""
    count = _int(m["n"])
    if count is None or not 0 < count <= 400:
        return None
    return _add_business_days(today, count), None


def _shift(m: re.Match[str], today: date) -> _Answer | None:
    """提前三天 -> -3, 推迟一周 -> +7, 往后推5天 -> +5, 晚两天 -> +2."""
    count = _count(m["n"])
    if count is None:
        return None
    if m.groupdict().get("half"):
        count += 0.5
    days = _unit_days(count, m["u"])
    if days is None or days == 0:
        return None
    return None, _SHIFT_VERBS[m["v"]] * days


def _numeric_ymd(m: re.Match[str], today: date) -> _Answer | None:
    """2026-12-05, 2026/12/5, 2019.9.6, 20240307, 2022 11 23."""
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    found = _safe_date(year, month, day) if 1900 <= year <= 2200 else None
    return None if found is None else (found, None)


# Words right after "12.5" that make it a date: 12.5前, 12.5交货, 12.5到货.
_DATE_CUES_AFTER = ("前", "之前", "以前", "交", "发", "到货", "出货", "当天", "截止")
# Words shortly before "12.5" that make it a date.  Generic setters (改为, 改成,
# "to") are not cues: "数量改为12.5" is a quantity.
_DATE_CUES = re.compile(
    r"(?:交期|交货|货期|日期|截止|出货|发货|到货|due|date|deadline|ship)"
    r"|(?:推到|延到|挪到|提前到|推迟到|延期到|改期到|至|by|on|until|till|before)\s*$",
    re.IGNORECASE,
)


def _numeric_md_cued(m: re.Match[str], today: date) -> _Answer | None:
    """12/5, 12.5, 12-5, 6·30: a date only when it is clearly one (two-digit parts,
    the whole text, or a cue word such as 改到/交期/due right before it)."""
    raw = m.group()
    before = m.string[max(0, m.start() - 8) : m.start()]
    after = m.string[m.end() : m.end() + 3]
    whole = m.string.strip() == raw
    cued = bool(m["suffix"] or _DATE_CUES.search(before) or after.startswith(_DATE_CUES_AFTER))
    if m["sep"] == "/":  # "12/5", "1/15" are dates; "1/2", "3/4" may be fractions
        padded = len(m["m"]) == 2 or len(m["d"]) == 2
    else:  # "09-01"; but "12.5" is a decimal until a cue says otherwise
        padded = len(m["m"]) == 2 and len(m["d"]) == 2 and m["sep"] != "."
    if not (whole or padded or cued):
        return None
    return _month_day(m, today)


def _en_rel_day(m: re.Match[str], today: date) -> _Answer:
    """today, tomorrow, the day after tomorrow."""
    return today + timedelta(days=_EN_REL_DAYS[m["w"].lower()]), None


_EN_WEEKDAY_PREPOSITIONS: Final[re.Pattern[str]] = re.compile(
    r"(?:on|by|until|till|before|due|for|from|to|,|\(|-)\s*$", re.IGNORECASE)


def _en_weekday(m: re.Match[str], today: date) -> _Answer | None:
    """"next Friday" = 下周五, "this Friday" = 本周五, bare "Friday" = the coming one;
    "Friday next week" = 下周五.  A bare abbreviation ("sat", "wed") counts only
    after a preposition or in brackets, since "sat down" is no Saturday."""
    token = m["wd"].lower().rstrip(".")
    weekday = _EN_WEEKDAYS[token]
    prefix = (m["p"] or m["after"] or "").lower().split()[0] if (m["p"] or m["after"]) else ""
    if not prefix and len(token) <= 4 and not token.endswith("day"):
        before = m.string[max(0, m.start() - 8) : m.start()]
        if not _EN_WEEKDAY_PREPOSITIONS.search(before):
            return None
    if prefix == "next":
        return _week_day(today, 1, weekday), None
    if prefix == "this":
        return _week_day(today, 0, weekday), None
    if prefix == "last":
        return _week_day(today, -1, weekday), None
    return today + timedelta(days=(weekday - 1 - today.weekday()) % 7), None


def _en_next_week(m: re.Match[str], today: date) -> _Answer:
    """"next week" = Monday of next week, as 下周."""
    return _week_day(today, 1, 1), None


def _en_month_day(m: re.Match[str], today: date) -> _Answer | None:
    """Dec 5, December 5th, 5 December, 5th of Dec, Dec 5, 2026."""
    month = _EN_MONTHS[m["mon"].lower().rstrip(".")]
    day = int(m["d"])
    if m["y"]:
        found = _safe_date(int(m["y"]), month, day)
    else:
        found = _next_month_day(today, month, day)
    return None if found is None else (found, None)


_EN_WORD_AFTER: Final[re.Pattern[str]] = re.compile(r"\s+[a-z]", re.IGNORECASE)


def _en_day_month(m: re.Match[str], today: date) -> _Answer | None:
    """5 December, 5th of Dec; but "the 5 may arrive" is the verb, not May."""
    if m["mon"].lower() == "may" and not m["y"] and _EN_WORD_AFTER.match(m.string, m.end()):
        return None
    return _en_month_day(m, today)


def _en_day_of_month(m: re.Match[str], today: date) -> _Answer | None:
    """"by the 15th": the next 15th on or after today, like 15号."""
    return _day_only(m, today)


def _en_count(raw: str) -> float | None:
    """"3", "three", "a", "a couple of"."""
    raw = raw.lower().strip()
    if raw.isdigit():
        return float(raw)
    value = _EN_NUMBERS.get(raw)
    return None if value is None else float(value)


def _en_in_days(m: re.Match[str], today: date) -> _Answer | None:
    """in 3 days, 3 days from now, after two weeks, within 5 days: today + N."""
    count = _en_count(m["n"])
    unit = m["u"].lower()
    if count is None:
        return None
    if unit.startswith("month"):
        return _add_months(today, int(count)), None
    return today + timedelta(days=round(count * _EN_UNIT_DAYS[unit])), None


def _en_shift(m: re.Match[str], today: date) -> _Answer | None:
    """push back 3 days, bring forward by 2 days, delay by a week, 3 days earlier."""
    count = _en_count(m["n"])
    if count is None:
        return None
    words = re.findall(r"[a-z]+", m.group().lower())
    sign = 0
    for word in words:  # the first direction word wins: "push forward" is earlier
        if word in _EN_EARLIER:
            sign = -1
            break
        if any(word.startswith(w) for w in _EN_LATER):
            sign = 1
            break
    if sign == 0:
        return None
    return None, sign * round(count * _EN_UNIT_DAYS[m["u"].lower()])


def _en_month_part(m: re.Match[str], today: date) -> _Answer:
    """end of (this/next) month, month end, mid-month, end of year."""
    text = m.group().lower()
    if "year" in text:
        return date(today.year + (1 if "next" in text else 0), 12, 31), None
    year, month = _shift_month(today.year, today.month, 1 if "next" in text else 0)
    if "mid" in text:
        return date(year, month, 15), None
    return _month_end(year, month), None


# ---------------------------------------------------------------- the rule table

def _starts_with_one_of(*tables: Iterable[str]) -> str:
    """A lookahead on the first characters of a word table: lets the regex engine
    skip positions quickly instead of trying every alternative at each one."""
    firsts = {word[0] for table in tables for word in table if word}
    return "(?=[" + re.escape("".join(sorted(firsts))) + "])"


# 前天 / 后天 inside 提前天数, 以后天气 are not days: guard the words that start
# with 前 or 后.
_REL_DAY_ALTERNATION = "|".join(
    ("(?<![提以之落推延])" if word[0] in "前后" else "") + re.escape(word)
    for word in sorted(_REL_DAY_WORDS, key=len, reverse=True)
)

_WEEK = "(?:" + _alternation(_WEEK_WORDS) + ")"
_WEEK_PREFIX = "(?P<p>" + _alternation(_REL_WEEK_PREFIXES) + ")?"
_WD = "(?P<wd>[一二三四五六日天]|[1-7](?![0-9]))"
_REL_MONTH = "(?P<rm>" + _alternation(_REL_MONTH_WORDS) + ")"
_REL_YEAR = "(?P<ry>" + _alternation(_REL_YEAR_WORDS) + ")"
_NO_NUM_AFTER = r"(?![0-9零〇一二三四五六七八九十])"
_DUR_UNIT = r"(?P<u>天|日|周|星期|礼拜|週|禮拜|月|年)"
_EN_COUNT = r"(?P<n>[0-9]+|" + _alternation(_EN_NUMBERS) + ")"
_EN_UNIT = r"(?P<u>days?|d|weeks?|wks?|w|months?)"
# Words after 号/日 that make it a number sign, not a date ("2号机", "3号线").
_HAO_NOT_DATE = r"(?![机線线车间仓库楼门工位柜箱模色口码单字件台床人元店院厅窗区栋座])"
# 日 followed by these is a duration ("30日内", "3日后").
_RI_NOT_DATE = r"(?!内|以内|之内|后|以后|之后|起|左右|以上)"

_DIGITS = "0123456789"
_EN_DURATION_WORDS = ("day", "week", "wk", "month")
_EN_SHIFT_WORDS = ("delay", "postpon", "push", "slip", "extend", "defer", "advanc", "expedit",
                   "bring", "pull", "move", "back", "forward", "earlier", "sooner", "later",
                   "ahead", "early", "late")


@dataclass(frozen=True)
class _Rule:
    """One pattern with its resolver, and a cheap gate: the regex only runs when
    the text holds one of ``chars`` or matches ``words`` (English rules, on the
    lower-cased text), which keeps a typical message far below 0.2 ms."""

    pattern: re.Pattern[str]
    resolver: _Resolver
    chars: frozenset[str]
    words: re.Pattern[str] | None = None

    def may_match(self, charset: frozenset[str], lower: str | None) -> bool:
        """Cheap pre-check; ``lower`` is None when the text has no Latin letters."""
        if not self.chars.isdisjoint(charset):
            return True
        return self.words is not None and lower is not None and bool(self.words.search(lower))


def _cn(pattern: str, resolver: _Resolver, chars: str) -> _Rule:
    """A Chinese or numeric rule gated on characters."""
    return _Rule(re.compile(pattern), resolver, frozenset(chars))


def _en(pattern: str, resolver: _Resolver, words: tuple[str, ...], chars: str = "") -> _Rule:
    """An English rule (case-insensitive) gated on words."""
    gate = re.compile("|".join(map(re.escape, words)))
    return _Rule(re.compile(pattern, re.IGNORECASE), resolver, frozenset(chars), gate)


_SHIFT_VERB_FIRST_CHARS = "".join({verb[0] for verb in _SHIFT_VERBS})

_RULES: Final[tuple[_Rule, ...]] = (
    # -- absolute, with year
    _cn(rf"(?<![0-9#])(?:(?P<y>{_YEAR})\s*年|{_REL_YEAR})\s*(?:的\s*)?(?P<m>{_MONTH})\s*月\s*份?"
        rf"(?:的\s*)?(?P<d>{_DAY})(?:\s*{_DAY_SUFFIX})?{_NO_NUM_AFTER}", _full_date, "年"),
    _cn(r"(?<![0-9#])(?P<y>(?:19|20)[0-9]{2})\s*(?P<sep>[-/.])\s*(?P<m>[0-9]{1,2})\s*(?P=sep)"
        r"\s*(?P<d>[0-9]{1,2})(?![0-9])", _numeric_ymd, "-/."),
    _cn(r"(?<![0-9#])(?P<y>(?:19|20)[0-9]{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12][0-9]|3[01])"
        r"(?![0-9])", _numeric_ymd, _DIGITS),
    _cn(r"(?<![0-9#])(?P<y>(?:19|20)[0-9]{2}) (?P<m>[0-9]{1,2}) (?P<d>[0-9]{1,2})(?![0-9])",
        _numeric_ymd, " "),
    # -- month and day, no year
    _cn(rf"{_NOT_AFTER_NUMERAL}(?P<m>{_MONTH})\s*月\s*份?\s*(?:的\s*)?(?P<d>{_DAY})"
        rf"(?:\s*{_DAY_SUFFIX}|{_NO_NUM_AFTER}(?!\s*(?:天|个|周|星期|年|月)))", _month_day, "月"),
    _cn(rf"{_NOT_AFTER_NUMERAL}(?P<m>{_MONTH})\s*月\s*初(?P<d>[一二三四五六七八九十])"
        rf"{_NO_NUM_AFTER}", _month_day, "初"),
    _cn(r"(?<![0-9#./:-])(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12][0-9]|0?[1-9])"
        r"/(?P<y>(?:19|20)[0-9]{2})(?![0-9])", _numeric_ymd, "/"),
    _cn(r"(?<![0-9#./:-])(?P<m>1[0-2]|0?[1-9])\s*(?P<sep>/)\s*(?P<d>3[01]|[12][0-9]|0?[1-9])"
        r"(?![0-9/])(?!\s*(?:的|%|件|个|台|套|只|米|元|块|kg|cm|mm))"
        rf"(?:\s*(?P<suffix>[号號]|日{_RI_NOT_DATE}))?", _numeric_md_cued, "/"),
    _cn(r"(?<![0-9#./:-])(?P<m>1[0-2]|0?[1-9])(?P<sep>[-.·])(?P<d>3[01]|[12][0-9]|0?[1-9])"
        r"(?![0-9.·-])(?!\s*(?:天|周|个|月|年|件|台|套|只|米|元|块|kg|%|cm|mm|m\b))"
        rf"(?:\s*(?P<suffix>[号號]|日{_RI_NOT_DATE}))?(?!\s*日)", _numeric_md_cued, "-.·"),
    # -- month-relative
    _cn(rf"{_REL_MONTH}\s*(?:的\s*)?(?P<d>{_DAY})(?:\s*{_DAY_SUFFIX}|{_NO_NUM_AFTER}"
        r"(?!\s*(?:天|个|周|星期|年|月)))", _rel_month_day, "月"),
    _cn(rf"(?:{_REL_MONTH}\s*的?\s*)?(?P<part>月底|月末|月中|月初)(?!旬)", _rel_month_part, "月"),
    _cn(rf"{_REL_MONTH}(?P<part>底|末|中|初)(?!旬)", _rel_month_part, "月"),
    _cn(rf"(?<![0-9#])(?:(?:(?P<y>{_YEAR})\s*年|{_REL_YEAR})\s*(?:的\s*)?)?(?P<m>{_MONTH})\s*月"
        r"\s*份?\s*的?\s*(?P<part>月底|月末|月中|月初|底|末|中旬|中|初)(?!旬)",
        _named_month_part, "月"),
    _cn(rf"(?:{_REL_YEAR}\s*的?\s*)?(?P<part>年底|年末|年终|年初)", _year_part, "年"),
    _cn(rf"{_REL_YEAR}(?P<part>底|末|终|初)", _year_part, "年"),
    # -- day of month alone
    _cn(rf"{_NOT_AFTER_NUMERAL}(?<![月年])(?P<d>{_DAY})\s*(?:[号號]{_HAO_NOT_DATE}|日{_RI_NOT_DATE})",
        _day_only, "号號日"),
    # -- days and weeks
    _cn(_starts_with_one_of(_REL_DAY_WORDS) + "(?P<w>" + _REL_DAY_ALTERNATION + ")", _rel_day,
        "天日儿早晚"),
    _cn(rf"{_NOT_AFTER_NUMERAL}{_WEEK_PREFIX}\s*{_WEEK}\s*(?:{_WEEK})?\s*{_WD}", _weekday,
        "周期拜週"),
    _cn(r"(?P<p>下下个|下下|下一个|下个|下一|下)\s*(?:周|星期|礼拜|週|禮拜)"
        r"(?![一二三四五六日天1-7末])", _week_alone, "周期拜週"),
    _cn(rf"{_NOT_AFTER_NUMERAL}(?P<m>{_MONTH})\s*月\s*份?\s*的?\s*第\s*(?P<n>[一二三四五1-5])"
        rf"\s*个?\s*{_WEEK}\s*{_WD}", _nth_weekday_of_month, "第"),
    _cn(_starts_with_one_of(_REL_YEAR_WORDS, _HOLIDAYS)
        + rf"(?:{_REL_YEAR}\s*的?\s*)?(?P<h>{_alternation(_HOLIDAYS)})", _holiday,
        "".join({name[0] for name in _HOLIDAYS})),
    # -- durations from today, and shifts of the stored date
    _cn(r"(?P<n>[0-9]+|[一二两三四五六七八九十]+)\s*个?\s*工作日\s*(?:以后|之后|后|以内|之内|内)",
        _business_days_after, "工"),
    _cn(rf"(?:再过|过了?)?\s*(?P<n>{_COUNT})\s*(?P<half>个半)?\s*个?\s*(?:多\s*)?{_DUR_UNIT}"
        r"\s*(?P<dir>以后|之后|过后|后|以内|之内|内|以前|之前|前)(?!天|日)",
        _offset_after, "后内前"),
    _cn(rf"再过\s*(?P<n>{_COUNT})\s*(?P<half>个半)?\s*个?\s*{_DUR_UNIT}(?P<dir>)", _offset_after,
        "再"),
    _cn(_starts_with_one_of(_SHIFT_VERBS)
        + rf"(?<![最尽今明昨当每])(?P<v>{_alternation(_SHIFT_VERBS)})\s*(?:了\s*)?"
        + rf"(?:{_alternation(_SHIFT_OBJECTS)})?"
        rf"\s*(?P<n>{_COUNT})\s*(?P<half>个半)?\s*个?\s*{_DUR_UNIT}", _shift,
        _SHIFT_VERB_FIRST_CHARS),
    # -- English
    _en(r"\b(?P<w>the day after tomorrow|day after tomorrow|today|tonight|tomorrow|tmrw|tmr"
        r"|tomorow|yesterday)\b", _en_rel_day, ("tod", "ton", "tom", "tmr", "yes")),
    _en(r"\b(?:(?P<p>next|this|coming|last)\s+(?:week\s+)?(?:on\s+)?)?(?P<wd>"
        + _alternation(_EN_WEEKDAYS)
        + r")\b\.?(?:\s+(?:of\s+)?(?P<after>(?:next|this|last)\s+week)\b)?",
        _en_weekday, ("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
    _en(r"(?<!end of )(?<!end of the )(?<!late )(?<!later )\bnext\s+week\b", _en_next_week,
        ("week",)),
    _en(r"\bthe\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)\b", _en_day_of_month, ("the",)),
    _en(r"\b(?P<mon>" + _alternation(_EN_MONTHS) + r")\.?\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?"
        r"\b(?:,?\s*(?P<y>(?:19|20)[0-9]{2})\b)?", _en_month_day, tuple(k for k in _EN_MONTHS
                                                                      if len(k) == 3)),
    _en(r"\b(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>" + _alternation(_EN_MONTHS)
        + r")\b\.?(?:,?\s*(?P<y>(?:19|20)[0-9]{2})\b)?", _en_day_month,
        tuple(k for k in _EN_MONTHS if len(k) == 3)),
    _en(r"\b(?:(?:by|at|before)\s+)?(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:this\s+|next\s+)?"
        r"(?:month|year)|(?:this\s+|next\s+)?month[- ]end|eom|mid[- ]month"
        r"|middle\s+of\s+(?:the\s+|this\s+|next\s+)?month)\b", _en_month_part,
        ("end", "eom", "mid")),
    _en(r"\b(?:in|within|after)\s+" + _EN_COUNT + r"\s*" + _EN_UNIT + r"\b",
        _en_in_days, _EN_DURATION_WORDS, _DIGITS),
    _en(r"\b" + _EN_COUNT + r"\s*" + _EN_UNIT + r"\s+from\s+(?:now|today)\b",
        _en_in_days, ("from",)),
    _en(r"\b(?:back|forward|out|up|ahead|later|earlier|sooner)\s+(?:by\s+)?" + _EN_COUNT
        + r"\s*" + _EN_UNIT + r"\b", _en_shift, _EN_SHIFT_WORDS),
    _en(r"\b(?:delay|postpone|push|slip|extend|defer|advance|expedite|bring|pull|move)\w*"
        r"\b[^.,;!?\n]{0,40}?\b(?:by\s+|for\s+)?" + _EN_COUNT + r"\s*" + _EN_UNIT + r"\b",
        _en_shift,
        _EN_SHIFT_WORDS),
    _en(r"\b(?:push|move|bring|pull)\w*\b[^.,;!?\n]{0,40}?\b(?:back|forward|out|up|in)\s+"
        + _EN_COUNT + r"\s*" + _EN_UNIT + r"\b", _en_shift, _EN_SHIFT_WORDS),
    _en(r"\b" + _EN_COUNT + r"\s*" + _EN_UNIT + r"\s+(?:earlier|sooner|later|ahead|early|late)\b",
        _en_shift, _EN_SHIFT_WORDS),
)

_LATIN: Final[re.Pattern[str]] = re.compile(r"[A-Za-z]")
# Cheap gate: a message with none of the rules' trigger characters and no Latin
# letter has no date in it (most chat lines that are not about dates).
_ANY_TRIGGER: Final[frozenset[str]] = frozenset().union(*(rule.chars for rule in _RULES))


# Traditional characters met in date phrases, mapped one-to-one to simplified so
# the tables need one spelling and spans stay valid ("三天後", "下個月", "國慶").
_TRADITIONAL: Final[dict[int, int]] = str.maketrans(
    "後個這號週禮遲內兩點來過當國慶聖誕節勞動兒雙順寬縮長給貨發機線庫倉樓門間車單",
    "后个这号周礼迟内两点来过当国庆圣诞节劳动儿双顺宽缩长给货发机线库仓楼门间车单",
)


def _candidates(text: str, original: str, today: date) -> list[DateMention]:
    """Every rule's matches in ``text`` (the simplified-script copy of
    ``original``), resolved; overlapping ones are settled by the caller."""
    found: list[DateMention] = []
    charset = frozenset(text)
    lower = text.lower() if _LATIN.search(text) else None
    if lower is None and charset.isdisjoint(_ANY_TRIGGER):
        return found
    for rule in _RULES:
        if not rule.may_match(charset, lower):
            continue
        for match in rule.pattern.finditer(text):
            try:
                answer = rule.resolver(match, today)
            except (OverflowError, ValueError):  # "99999天后", year 9999 + 1
                continue
            if answer is None:
                continue
            start, end = match.span()
            found.append(DateMention(start, end, original[start:end], answer[0], answer[1]))
    return found


def _trim(mention: DateMention) -> DateMention:
    """Drop surrounding blanks from a mention so spans hug the expression."""
    raw = mention.raw
    left = len(raw) - len(raw.lstrip())
    right = len(raw.rstrip())
    if left == 0 and right == len(raw):
        return mention
    return DateMention(mention.start + left, mention.start + right, raw[left:right],
                       mention.date, mention.delta_days)


def _longest_first(candidates: list[DateMention]) -> list[DateMention]:
    """Keep the longest of overlapping matches (then the leftmost), in text order."""
    chosen: list[DateMention] = []
    for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


_BARE_WEEKDAY: Final[re.Pattern[str]] = re.compile(
    r"(?:周|星期|礼拜|週|禮拜)[一二三四五六日天1-7]|(?i:" + _alternation(_EN_WEEKDAYS) + r")\.?"
)
_CALENDAR_DATE: Final[re.Pattern[str]] = re.compile(r"[0-9月号號日]")
# Only blanks or an opening bracket between date and note: a comma starts a new
# clause for the grammar, so a mention never spans one.
_NOTE_GAP: Final[re.Pattern[str]] = re.compile(r"\s*[(（]?\s*")
_NOTE_CLOSE: Final[re.Pattern[str]] = re.compile(r"\s*[)）]")


def _absorb_weekday_notes(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """"12月5日（周六）" / "12月5日 周六" are one date with a weekday note.

    Without this the note would read as a second date (this week's Saturday).
    The explicit date wins; the note is folded into its span."""
    out: list[DateMention] = []
    for mention in mentions:
        prev = out[-1] if out else None
        if (prev is not None and prev.date is not None and mention.date is not None
                and _BARE_WEEKDAY.fullmatch(mention.raw)
                and _CALENDAR_DATE.search(prev.raw)
                and not _BARE_WEEKDAY.fullmatch(prev.raw)
                and _NOTE_GAP.fullmatch(text, prev.end, mention.start)):
            close = _NOTE_CLOSE.match(text, mention.end)
            end = close.end() if close else mention.end
            out[-1] = DateMention(prev.start, end, text[prev.start:end], prev.date)
            continue
        out.append(mention)
    return out


def find_dates(text: str, now: datetime) -> list[DateMention]:
    """Every date or due-date shift in ``text``, left to right.

    ``text`` is NFKC-normalised with order references masked by ``#``; ``now``
    is aware and in the factory zone, so ``now.date()`` is the factory's today.
    """
    if not text or not isinstance(text, str):
        return []
    today = now.date() if isinstance(now, datetime) else now
    scan = text if text.isascii() else text.translate(_TRADITIONAL)
    chosen = [_trim(m) for m in _longest_first(_candidates(scan, text, today))]
    return _absorb_weekday_notes(text, chosen) if len(chosen) > 1 else chosen


def parse_date(text: str, now: datetime) -> date | None:
    """The date in a short text such as a form field or "--due 下周三".

    Absolute dates only (a shift has no date without the stored one); when a
    text holds several, the first is taken ("10月12号，星期一" -> 10月12号).
    """
    if not text or not isinstance(text, str):
        return None
    for mention in find_dates(unicodedata.normalize("NFKC", text), now):
        if mention.date is not None:
            return mention.date
    return None
