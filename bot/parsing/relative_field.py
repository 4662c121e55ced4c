"""Relative amounts: multiples of the current value and shifts without a size.

"数量翻倍", "加到两倍", "乘以三", "少一半", "加20%" state the new quantity as a
multiple of one the parser cannot see, and "往后推一点", "晚几天", "多做一些"
state no amount at all. Reading the number in them ("两倍" -> 2) would be a
silent misreading, so this reader runs before the quantity and due-date
readers and claims those spans first:

- a multiple becomes a `RelativeChange(field, factor)` for the service to
  resolve against the order (never an item of `changes`);
- a vague amount becomes a pending question (`FieldResult.missing` plus
  `ask_kind`: how many days later / earlier, how many more or fewer).

Months and weeks named without a day ("改到下个月", "提前到下周") are the due
reader's: it asks which day (`ask_kind` "due_month_day" / "due_week_day").
"""

from __future__ import annotations

import re

from bot.parsing.command import RelativeChange
from bot.parsing.fieldkit import FieldResult
from bot.parsing.numerals import parse_number
from bot.parsing.scan import Scan

_DIGITS = r"[0-9]+(?:\.[0-9]+)?|[零〇一二两俩三四五六七八九十百半]+"
_NUM = r"(?P<n>" + _DIGITS + ")"
_EN_NUM = r"(?P<e>[0-9]+(?:\.[0-9]+)?|two|three|four|five|ten)"
_EN_VALUES = {"two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}

#: Fixed multiplier words: phrase -> factor.
_FIXED = {
    "翻倍": 2.0, "翻番": 2.0, "翻一番": 2.0, "翻一倍": 2.0, "加倍": 2.0, "双倍": 2.0,
    "翻两番": 4.0, "减半": 0.5, "少一半": 0.5, "减少一半": 0.5, "砍一半": 0.5, "砍半": 0.5,
    "减掉一半": 0.5, "去掉一半": 0.5, "少做一半": 0.5, "减一半": 0.5, "少要一半": 0.5,
    "只要一半": 0.5, "只做一半": 0.5, "改成一半": 0.5, "要一半": 0.5, "砍掉一半": 0.5,
    "double": 2.0, "doubled": 2.0, "double it": 2.0, "twice": 2.0, "triple": 3.0,
    "tripled": 3.0, "quadruple": 4.0, "halve": 0.5, "halved": 0.5, "half": 0.5,
    "cut in half": 0.5, "by half": 0.5,
}
_FIXED_RE = re.compile(
    "|".join(
        (r"(?<![A-Za-z])" + re.escape(p).replace(r"\ ", r"\s+") + r"(?![A-Za-z])")
        if p.isascii() else re.escape(p)
        for p in sorted(_FIXED, key=len, reverse=True)),
    re.IGNORECASE)
#: "加到两倍", "变成3倍", "乘以三", "×3", "x3", "3x", "3 times"; "增加两倍" is
#: ambiguous (x2 or x3?) and is asked instead.
_TIMES = re.compile(
    r"(?P<more>增加了?|多了?|提高了?|增长了?|扩大了?)?(?:到|成|为|至)?\s*" + _NUM + r"\s*倍"
    r"|(?<![0-9])(?:乘以|乘|×)\s*(?P<m>" + _DIGITS + ")"
    r"|(?<![0-9A-Za-z])[xX*]\s*(?P<k>" + _DIGITS + r")(?![0-9]*\s*[xX*×])"
    r"|(?<![A-Za-z0-9.])" + _EN_NUM + r"\s*(?:x|times)(?![A-Za-z0-9])",
    re.IGNORECASE)
#: "加20%", "少做一成", "increase by 10%".
_PERCENT = re.compile(
    r"(?P<verb>加|增加|多做|多加|多要|多|提高|上调|涨|减|减少|少做|少要|少|降低|下调|砍|削减"
    r"|increase|raise|up|reduce|cut|lower|decrease|down)"
    r"\s*(?:by\s*)?(?:了)?\s*" + _NUM + r"\s*(?P<u>%|％|成|percent)",
    re.IGNORECASE)
_UP_VERBS = re.compile(r"加|增|多|提|涨|increase|raise|up", re.IGNORECASE)
#: Quantity changes without an amount.
_VAGUE_QTY = re.compile(
    r"(?:再|多)(?:加|做|要|来|生产)?(?:一点|一些|点儿?|些|几个|几件|几套|几台)"
    r"|(?:少|减)(?:做|要|掉)?(?:一点|一些|点儿?|些)"
    r"|a\s+(?:few|bit|little)\s+(?:more|less|fewer)|some\s+more|a\s+few\s+extra",
    re.IGNORECASE)
#: Due-date shifts without an amount, with their direction.
_VAGUE_LATER = re.compile(
    r"(?:往后|推迟|推后|延后|延期|延迟|晚|推|挪后|往后挪|往后推|往后延|延|宽限)"
    r"(?:一点|一些|点儿?|些|几天|一阵|一段时间|一下)"
    r"|晚点|晚些|晚几天|缓几天|宽限几天|过几天"
    r"|(?:a\s+(?:bit|little)|slightly|somewhat)\s+later|a\s+few\s+days\s+later"
    r"|(?:delay|postpone|push\s+back|back)\s+(?:it\s+)?(?:a\s+(?:bit|little)|slightly"
    r"|a\s+few\s+days|some)",
    re.IGNORECASE)
_VAGUE_EARLIER = re.compile(
    r"(?:往前|提前|提早|早|挪前|往前挪|往前提)"
    r"(?:一点|一些|点儿?|些|几天|一下)"
    r"|早点|早些|早几天|尽早交"
    r"|(?:a\s+(?:bit|little)|slightly|somewhat)\s+(?:earlier|sooner)|a\s+few\s+days\s+earlier"
    r"|(?:bring\s+(?:it\s+)?forward|pull\s+(?:it\s+)?in|forward)\s+(?:a\s+(?:bit|little)"
    r"|slightly)",
    re.IGNORECASE)
_DUE_CONTEXT = re.compile(r"交期|交货|货期|交|日期|due|deliver|ship|date", re.IGNORECASE)
_QTY_CONTEXT = re.compile(r"数量|件|个|套|台|qty|quantity|pcs|units", re.IGNORECASE)
#: The quantity words in front of a multiple ("数量加到", "qty"), read with it.
_LEAD = re.compile(r"(?:数量|件数|总数|qty|quantity|amount)?\s*(?:的)?\s*"
                   r"(?:加到|增加到|提到|变成|改成|改为|减到|降到|直接|给我|要|做|改|加|减|到|变|增加|提高)?"
                   r"\s*(?:原来的|现在的|目前的|之前的)?"
                   r"\s*$", re.IGNORECASE)


def _number(raw: str) -> float | None:
    if raw.lower() in _EN_VALUES:
        return float(_EN_VALUES[raw.lower()])
    value = parse_number(raw)
    return float(value) if value is not None else None


def read_relative(scan: Scan, start: int, end: int, result: FieldResult) -> bool:
    """A multiple or a vague amount in the clause; True when one was read."""
    work = scan.work
    fixed = _FIXED_RE.search(work, start, end)
    if fixed is not None and not _half_of_day(work, fixed.end()):
        factor = _FIXED[re.sub(r"\s+", " ", fixed.group().lower())]
        return _multiple(scan, result, factor, fixed.start(), fixed.end(), start)
    times = _TIMES.search(work, start, end)
    if times is not None:
        raw = next((g for g in times.group("n", "m", "k", "e") if g), "")
        value = _number(raw)
        if value is None or value <= 0:
            return False
        if times.groupdict().get("more"):
            return _ask(scan, result, "quantity", "quantity_amount", times.start(), times.end())
        return _multiple(scan, result, value, times.start(), times.end(), start)
    percent = _PERCENT.search(work, start, end)
    if percent is not None:
        value = _number(percent.group("n"))
        if value is None:
            return False
        share = value / 10 if percent.group("u") == "成" else value / 100
        up = _UP_VERBS.search(percent.group("verb")) is not None
        factor = round(1 + share if up else 1 - share, 4)
        if factor <= 0:
            return _ask(scan, result, "quantity", "quantity_amount", percent.start(),
                        percent.end())
        return _multiple(scan, result, factor, percent.start(), percent.end(), start)
    for pattern, direction in ((_VAGUE_LATER, "later"), (_VAGUE_EARLIER, "earlier")):
        hit = pattern.search(work, start, end)
        if hit is not None and (_DUE_CONTEXT.search(work, start, end) or scan.order is not None
                                and not _QTY_CONTEXT.search(work, start, end)):
            result.direction = direction
            return _ask(scan, result, "due_date", f"due_shift_{direction}", hit.start(),
                        hit.end())
    vague = _VAGUE_QTY.search(work, start, end)
    if vague is not None and not _DUE_CONTEXT.search(work, start, end):
        return _ask(scan, result, "quantity", "quantity_amount", vague.start(), vague.end())
    return False


def _half_of_day(work: str, pos: int) -> bool:
    """"一半" in "下午一半"/"一半天" is no quantity."""
    return work.startswith(("天", "个月", "小时"), pos)


def _multiple(scan: Scan, result: FieldResult, factor: float, start: int, end: int,
              clause_start: int) -> bool:
    """Keep the factor for the service; the quantity cue next to it is read too."""
    lead = _LEAD.search(scan.work, clause_start, start)
    if lead is not None:
        start = lead.start()
    if any(r.field == "quantity" for r in result.relative):
        scan.blank(start, end)
        return True
    result.relative.append(RelativeChange("quantity", factor, scan.norm[start:end].strip()))
    scan.blank(start, end)
    return True


def _ask(scan: Scan, result: FieldResult, field: str, kind: str, start: int, end: int) -> bool:
    if result.missing is None:
        result.missing, result.ask_kind = field, kind
    scan.blank(start, end)
    return True
