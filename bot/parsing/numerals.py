"""Numerals as sales staff type them in chat: Arabic, Chinese and the mixes between.

Chat quantities come as "500", "五百", "一千二" (1200, not 1002), "1千2", "两万",
"万五" (15000), "俩", "3k", "1.5万", "1,200".  cn2an reads the textbook forms but
misses most colloquial ones and costs ~40 µs a call, so the common path is a small
table-driven reader below; cn2an is only a lazily imported fallback for the rare
string this reader rejects.

Everything is driven by the tables ``_DIGITS``, ``_SMALL_UNITS``, ``_BIG_UNITS``
and ``_NOT_NUMERAL_WORDS``; extend those rather than adding regexes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

__all__ = ["NUMERAL_CHARS", "NumberMention", "find_numbers", "parse_number"]

# Digit characters -> value.  两/俩/仨 are the spoken forms of 2 and 3; 幺 is 1 in
# read-out codes; financial (大写) forms appear on formal purchase orders.
_DIGITS: Final[dict[str, int]] = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "俩": 2, "倆": 2,
    "三": 3, "叁": 3, "仨": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
# Multipliers inside a section (below 万).
_SMALL_UNITS: Final[dict[str, int]] = {
    "十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
    "k": 1000, "K": 1000,
}
# Section multipliers: they close the section read so far ("三千五百万").
_BIG_UNITS: Final[dict[str, int]] = {
    "万": 10_000, "萬": 10_000, "w": 10_000, "W": 10_000,
    "亿": 100_000_000, "億": 100_000_000,
}
# Decimal points: "1.5", "三点五".
_POINTS: Final[frozenset[str]] = frozenset({".", "点", "點"})

# Everything a Chinese numeral may be made of (the ASCII unit letters k/w are only
# units after a digit, so they are handled by the scanner, not listed here).
NUMERAL_CHARS: Final[str] = "".join(_DIGITS) + "十拾百佰千仟万萬亿億"

# Words that contain numeral characters but are not numbers.  They are blanked out
# before scanning so that "查一下" or "万一" never report a quantity, so that
# metric prefixes (千克 = kg) do not multiply the number before them, and so that
# shop-floor terms (二维码, 六角螺丝, 五金件) are not read as counts.
_NOT_NUMERAL_WORDS: Final[tuple[str, ...]] = (
    "一下", "一些", "一起", "一直", "一定", "一样", "一般", "一切", "一旦", "一会",
    "一边", "一同", "一齐", "一律", "一致", "一向", "一再", "一贯", "一概", "一番",
    "一共", "一并", "一道", "一口气", "一方面", "一面", "一时", "一带", "一路", "一句",
    "统一", "唯一", "万一", "不一", "千万", "万万", "十分", "百分", "万能", "万用",
    "万向", "百叶", "十字", "五金", "一次性", "三角", "四方", "八成", "九成", "七成",
    "千克", "千米", "千瓦", "千帕", "千伏", "千兆", "百度", "千分", "万分", "一手",
    "一揽子", "一体", "一线", "二手", "三通", "四通", "一刀切", "一模一样", "乱七八糟",
    "一点儿", "一维", "二维", "三维", "一字", "四角", "六角", "八角",
)
# "一点" is "a little" unless a digit follows ("一点五" = 1.5).
_NOT_NUMERAL_RE: Final[re.Pattern[str]] = re.compile(
    "|".join(sorted(map(re.escape, _NOT_NUMERAL_WORDS), key=len, reverse=True))
    + "|[一有]点(?![0-9" + "".join(_DIGITS) + "])"
)

_ARABIC = r"[0-9]+(?:,[0-9]{3})+(?![0-9])|[0-9]+(?:\.[0-9]+(?![.0-9]))?"
_CN = "[" + NUMERAL_CHARS + "]"
_CN_POINT = "[" + NUMERAL_CHARS + "][点點][" + "".join(_DIGITS) + "]+"
# One numeral expression: Arabic and Chinese pieces, ASCII k/w only right after a
# digit and not starting a word ("3kg" is three kilograms, "2w" is 20000).
_NUMBER_RE: Final[re.Pattern[str]] = re.compile(
    rf"(?<![0-9.,])(?:{_ARABIC}|{_CN_POINT}|{_CN})"
    rf"(?:{_CN_POINT}|{_ARABIC}|{_CN}|(?<=[0-9])[kKwW](?![A-Za-z]))*"
)
# Where an Arabic digit meets a Chinese digit with no unit between them, two
# numbers touch ("50一箱" is 50 per box, not 501); "1千2" has a unit and stays one.
_CN_DIGIT_CLASS = "[" + "".join(_DIGITS) + "]"
_MIXED_BOUNDARY: Final[re.Pattern[str]] = re.compile(
    rf"(?<=[0-9]){_CN_DIGIT_CLASS}|(?<={_CN_DIGIT_CLASS})[0-9]"
)
# A unit character on its own is a word far more often than a number.
_LONE_UNITS_NOT_NUMBERS: Final[frozenset[str]] = frozenset("百佰千仟万萬亿億拾")
_TOKEN_RE: Final[re.Pattern[str]] = re.compile(r"[0-9]+(?:\.[0-9]+)?|.", re.DOTALL)


@dataclass(frozen=True, slots=True)
class NumberMention:
    """One numeral found in a text; ``text[start:end] == raw``."""

    start: int
    end: int
    value: int | float
    raw: str


def _tidy(value: float) -> int | float:
    """Whole values come back as int so callers can compare with ``==`` on counts."""
    return int(value) if float(value).is_integer() else value


def _tokens(text: str) -> list[str]:
    """Split into Arabic number runs and single characters; commas are separators."""
    return _TOKEN_RE.findall(text.replace(",", ""))


def _digit_value(token: str) -> float | None:
    """Value of a digit token (Arabic run or one Chinese digit), else None."""
    if token[0].isascii() and token[0].isdigit():
        return float(token)
    digit = _DIGITS.get(token)
    return None if digit is None else float(digit)


# Spoken digits never used in digit-by-digit readings such as years.
_SPOKEN_ONLY: Final[frozenset[str]] = frozenset("两兩俩倆仨")


def _is_approximation(tokens: list[str]) -> bool:
    """"两三", "三五", "七八" mean "two or three" etc., not 23 / 35 / 78.

    Digit-by-digit reading is kept for years and codes, which are longer or
    contain a zero ("二〇二六", "零七")."""
    chinese = [t for t in tokens if t in _DIGITS]
    if len(chinese) < 2:
        return False
    if any(t in _SPOKEN_ONLY for t in chinese):
        return True
    return len(tokens) == 2 and all(_DIGITS[t] != 0 for t in chinese)


def _read_digit_string(tokens: list[str]) -> float | None:
    """Unit-less runs read digit by digit: "二〇二六" -> 2026, "零七" -> 7."""
    if _is_approximation(tokens):
        return None
    out = ""
    for token in tokens:
        if token in _POINTS:
            out += "."
            continue
        value = _digit_value(token)
        if value is None:
            return None
        out += token if token[0].isascii() else str(int(value))
    try:
        return float(out)
    except ValueError:
        return None


def _split_decimal(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Split "三点五万" into ("三", "五万") around a Chinese decimal point."""
    for i, token in enumerate(tokens):
        if token in ("点", "點"):
            return tokens[:i], tokens[i + 1 :]
    return tokens, []


