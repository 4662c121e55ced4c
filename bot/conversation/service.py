"""The conversation service: one chat message in, replies out.

It identifies the sender, reads the text into a command, and hands the command
to the core use case for it. Channels call it through `MessageHandler`.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.container import Container
from bot.conversation.interpreter import Conversations
from bot.conversation.directory import SqlOrderDirectory, load_vocabulary
from bot.metrics import observe_parse
from bot.parsing.normalize import detect_lang
from bot.channels.pipeline import TaskTracker
from core.i18n import render
from core.messages import ChatMessage, Reply
from core.model.parties import Person
from core.services.progress import order_progress
from core.services.reporting import report_progress

log = logging.getLogger(__name__)

TEXTS = {
    "unknown_user": {
        "zh": "您好！您还没有在工单系统登记。请把您的企业微信/钉钉账号发给管理员，登记后即可查询和变更订单。",
        "en": "Hello! You are not registered with Gongdan yet. Send your WeCom/DingTalk id to your "
              "administrator; once registered you can query and change orders.",
    },
    "help": {
        "zh": "可以这样说：\n• 查 SO-31 / 我的订单\n• SO-31 数量改成500件 / 交期提前三天 / 颜色换成胡桃木 / 加急\n"
              "• 如果 SO-31 加急会怎样\n• SO-31 开料 完成50件 报废2（报工）",
        "en": "You can say:\n• where is SO-31 / my orders\n• SO-31 qty 500 / due date 3 days earlier / "
              "colour walnut / rush SO-31\n• what if SO-31 is rushed\n• SO-31 cutting done 50 scrap 2 (progress report)",
    },
    "unknown": {
        "zh": "没看懂这句话。发送“帮助”查看可以怎么说。",
        "en": "Sorry, I did not understand that. Send \"help\" to see what I can do.",
    },
    "empty": {"zh": "请输入内容。", "en": "Please type a message."},
}
BUTTON_INTENTS = {"confirm", "reject", "approve", "deny"}


def _text(kind: str, text: str) -> Reply:
    return Reply(kind="text", text=text)


class ChatService:
    def __init__(self, container: Container, tasks: TaskTracker | None = None) -> None:
        self._c = container
        self._tasks = tasks if tasks is not None else TaskTracker()  # an empty one is falsy
        self._directory = SqlOrderDirectory(container.uow_factory, container.settings.tz)
        self._conversations: Conversations | None = None

    async def __call__(self, message: ChatMessage) -> list[Reply]:
        async with self._c.uow_factory() as uow:
            person = await uow.parties.person_by_platform(message.channel.value, message.user_id)
        lang = detect_lang(message.text)
        if person is None:
            log.info("unknown %s user %s", message.channel.value, message.user_id)
            return [_text("text", render(TEXTS, "unknown_user", lang))]
        if message.button_key:
            return await self._button(person, message.button_key)
        if not message.text.strip():
            return [_text("text", render(TEXTS, "empty", lang))]
        return await self._handle(person, message)

    async def _button(self, person: Person, key: str) -> list[Reply]:
        """Card clicks carry "confirm:CR-12" and the like; anything else is ignored politely."""
        intent, _, ref = key.partition(":")
        if intent not in BUTTON_INTENTS or not ref:
            return [_text("text", render(TEXTS, "unknown", person.lang))]
        return await self._decision(person, intent, ref, person.lang)

    async def _decision(self, person: Person, intent: str, ref: str | None, lang: str) -> list[Reply]:
        changes = self._c.changes
        if intent == "confirm":
            outcome = await changes.confirm(person, ref, lang)
        elif intent == "reject":
            outcome = await changes.reject(person, ref, lang)
        else:
            outcome = await changes.decide(person, ref, intent == "approve", lang)
        return outcome.replies

    async def _handle(self, person: Person, message: ChatMessage) -> list[Reply]:
        conversations = await self._ensure_conversations()
        now = message.at.astimezone(ZoneInfo(self._c.settings.tz))
        started = time.perf_counter()
        seen = await conversations.interpret(message.channel.value, person.id, message.text, now)
        observe_parse(seen.command.intent.value if seen.command else seen.kind, time.perf_counter() - started)
        lang = seen.lang
        if seen.kind != "command" or seen.command is None:
            text = seen.text or render(TEXTS, "unknown", lang)
            return [_text("text", text)]
        cmd = seen.command.to_contract_dict()
        intent = cmd["intent"]
        if intent == "help":
            return [_text("text", render(TEXTS, "help", lang))]
        if intent == "query_progress":
            return [_text("text", await self._progress(person, cmd["order"], lang))]
        if intent == "report":
            return [_text("text", await self._report(person, cmd, now, lang))]
        if intent in ("change", "cancel", "what_if"):
            outcome = await self._c.changes.request(person, cmd, message.text, lang)
            return outcome.replies
        if intent in BUTTON_INTENTS:
            return await self._decision(person, intent, cmd.get("ref"), lang)
        return [_text("text", render(TEXTS, "unknown", lang))]

    async def _ensure_conversations(self) -> Conversations:
        """Built on first use, with the shop's colours, materials and operation names."""
        if self._conversations is None:
            settings = self._c.settings
            self._conversations = Conversations(
                self._directory, self._c.conversations, clock=self._c.clock,
                ttl=timedelta(minutes=settings.question_timeout_minutes), tz=settings.tz,
                vocabulary=await load_vocabulary(self._c.uow_factory))
        return self._conversations

    async def _progress(self, person: Person, ref: str, lang: str) -> str:
        async with self._c.uow_factory() as uow:
            return (await order_progress(uow, person, ref, lang, self._c.settings.tz)).text

    async def _report(self, person: Person, cmd: dict[str, Any], now: datetime, lang: str) -> str:
        async with self._c.uow_factory() as uow:
            ref = cmd.get("order")
            if ref:
                matches = await self._directory.resolve(ref, person.id)
                ref = matches[0] if len(matches) == 1 else ref
            result = await report_progress(uow, person, ref, cmd.get("operation_canonical")
                                           or cmd.get("operation") or "",
                                           int(cmd.get("quantity") or 0), int(cmd.get("scrap") or 0),
                                           now, lang)
        if result.recorded and result.order_ref:
            self._tasks.spawn(self._c.planner.replan(f"report {result.order_ref}", [result.order_ref]))
        return result.text
