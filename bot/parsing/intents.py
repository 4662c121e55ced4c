"""Intent cues: whole-message answers and the cue tables that pick an intent.

Short answers ("好", "1", "No, keep it as is", "确认 CR-12") must be the
*whole* message once particles and punctuation are removed; otherwise "好"
inside "早上好" would confirm a change. Supervisor decisions need a change
request reference.
"""

from __future__ import annotations

import re

from bot.parsing import synonyms as syn
from bot.parsing.command import Intent
from bot.parsing.lexicon import Lexicon

_REST = re.compile(r"[\s\W_#~]+|[\U0001F000-\U0001FFFF\u2600-\u27BF]+", re.UNICODE)


def _only(lex: Lexicon, text: str) -> str | None:
    """The tag of the first phrase if `text` is nothing but such phrases."""
    hits = lex.findall(text)
    if not hits:
        return None
    rest = syn.FILLER_LEX.sub(lex.sub(text, " "), " ")
    return hits[0].tag if not _REST.sub("", rest) else None


def is_help(text: str) -> bool:
    return _only(syn.HELP_LEX, text) is not None


def answer(text: str) -> Intent | None:
    """confirm / reject when the whole message is a short answer."""
    tag = _only(syn.ANSWER_LEX, text)
    return Intent(tag) if tag else None


def smalltalk(text: str) -> str | None:
    """"谢谢", "早上好", "在吗": thanks / greeting / ping when that is all."""
    return _only(syn.SMALLTALK_LEX, text)


def decision(text: str) -> Intent | None:
    """approve / deny cue (the caller checks that a CR reference is present)."""
    hit = syn.DECISION_LEX.search(text)
    return Intent(hit.tag) if hit else None


def has(lex: Lexicon, text: str) -> bool:
    return lex.search(text) is not None


def only_decision(text: str) -> bool:
    """"驳回" alone: a decision whose change request must be asked for."""
    return _only(syn.DECISION_LEX, text) is not None


def only_supervisor_deny(text: str) -> bool:
    """"不同意" / "驳回" alone: a deny, not a reject."""
    return _only(syn.SUPERVISOR_DENY_LEX, text) is not None


def only_cancel_words(text: str) -> bool:
    """"SO-12 取消": next to an order, a bare 取消 cancels the order itself."""
    hits = syn.ANSWER_LEX.findall(text)
    return bool(hits) and all(h.text.lower() in syn.CANCEL_ANSWERS for h in hits)
