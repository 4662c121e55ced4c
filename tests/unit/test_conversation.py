"""Multi-turn flows with a fake clock and an in-memory order directory."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta

import pytest

from bot.conversation.interpreter import Conversations, OrderBrief
from bot.conversation.state import (
    MemoryConversationStore,
    Pending,
    pending_from_json,
    pending_to_json,
)
from bot.parsing import Intent, Question, Vocabulary
from bot.parsing.orders import match_orders
from core.i18n import check_catalog

NOW = datetime.fromisoformat("2026-11-18T09:30:00+08:00")


class FakeOrderDirectory:
    """In-memory directory applying the shared resolution rule (`match_orders`)."""

    def __init__(self, orders: dict[str, list[OrderBrief]]) -> None:
        self.orders = orders  # person -> their orders
        self.all = {o.ref for briefs in orders.values() for o in briefs} | {"SO-77", "SO-077"}

    async def resolve(self, written: str, person_id: str) -> list[str]:
        own = [o.ref for o in self.orders.get(person_id, [])]
        return match_orders(written, sorted(self.all), own)

    async def recent_orders(self, person_id: str, limit: int) -> list[OrderBrief]:
        return self.orders.get(person_id, [])[:limit]


def _orders(n: int) -> list[OrderBrief]:
    return [OrderBrief(f"SO-{100 + i}", "办公桌", date(2026, 12, 1) + timedelta(days=i),
                       date(2026, 12, 1) + timedelta(days=i + (i % 7) - 3), "生产中",
                       risk=float((i * 7) % 30))
            for i in range(n)]


@pytest.fixture
def directory() -> FakeOrderDirectory:
    return FakeOrderDirectory({"sales1": _orders(30), "sales2": [OrderBrief("SO-12", risk=1.0)]})


@pytest.fixture
def conv(directory: FakeOrderDirectory) -> Conversations:
    vocab = Vocabulary(colors={"胡桃木色": ["walnut"], "白色": ["white"]})
    return Conversations(directory, ttl=timedelta(minutes=10), list_limit=5, vocabulary=vocab)


async def test_missing_due_date_is_asked_and_answer_completes(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "sales2", "SO-12 交期改一下", NOW)
    assert first.kind == "question" and "交期" in (first.text or "")
    done = await conv.interpret("wecom", "sales2", "下周三", NOW + timedelta(minutes=1))
    assert done.kind == "command" and done.command is not None
    assert done.command.to_contract_dict() == {
        "intent": "change", "order": "SO-12",
        "changes": [{"field": "due_date", "value": "2026-11-25"}]}


async def test_missing_order_lists_recent_orders_and_number_picks_one(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "sales1", "改成500", NOW)
    assert first.kind == "question" and len(first.options) == 5
    done = await conv.interpret("wecom", "sales1", "2", NOW + timedelta(seconds=30))
    assert done.kind == "command" and done.command is not None
    assert done.command.order == first.options[1]
    assert done.command.changes[0].value == 500


async def test_quantity_answer_merges(conv: Conversations) -> None:
    await conv.interpret("web", "sales2", "SO-12 数量改一下", NOW)
    done = await conv.interpret("web", "sales2", "再加一百件", NOW + timedelta(minutes=2))
    assert done.command is not None
    assert done.command.to_contract_dict()["changes"] == [
        {"field": "quantity", "delta": 100, "unit": "件"}]


async def test_pending_question_expires(conv: Conversations) -> None:
    await conv.interpret("wecom", "sales2", "SO-12 交期改一下", NOW)
    assert await conv.pending("wecom", "sales2", NOW + timedelta(minutes=9)) is not None
    late = await conv.interpret("wecom", "sales2", "下周三", NOW + timedelta(minutes=11))
    assert late.expired and late.kind == "unknown" and late.command is not None
    assert await conv.pending("wecom", "sales2", NOW + timedelta(minutes=11)) is None


async def test_pending_is_per_channel_and_user(conv: Conversations) -> None:
    await conv.interpret("wecom", "sales2", "SO-12 交期改一下", NOW)
    other = await conv.interpret("dingtalk", "sales2", "下周三", NOW)
    assert other.kind == "unknown"


async def test_ambiguous_order_candidates_are_listed(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "sales2", "SO077 加急", NOW)
    assert first.kind == "question" and first.options == ("SO-077", "SO-77")
    assert "1. SO-077" in (first.text or "") and "2. SO-77" in (first.text or "")
    done = await conv.interpret("wecom", "sales2", "2", NOW)
    assert done.command is not None and done.command.order == "SO-77"
    assert done.command.changes[0].value == "rush"


async def test_normalised_order_resolves_to_database_ref(conv: Conversations) -> None:
    done = await conv.interpret("wecom", "sales1", "so0105 加急", NOW)
    assert done.kind == "command" and done.command is not None and done.command.order == "SO-105"


async def test_unknown_order_is_reported_and_asked(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "sales2", "XY-999 加急", NOW)
    assert first.kind == "question" and "XY-999" in (first.text or "")
    done = await conv.interpret("wecom", "sales2", "1", NOW)
    assert done.command is not None and done.command.order == "SO-12"


async def test_my_orders_is_short_and_sorted_by_risk(conv: Conversations) -> None:
    out = await conv.interpret("wecom", "sales1", "我的订单", NOW)
    assert out.kind == "orders" and len(out.orders) == 5
    risks = [o.risk for o in out.orders]
    assert risks == sorted(risks, reverse=True) and risks[0] == 29.0
    lines = (out.text or "").splitlines()
    assert len(lines) == 8 and "30" in lines[0] and "25" in lines[-2]
    picked = await conv.interpret("wecom", "sales1", "1", NOW)
    assert picked.kind == "command" and picked.command is not None
    assert picked.command.intent is Intent.QUERY_PROGRESS
    assert picked.command.order == out.orders[0].ref


async def test_my_orders_in_english(conv: Conversations) -> None:
    out = await conv.interpret("web", "sales1", "status of my orders pls", NOW)
    assert out.kind == "orders" and out.lang == "en"
    assert (out.text or "").startswith("You have 30 orders")


async def test_english_question_for_english_message(conv: Conversations) -> None:
    first = await conv.interpret("web", "sales2", "change SO-12 due date", NOW)
    assert first.kind == "question" and first.lang == "en"
    assert "due date" in (first.text or "")
    done = await conv.interpret("web", "sales2", "2026-12-05", NOW)
    assert done.command is not None and done.lang == "en"
    assert done.command.changes[0].value == "2026-12-05"


async def test_uncertain_spec_value_is_asked_back(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "sales2", "SO-12 颜色改成胡桃", NOW)
    assert first.kind == "question" and first.options == ("胡桃木色",)
    done = await conv.interpret("wecom", "sales2", "1", NOW)
    assert done.command is not None
    assert done.command.to_contract_dict()["changes"] == [
        {"field": "spec", "key": "color", "value": "胡桃", "canonical": "胡桃木色"}]


async def test_none_of_these_keeps_value_as_written(conv: Conversations) -> None:
    await conv.interpret("wecom", "sales2", "SO-12 颜色改成胡桃", NOW)
    done = await conv.interpret("wecom", "sales2", "0", NOW)
    assert done.command is not None and done.command.changes[0].canonical is None


async def test_reject_drops_pending(conv: Conversations) -> None:
    await conv.interpret("wecom", "sales2", "SO-12 交期改一下", NOW)
    out = await conv.interpret("wecom", "sales2", "算了", NOW)
    assert out.kind == "dropped"
    assert await conv.pending("wecom", "sales2", NOW) is None


async def test_new_full_command_replaces_pending(conv: Conversations) -> None:
    await conv.interpret("wecom", "sales2", "SO-12 交期改一下", NOW)
    out = await conv.interpret("wecom", "sales2", "SO-12 加急", NOW)
    assert out.kind == "command" and out.command is not None
    assert out.command.changes[0].field == "priority"


async def test_report_quantity_is_asked(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "op1", "切割 报工", NOW)
    assert first.kind == "question"
    done = await conv.interpret("wecom", "op1", "50件", NOW)
    assert done.command is not None and done.command.intent is Intent.REPORT
    assert done.command.quantity == 50 and done.command.operation == "切割"


async def test_approve_without_ref_asks_for_it(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "boss", "批准", NOW)
    assert first.kind == "question"
    done = await conv.interpret("wecom", "boss", "CR-12", NOW)
    assert done.command is not None and done.command.intent is Intent.APPROVE
    assert done.command.ref == "CR-12"


def test_catalog_is_bilingual() -> None:
    from bot.conversation import interpreter
    from bot.conversation.replies import texts
    from bot.parsing import questions

    assert check_catalog(interpreter.CATALOG) == []
    assert check_catalog(questions.CATALOG) == []
    from bot.conversation.replies import queries

    for catalog in (texts.CHAT_TEXTS, texts.CHANGE_TEXTS, texts.UNDERSTOOD_TEXTS,
                    queries.QUERY_TEXTS):
        assert check_catalog(catalog) == []


async def test_several_orders_in_one_change_are_asked(conv: Conversations) -> None:
    first = await conv.interpret("wecom", "sales1", "SO-101 和 SO-102 都加急", NOW)
    assert first.kind == "question" and first.options == ("SO-101", "SO-102")
    done = await conv.interpret("wecom", "sales1", "2", NOW)
    assert done.command is not None and done.command.order == "SO-102"


@pytest.mark.parametrize("text", ["", "👍", "\x00\x01", "x" * 5000, "SO-12 " * 900, "\ud800"])
async def test_bad_input_never_crashes(conv: Conversations, text: str) -> None:
    out = await conv.interpret("wecom", "sales2", text, NOW)
    assert out.kind in ("unknown", "question", "command", "orders")


async def test_bad_input_while_a_question_is_pending(conv: Conversations) -> None:
    await conv.interpret("wecom", "sales2", "SO-12 交期改一下", NOW)
    out = await conv.interpret("wecom", "sales2", "🤔🤔", NOW)
    assert out.kind == "question" and "交期" in (out.text or "")
    done = await conv.interpret("wecom", "sales2", "12月5号", NOW)
    assert done.command is not None and done.command.changes[0].value == "2026-12-05"


async def test_report_keeps_work_order_as_written(conv: Conversations) -> None:
    out = await conv.interpret("wecom", "op1", "WO-15 折弯做完120个，报废3个", NOW)
    assert out.kind == "command" and out.command is not None and out.command.order == "WO-15"


async def test_english_answers_are_read_in_english(conv: Conversations) -> None:
    await conv.interpret("web", "sales2", "change SO-12 packaging", NOW)
    done = await conv.interpret("web", "sales2", "wooden crate", NOW)
    assert done.command is not None and done.lang == "en"
    assert done.command.to_contract_dict()["changes"] == [
        {"field": "spec", "key": "packaging", "value": "wooden crate"}]
    await conv.interpret("web", "sales2", "SO-12 交期改一下", NOW)
    later = await conv.interpret("web", "sales2", "next friday", NOW)
    assert later.command is not None and later.command.changes[0].value == "2026-11-27"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


async def test_injected_clock_drives_expiry(directory: FakeOrderDirectory) -> None:
    clock = FakeClock(NOW)
    conv = Conversations(directory, clock=clock, ttl=timedelta(minutes=2))
    await conv.interpret("wecom", "sales2", "SO-12 数量改一下")
    clock.current += timedelta(minutes=1)
    assert await conv.pending("wecom", "sales2") is not None
    done = await conv.interpret("wecom", "sales2", "500件")
    assert done.kind == "command" and not done.expired
    await conv.interpret("wecom", "sales2", "SO-12 数量改一下")
    clock.current += timedelta(minutes=3)
    late = await conv.interpret("wecom", "sales2", "500件")
    # The old question is gone: "500件" is read afresh and the order is asked for.
    assert late.expired and late.kind == "question" and "哪个订单" in (late.text or "")


async def test_short_latin_answer_keeps_the_conversation_language(conv: Conversations) -> None:
    await conv.interpret("wecom", "sales2", "SO-12 交期改一下", NOW)
    out = await conv.interpret("wecom", "sales2", "no", NOW)
    assert out.kind == "dropped" and out.lang == "zh" and "不做了" in (out.text or "")


# --- state kept in a store shared by processes ---------------------------------------------


def _two_processes(directory: FakeOrderDirectory) -> tuple[Conversations, Conversations]:
    """Two `Conversations` on one store, as two server processes on one database."""
    store = MemoryConversationStore()
    return (Conversations(directory, store, ttl=timedelta(minutes=10)),
            Conversations(directory, store, ttl=timedelta(minutes=10)))


async def test_an_answer_at_another_process_completes_the_question(
        directory: FakeOrderDirectory) -> None:
    a, b = _two_processes(directory)
    asked = await a.interpret("web", "sales2", "SO-12 数量改一下", NOW)
    assert asked.kind == "question"
    done = await b.interpret("web", "sales2", "20件", NOW + timedelta(seconds=5))
    assert done.kind == "command" and done.command is not None
    assert done.command.to_contract_dict() == {
        "intent": "change", "order": "SO-12",
        "changes": [{"field": "quantity", "value": 20, "unit": "件"}]}
    assert await a.pending("web", "sales2", NOW) is None  # answered: gone for everyone


async def test_a_number_picks_from_the_list_another_process_showed(
        directory: FakeOrderDirectory) -> None:
    a, b = _two_processes(directory)
    shown = await a.interpret("web", "sales1", "我的订单", NOW)
    picked = await b.interpret("web", "sales1", "2", NOW + timedelta(seconds=5))
    assert picked.kind == "command" and picked.command is not None
    assert picked.command.intent is Intent.QUERY_PROGRESS
    assert picked.command.order == shown.orders[1].ref


async def test_one_question_is_answered_once(directory: FakeOrderDirectory) -> None:
    a, b = _two_processes(directory)
    await a.interpret("web", "sales2", "SO-12 数量改一下", NOW)
    first, second = await asyncio.gather(a.interpret("web", "sales2", "20件", NOW),
                                         b.interpret("web", "sales2", "30件", NOW))
    kinds = sorted([first.kind, second.kind])
    assert kinds == ["command", "question"]  # the other is read afresh: which order?


@pytest.mark.parametrize("text", [
    "SO-12 交期改一下", "SO-12 颜色改成胡桃", "切割 报工", "批准", "SO-12 数量改成 500 件",
    "SO-101 和 SO-102 都加急", "WO-15 折弯做完120个，报废3个", "change SO-12 packaging",
])
def test_pending_state_survives_json(text: str) -> None:
    from bot.parsing import parse_text

    result = parse_text(text, NOW, "Asia/Shanghai",
                        Vocabulary(colors={"胡桃木色": ["walnut"]}))
    question = result.question or Question("order", "which?", ("SO-1", "SO-2"))
    entry = Pending(result.command, question, result.lang, NOW, "SO077")
    back = pending_from_json(json.loads(json.dumps(pending_to_json(entry))), NOW)
    assert back is not None
    assert back.command == entry.command
    assert back.command.operation_canonical == entry.command.operation_canonical
    assert (back.question.text, back.question.kind, back.question.options, back.question.key,
            back.question.change_index, back.question.written) == (
        question.text, question.kind, question.options, question.key, question.change_index,
        question.written)
    assert (back.lang, back.written, back.asked_at) == (entry.lang, "SO077", NOW)


@pytest.mark.parametrize("state", [
    {}, {"format": 99}, {"format": 1, "command": {"intent": "nonsense"}},
    {"format": 1, "command": {"intent": "change", "colour": "red"}, "question": {},
     "lang": "zh", "written": None},
])
async def test_unreadable_state_is_nothing_pending(directory: FakeOrderDirectory,
                                                   state: dict[str, object]) -> None:
    store = MemoryConversationStore()
    await store.save("web", "sales2", state, NOW, NOW + timedelta(minutes=5))
    conv = Conversations(directory, store)
    assert await conv.pending("web", "sales2", NOW) is None
    out = await conv.interpret("web", "sales2", "20件", NOW)
    assert out.kind == "question" and "哪个订单" in (out.text or "")


async def test_expired_entries_are_purged(directory: FakeOrderDirectory) -> None:
    store = MemoryConversationStore()
    conv = Conversations(directory, store, ttl=timedelta(minutes=2))
    await conv.interpret("wecom", "sales2", "SO-12 数量改一下", NOW)
    await conv.interpret("wecom", "sales1", "SO-101 数量改一下", NOW)
    assert len(store) == 2
    await conv.interpret("dingtalk", "sales1", "你好", NOW + timedelta(minutes=30))
    assert len(store) == 0


# --- answers read in the light of the question, the last card, asked-back questions ------


async def test_a_multiple_is_content_not_a_missing_change(conv: Conversations) -> None:
    done = await conv.interpret("web", "sales2", "SO-12 数量翻倍", NOW)
    assert done.kind == "command" and done.command is not None
    assert done.command.relative[0].factor == 2.0 and done.command.changes == ()


@pytest.mark.parametrize(("ask", "answer", "item"), [
    ("SO-12 推迟几天", "3", {"field": "due_date", "delta_days": 3}),
    ("SO-12 推迟几天", "3天", {"field": "due_date", "delta_days": 3}),
    ("SO-12 提前几天", "2", {"field": "due_date", "delta_days": -2}),
    ("SO-12 交期改到下个月", "15号", {"field": "due_date", "value": "2026-12-15"}),
    ("SO-12 改到下周", "三", {"field": "due_date", "value": "2026-11-25"}),
    ("SO-12 push it back a bit", "3 days", {"field": "due_date", "delta_days": 3}),
    ("SO-12 due next month", "15th", {"field": "due_date", "value": "2026-12-15"}),
    ("SO-12 多加一些", "100件", {"field": "quantity", "delta": 100, "unit": "件"}),
])
async def test_a_vague_amounts_answer_completes_its_finer_question(
        conv: Conversations, ask: str, answer: str, item: dict[str, object]) -> None:
    first = await conv.interpret("web", "sales2", ask, NOW)
    assert first.kind == "question"
    done = await conv.interpret("web", "sales2", answer, NOW + timedelta(minutes=1))
    assert done.kind == "command" and done.command is not None, done
    assert done.command.to_contract_dict()["changes"] == [item]


async def test_a_bare_confirm_answers_the_last_card_even_after_a_list(conv: Conversations) -> None:
    await conv.show_card("web", "sales1", "CR-1", "zh", NOW)
    await conv.show_card("web", "sales1", "CR-2", "zh", NOW)
    shown = await conv.interpret("web", "sales1", "我的订单", NOW)
    picked = await conv.interpret("web", "sales1", "2", NOW)
    assert picked.command is not None and picked.command.order == shown.options[1]
    for text in ("确认", "好的", "1"):
        said = await conv.interpret("web", "sales1", text, NOW)
        assert said.command is not None and (said.command.intent, said.command.ref) == (
            Intent.CONFIRM, "CR-2")
    no = await conv.interpret("web", "sales1", "2", NOW)
    assert no.command is not None
    assert (no.command.intent, no.command.ref) == (Intent.REJECT, "CR-2")
    named = await conv.interpret("web", "sales1", "确认 CR-1", NOW)
    assert named.command is not None and named.command.ref == "CR-1"
    assert await conv.pending("web", "sales1", NOW) is None  # a card is no open question


async def test_an_asked_back_yes_no_goes_on_with_a_yes_and_drops_otherwise(
        conv: Conversations) -> None:
    from bot.parsing import Change, Command

    command = Command(Intent.CHANGE, "SO-12", (Change("due_date", "2026-12-25"),))
    await conv.ask_back("web", "sales2", command, Question("yes_no", "是要改到12-25吗？"), "zh",
                        NOW)
    yes = await conv.interpret("web", "sales2", "是", NOW)
    assert yes.kind == "command" and yes.command == command
    await conv.ask_back("web", "sales2", command, Question("yes_no", "是要改到12-25吗？"), "zh",
                        NOW)
    no = await conv.interpret("web", "sales2", "不是", NOW)
    assert no.kind == "dropped"
