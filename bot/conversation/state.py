"""What a conversation waits for, as the JSON object a `ConversationStore` keeps.

A `Pending` is the command read so far and the question asked about it (or,
after "我的订单", the list shown, whose numbers a reply may pick), and `card`,
the change request of the last card shown to the person: a bare "确认" or
"1" answers that card, not the person's oldest pending request. It lives in
the store rather than in the process, so the answer may arrive at any process.
The parser's `Command` and `Question` are written here field by field, and a
stored object this code cannot read (written by another version) is treated
as nothing pending rather than as an error.

`MemoryConversationStore` keeps the same objects in a dict, for tests and for a
`Conversations` built without a store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from bot.parsing import Change, Command, Intent, Question, RelativeChange
from core.i18n import Lang
from core.idempotency import Source
from core.ports import SavedConversation

log = logging.getLogger(__name__)

FORMAT = 2  # bumped when the object's shape changes; older objects are dropped


@dataclass(slots=True)
class Pending:
    """A command waiting for the answer to `question`, asked at `asked_at`."""

    command: Command
    question: Question
    lang: Lang
    asked_at: datetime
    written: str | None = None
    card: str | None = None  # CR ref of the last confirm card shown


def pending_to_json(pending: Pending) -> dict[str, Any]:
    """The JSON object stored for `pending` (its time is stored beside it)."""
    q = pending.question
    return {
        "format": FORMAT,
        "command": command_to_json(pending.command),
        "question": {"kind": q.kind, "text": str(q), "options": list(q.options), "key": q.key,
                     "change_index": q.change_index, "written": q.written},
        "lang": pending.lang,
        "written": pending.written,
        "card": pending.card,
    }


def pending_from_json(state: Mapping[str, Any], asked_at: datetime) -> Pending | None:
    """The `Pending` stored as `state`, or None if it cannot be read back."""
    try:
        if state.get("format") != FORMAT:
            raise ValueError(f"format {state.get('format')!r}")
        q = state["question"]
        question = Question(q["kind"], q["text"], tuple(q["options"]), q["key"],
                            q["change_index"], q["written"])
        lang = state["lang"]
        if lang not in ("zh", "en"):
            raise ValueError(f"language {lang!r}")
        return Pending(command_from_json(state["command"]), question, cast(Lang, lang),
                       asked_at, state["written"], state.get("card"))
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("stored conversation state dropped, unreadable: %s", exc)
        return None


def command_to_json(command: Command) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(command):
        value = getattr(command, f.name)
        if f.name == "intent":
            value = value.value
        elif f.name in _ITEM_TUPLES:
            value = [{g.name: getattr(c, g.name) for g in fields(c)} for c in value]
        out[f.name] = value
    return out


#: Command fields that hold a tuple of item records, and the record's type.
_ITEM_TUPLES: dict[str, type[Any]] = {"changes": Change, "specs": Change,
                                      "relative": RelativeChange}


def command_from_json(data: Mapping[str, Any]) -> Command:
    """The stored JSON back as the parser's Command; item lists become tuples again."""
    values = dict(data)
    intent = Intent(values.pop("intent"))
    for name, kind in _ITEM_TUPLES.items():
        values[name] = tuple(kind(**item) for item in values.get(name, ()))
    return Command(intent=intent, **values)


class MemoryConversationStore:
    """A `ConversationStore` in a dict: one process only."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], SavedConversation] = {}
        self._taken: dict[Source, SavedConversation | None] = {}  # by message

    async def save(self, channel: str, user: str, state: Mapping[str, Any],
                   saved_at: datetime, expires_at: datetime) -> None:
        # through JSON, as a database keeps it: what does not survive that fails here too
        kept = json.loads(json.dumps(dict(state), ensure_ascii=False))
        self._entries[(channel, user)] = SavedConversation(kept, saved_at, expires_at)

    async def take(self, channel: str, user: str, *, by: Source | None = None,
                   at: datetime | None = None) -> SavedConversation | None:
        if by is not None and by in self._taken:
            return self._taken[by]
        taken = self._entries.pop((channel, user), None)
        if by is not None:
            self._taken[by] = taken
        return taken

    async def peek(self, channel: str, user: str) -> SavedConversation | None:
        return self._entries.get((channel, user))

    async def discard(self, channel: str, user: str) -> None:
        self._entries.pop((channel, user), None)

    async def purge(self, before: datetime) -> int:
        old = [k for k, v in self._entries.items() if v.expires_at < before]
        for k in old:
            del self._entries[k]
        return len(old)

    def __len__(self) -> int:
        return len(self._entries)
