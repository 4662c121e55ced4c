"""The conversation service: one chat message in, replies out.

It identifies the sender, reads the text (or the card button) into a command,
and hands it to the handler table (router.py, handlers.py). Channels call it
through `MessageHandler`.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.channels.pipeline import TaskTracker
from bot.channels.wecom_kf.links import KfLinks
from bot.container import Container
from bot.conversation.directory import SqlOrderDirectory, load_vocabulary
from bot.conversation.handlers import ChatHandlers
from bot.conversation.interpreter import Conversations
from bot.conversation.replies.texts import CHANNEL_NAMES, CHAT_TEXTS
from bot.conversation.router import AskBack, Turn, button_command
from bot.metrics import observe_parse
from bot.parsing import Command, Question
from bot.parsing.normalize import detect_lang
from core.i18n import Lang, render
from core.messages import ChatMessage, Reply
from core.model.parties import Person

log = logging.getLogger(__name__)


class ChatService:
    def __init__(self, container: Container, tasks: TaskTracker | None = None,
                 kf_links: KfLinks | None = None) -> None:
        self._c = container
        self._tasks = tasks if tasks is not None else TaskTracker()  # an empty one is falsy
        self._directory = SqlOrderDirectory(container.uow_factory, container.settings.tz)
        self._conversations: Conversations | None = None
        self._router = ChatHandlers(container, self._tasks, self._directory,
                                    kf_links).router()

    async def __call__(self, message: ChatMessage) -> list[Reply]:
        async with self._c.uow_factory() as uow:
            person = await uow.parties.person_by_platform(message.channel.value, message.user_id)
        lang = detect_lang(message.text)
        if person is None:
            log.info("unknown %s user %s", message.channel.value, message.user_id)
            return [_text(unknown_sender(message, lang))]
        if message.button_key:
            return await self._button(person, message)
        if not message.text.strip():
            return [_text(render(CHAT_TEXTS, "empty", lang))]
        return await self._typed(person, message)

    async def _button(self, person: Person, message: ChatMessage) -> list[Reply]:
        """Card clicks carry "confirm:CR-12" and the like; anything else is ignored politely."""
        command = button_command(message.button_key or "")
        if command is None:
            return [_text(render(CHAT_TEXTS, "unknown", person.lang))]
        now = self._local(message)
        lang = _lang(person.lang)
        ask = await self._asker(message, person, lang, now)
        replies = await self._router.dispatch(Turn(person, lang, command, "", now, ask))
        await self._remember_card(message, person, lang, now, replies)
        return replies

    async def _typed(self, person: Person, message: ChatMessage) -> list[Reply]:
        conversations = await self._ensure_conversations()
        now = self._local(message)
        started = time.perf_counter()
        seen = await conversations.interpret(message.channel.value, person.id, message.text, now)
        observe_parse(seen.command.intent.value if seen.command else seen.kind,
                      time.perf_counter() - started)
        chit_chat = seen.kind == "unknown" and seen.command is not None and seen.command.smalltalk
        if (seen.kind != "command" and not chit_chat) or seen.command is None:
            return [_text(seen.text or render(CHAT_TEXTS, "unknown", seen.lang))]
        ask = await self._asker(message, person, seen.lang, now)
        turn = Turn(person, seen.lang, seen.command, message.text, now, ask)
        replies = await self._router.dispatch(turn)
        await self._remember_card(message, person, seen.lang, now, replies)
        return replies

    async def _asker(self, message: ChatMessage, person: Person, lang: Lang,
                     now: datetime) -> AskBack:
        """Lets a handler ask back; the next message from this sender answers it."""
        conversations = await self._ensure_conversations()

        async def ask(command: Command, question: Question) -> None:
            await conversations.ask_back(message.channel.value, person.id, command, question,
                                         lang, now)
        return ask

    async def _remember_card(self, message: ChatMessage, person: Person, lang: Lang,
                             now: datetime, replies: list[Reply]) -> None:
        """The last confirm card shown is what a bare "确认" or "1" answers next."""
        shown = [b.key.partition(":")[2] for r in replies if r.kind == "card"
                 for b in r.buttons if b.key.startswith("confirm:")]
        if shown:
            conversations = await self._ensure_conversations()
            await conversations.show_card(message.channel.value, person.id, shown[-1], lang, now)

    def _local(self, message: ChatMessage) -> datetime:
        return message.at.astimezone(ZoneInfo(self._c.settings.tz))

    async def _ensure_conversations(self) -> Conversations:
        """Built on first use, with the shop's colours, materials and operation names."""
        if self._conversations is None:
            settings = self._c.settings
            self._conversations = Conversations(
                self._directory, self._c.conversations, clock=self._c.clock,
                ttl=timedelta(minutes=settings.question_timeout_minutes), tz=settings.tz,
                vocabulary=await load_vocabulary(self._c.uow_factory),
                card_ttl=timedelta(minutes=settings.confirm_timeout_minutes))
        return self._conversations


def unknown_sender(message: ChatMessage, lang: str) -> str:
    """How to get registered, with the sender's own platform id (what an admin puts in the
    people sheet); nothing else (CONTRACT section 4)."""
    names = CHANNEL_NAMES.get(lang, CHANNEL_NAMES["zh"])
    channel = names.get(message.channel.value, message.channel.value)
    return render(CHAT_TEXTS, "unknown_user", lang, channel=channel, user_id=message.user_id)


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "zh"


def _text(text: str) -> Reply:
    return Reply(kind="text", text=text)
