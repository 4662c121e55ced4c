"""The conversation service: one chat message in, replies out.

It identifies the sender, reads the text into a command, and hands the command
to the core use case for it. Channels call it through `MessageHandler`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.bootstrap import Container
from bot.pipeline import TaskTracker
from core.i18n import render
from core.messages import ChatMessage, Reply
from core.model.parties import Person
from core.services.progress import my_orders, order_progress
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
        self._tasks = tasks or TaskTracker()

    async def __call__(self, message: ChatMessage) -> list[Reply]:
        async with self._c.uow_factory() as uow:
            person = await uow.parties.person_by_platform(message.channel.value, message.user_id)
        lang = _guess_lang(message.text)
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
        from bot.parsing import parse_text

        tz = self._c.settings.tz
        now = message.at.astimezone(ZoneInfo(tz))
        parsed = parse_text(message.text or "", now, tz)
        lang = parsed.lang
        if parsed.question:
            return [_text("text", parsed.question)]
        cmd = parsed.to_contract_dict()
        intent = cmd["intent"]
        if intent == "help":
            return [_text("text", render(TEXTS, "help", lang))]
        if intent == "query_progress":
            return [_text("text", await self._progress(person, cmd.get("order"), lang))]
        if intent == "report":
            return [_text("text", await self._report(person, cmd, now, lang))]
        if intent in ("change", "cancel", "what_if"):
            if cmd.get("order"):
                async with self._c.uow_factory() as uow:
                    cmd["order"] = await _resolve_ref(uow, cmd["order"])
            outcome = await self._c.changes.request(person, cmd, message.text, lang)
            return outcome.replies
        if intent in BUTTON_INTENTS:
            return await self._decision(person, intent, cmd.get("ref"), lang)
        return [_text("text", render(TEXTS, "unknown", lang))]

    async def _progress(self, person: Person, ref: str | None, lang: str) -> str:
        tz = self._c.settings.tz
        async with self._c.uow_factory() as uow:
            if ref is None:
                return (await my_orders(uow, person, lang, tz)).text
            resolved = await _resolve_ref(uow, ref)
            return (await order_progress(uow, person, resolved, lang, tz)).text

    async def _report(self, person: Person, cmd: dict, now: datetime, lang: str) -> str:  # type: ignore[type-arg]
        async with self._c.uow_factory() as uow:
            ref = await _resolve_ref(uow, cmd["order"]) if cmd.get("order") else None
            result = await report_progress(uow, person, ref, cmd.get("operation") or "",
                                           int(cmd.get("quantity") or 0), int(cmd.get("scrap") or 0),
                                           now, lang)
        if result.recorded and result.order_ref:
            self._tasks.spawn(self._c.planner.replan(f"report {result.order_ref}", [result.order_ref]))
        return result.text


async def _resolve_ref(uow, written: str) -> str:  # type: ignore[no-untyped-def]
    """Exact, then normalised (SO077 and SO-77 are the same order)."""
    if await uow.orders.get(written) is not None:
        return written
    key = _norm(written)
    for ref in await uow.orders.all_refs():
        if _norm(ref) == key:
            return ref
    return written


def _norm(ref: str) -> str:
    letters = "".join(ch for ch in ref.upper() if ch.isalpha())
    digits = "-".join(str(int(part)) for part in "".join(
        ch if ch.isdigit() else " " for ch in ref).split())
    return f"{letters}{digits}"


def _guess_lang(text: str) -> str:
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "en" if any(ch.isascii() and ch.isalpha() for ch in text) else "zh"
