"""Quantity changes: a new total (value) or a difference (delta), with its unit.

The count is the one with a unit, after a quantity word, or right after a
verb; the verb table decides set / add / reduce ("加到" sets, "再加" adds).
"""

from __future__ import annotations

import re

from bot.parsing import synonyms as syn
from bot.parsing.command import Change
from bot.parsing.fieldkit import FieldResult
from bot.parsing.numerals import NumberMention
from bot.parsing.scan import Scan

_NOT_QTY_AFTER = re.compile(r"\s?(?:道|步|天|周|号|月|日|点|年|次|%|倍|成|分之|个月|个星期"
                            r"|星期|礼拜"
                            r"|x|\*|×|mm|cm)", re.IGNORECASE)
_VERB_GAP = re.compile(r"[#\s~]|\bby\b|的|再", re.IGNORECASE)
_FROM = re.compile(r"(?:从|由|from)\s*$", re.IGNORECASE)
MAX_QUANTITY = 10_000_000  # beyond any order; a typo or garbage


def read_quantity(scan: Scan, start: int, end: int, result: FieldResult,
                  carry: str | None) -> bool:
    """A quantity change in the clause; True when the clause was read."""
    cue = syn.QTY_CUE_LEX.search(scan.work, start, end)
    chosen: tuple[NumberMention, str | None] | None = None
    numbers = scan.numbers_in(start, end)
    if len(numbers) > 1:  # "数量从500改成800", "500 → 800": the old value is not the change
        numbers = [n for n in numbers
                   if not _FROM.search(scan.work, max(start, n.start - 6), n.start)]
        setters = [h for h in syn.QTY_VERB_LEX.findall(scan.work, start, end) if h.tag == "set"]
        later = [n for n in numbers if setters and n.start >= setters[-1].end]
        numbers = later or numbers
    for number in numbers:
        if _attached_to_letters(scan.work, number):
            continue
        unit = _unit_after(scan, number.end, end)
        if unit is None and _NOT_QTY_AFTER.match(scan.work, number.end):
            continue
        if unit is None and number.raw in ("一", "半"):
            continue
        if unit is not None or cue is not None or carry == "quantity":
            chosen = (number, unit)
            break
        verb = _verb_before(scan, start, number.start)
        if _verb_after(scan, number, end) is not None and result.changes == []:
            chosen = (number, None)
            break
        if verb is not None and len(_VERB_GAP.sub("", scan.work[verb[1]:number.start])) <= 1 \
                and result.changes == []:
            chosen = (number, None)
            result.inferred = True
            break
    if chosen is None or any(c.field == "quantity" for c in result.changes):
        return False
    number, unit = chosen
    value = number.value
    if value != int(value) or not 0 <= value <= MAX_QUANTITY:
        # "改成半", "改成9999999999999": the quantity is being changed, to
        # something no order can have -- ask rather than guess.
        result.missing = "quantity"
        scan.blank(start, end)
        return True
    after = _verb_after(scan, number, end)
    verb = _verb_before(scan, start, number.start) or after
    if unit is None and after is not None:
        unit = _unit_after(scan, after[1], end)  # "200 more pcs"
    tag = verb[0] if verb else "set"
    sign = scan.work[number.start - 1:number.start] if number.start > start else ""
    before_sign = scan.work[max(start, number.start - 2):number.start - 1]
    if sign in ("+", "-", "−") and not (before_sign.isascii() and before_sign.isalnum()):
        tag = "inc" if sign == "+" else "dec"  # "数量+100", "qty -50", not "A-50"
    amount = int(value)
    if tag == "set":
        change = Change("quantity", amount, unit=unit)
    else:
        change = Change("quantity", delta=amount if tag == "inc" else -amount, unit=unit)
    result.changes.append(change)
    first = min(p for p in (number.start, verb[1] - 1 if verb else number.start,
                            cue.start if cue else number.start) if p >= start)
    unit_end = _unit_end(scan, number.end, end, after)
    scan.blank(first, max(unit_end, after[1] if after else number.end))
    return True


def _unit_end(scan: Scan, pos: int, end: int, after: tuple[str, int] | None) -> int:
    """Where the count's unit ends ("500 件" -> after 件), or `pos` without one."""
    for at in (pos, after[1] if after else None):
        if at is None:
            continue
        hit = syn.UNIT_LEX.search(scan.work, at, end)
        if hit is not None and not scan.work[at:hit.start].strip():
            return hit.end
    return pos


def _attached_to_letters(text: str, number: NumberMention) -> bool:
    """"RAL7035", "Q235": a number glued to letters is a code -- unless the
    letters are a quantity word ("qty500")."""
    before = text[number.start - 1] if number.start > 0 else ""
    if not (before.isascii() and before.isalpha()):
        return False
    cue = syn.QTY_CUE_LEX.search(text, max(0, number.start - 10), number.start)
    return cue is None or cue.end != number.start


def _unit_after(scan: Scan, pos: int, end: int) -> str | None:
    hit = syn.UNIT_LEX.search(scan.work, pos, end)
    if hit is None or scan.work[pos:hit.start].strip():
        return None
    if hit.text.lower() == "m" and scan.work[hit.end:hit.end + 1].isalpha():
        return None
    return scan.norm[hit.start:hit.end]


def _verb_after(scan: Scan, number: NumberMention, end: int) -> tuple[str, int] | None:
    """"200 more", "100 fewer pcs": an English comparative after the count."""
    hit = syn.QTY_VERB_LEX.search(scan.work, number.end, min(end, number.end + 12))
    if hit is None or hit.tag in ("set", "none") or not hit.text.isascii():
        return None
    between = scan.work[number.end:hit.start]
    if between.strip() and syn.UNIT_LEX.search(between) is None:
        return None
    return hit.tag, hit.end


def _verb_before(scan: Scan, start: int, pos: int) -> tuple[str, int] | None:
    """The last quantity verb before `pos` in the clause: (tag, its end)."""
    hits = [h for h in syn.QTY_VERB_LEX.finditer(scan.work, start, pos) if h.tag != "none"]
    return (hits[-1].tag, hits[-1].end) if hits else None