def _read_with_units(tokens: list[str]) -> float | None:
    """Positional reading with units, including the colloquial elisions.

    A trailing digit right after a unit takes the next lower unit ("一千二" is
    1200, "两万五" 25000, "万五" 15000), which is how people speak; after 零 it is
    a plain unit digit ("一千零二" is 1002).
    """
    total = 0.0          # closed sections (multiplied by 万/亿)
    section = 0.0        # value below the current big unit
    pending: float | None = None
    last_unit = 0
    last_big = 0
    after_zero = False
    for token in tokens:
        digit = _digit_value(token)
        if digit is not None:
            if pending is not None and pending != 0:
                return None  # two digits in a row inside a unit numeral
            after_zero = after_zero or (digit == 0 and last_unit > 0)
            pending = digit
            continue
        small = _SMALL_UNITS.get(token)
        if small is not None:
            if last_unit and small >= last_unit and last_unit < 10_000:
                return None  # "百十" or "十十": units must fall
            section += (1 if pending is None else pending) * small
            pending, last_unit, after_zero = None, small, False
            continue
        big = _BIG_UNITS.get(token)
        if big is None:
            return None
        section += pending or 0
        if section == 0:
            section = 1  # "万五" = 一万五
        if last_big and big > last_big:
            total = (total + section) * big
        else:
            total += section * big
        section, pending, last_unit, last_big, after_zero = 0.0, None, big, big, False
    if pending is not None:
        elided = not after_zero and last_unit > 0 and pending < 10 and pending.is_integer()
        scale = max(last_unit // 10, 1) if elided else 1
        section += pending * scale
    return total + section


def _read_tokens(tokens: list[str]) -> float | None:
    """Dispatch between digit-string and unit readings, handling 点 decimals."""
    if not tokens:
        return None
    has_unit = any(t in _SMALL_UNITS or t in _BIG_UNITS for t in tokens)
    if not has_unit:
        return _read_digit_string(tokens)
    whole, frac = _split_decimal(tokens)
    if not frac:
        return _read_with_units(tokens)
    # "三点五万": the fraction digits, then whatever units follow them.
    frac_digits = [t for t in frac if _digit_value(t) is not None]
    units = frac[len(frac_digits):]
    base = _read_digit_string(whole + ["."] + frac_digits)
    if base is None:
        return None
    multiplier = _read_with_units(["1", *units]) if units else 1.0
    return None if multiplier is None else base * multiplier


def _worth_cn2an(cleaned: str, tokens: list[str]) -> bool:
    """Only all-Chinese numerals that are not approximations go to cn2an."""
    if not all(c in NUMERAL_CHARS or c in "点點" for c in cleaned):
        return False
    has_unit = any(t in _SMALL_UNITS or t in _BIG_UNITS for t in tokens)
    return has_unit or not _is_approximation(tokens)


def _cn2an_fallback(text: str) -> float | None:
    """Last resort for forms the table reader rejects; cn2an is imported lazily
    because it takes ~0.3 s to import and most messages never need it."""
    import cn2an

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value) if isinstance(value, (int, float)) else None


