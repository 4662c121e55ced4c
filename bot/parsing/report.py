"""Shop-floor progress reports (报工): operation, quantity done, scrap.

"切割 完成50件 报废2", "WO-15 折弯做完120个，报废3个", "welding finished 45,
2 scrapped". The operation is kept as written; a known operation (from the
vocabulary or the default table) also yields its canonical name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing import synonyms as syn
from bot.parsing.fieldkit import clean_value
from bot.parsing.numerals import NumberMention
from bot.parsing.scan import Scan
from bot.parsing.specs import DEFAULT_VOCABULARY, Match

_LEAD = re.compile(r"^(?:报工|今天|今日|刚才|刚刚|已经|已|today|just)+", re.IGNORECASE)
_LEAD_OPERATION = re.compile(r"[\s#~:：,，]*(?:报工|今天|今日)?[\s:：]*")
_ASKING = re.compile(r"[吗?？]|没有|了没|怎么|多少|几")
_ONLY_COUNTS = re.compile(r"[\s0-9零〇一二两三四五六七八九十百千万件个套台只张块pcs,，了完]*$")
_NOT_COUNT_AFTER = re.compile(r"\s?(?:道|步|天|号|月|日|点|年|%)")


@dataclass(slots=True)
class ReportResult:
    operation: str | None = None
    canonical: str | None = None
    quantity: int | None = None
    scrap: int | None = None
    uncertain: Match | None = None


def looks_like_report(scan: Scan) -> bool:
    """A completion cue and a count that is not part of a date."""
    if syn.REPORT_EXPLICIT_LEX.search(scan.work) is not None:
        return True
    if syn.OP_REMOVE_LEX.search(scan.work) or syn.OP_REMOVE_AFTER_LEX.search(scan.work):
        return False  # "电镀不做了" removes an operation; it reports nothing
    cue = syn.REPORT_LEX.search(scan.work) or syn.SCRAP_LEX.search(scan.work)
    counted = any(_countable(scan, n) for n in scan.numbers)
    if cue is not None and counted:
        return True
    # "焊接 80", "喷涂完成一半": an operation leads the message, then a count
    # or a completion cue, and nothing asks or changes anything.
    lead = _LEAD_OPERATION.match(scan.work)
    if lead is None or syn.OPERATION_LEX.search(scan.work, lead.end()) is None:
        return False
    op = syn.OPERATION_LEX.search(scan.work, lead.end())
    if op is None or op.start != lead.end() or _ASKING.search(scan.work):
        return False
    if syn.CHANGE_VERB_LEX.search(scan.work) or syn.PRIORITY_LEX.search(scan.work):
        return False
    return cue is not None or (counted and _ONLY_COUNTS.match(scan.work, op.end) is not None)


def _countable(scan: Scan, number: NumberMention) -> bool:
    if any(d.start <= number.start < d.end for d in scan.dates):
        return False
    if number.raw == "一" and not syn.UNIT_LEX.search(scan.work, number.end, number.end + 2):
        return False
    whole = number.value == int(number.value)
    return whole and _NOT_COUNT_AFTER.match(scan.work, number.end) is None


def extract_report(scan: Scan) -> ReportResult:
    result = ReportResult()
    numbers = [n for n in scan.numbers if _countable(scan, n)]
    scrap_number = _scrap(scan, numbers)
    if scrap_number is not None:
        result.scrap = int(scrap_number.value)
        numbers = [n for n in numbers if n is not scrap_number]
    cue = syn.REPORT_LEX.search(scan.work)
    after = [n for n in numbers if cue is None or n.start >= cue.start]
    if after or numbers:
        result.quantity = int((after or numbers)[0].value)
    _operation(scan, cue.start if cue else len(scan.work), result)
    return result


def _scrap(scan: Scan, numbers: list[NumberMention]) -> NumberMention | None:
    """The count right after a scrap cue ("报废3个", "scrap 4"), or right before
    an English one ("2 scrapped")."""
    for hit in syn.SCRAP_LEX.finditer(scan.work):
        for number in numbers:
            if number.start >= hit.end and not scan.work[hit.end:number.start].strip(" :："):
                return number
        if hit.text.isascii():
            for number in numbers:
                gap = scan.work[number.end:hit.start]
                if number.end <= hit.start and len(gap) <= 6 and not gap.strip(" pcsPCS"):
                    return number
    return None


def _operation(scan: Scan, cue_at: int, result: ReportResult) -> None:
    """A known operation anywhere wins; else the words before the cue."""
    known = max(syn.OPERATION_LEX.finditer(scan.work), key=lambda h: h.end - h.start,
                default=None)
    if known is not None:
        result.operation = scan.norm[known.start:known.end]
        result.canonical = known.tag
    else:
        head = scan.work[:cue_at].replace("#", " ")
        name = clean_value(_LEAD.sub("", head.strip(" :：")).strip(" :：~"))
        name = re.split(r"[\s,，:：]+", name)[-1] if name else ""
        if not name or any(ch.isdigit() for ch in name):
            return
        result.operation = name
    vocab = scan.vocabulary.match("operation", result.operation)
    if vocab.canonical or scan.vocabulary is not DEFAULT_VOCABULARY:
        # The factory's own list decides the canonical name when there is one.
        result.canonical = vocab.canonical
    if vocab.status == "uncertain" and known is None:
        # A name from the common table (喷涂) is a real operation of its own,
        # not a typo of the factory's nearest one (喷砂); only unknown words are asked.
        result.uncertain = vocab
