"""Pieces every change-item reader shares: the result record and value cleaning.

A value is kept as written, minus the chat around it: trailing particles
(吧, 了, 谢谢, thx) and punctuation never become part of a colour or a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.parsing.command import Change, RelativeChange
from bot.parsing.specs import Match

_TRIM = " \t:：=\"'“”‘’()（）[]【】<>《》~#.。"
_PARTICLES = re.compile(r"(?:吧|了|啊|呀|哈|呢|哦|嘛|吗|的|谢谢|多谢|谢了|辛苦了|辛苦|一下"
                        r"|\s*\b(?:thanks|thank you|thx|tks|ty|pls|plz|please)"
                        r"|订单号|订单|单号"
                        r"|\s+(?:for|on|of)?\s*order|\s+(?:for|on|of|in|to|at))+$",
                        re.IGNORECASE)
#: What is left of "改下颜色", "换个颜色": no value at all.
_EMPTY_VALUES = frozenset({"下", "个", "点", "一个", "一点", "一些", "it", "that", "this"})
#: "改回原来的白色": what was before is named, the value is the colour.
_LEADING = re.compile(r"^(?:原来的|原先的|之前的|以前的|原本的|原来|回原来的|回到)(?=\S)")
_EMOJI = re.compile(r"[\U0001F000-\U0001FFFF\u2600-\u27BF]+")
BLANK = "~"  # what Scan.blank writes; kept here so fieldkit needs no Scan
#: Where a value typed without separators stops: a what-if tail, another
#: field's key, a priority word, or a quantity verb with its count
#: ("包装用纸箱再加50件", "颜色换成黑色数量改成80").
_VALUE_TAIL = re.compile(r"会怎样|会怎么样|会如何|的话|行不行|可以吗|可不可以|好不好|行吗|能不能"
                         r"|(?<=[\u3400-\u9fff])(?:数量|交期|交货|货期|颜色|材质|材料|尺寸|规格"
                         r"|表面处理|包装|加急|急单|不急)"
                         r"|(?<=[\u3400-\u9fff])(?:再|也|并|还)?(?:加|减|多做|少做|再要|追加|增加|减少)"
                         r"\s*[0-9零〇一二两三四五六七八九十百千万]"
                         r"|(?<=[\u3400-\u9fff])(?:再|也|并|还|另外)(?=~)")
ASKING = re.compile(r"什么|多少|吗|哪|几|[?？]|\bwhat\b|\bwhich\b", re.IGNORECASE)
_NEGATION = re.compile(r"(?:不|别|不要|不必|无需|无须|不需要|不用|没必要|甭|don't|dont|do not"
                       r"|no need to|not|no longer|isn't|is not|not so|not that)"
                       r"\s*$", re.IGNORECASE)


@dataclass(slots=True)
class FieldResult:
    """Items found; `missing` = a field named without its value (or with an
    amount too vague to use); `uncertain` = (item index, vocabulary kind,
    match) for values to ask back about."""

    changes: list[Change] = field(default_factory=list)
    missing: str | None = None
    missing_key: str | None = None
    uncertain: list[tuple[int, str, Match]] = field(default_factory=list)
    inferred: bool = False
    #: Multiples of the current value ("翻倍"), resolved by the service.
    relative: list[RelativeChange] = field(default_factory=list)
    #: A more specific question than "what is the new {missing}?" (a Question
    #: catalog kind: due_shift_later, due_month_day, quantity_amount, ...).
    ask_kind: str | None = None
    #: What fills the specific question's placeholders ({when}: "下个月").
    ask_values: dict[str, str] = field(default_factory=dict)
    #: "later" / "earlier" for a due-date shift whose size is asked.
    direction: str | None = None


def clean_value(text: str) -> str:
    """A value as written, minus surrounding punctuation and trailing particles."""
    text = _LEADING.sub("", _EMOJI.sub("", text).strip(_TRIM))
    prev = None
    while prev != text:
        prev = text
        text = _PARTICLES.sub("", text).strip(_TRIM)
    return "" if text in _EMPTY_VALUES else text


def value_end(work: str, start: int, end: int) -> int:
    """Where a value typed from `start` stops: before a span another reader
    has claimed ("木箱加急": 加急 is the priority) or a what-if tail
    ("换成不锈钢会怎么样")."""
    tail = _VALUE_TAIL.search(work, start, end)
    if tail is not None:
        end = tail.start()
    blank = work.find(BLANK, start, end)
    return blank if blank != -1 else end


def negated(text: str, start: int, pos: int) -> bool:
    """A negation right before `pos` in the clause."""
    return _NEGATION.search(text, max(start, pos - 12), pos) is not None
