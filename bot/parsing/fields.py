"""Change items (`changes[]`) read clause by clause from a change message.

Each clause ("数量改成500件", "交期推迟一周", "颜色换成白色", "加急") yields at
most one item besides a priority. Cues, verbs and units come from the synonym
tables; numbers and dates come from the shared readers via `Scan`. A field
named without a value ("交期改一下") is reported as `missing` so the caller
can ask for it; a later clause may supply the value ("…，改成一万二件").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from bot.parsing import synonyms as syn
from bot.parsing.command import Change
from bot.parsing.lexicon import Hit
from bot.parsing.numerals import NumberMention
from bot.parsing.scan import BLANK, Scan
from bot.parsing.specs import Match

_TRIM = " \t:：=\"'“”‘’()（）[]【】<>《》~#.。"
_PARTICLES = re.compile(r"(?:吧|了|啊|呀|哈|呢|哦|嘛|吗|的|谢谢|多谢|谢了|辛苦了|辛苦|一下"
                        r"|\s*\b(?:thanks|thank you|thx|tks|ty|pls|plz|please)"
                        r"|订单号|订单|单号"
                        r"|\s+(?:for|on|of)?\s*order|\s+(?:for|on|of|in|to|at))+$",
                        re.IGNORECASE)
#: What is left of "改下颜色", "换个颜色": no value at all.
_EMPTY_VALUES = frozenset({"下", "个", "点", "一个", "一点", "一些", "it", "that", "this"})
_EMOJI = re.compile(r"[\U0001F000-\U0001FFFF\u2600-\u27BF]+")
_NOT_QTY_AFTER = re.compile(r"\s?(?:道|步|天|周|号|月|日|点|年|次|%|个月|个星期|星期|礼拜"
                            r"|x|\*|×|mm|cm)", re.IGNORECASE)
_EN_SPAN = re.compile(
    r"(?<![A-Za-z])(?:by\s+)?"
    r"(?P<n>\d+|a couple of|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s*(?P<u>days?|weeks?)(?![A-Za-z])", re.IGNORECASE)
_ISO = re.compile(r"(?<![0-9])(20[0-9]{2})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})(?![0-9])")
_SLASH = re.compile(r"(?<![0-9/#-])([0-9]{1,2})/([0-9]{1,2})(?![0-9/])")
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
_CJK = re.compile(r"[\u3400-\u9fff]")
_ASKING = re.compile(r"什么|多少|吗|哪|几|[?？]|\bwhat\b|\bwhich\b", re.IGNORECASE)
_OP_TAIL = re.compile(r"(?:这道工序|那道工序|这道|那道|工序|工艺|了)*")
_COLOUR_WORD = re.compile(r"^[\u3400-\u9fff]{1,4}色$")
_VAGUE_DATE = re.compile(r"^(?:下|本|这|上)?个?(?:周|星期|礼拜|月)$"
                         r"|^(?:国庆|春节|过年|年|节)[前后]$"
                         r"|^(?:next|this) (?:week|month)$", re.IGNORECASE)
_NEGATION = re.compile(r"(?:不|别|不要|不必|无需|无须|不需要|不用|没必要|甭|don't|dont|do not"
                       r"|no need to|not)"
                       r"\s*$", re.IGNORECASE)
_AFTER = re.compile(r"\s*(?:以后|之后|后)")
_NUMERIC_DATE = re.compile(r"^[0-9]{1,2}\s*[./-]\s*[0-9]{1,2}$")  # "1.5" may be 1.5k
_VERB_GAP = re.compile(r"[#\s~]|\bby\b|的|再", re.IGNORECASE)
_FROM = re.compile(r"(?:从|由|from)\s*$", re.IGNORECASE)
_OP_SPLIT = re.compile(r"和|与|及|跟|、|,|，|\s+and\s+|&", re.IGNORECASE)
_OP_NAME = re.compile(r"^(?:[\u3400-\u9fff]{1,8}|[A-Za-z][A-Za-z ]{1,30})$")


MAX_QUANTITY = 10_000_000  # beyond any order; a typo or garbage
MAX_SHIFT_DAYS = 3650


@dataclass(slots=True)
class FieldResult:
    """Items found; `missing` = a field named without its value; `uncertain` =
    (item index, vocabulary kind, match) for values to ask back about."""

    changes: list[Change] = field(default_factory=list)
    missing: str | None = None
    missing_key: str | None = None
    uncertain: list[tuple[int, str, Match]] = field(default_factory=list)
    inferred: bool = False


def clean_value(text: str) -> str:
    """A value as written, minus surrounding punctuation and trailing particles."""
    text = _EMOJI.sub("", text).strip(_TRIM)
    prev = None
    while prev != text:
        prev = text
        text = _PARTICLES.sub("", text).strip(_TRIM)
    return "" if text in _EMPTY_VALUES else text


def extract_changes(scan: Scan) -> FieldResult:
    """All change items in message order."""
    result = FieldResult()
    positions: list[int] = []  # where in the text each change was read
    carry: str | None = None  # a field named without its value, for the next clause
    for start, end in scan.clauses():
        before = scan.work
        _priority(scan, start, end, result)
        _note_positions(before, scan.work, result, positions)
        found = False
        for _ in range(3):  # "500件 下周三交": a clause may hold a quantity and a date
            before = scan.work
            if not (_spec(scan, start, end, result, carry) or _due(scan, start, end, result, carry)
                    or _quantity(scan, start, end, result, carry)
                    or _operation(scan, start, end, result)):
                break
            _note_positions(before, scan.work, result, positions)
            found = True
            if result.missing is not None:
                break
        if result.missing is not None:  # "颜色改一下，改成灰色": the next clause may say
            carry, result.missing = result.missing, None
        elif found:
            carry = None
        else:
            carry = _named_field(scan, start, end, result) or carry
    if carry and not any(c.field == carry for c in result.changes):
        result.missing = carry
    _in_text_order(result, positions)
    return result


def _note_positions(before: str, after: str, result: FieldResult, positions: list[int]) -> None:
    """Record, for changes just added, the first character their reading consumed."""
    if len(result.changes) == len(positions):
        return
    changed = next((i for i, (a, b) in enumerate(zip(before, after))
                    if a != b and not a.isspace() and a != "#"), len(after))
    positions.extend([changed] * (len(result.changes) - len(positions)))


def _in_text_order(result: FieldResult, positions: list[int]) -> None:
    """Changes in the order they were written, whatever the order of reading."""
    order = sorted(range(len(result.changes)), key=lambda i: positions[i])
    if order == list(range(len(order))):
        return
    moved = {old: new for new, old in enumerate(order)}
    result.changes = [result.changes[i] for i in order]
    result.uncertain = [(moved[i], kind, match) for i, kind, match in result.uncertain]


# --- priority ------------------------------------------------------------------------------

def _priority(scan: Scan, start: int, end: int, result: FieldResult) -> None:
    hit = syn.PRIORITY_LEX.search(scan.work, start, end)
    if hit is None:
        return
    tag = hit.tag
    if tag == "rush" and _negated(scan.work, start, hit.start):
        tag = "normal"  # "不要加急", "别加急", "no need to rush"
    scan.blank(hit.start, hit.end)
    if not any(c.field == "priority" for c in result.changes):
        result.changes.append(Change("priority", tag))


def _negated(text: str, start: int, pos: int) -> bool:
    """A negation right before `pos` in the clause."""
    return _NEGATION.search(text, max(start, pos - 12), pos) is not None


# --- spec ----------------------------------------------------------------------------------

def _spec(scan: Scan, start: int, end: int, result: FieldResult, carry: str | None) -> bool:
    """"颜色换成白色", "改用不锈钢材质", "color: white", "SO-12 颜色 白色"."""
    keys = _spec_keys(scan, start, end)
    if not keys:
        return carry == "spec" and _spec_value_only(scan, start, end, result)
    verb = _spec_verb(scan, keys, end)
    before = [k for k in keys if verb is not None and k.end <= verb.start]
    if verb is not None and before and len(scan.work[before[-1].end:verb.start].strip()) <= 6:
        key, value_span = before[-1], (verb.end, end)
    else:
        found = _spec_without_verb(scan, start, end, keys)
        if found is None:
            return False
        key, value_span = found
    vs, ve = value_span
    if scan.order is not None and vs <= scan.order.start < ve:
        ve = scan.order.start  # "颜色改为RAL7035 SO-12": the order is not part of the value
    value = clean_value(scan.norm[vs:ve])
    if not value:
        result.missing, result.missing_key = "spec", key.tag
        scan.blank(start, end)
        return True
    result.changes.append(_spec_change(scan, key.tag, value, result))
    scan.blank(start, end)
    return True


def _spec_keys(scan: Scan, start: int, end: int) -> list[Hit]:
    """Spec keys in the clause; not "包装工序" (an operation), not the 色 of 灰色."""
    return [k for k in syn.SPEC_KEY_LEX.finditer(scan.work, start, end)
            if not scan.work.startswith(("工序", "那道", "这道"), k.end)
            and not (k.text == "色" and k.start > 0 and _CJK.match(scan.work, k.start - 1))]


def _spec_value_only(scan: Scan, start: int, end: int, result: FieldResult) -> bool:
    """The clause after "颜色改一下": "改成灰色" names only the value."""
    verb = syn.SPEC_VERB_LEX.search(scan.work, start, end)
    if verb is None or scan.work[start:verb.start].replace("#", "").strip():
        return False
    value = clean_value(scan.norm[verb.end:end])
    if not value or result.missing_key is None:
        return False
    result.changes.append(_spec_change(scan, result.missing_key, value, result))
    result.missing_key = None
    scan.blank(start, end)
    return True


def _spec_verb(scan: Scan, keys: list[Hit], end: int) -> Hit | None:
    """The verb after the last key before it; in "颜色要求改成" the later 改成."""
    verbs = syn.SPEC_VERB_LEX.findall(scan.work, keys[0].end, end)
    if not verbs:
        return None
    first = verbs[0]
    key_end = max(k.end for k in keys if k.end <= first.start)
    close = [v for v in verbs if v.start - key_end <= 4]
    return close[-1] if close else first


def _spec_without_verb(scan: Scan, start: int, end: int,
                       keys: list[Hit]) -> tuple[Hit, tuple[int, int]] | None:
    verb = syn.SPEC_VERB_LEX.search(scan.work, start, keys[0].start)
    last = keys[-1]
    if verb is not None and len(last.text) > 1 and not clean_value(scan.work[last.end:end]):
        return last, (verb.end, last.start)  # 改用不锈钢材质
    head = scan.work[start:keys[0].start].replace("#", "").strip()
    key = keys[0]
    rest = scan.work[key.end:end]
    if head or scan.order is None or _ASKING.search(rest) or len(key.text) < 2:
        return None
    if rest.startswith(" ") or (_CJK.match(rest) and _COLOUR_WORD.match(clean_value(rest))):
        return key, (key.end, end)  # SO-12 颜色 白色 / color white / 颜色白色
    return None


def _spec_change(scan: Scan, key: str, value: str, result: FieldResult) -> Change:
    canonical = None
    if key in ("color", "material", "finish", "packaging") and scan.vocabulary.knows(key):
        match = scan.vocabulary.match(key, value)
        canonical = match.canonical
        if match.status == "uncertain":
            result.uncertain.append((len(result.changes), key, match))
    return Change("spec", value, key=key, canonical=canonical)


# --- due date ------------------------------------------------------------------------------

def _due(scan: Scan, start: int, end: int, result: FieldResult, carry: str | None) -> bool:
    shift = _english_shift(scan, start, end)
    if shift is not None:
        result.changes.append(Change("due_date", delta_days=shift))
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
    vague = False
    for mention in mentions:
        if mention.delta_days is not None and abs(mention.delta_days) > MAX_SHIFT_DAYS:
            continue
        if mention.delta_days is None and (_VAGUE_DATE.match(mention.raw.strip())
                                           or _AFTER.match(scan.work, mention.end)):
            vague = True  # "下周", "下个月", "国庆后": no day named -- ask for one
            continue
        if mention.delta_days is not None and mention.date is None:
            result.changes.append(Change("due_date", delta_days=mention.delta_days))
        elif cue or carry == "due_date" or (setter and scan.order is not None
                                            and not _NUMERIC_DATE.match(mention.raw)):
            assert mention.date is not None
            result.changes.append(Change("due_date", mention.date.isoformat()))
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
        if (cue and setter and cue.start < setter.end) or (vague and (cue or setter)):
            # "交期改到2月30号", "交期提前": the due date is being changed, to an
            # unreadable or missing day -- ask, never fall through to quantity.
            result.missing = "due_date"
            scan.blank(start, end)
            return True
    return False


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


# --- quantity ------------------------------------------------------------------------------

def _quantity(scan: Scan, start: int, end: int, result: FieldResult, carry: str | None) -> bool:
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


# --- operations ----------------------------------------------------------------------------

def _operation(scan: Scan, start: int, end: int, result: FieldResult) -> bool:
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
            if kind == "add_operation" and _negated(scan.work, start, hit.start):
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
    if not all(m.canonical or _default_operation(n) for m, n in zip(matches, names)):
        return False
    for kind, name, match in zip(("remove_operation", "add_operation"), names, matches):
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


# --- a field named without a value ----------------------------------------------------------

def _named_field(scan: Scan, start: int, end: int, result: FieldResult) -> str | None:
    """"交期改一下" -> "due_date": the field is named, its value is not.

    A verb of changing must be there too: "数量是多少" asks, it changes nothing.
    The verb may stand in an earlier clause ("change SO-12 | due date").
    """
    changing = syn.CHANGE_VERB_LEX.search(scan.work, 0, end) is not None
    if syn.QTY_CUE_LEX.search(scan.work, start, end) and (changing or any(
            h.tag != "none" for h in syn.QTY_VERB_LEX.finditer(scan.work, start, end))):
        return "quantity"
    if syn.DUE_CUE_LEX.search(scan.work, start, end) and (
            changing or syn.DATE_SET_LEX.search(scan.work, start, end)):
        return "due_date"
    if (scan.order is not None and syn.DUE_SHIFT_LEX.search(scan.work, start, end)
            and not _ASKING.search(scan.work, start, end)
            and "会不会" not in scan.work[start:end]):
        return "due_date"  # "SO-12 尽量提前": earlier, but by how much? ("会延期吗" only asks)
    key = syn.SPEC_KEY_LEX.search(scan.work, start, end)
    if key and key.text != "色" and changing:
        result.missing_key = key.tag
        return "spec"
    return None


def infer_spec(scan: Scan) -> Change | None:
    """"SO-12 改成胡桃木色": no spec key typed, but the value is one the
    database knows under exactly one kind."""
    verb = syn.SPEC_VERB_LEX.search(scan.work)
    if verb is None:
        return None
    end = next((e for s, e in scan.clauses() if s <= verb.start < e), len(scan.work))
    value = clean_value(scan.norm[verb.end:end])
    if not value:
        return None
    kinds = [(kind, m) for kind in ("color", "material", "finish", "packaging")
             if (m := scan.vocabulary.match(kind, value)).status in ("exact", "confident")]
    if not kinds and _COLOUR_WORD.search(value):
        return Change("spec", value, key="color")
    if len(kinds) != 1:
        return None
    kind, match = kinds[0]
    return Change("spec", value, key=kind, canonical=match.canonical)
