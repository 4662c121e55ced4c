"""Reading free chat text into the contract's structured commands.

Entry point: `parse_text(text, now, tz="Asia/Shanghai", vocabulary=None,
order_pattern=None) -> ParseResult` with `.command`, `.to_contract_dict()`
(CONTRACT section 3), `.lang`, `.question` and `.issues`. `bot.conversation`
completes incomplete commands over several messages.

Layout: normalize (NFKC) -> orders (mask refs; product codes are not refs)
-> whole-message answers, help, chit-chat (intents) -> list and load
questions (shop_queries), quotes and new orders (order_request) -> scan
(numbers, dates) -> report or change items (fields: relative_field first,
then spec, due, quantity, operation readers), all driven by the phrase tables
in `synonyms`; `specs` matches typed values against the factory's
`Vocabulary`.
"""

from bot.parsing.command import Change, Command, Intent, RelativeChange
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
    "RelativeChange",
    "Vocabulary",
    "parse_text",
]
