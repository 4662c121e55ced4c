"""Due-date changes: absolute dates, shifts of the stored date, English shifts.

Dates come from the shared reader (`bot.parsing.dates`); a date counts as a
new due date only with a due-date cue or a setting verb next to an order, so
"明天下雨吗" changes nothing. Vague dates (下周, 下个月) are asked back.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from bot.parsing import synonyms as syn
from bot.parsing.command import Change
from bot.parsing.fieldkit import FieldResult
from bot.parsing.scan import Scan

_EN_SPAN = re.compile(
    r"(?<![A-Za-z])(?:by\s+)?"
    r"(?P<n>\d+|a couple of|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s*(?P<u>days?|weeks?)(?![A-Za-z])", re.IGNORECASE)
_ISO = re.compile(r"(?<![0-9])(20[0-9]{2})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})(?![0-9])")
_SLASH = re.compile(r"(?<![0-9/#-])([0-9]{1,2})/([0-9]{1,2})(?![0-9/])")
_VAGUE_DATE = re.compile(r"^(?:下|本|这|上)?个?(?:周|星期|礼拜|月)$"
                         r"|^(?:国庆|春节|过年|年|节)[前后]$"
                         r"|^(?:next|this) (?:week|month)$", re.IGNORECASE)
_AFTER = re.compile(r"\s*(?:以后|之后|后)")
_NUMERIC_DATE = re.compile(r"^[0-9]{1,2}\s*[./-]\s*[0-9]{1,2}$")  # "1.5" may be 1.5k
_WEEKISH = re.compile(r"周|星期|礼拜|week", re.IGNORECASE)
_MONTHISH = re.compile(r"月|month", re.IGNORECASE)
#: A month named without its day ("改到下个月", "next month").
_MONTH_ONLY = re.compile(r"(?:下下个?|下个?|本|这个?|当)月"
                         r"(?![底末初中0-9零一二两三四五六七八九十]|份?底)"
                         r"|(?:next|this)\s+month(?!\s*end)", re.IGNORECASE)
MAX_SHIFT_DAYS = 3650


def read_due(scan: Scan, start: int, end: int, result: FieldResult, carry: str | None) -> bool:
    """A due-date change in the clause (or a question for one); True when read."""
    shift = _english_shift(scan, start, end)
    if shift is not None:
        result.changes.append(Change("due_date", delta_days=shift, direction=_sign(shift)))
        scan.blank(start, end)
        return True
    if any(c.field == "due_date" for c in result.changes):
        return False
    cue = syn.DUE_CUE_LEX.search(scan.work, start, end)
    setters = syn.DATE_SET_LEX.findall(scan.work, start, end)
    setter = setters[0] if setters else None
    mentions = scan.dates_in(start, end)
    if setters:  # "从12月1号改到12月5号": the date after the verb is the new one
        later = [m for m in mentions if m.start >= setters[-1].end]
        mentions = later + [m for m in mentions if m not in later]
    vague: str | None = None
    for mention in mentions:
        if mention.delta_days is not None and abs(mention.delta_days) > MAX_SHIFT_DAYS:
            continue
        if mention.delta_days is None and (_VAGUE_DATE.match(mention.raw.strip())
                                           or _AFTER.match(scan.work, mention.end)):
            vague = mention.raw.strip()  # "下周", "下个月", "国庆后": no day named -- ask
            continue
        if mention.delta_days is not None and mention.date is None:
            result.changes.append(Change("due_date", delta_days=mention.delta_days,
                                         direction=_sign(mention.delta_days)))
        elif cue or carry == "due_date" or (setter and scan.order is not None and (
                not _NUMERIC_DATE.match(mention.raw)  # "改成12.5" may be a quantity,
                or _direction(scan, start, end))):  # "提前到12-25" is a date
            assert mention.date is not None
            result.changes.append(Change("due_date", mention.date.isoformat(),
                                         direction=_direction(scan, start, end)))
        else:
            continue
        spans = [(mention.start, mention.end)] + [(h.start, h.end) for h in (cue, *setters) if h]
        scan.blank(min(s for s, _ in spans), max(e for _, e in spans))
        return True
    if cue or carry == "due_date":
        fallback = _fallback_date(scan.work, start, end, scan.today)
        if fallback is not None:
            result.changes.append(Change("due_date", fallback.isoformat()))
            scan.blank(start, end)
            return True
    if vague is None and (setter and scan.order is not None or cue):
        month_only = _MONTH_ONLY.search(scan.work, start, end)
        vague = month_only.group() if month_only else None  # "move SO-12 to next month"
    if (cue and setter and cue.start < setter.end) or (vague and (cue or setter)):
        # "交期改到2月30号", "交期提前", "提前到下周": the due date is being
        # changed, to an unreadable or missing day -- ask, never fall through
        # to quantity.
        result.missing = "due_date"
        month = _MONTH_ONLY.search(scan.work, start, end)
        if vague or month:
            _ask_day(result, vague or (month.group() if month else ""),
                     _direction(scan, start, end))
        scan.blank(start, end)
        return True
    return False


def _direction(scan: Scan, start: int, end: int) -> str | None:
    """"提前到12月1号" -> earlier, "推迟到…" -> later; the service checks it
    against the current due date and asks back when they disagree."""
    hit = syn.DUE_DIRECTION_LEX.search(scan.work, start, end)
    return hit.tag if hit is not None else None


def _sign(days: int) -> str | None:
    return "later" if days > 0 else "earlier" if days < 0 else None


def _ask_day(result: FieldResult, vague: str, direction: str | None) -> None:
    """"改到下个月" -> "下个月几号？", "提前到下周" -> "下周几？"."""
    kind = "due_week_day" if _WEEKISH.search(vague) else (
        "due_month_day" if _MONTHISH.search(vague) else None)
    if kind is not None:
        result.ask_kind, result.ask_values = kind, {"when": vague}
    result.direction = direction


def _english_shift(scan: Scan, start: int, end: int) -> int | None:
    """"push … back by 3 days" / "bring … forward a week" -> ±days."""
    hit = syn.SHIFT_EN_LEX.search(scan.work, start, end)
    span = _EN_SPAN.search(scan.work, start, end)
    if hit is None or span is None:
        return None
    raw = span.group("n").lower()
    raw = raw.replace("a couple of", "couple of")
    count = int(raw) if raw.isdigit() else syn.EN_NUMBERS.get(raw, 1)
    days = count * syn.EN_DAY_UNITS[span.group("u").lower()]
    return days if hit.tag == "later" else -days


def _fallback_date(text: str, start: int, end: int, today: date) -> date | None:
    """ISO dates and M/D, for when the shared date reader reports neither."""
    m = _ISO.search(text, start, end)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _SLASH.search(text, start, end)
        if m:
            month, day = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(today.year, month)[1]:
                return None
            found = date(today.year, month, day)
            if found < today:
                last = calendar.monthrange(today.year + 1, month)[1]
                found = date(today.year + 1, month, min(day, last))
            return found
    except ValueError:
        return None
    return None
