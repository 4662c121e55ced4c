"""Reading free chat text into the contract's structured commands.

Entry point: `parse_text(text, now, tz, vocabulary, order_pattern)`; see
`parser.ParseResult` for what comes back and `conversation` (in `bot`) for
multi-turn completion of incomplete commands.
"""

from bot.parsing.command import Change, Command, Intent
from bot.parsing.parser import ParseResult, parse_text
from bot.parsing.questions import Question
from bot.parsing.specs import DEFAULT_VOCABULARY, Match, Vocabulary

__all__ = [
    "DEFAULT_VOCABULARY",
    "Change",
    "Command",
    "Intent",
    "Match",
    "ParseResult",
    "Question",
    "Vocabulary",
    "parse_text",
]
