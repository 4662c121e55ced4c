"""Technical confirmation of a held order's requirements: confirm as written, or amend.

"SO-2026-0031 技术确认", "确认需求 SO-2026-0031", "tech confirm SO-2026-0031"
confirm; "SO-2026-0031 需求改为 颜色 胡桃木色, 边角倒圆" (or "SO-... amend
requirements: color walnut, round the corners") amends. Each amended item is
"key value" when it starts with a spec key word, else a free-text note (key
"other"); the core matches notes against the product's options.
"""

from __future__ import annotations

import re

from bot.parsing import synonyms as syn
from bot.parsing.command import Change, Command, Intent

_CONFIRM = re.compile(r"技术确认|确认需求|需求确认|确认技术要求|"
                      r"tech(?:nical(?:ly)?)?[\s-]*confirm(?:ed|ation)?|"
                      r"confirm\s+(?:the\s+)?requirements?", re.IGNORECASE)
_AMEND = re.compile(r"(?:需求|技术要求)\s*(?:改为|改成|修改为|更改为|变更为|调整为)\s*[:：]?|"
                    r"amend(?:ed)?\s+(?:the\s+)?requirements?\s*(?:to)?\s*[:：]?|"
                    r"requirements?\s+(?:changed\s+|amended\s+)?to\s*[:：]?", re.IGNORECASE)
_SPLIT = re.compile(r"[,，;；、\n]+")
_MASKED = re.compile(r"#+")


def read_requirement(masked: str, order: str) -> Command | None:
    """tech_confirm for `order` when the message confirms or amends requirements."""
    amend = _AMEND.search(masked)
    if amend is not None:
        return Command(Intent.TECH_CONFIRM, order, specs=_items(masked[amend.end():]))
    if _CONFIRM.search(masked) is not None:
        return Command(Intent.TECH_CONFIRM, order)
    return None


def _items(text: str) -> tuple[Change, ...]:
    out: list[Change] = []
    for piece in _SPLIT.split(_MASKED.sub(" ", text)):
        piece = piece.strip(" .。:：")
        if not piece:
            continue
        key = syn.SPEC_KEY_LEX.search(piece)
        if key is not None and key.start == 0 and key.text != "色":
            value = piece[key.end:].strip(" :：=")
            if value:
                out.append(Change("spec", value, key=key.tag))
                continue
        out.append(Change("spec", piece, key="other"))
    return tuple(out)
