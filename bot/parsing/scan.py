"""The per-message working state every grammar step reads from.

One `Scan` is built per message: the normalised text, the same text with the
order and change-request references masked, and the numbers and dates found
in the masked text (each found once, in one pass). Steps that claim a span
("加急" as a priority) blank it in `work`, so later steps ("加" as
add-quantity) cannot read it a second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.parsing.dates import DateMention, find_dates
from bot.parsing.normalize import mask
from bot.parsing.numerals import NumberMention, find_numbers
from bot.parsing.orders import RefMention
from bot.parsing.specs import Vocabulary
from core.i18n import Lang

#: Characters without which no date expression exists; skips the date reader
#: for most messages.
_DATEISH = re.compile(r"[0-9年月日号號周天底明今礼拜星期后]")
_NUMBERISH = re.compile(r"[0-9零〇一二两俩三四五六七八九十百千万半]")
_CLAUSE = re.compile(r"[,;，；。!！?？\n]+|\s+and\s+|\s+then\s+|然后|另外|并且|同时|还有|顺便|以及"
                     r"|\s+also\s+|\s+plus\s+(?![0-9])"
                     r"|\s+(?=(?:数量|qty|quantity|交期|交货|货期|due|颜色|材质|材料|板材|尺寸"
                     r"|规格"
                     r"|表面处理|包装|说明书|标签|color|colou?r|material|size|finish|packaging)"
                     # ... but not a key that closes its clause ("switch to matte finish")
                     r"(?![A-Za-z])(?!\s*(?:$|[,;，；。!！?？]|and\s)))"
                     # "包装改成木箱 加急", "颜色换成白色 再加100件": after a space, a
                     # priority word or a quantity verb with its count starts a new item
                     r"|(?<=[\u3400-\u9fffA-Za-z0-9])(?<![不别要用必])\s+(?=(?:加急|急单|特急|紧急|不急"
                     r"|不加急)"
                     r"|(?:再|也|并|还)?(?:加|减|多做|少做|再要|追加|减少|增加|add|reduce)\s*"
                     r"[0-9零〇一二两三四五六七八九十百千万])"
                     # "颜色改成白色 500件": a count with its unit starts a new item,
                     # unless a quantity verb comes right before it ("再加 100件")
                     r"|(?<=[\u3400-\u9fff])(?<![加减要做补到成为改少多])\s+"
                     r"(?=[0-9]+\s*(?:件|个|套|台))",
                     re.IGNORECASE)
#: Financial numerals (伍佰) read as ordinary ones; same length, so spans hold.
_FINANCIAL = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟", "一二二三三四五六六七八九十百千")
BLANK = "~"


@dataclass(slots=True)
class Scan:
    norm: str
    masked: str
    lang: Lang
    now: datetime
    vocabulary: Vocabulary
    order: RefMention | None
    work: str = ""
    numbers: list[NumberMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)

    @classmethod
    def build(cls, norm: str, masked: str, lang: Lang, now: datetime,
              vocabulary: Vocabulary, order: RefMention | None) -> Scan:
        numeric = masked.translate(_FINANCIAL)
        numbers = find_numbers(numeric) if _NUMBERISH.search(numeric) else []
        dates = find_dates(numeric, now) if lang == "en" or _DATEISH.search(numeric) else []
        return cls(norm, masked, lang, now, vocabulary, order, masked, numbers, dates)

    @property
    def today(self) -> date:
        return self.now.date()

    def blank(self, start: int, end: int) -> None:
        """Mark a span as read; later steps see only BLANK there."""
        self.work = mask(self.work, [(start, end)], BLANK)

    def clauses(self) -> list[tuple[int, int]]:
        """Spans between separators; each clause carries at most one change."""
        spans: list[tuple[int, int]] = []
        pos = 0
        for m in _CLAUSE.finditer(self.masked):
            if m.start() > pos:
                spans.append((pos, m.start()))
            pos = m.end()
        if pos < len(self.masked):
            spans.append((pos, len(self.masked)))
        return spans

    def numbers_in(self, start: int, end: int) -> list[NumberMention]:
        return [n for n in self.numbers if start <= n.start and n.end <= end
                and BLANK not in self.work[n.start:n.end]]

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        return [d for d in self.dates if start <= d.start and d.end <= end
                and (d.date is not None or d.delta_days is not None)
                and BLANK not in self.work[d.start:d.end]]
