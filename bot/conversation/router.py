"""Intent -> handler, for typed messages and card buttons alike, with errors translated once.

Like an aiogram router with an errors middleware: `dispatch` picks the handler
registered for the command's intent (else the fallback) and turns a `CoreError`
a handler lets through into a clear reply, so no handler repeats that. A card
button ("confirm:CR-12") becomes the same parser command a typed "确认 CR-12"
would, and takes the same route.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.conversation.replies.texts import CHAT_TEXTS
from bot.parsing import Command, Intent, Question
from core.errors import CoreError
from core.i18n import render
from core.messages import Reply
from core.model.parties import Person

log = logging.getLogger(__name__)

BUTTON_INTENTS = frozenset({Intent.CONFIRM, Intent.REJECT, Intent.APPROVE, Intent.DENY})

#: Ask the sender something and wait: the next message is read as the answer that
#: completes the command (a number picks from a list; "是" says yes).
AskBack = Callable[[Command, Question], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Turn:
    """One message from a registered person, read into a command."""

    person: Person
    lang: str
    command: Command
    text: str
    now: datetime
    ask: AskBack | None = None  # None where nothing can wait for an answer


Handler = Callable[[Turn], Awaitable[list[Reply]]]


class Router:
    """The handler table: one handler per intent, a fallback for the rest."""

    def __init__(self, fallback: Handler) -> None:
        self._routes: dict[Intent, Handler] = {}
        self._fallback = fallback

    def add(self, handler: Handler, *intents: Intent) -> None:
        for intent in intents:
            if intent in self._routes:
                raise ValueError(f"intent {intent.value} is routed twice")
            self._routes[intent] = handler

    async def dispatch(self, turn: Turn) -> list[Reply]:
        """Run the intent's handler; a refused input comes back as a reply, not an error."""
        handler = self._routes.get(turn.command.intent, self._fallback)
        try:
            return await handler(turn)
        except CoreError as exc:
            log.info("%s refused for %s: %s", turn.command.intent.value, turn.person.id, exc)
            return [Reply("text", render(CHAT_TEXTS, "rejected", turn.lang, reason=str(exc)))]


def button_command(key: str) -> Command | None:
    """A card click's key ("confirm:CR-12") as the command it stands for; None if unknown."""
    name, _, ref = key.partition(":")
    intent = next((i for i in BUTTON_INTENTS if i.value == name), None)
    if intent is None or not ref:
        return None
    return Command(intent, ref=ref)
