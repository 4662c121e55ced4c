"""Operation changes: 增加一道喷砂工序, 不用焊接了, 喷涂改成喷粉, remove polishing.

A name counts only when the vocabulary or the default operation table knows
it, or the clause says 工序/这道; several names may share one verb.
"""

from __future__ import annotations

import re

from bot.parsing import synonyms as syn
from bot.parsing.command import Change
from bot.parsing.fieldkit import FieldResult, negated
from bot.parsing.scan import BLANK, Scan
from bot.parsing.specs import Match

_OP_CUT = re.compile(r"#|这道|那道|一道|工序|工艺|这步|步骤"
                     r"|\s+(?:from|to|for|on|in|of|step|process|thx|thanks|thank|pls|please|ty)\b"
                     r"|谢谢|多谢|辛苦|麻烦"
                     r"|了|的|吧|[~;；.。!！?？]", re.IGNORECASE)
# Used with match() at a position, so no "^".
_OP_LEAD = re.compile(r"\s*(?:把|将|一道|个|道|上|一个|the|a|an)\s*", re.IGNORECASE)
_OP_MARKER = re.compile(r"工序|这道|那道|一道|工艺|\bstep\b|\bprocess\b|\boperation\b",
                        re.IGNORECASE)
_NAME_BEFORE = re.compile(r"([\u3400-\u9fffA-Za-z ]+?)"
                          r"(?:这道工序|那道工序|这道|那道|工序|工艺|的)?\s*$")
_OP_TAIL = re.compile(r"(?:这道工序|那道工序|这道|那道|工序|工艺|了)*")
_OP_SPLIT = re.compile(r"和|与|及|跟|、|,|，|\s+and\s+|&", re.IGNORECASE)
_OP_NAME = re.compile(r"^(?:[\u3400-\u9fff]{1,8}|[A-Za-z][A-Za-z ]{1,30})$")


def read_operation(scan: Scan, start: int, end: int, result: FieldResult) -> bool:
    """Operations added or removed in the clause; True when one was read."""
    if _swap(scan, start, end, result):
        return True
    marked = _OP_MARKER.search(scan.work, start, end) is not None
    for lex, kind, after in ((syn.OP_REMOVE_LEX, "remove_operation", False),
                             (syn.OP_ADD_LEX, "add_operation", False),
                             (syn.OP_REMOVE_AFTER_LEX, "remove_operation", True)):
        for hit in lex.finditer(scan.work, start, end):
            name_span = _name_before(scan.work, start, hit.start) if after else \
                _name_after(scan.work, hit.end, end)
            if name_span is None:
                continue
            if kind == "add_operation" and negated(scan.work, start, hit.start):
                kind = "remove_operation"  # "不要加喷砂": the step is not wanted
            if _accept_operation(scan, name_span, marked, kind, result):
                tail = _OP_TAIL.match(scan.work, max(hit.end, name_span[1]), end)
                scan.blank(min(hit.start, name_span[0]), tail.end() if tail else hit.end)
                return True
    return False


def _swap(scan: Scan, start: int, end: int, result: FieldResult) -> bool:
    """"喷涂改成喷粉": remove the first operation, add the second -- only when
    both are known operations, so a spec value is never taken for one."""
    verb = syn.OP_SWAP_LEX.search(scan.work, start, end)
    if verb is None:
        return False
    old = _name_before(scan.work, start, verb.start)
    new = _name_after(scan.work, verb.end, end)
    if old is None or new is None:
        return False
    names = (scan.norm[old[0]:old[1]], scan.norm[new[0]:new[1]])
    matches = [scan.vocabulary.match("operation", n) for n in names]
    if not all(m.canonical or _default_operation(n) for m, n in zip(matches, names, strict=True)):
        return False
    for kind, name, match in zip(("remove_operation", "add_operation"), names, matches,
                                 strict=True):
        result.changes.append(Change(kind, name, canonical=match.canonical))
    scan.blank(start, end)
    return True


def _name_after(text: str, pos: int, end: int) -> tuple[int, int] | None:
    lead = _OP_LEAD.match(text, pos, end)
    s = lead.end() if lead else pos
    cut = _OP_CUT.search(text, s, end)
    e = cut.start() if cut else end
    return _trimmed(text, s, e)


def _name_before(text: str, start: int, pos: int) -> tuple[int, int] | None:
    segment = text[start:pos]
    m = _NAME_BEFORE.search(segment)
    if m is None:
        return None
    return _trimmed(text, start + m.start(1), start + m.end(1))


def _trimmed(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and not text[e - 1].isalnum():
        e -= 1
    return (s, e) if s < e else None


def _accept_operation(scan: Scan, span: tuple[int, int], marked: bool, kind: str,
                      result: FieldResult) -> bool:
    """Accept "喷砂" / "抛光和电镀" as operation names, or reject the span.

    A name counts when the factory's vocabulary knows it, when the default
    table of operations does, or when the clause says 工序/这道; an uncertain
    vocabulary match of a marked name is asked back.
    """
    text = scan.norm[span[0]:span[1]]
    names = [n.strip() for n in _OP_SPLIT.split(text) if n.strip()]
    if not names or BLANK in scan.work[span[0]:span[1]]:
        return False
    found: list[tuple[str, Match]] = []
    for name in names:
        if not _OP_NAME.match(name):
            return False
        match = scan.vocabulary.match("operation", name)
        if match.status in ("exact", "confident") or _default_operation(name):
            found.append((name, match if match.canonical else Match(name, "unknown")))
        elif match.status == "uncertain" and marked:
            found.append((name, match))
        elif marked and len(names) == 1:
            found.append((name, match))
        else:
            return False
    for name, match in found:
        if match.status == "uncertain":
            result.uncertain.append((len(result.changes), "operation", match))
        result.changes.append(Change(kind, name, canonical=match.canonical))
    return True


def _default_operation(name: str) -> bool:
    hit = syn.OPERATION_LEX.search(name)
    return hit is not None and (hit.start, hit.end) == (0, len(name))
