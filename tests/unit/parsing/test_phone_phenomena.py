"""Phone-style messages, one test per phenomenon, with phrasings not in the corpus.

Several changes in one message; corrections and negations; relative amounts
that must never be read as numbers; free-text answers; list, load, quote and
new-order questions; help and chit-chat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.parsing import RelativeChange, Vocabulary, parse_text

NOW = datetime.fromisoformat("2026-12-06T10:00:00+08:00")  # a Sunday


def read(text: str, vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    out = parse_text(text, NOW, vocabulary=vocabulary).to_contract_dict()
    for item in out.get("changes", []):
        item.pop("canonical", None)
        item.pop("unit", None)
    return out


def changes(text: str) -> list[dict[str, Any]]:
    return read(text)["changes"]


QTY = {"field": "quantity", "value": 400}
RUSH = {"field": "priority", "value": "rush"}


@pytest.mark.parametrize(("text", "expected"), [
    ("SO-31 数量改成400 包装改成木箱 加急",
     [QTY, {"field": "spec", "key": "packaging", "value": "木箱"}, RUSH]),
    ("SO-31数量改成400包装改成纸箱加急",
     [QTY, {"field": "spec", "key": "packaging", "value": "纸箱"}, RUSH]),
    ("SO-31 加急，数量改成400，颜色换成黑色",
     [RUSH, QTY, {"field": "spec", "key": "color", "value": "黑色"}]),
    ("SO-31 改成蓝色 另外数量改400", [{"field": "spec", "key": "color", "value": "蓝色"}, QTY]),
    ("SO-31 换成灰色再加50件",
     [{"field": "spec", "key": "color", "value": "灰色"}, {"field": "quantity", "delta": 50}]),
    ("SO-31 数量400 交期下周五 包装木箱",
     [QTY, {"field": "due_date", "value": "2026-12-11"},
      {"field": "spec", "key": "packaging", "value": "木箱"}]),
    ("SO-31 white, 400 pcs, rush",
     [{"field": "spec", "key": "color", "value": "white"}, QTY, RUSH]),
    ("change SO-31 to black and qty 400",
     [{"field": "spec", "key": "color", "value": "black"}, QTY]),
    ("SO-31 材质换成铝合金，交期照旧", [{"field": "spec", "key": "material", "value": "铝合金"}]),
    ("SO-31 数量不动 颜色改成白色", [{"field": "spec", "key": "color", "value": "白色"}]),
])
def test_several_changes_in_one_message(text: str, expected: list[dict[str, Any]]) -> None:
    assert changes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("SO-31 颜色改回原来的灰色", {"field": "spec", "key": "color", "value": "灰色"}),
    ("SO-31 还是换回之前的黑色吧", {"field": "spec", "key": "color", "value": "黑色"}),
    ("SO-31 材料还是用碳钢", {"field": "spec", "key": "material", "value": "碳钢"}),
    ("SO-31 还是用铝合金", {"field": "spec", "key": "material", "value": "铝合金"}),
    ("SO-31 抛光不用做了", {"field": "remove_operation", "value": "抛光"}),
    ("SO-31 不用焊接了", {"field": "remove_operation", "value": "焊接"}),
    ("SO-31 先不加急了", {"field": "priority", "value": "normal"}),
    ("SO-31 不急了 慢慢做", {"field": "priority", "value": "normal"}),
    ("SO-31 表面做哑光", {"field": "spec", "key": "finish", "value": "哑光"}),
    ("SO-31: make it oak", {"field": "spec", "key": "color", "value": "oak"}),
])
def test_corrections_and_negations(text: str, expected: dict[str, Any]) -> None:
    assert changes(text) == [expected]


@pytest.mark.parametrize("text", [
    "先别改了", "算了算了", "不改了 就保持原样吧", "先别动了，取消这次修改", "这次变更放弃吧",
    "no, don't change it", "forget it", "leave it as is, thanks",
])
def test_reject_forms(text: str) -> None:
    assert read(text) == {"intent": "reject", "order": None}


@pytest.mark.parametrize(("text", "intent"), [
    ("取消SO-31", "cancel"), ("cancel SO-31", "cancel"), ("SO-31 取消", "cancel"),
    ("SO-31 这单不要了", "cancel"),
])
def test_cancelling_an_order_is_not_a_reject(text: str, intent: str) -> None:
    assert read(text)["intent"] == intent and read(text)["order"] == "SO-31"


@pytest.mark.parametrize(("text", "factor"), [
    ("SO-31 数量翻倍", 2.0), ("SO-31 翻一番", 2.0), ("SO-31 数量加到三倍", 3.0),
    ("SO-31 数量乘以4", 4.0), ("SO-31 qty x3", 3.0), ("double SO-31", 2.0),
    ("SO-31 数量减半", 0.5), ("SO-31 砍掉一半", 0.5), ("SO-31 多做两成", 1.2),
    ("SO-31 数量减少10%", 0.9),
])
def test_multiples_are_relative_never_numbers(text: str, factor: float) -> None:
    result = parse_text(text, NOW)
    assert result.to_contract_dict()["changes"] == []
    assert result.command.relative == (RelativeChange("quantity", factor,
                                                      result.command.relative[0].written),)
    assert result.question is None


def test_a_multiple_in_a_what_if_stays_relative() -> None:
    result = parse_text("要是SO-2026-0031数量变成两倍会怎么样", NOW)
    out = result.to_contract_dict()
    assert (out["intent"], out["order"], out["changes"]) == ("what_if", "SO-2026-0031", [])
    assert out["relative"] == [{"field": "quantity", "factor": 2.0, "written": "数量变成两倍"}]
    assert [r.factor for r in result.command.relative] == [2.0]


@pytest.mark.parametrize(("text", "asks"), [
    ("SO-31 交期稍微往后推一点", "推迟多少天"), ("SO-31 晚几天交也行", "推迟多少天"),
    ("SO-31 能不能早点交", "提前多少天"), ("SO-31 交期改到下个月吧", "下个月几号"),
    ("SO-31 提前到下周", "下周几"), ("SO-31 再多做一些", "多少"),
    ("push SO-31 back a little", "days later"), ("move SO-31 to next month", "next month"),
])
def test_vague_amounts_are_asked(text: str, asks: str) -> None:
    result = parse_text(text, NOW)
    assert result.to_contract_dict()["changes"] == []
    assert result.question is not None and asks in result.question.text


@pytest.mark.parametrize(("text", "direction"), [
    ("SO-31 交期提前到12月20号", "earlier"), ("SO-31 推迟到12月10号交", "later"),
    ("SO-31 往后推5天", "later"), ("SO-31 提前两天", "earlier"),
    ("SO-7 提前到12-25", "earlier"), ("SO-7 推迟到12/25", "later"),  # a number pair is a date
])
def test_due_dates_carry_the_verbs_direction(text: str, direction: str) -> None:
    result = parse_text(text, NOW)
    assert [c.direction for c in result.command.changes] == [direction]
    assert "direction" not in result.to_contract_dict()["changes"][0]


@pytest.mark.parametrize(("text", "expected"), [
    ("确认一下，就这么改吧", {"intent": "confirm", "order": None}),
    ("行 按这个改", {"intent": "confirm", "order": None}),
    ("好的 没问题", {"intent": "confirm", "order": None}),
    ("looks good, go ahead", {"intent": "confirm", "order": None}),
    ("yes please", {"intent": "confirm", "order": None}),
    ("确认 CR-44", {"intent": "confirm", "order": None, "ref": "CR-44"}),
    ("同意 CR-8", {"intent": "approve", "order": None, "ref": "CR-8"}),
    ("CR-8 驳回", {"intent": "deny", "order": None, "ref": "CR-8"}),
])
def test_free_text_answers(text: str, expected: dict[str, Any]) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(("text", "intent"), [
    ("批准", "approve"), ("approve", "approve"), ("驳回", "deny"), ("不同意", "deny"),
    ("deny", "deny"),
])
def test_bare_decisions_ask_for_the_change_request(text: str, intent: str) -> None:
    result = parse_text(text, NOW)
    assert result.command.intent == intent and result.question is not None


@pytest.mark.parametrize(("text", "flt", "customer"), [
    ("现在哪些单子会延误", "late", None), ("今天有哪些单会晚", "late", None),
    ("今天要交的有哪些", "due_today", None), ("本周要交哪些订单", "due_this_week", None),
    ("现在有几个加急单", "rush", None), ("宏达的订单哪些会延误", "late", "宏达"),
    ("which orders are late", "late", None), ("any rush orders?", "rush", None),
    ("what's due today", "due_today", None), ("late orders for Acme", "late", "Acme"),
])
def test_list_questions(text: str, flt: str, customer: str | None) -> None:
    assert read(text) == {"intent": "query_orders", "order": None, "filter": flt,
                          "customer": customer}


@pytest.mark.parametrize("text", [
    "现在瓶颈在哪个工序", "下周产能够不够", "车间这周负荷高吗", "what's the bottleneck",
    "how busy is the shop this week",
])
def test_load_questions(text: str) -> None:
    assert read(text) == {"intent": "query_shop", "order": None}


@pytest.mark.parametrize(("text", "expected"), [
    ("文件柜 80个最快什么时候能交",
     {"product": "文件柜", "quantity": 80, "specs": [], "customer": None}),
    ("how soon could we make 40 T-SHELF-3",
     {"product": "T-SHELF-3", "quantity": 40, "specs": [], "customer": None}),
    ("宏达要60套G-CHAIR-1 黑色 多久能做好",
     {"product": "G-CHAIR-1", "quantity": 60, "specs": [{"key": "color", "value": "黑色"}],
      "customer": "宏达"}),
])
def test_quotes(text: str, expected: dict[str, Any]) -> None:
    assert read(text) == {"intent": "quote", "order": None, **expected}


@pytest.mark.parametrize(("text", "expected"), [
    ("新单 宏达 会议桌 12张 白色 12月28号交",
     {"customer": "宏达", "product": "会议桌", "quantity": 12,
      "specs": [{"key": "color", "value": "白色"}], "due_date": "2026-12-28"}),
    ("new order for Acme: 15 T-SHELF-3 oak due 2027-01-15",
     {"customer": "Acme", "product": "T-SHELF-3", "quantity": 15,
      "specs": [{"key": "color", "value": "oak"}], "due_date": "2027-01-15"}),
    ("下单 办公椅 30把",
     {"customer": None, "product": "办公椅", "quantity": 30, "specs": [], "due_date": None}),
])
def test_new_orders(text: str, expected: dict[str, Any]) -> None:
    assert read(text) == {"intent": "new_order", "order": None, **expected}


def test_products_and_customers_from_the_vocabulary() -> None:
    vocabulary = Vocabulary(products={"L型办公桌": ["L桌"]}, customers={"华兴家具": ["华兴"]})
    out = read("帮华兴下单 L桌20张", vocabulary)
    assert (out["intent"], out["customer"], out["product"], out["quantity"]) == (
        "new_order", "华兴", "L桌", 20)


@pytest.mark.parametrize("text", ["你能干啥", "这个怎么用啊", "help", "what can you do?",
                                  "what can I ask"])
def test_help(text: str) -> None:
    assert read(text)["intent"] == "help"


@pytest.mark.parametrize(("text", "kind"), [
    ("谢谢", "thanks"), ("多谢啦", "thanks"), ("辛苦了！", "thanks"), ("thanks!", "thanks"),
    ("早上好", "greeting"), ("hi", "greeting"), ("您好", "greeting"), ("在吗？", "ping"),
    ("有人吗", "ping"),
])
def test_chit_chat_is_unknown_with_its_kind(text: str, kind: str) -> None:
    assert read(text) == {"intent": "unknown", "order": None, "smalltalk": kind}


@pytest.mark.parametrize("text", ["今天天气怎么样", "明天下雨吗", "中午吃啥好"])
def test_other_chat_is_unknown(text: str) -> None:
    assert read(text)["intent"] == "unknown"


@pytest.mark.parametrize(("text", "expected"), [
    ("where are we on SO-31?", {"intent": "query_progress", "order": "SO-31"}),
    ("看看我全部订单", {"intent": "query_progress", "order": None}),
])
def test_progress_questions(text: str, expected: dict[str, Any]) -> None:
    assert read(text) == expected