def parse_number(text: str) -> int | float | None:
    """Read one numeral expression ("五百", "1千2", "3k", "半") as a number.

    Returns None for anything that is not wholly a numeral, so callers can use it
    as a validity test as well as a converter.
    """
    if not isinstance(text, str):
        return None
    return _parse_clean(unicodedata.normalize("NFKC", text).strip().replace(" ", ""))


def _parse_clean(cleaned: str) -> int | float | None:
    """parse_number on text that is already NFKC and free of blanks."""
    if not cleaned or len(cleaned) > 40 or cleaned[0] in "kKwW":
        return None
    if cleaned.isascii() and cleaned.isdigit():
        return int(cleaned)  # the common case: "500"
    if cleaned == "半":
        return 0.5
    if cleaned.endswith("半") and len(cleaned) > 1:  # "两个半", "一半" is 0.5
        head = cleaned[:-1].removesuffix("个").removesuffix("個")
        if head == "一" and cleaned == "一半":
            return 0.5
        value = _parse_clean(head)
        return None if value is None else _tidy(value + 0.5)
    tokens = _tokens(cleaned)
    value = _read_tokens(tokens)
    if value is None and _worth_cn2an(cleaned, tokens):
        value = _cn2an_fallback(cleaned)
    return None if value is None else _tidy(value)


def _blank_non_numerals(text: str) -> str:
    """Replace idioms like "一下" with spaces (same length, so spans stay valid)."""
    if not any(c in NUMERAL_CHARS for c in text):
        return text
    return _NOT_NUMERAL_RE.sub(lambda m: " " * len(m.group()), text)


def find_numbers(text: str) -> list[NumberMention]:
    """Every numeral in ``text`` with its span, left to right.

    半 is not reported (半成品, 半天 are words, not 0.5), nor is a lone unit
    character such as 万 or 千 (万达, 千里).  Spans index into ``text``.
    """
    if not text:
        return []
    scan = _blank_non_numerals(text)
    found: list[NumberMention] = []
    for match in _NUMBER_RE.finditer(scan):
        for start, end in _split_touching(match.group(), match.start()):
            raw = text[start:end]
            if len(raw) == 1 and raw in _LONE_UNITS_NOT_NUMBERS:
                continue
            value = _parse_clean(raw)
            if value is not None:
                found.append(NumberMention(start, end, value, raw))
    return found


def _split_touching(raw: str, offset: int) -> list[tuple[int, int]]:
    """Spans of the numbers in one scanned run, split where digits of the two
    scripts touch without a unit ("50一箱" -> "50", "一")."""
    cuts = [m.start() for m in _MIXED_BOUNDARY.finditer(raw)]
    if not cuts:
        return [(offset, offset + len(raw))]
    edges = [0, *cuts, len(raw)]
    return [(offset + a, offset + b) for a, b in pairwise(edges)]
