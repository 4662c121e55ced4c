"""Order and change-request references.

Order numbers differ per factory, so the pattern is configurable; the default
reads letters and digits joined by hyphens (SO-2025-0042, A-1020, PO240311,
"so 88") or long digit runs (7781023), optionally after 订单 / 单号 / order.
Change requests (CR-12) and new-order requests (NO-3) are separate namespaces
and never taken as orders,
and neither is a bare number in quantity context ("数量改成 120000", "100000 件").
References are masked out of the text before numbers and dates are read, so
SO-53 can never become a quantity of 53 or the year 1953.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

#: Letters-digits with hyphens; "so 88" (two letters, one space) is accepted
#: unless the letters are a common English word ("by 100 pcs"). Spec codes and
#: field words glued to numbers (RAL7035, Q235, M10, qty500) are not orders.
DEFAULT_ORDER_PATTERN = (
    r"(?<![A-Za-z0-9#])(?:"
    r"(?!(?i:qty|pcs|ral|sus|dn|pn|m|q|x|no|rmb|usd)(?![A-Za-z]))"  # qty500, RAL7035, Q235, M10
    r"[A-Za-z]{1,4}(?:-[0-9]+|[0-9]{2,})(?:-[0-9]+)*"
    r"|(?!(?i:by|to|of|in|at|on|is|no|we|me|up|do|go|it|as|an|or|be|my|ok|pc|if|hi|am|pm|id"
    r"|us|vs|qc)\b)"
    r"[A-Za-z]{2} [0-9]{2,}"
    r"|[0-9]{6,}"
    r")(?![A-Za-z0-9])"
)
_COMPACT_DATE = re.compile(r"20[0-9]{6}")
_CHANGE_REQUEST = re.compile(r"(?<![A-Za-z0-9])[Cc][Rr]-? ?([0-9]+)(?![0-9])")
#: A new-order request (NO-3); the hyphen is required, so "no 3" stays English.
_ORDER_REQUEST = re.compile(r"(?<![A-Za-z0-9])[Nn][Oo]- ?([0-9]+)(?![0-9])")
_ORDER_CUE = re.compile(r"(?:订单号|订单|单号|order|no\.)\s*[:：]?\s*$", re.IGNORECASE)
#: A bare number right after a quantity word or verb ("数量改成 120000", "加 200000"),
#: or right before a unit ("100000 件"), is a count, not an order number.
_QTY_BEFORE = re.compile(
    r"(?:数量|件数|套数|台数|个数|总数|qty|quantity|amount|改成|改为|加到|减到|降到|增加到|增到|"
    r"调整为|调整到|调到|变成|变为|再加|增加|追加|多加|减少|减掉|少做|加|减|to|by|make it)"
    r"\s*[:：=]?\s*$", re.IGNORECASE)
_UNIT_AFTER = re.compile(
    r"\s*(?:件|台|套|个|只|张|块|箱|把|根|条|支|片|卷|包|公斤|千克|吨|kg|pcs|pc|pieces|piece|"
    r"units|unit|sets|set|boxes)(?![A-Za-z])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RefMention:
    """A reference found in normalised text; `ref` is upper-cased, spaces removed."""

    start: int
    end: int
    written: str
    ref: str


@lru_cache(maxsize=16)
def compile_order_pattern(pattern: str | None) -> re.Pattern[str]:
    """Compile (and cache) a factory's order pattern; None means the default."""
    return re.compile(pattern or DEFAULT_ORDER_PATTERN)


def canonical_ref(written: str) -> str:
    """The contract's form of a reference: upper-case, no spaces."""
    return written.replace(" ", "").upper()


def find_change_requests(text: str) -> list[RefMention]:
    """Requests a decision names, in text order: CR-12 / cr-21 / CR12 -> "CR-12", and
    new-order requests NO-3 / no-3 -> "NO-3" (decided like a change: "批准 NO-3")."""
    found = [RefMention(m.start(), m.end(), m.group(), f"{prefix}-{int(m.group(1))}")
             for prefix, pattern in (("CR", _CHANGE_REQUEST), ("NO", _ORDER_REQUEST))
             for m in pattern.finditer(text)]
    return sorted(found, key=lambda r: r.start)


def find_order(text: str, pattern: str | None = None,
               exclude: list[RefMention] | None = None) -> RefMention | None:
    """The order the message names: one after an order cue wins, else the first.

    `exclude` holds spans already claimed (change requests), which are skipped.
    """
    return choose_order(text, find_orders(text, pattern, exclude))


def choose_order(text: str, found: list[RefMention]) -> RefMention | None:
    """Among order-shaped tokens: one after 订单/单号/order, else the first.

    An eight-digit date (20261208) is skipped while another candidate exists.
    """
    plain = [m for m in found if not is_compact_date(m.written)] or found
    for mention in plain:
        if _ORDER_CUE.search(text, 0, mention.start):
            return mention
    return plain[0] if plain else None


def is_compact_date(written: str) -> bool:
    if not _COMPACT_DATE.fullmatch(written):
        return False
    try:
        date(int(written[:4]), int(written[4:6]), int(written[6:]))
    except ValueError:
        return False
    return True


def find_orders(text: str, pattern: str | None = None,
                exclude: list[RefMention] | None = None) -> list[RefMention]:
    """Every order-shaped token; all of them are masked before numbers are read."""
    taken = [(r.start, r.end) for r in exclude or ()]
    found: list[RefMention] = []
    for m in compile_order_pattern(pattern).finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if is_count(text, m.start(), m.end()):
            continue
        found.append(RefMention(m.start(), m.end(), m.group(), canonical_ref(m.group())))
    return found


def is_count(text: str, start: int, end: int) -> bool:
    """A bare number in quantity context ("数量改成 120000", "100000 件"), not an order.

    Only digits-only tokens can be counts; one after an order cue ("订单 7781023")
    stays an order, and so does a bare order number elsewhere ("7781023 进度").
    """
    if not text[start:end].isdigit():
        return False
    before = text[max(0, start - 16):start]
    if _ORDER_CUE.search(before):
        return False
    return bool(_QTY_BEFORE.search(before) or _UNIT_AFTER.match(text, end))


_NON_ALNUM = re.compile(r"[^A-Z0-9]")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")


def order_key(ref: str) -> str:
    """Loose identity of a reference: SO-077, so77, "SO 77" -> "SO77".

    Case, spaces, hyphens and leading zeros of digit groups do not matter.
    """
    return _LEADING_ZEROS.sub("", _NON_ALNUM.sub("", ref.upper()))


def match_orders(written: str, known: Iterable[str], own: Iterable[str] = ()) -> list[str]:
    """The resolution rule, for OrderDirectory implementations.

    1. exact (after upper-casing, spaces removed);
    2. normalised (`order_key` equal) among all known orders;
    3. among the sender's own orders (`own`), those with the same number
       whatever the prefix ("88", "S0-88" -> SO-88, WO-88).
    Several results mean the bot must list them and ask.
    """
    wanted = canonical_ref(written)
    known_list = list(known)
    exact = [r for r in known_list if canonical_ref(r) == wanted]
    if exact:
        return exact
    key = order_key(written)
    loose = sorted({r for r in known_list if order_key(r) == key})
    if loose:
        return loose
    digits = re.sub(r"[^0-9]", "", written).lstrip("0")
    if not digits:
        return []
    return [r for r in own if re.sub(r"[^0-9]", "", r).lstrip("0") == digits]
