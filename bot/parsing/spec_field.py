"""Spec changes: 颜色换成白色, 改用不锈钢材质, color: white, SO-12 颜色 白色.

The key comes from the SPEC_KEYS table; the value is kept as written and, for
kinds the factory's vocabulary knows, matched to a canonical name (or asked).
"""

from __future__ import annotations

import re

from bot.parsing import synonyms as syn
from bot.parsing.command import Change
from bot.parsing.fieldkit import ASKING, FieldResult, clean_value, value_end
from bot.parsing.lexicon import Hit
from bot.parsing.scan import BLANK, Scan

_CJK = re.compile(r"[\u3400-\u9fff]")
_COLOUR_WORD = re.compile(r"^[\u3400-\u9fff]{1,4}色$")


def read_spec(scan: Scan, start: int, end: int, result: FieldResult, carry: str | None) -> bool:
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
    value = clean_value(scan.norm[vs:value_end(scan.work, vs, ve)])
    if not value:
        result.missing, result.missing_key = "spec", key.tag
        scan.blank(start, end)
        return True
    result.changes.append(_spec_change(scan, key.tag, value, result))
    scan.blank(min(key.start, vs), max(vs, value_end(scan.work, vs, ve)))
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
    value = clean_value(scan.norm[verb.end:value_end(scan.work, verb.end, end)])
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
    if head or scan.order is None or ASKING.search(rest) or len(key.text) < 2:
        return None
    if rest.startswith(" ") or (_CJK.match(rest) and (
            _COLOUR_WORD.match(clean_value(rest)) or spec_kind(scan, clean_value(rest)))):
        return key, (key.end, end)  # SO-12 颜色 白色 / color white / 颜色白色
    return None


def _spec_change(scan: Scan, key: str, value: str, result: FieldResult) -> Change:
    if key == "material" and _COLOUR_WORD.match(value):
        key = "color"  # "板材换橡木色": the board's colour, not a new material
    canonical = None
    if key in ("color", "material", "finish", "packaging") and scan.vocabulary.knows(key):
        match = scan.vocabulary.match(key, value)
        canonical = match.canonical
        if match.status == "uncertain":
            result.uncertain.append((len(result.changes), key, match))
    return Change("spec", value, key=key, canonical=canonical)


def spec_kind(scan: Scan, value: str) -> tuple[str, str | None] | None:
    """The one kind a value typed without its key belongs to, with its canonical.

    The factory's vocabulary first (a value it knows under exactly one kind),
    then the default spec words, then any word ending in 色 (a colour).
    """
    kinds = [(kind, m.canonical) for kind in ("color", "material", "finish", "packaging")
             if (m := scan.vocabulary.match(kind, value)).status in ("exact", "confident")]
    if len(kinds) == 1:
        return kinds[0]
    if kinds:
        return None
    if _COLOUR_WORD.match(value):
        return "color", None
    hit = syn.SPEC_WORD_LEX.search(value)
    if hit is not None and (hit.start, hit.end) == (0, len(value)):
        return hit.tag, None
    return None


def read_spec_value(scan: Scan, start: int, end: int, result: FieldResult) -> bool:
    """"改成蓝色", "还是用不锈钢", "make it walnut": a value the factory or the
    default spec words know, typed after a verb without its key -- or alone in
    its clause next to the order ("SO-12 white, 300 pcs")."""
    for verb in syn.SPEC_VERB_LEX.finditer(scan.work, start, end):
        if verb.text in (":", "="):
            continue
        value = clean_value(scan.norm[verb.end:value_end(scan.work, verb.end, end)])
        found = spec_kind(scan, value) if value else None
        if found is None:
            continue
        kind, canonical = found
        result.changes.append(Change("spec", value, key=kind, canonical=canonical))
        scan.blank(verb.start, value_end(scan.work, verb.end, end))
        return True
    if scan.order is not None and syn.SPEC_VERB_LEX.search(scan.work, start, end) is None:
        value = clean_value(scan.norm[start:value_end(scan.work, start, end)].replace(
            scan.order.written, ""))
        found = spec_kind(scan, value) if value and BLANK not in scan.work[start:end] else None
        if found is not None:
            result.changes.append(Change("spec", value, key=found[0], canonical=found[1]))
            scan.blank(start, end)
            return True
    return False


def infer_spec(scan: Scan) -> Change | None:
    """"SO-12 改成胡桃木色": no spec key typed, but the value is one the
    database knows under exactly one kind."""
    verb = syn.SPEC_VERB_LEX.search(scan.work)
    if verb is None:
        return None
    end = next((e for s, e in scan.clauses() if s <= verb.start < e), len(scan.work))
    value = clean_value(scan.norm[verb.end:value_end(scan.work, verb.end, end)])
    if not value:
        return None
    found = spec_kind(scan, value)
    if found is None:
        return None
    kind, canonical = found
    return Change("spec", value, key=kind, canonical=canonical)
