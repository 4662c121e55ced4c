"""Text normalisation shared by every parsing step.

Chat text arrives with full-width characters (ＳＯ－８８), zero-width joiners,
emoji and thousands separators. Everything downstream works on one NFKC form
so that a single grammar covers all of them; spans computed on the normalised
text are reused for masking, so the normaliser must never be applied twice.
"""

from __future__ import annotations

import re
import unicodedata

from core.i18n import Lang

#: Longer messages are cut: nobody types a 5,000-character change request, and
#: the grammar's cost grows with length.
MAX_CHARS = 400

_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f"
                      r"\u2028-\u202f\u2060-\u206f\ufeff\ufffd]")
_SPACES = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
_MENTION = re.compile(r"^(?:@\S+\s+)+|(?:\s+@\S+)+$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
# Punctuation variants NFKC leaves alone but people use interchangeably.
_PUNCT = str.maketrans({"、": ",", "～": "~", "—": "-", "–": "-", "−": "-", "｜": "|"})


def normalize(text: str) -> str:
    """NFKC, drop control/zero-width characters, unify dashes, collapse spaces.

    Thousands separators between digits are removed ("1,200" -> "1200") since
    no field of a command uses a comma inside a number.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])
    text = _CONTROL.sub("", text).translate(_PUNCT)
    text = _THOUSANDS.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    text = _MENTION.sub("", text)  # "@工单助手 好" in a group chat is just "好"
    return text[:MAX_CHARS]


def detect_lang(text: str) -> Lang:
    """English only when the message has Latin words and no Chinese at all."""
    if _CJK.search(text) is None and _LATIN.search(text) is not None:
        return "en"
    return "zh"


def mask(text: str, spans: list[tuple[int, int]], char: str = "#") -> str:
    """Overwrite spans with same-length runs so offsets stay valid."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = char * (end - start)
    return "".join(chars)
