"""Pieces every change-item reader shares: the result record and value cleaning.

A value is kept as written, minus the chat around it: trailing particles
(吧, 了, 谢谢, thx) and punctuation never become part of a colour or a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.parsing.command import Change
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
ASKING = re.compile(r"什么|多少|吗|哪|几|[?？]|\bwhat\b|\bwhich\b", re.IGNORECASE)
_NEGATION = re.compile(r"(?:不|别|不要|不必|无需|无须|不需要|不用|没必要|甭|don't|dont|do not"
                       r"|no need to|not|no longer|isn't|is not|not so|not that)"
                       r"\s*$", re.IGNORECASE)


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


def negated(text: str, start: int, pos: int) -> bool:
    """A negation right before `pos` in the clause."""
    return _NEGATION.search(text, max(start, pos - 12), pos) is not None
