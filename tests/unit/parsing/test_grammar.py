"""Tricky phrasings beyond the corpus: numerals, dates, masking, fields, intents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.parsing import parse_text

NOW = datetime.fromisoformat("2026-11-18T09:30:00+08:00")  # a Wednesday
YEAR_END = datetime.fromisoformat("2026-12-27T15:00:00+08:00")  # a Sunday


def changes(text: str, now: datetime = NOW) -> list[dict[str, Any]]:
    out = parse_text(text, now).to_contract_dict()
    return [{k: v for k, v in c.items() if k != "canonical"} for c in out.get("changes", [])]


@pytest.mark.parametrize(("text", "expected"), [
    ("SO-12 数量改成万五", {"field": "quantity", "value": 15000}),
    ("SO-12 再加俩", {"field": "quantity", "delta": 2}),
    ("SO-12 加3k件", {"field": "quantity", "delta": 3000, "unit": "件"}),
    ("SO-12 数量改成两万", {"field": "quantity", "value": 20000}),
    ("SO-12 数量改成1千2件", {"field": "quantity", "value": 1200, "unit": "件"}),
    ("SO-12 数量从500改成800", {"field": "quantity", "value": 800}),
    ("SO-12 再来200件", {"field": "quantity", "delta": 200, "unit": "件"}),
    ("SO-12 减掉100件", {"field": "quantity", "delta": -100, "unit": "件"}),
    ("SO-12 make it 600 pcs", {"field": "quantity", "value": 600, "unit": "pcs"}),
    ("SO-12 change quantity to 1,200 pcs", {"field": "quantity", "value": 1200, "unit": "pcs"}),
])
def test_quantities(text: str, expected: dict[str, Any]) -> None:
    assert changes(text) == [expected]


@pytest.mark.parametrize(("text", "now", "expected"), [
    ("SO-12 交期改到下周三", NOW, {"field": "due_date", "value": "2026-11-25"}),
    ("SO-12 交期改到周一", NOW, {"field": "due_date", "value": "2026-11-16"}),
    ("SO-12 交期改到这周日", YEAR_END, {"field": "due_date", "value": "2026-12-27"}),
    ("SO-12 下周五交货", YEAR_END, {"field": "due_date", "value": "2027-01-01"}),
    ("SO-12 交期改到1月5号", YEAR_END, {"field": "due_date", "value": "2027-01-05"}),
    ("SO-12 交期改到12月27号", YEAR_END, {"field": "due_date", "value": "2026-12-27"}),
    ("SO-12 交期改到月底", NOW, {"field": "due_date", "value": "2026-11-30"}),
    ("SO-12 交期改到下个月底", YEAR_END, {"field": "due_date", "value": "2027-01-31"}),
    ("SO-12 交期改到下月底", NOW, {"field": "due_date", "value": "2026-12-31"}),
    ("SO-12 10天后交货", YEAR_END, {"field": "due_date", "value": "2027-01-06"}),
    ("SO-12 大后天交", NOW, {"field": "due_date", "value": "2026-11-21"}),
    ("SO-12 提前三天", NOW, {"field": "due_date", "delta_days": -3}),
    ("SO-12 推迟一周", NOW, {"field": "due_date", "delta_days": 7}),
    ("SO-12 延后两周", NOW, {"field": "due_date", "delta_days": 14}),
    ("push SO-12 back by 3 days", NOW, {"field": "due_date", "delta_days": 3}),
    ("bring SO-12 forward a week", NOW, {"field": "due_date", "delta_days": -7}),
    ("SO-12 交期改为12/10", NOW, {"field": "due_date", "value": "2026-12-10"}),
    ("SO-12 交期改为1/15", YEAR_END, {"field": "due_date", "value": "2027-01-15"}),
])
def test_dates(text: str, now: datetime, expected: dict[str, Any]) -> None:
    assert changes(text, now) == [expected]


def test_order_reference_is_masked_before_dates_and_numbers() -> None:
    out = parse_text("SO-53 交期改到12月5号", NOW).to_contract_dict()
    assert out["order"] == "SO-53"
    assert out["changes"] == [{"field": "due_date", "value": "2026-12-05"}]
    assert changes("SO-1953 数量改成300") == [{"field": "quantity", "value": 300}]


def test_now_is_read_in_the_factory_zone() -> None:
    utc_evening = datetime.fromisoformat("2026-11-17T20:00:00+00:00")  # 04:00 on the 18th, +08
    assert changes("SO-12 明天交货", utc_evening) == [{"field": "due_date", "value": "2026-11-19"}]


@pytest.mark.parametrize(("text", "expected"), [
    ("SO-12 板材颜色换成胡桃木色", [{"field": "spec", "key": "color", "value": "胡桃木色"}]),
    ("SO-12 改用不锈钢材质", [{"field": "spec", "key": "material", "value": "不锈钢"}]),
    ("SO-12 颜色 白色", [{"field": "spec", "key": "color", "value": "白色"}]),
    ("SO-12 换成黑色", [{"field": "spec", "key": "color", "value": "黑色"}]),
    ("SO-12 去掉抛光和电镀", [{"field": "remove_operation", "value": "抛光"},
                          {"field": "remove_operation", "value": "电镀"}]),
    ("SO-12 别做抛光了", [{"field": "remove_operation", "value": "抛光"}]),
    ("add welding to SO-12", [{"field": "add_operation", "value": "welding"}]),
    ("SO-12 不用加急了", [{"field": "priority", "value": "normal"}]),
    ("SO-12 取消加急", [{"field": "priority", "value": "normal"}]),
    ("SO-12 不要加急", [{"field": "priority", "value": "normal"}]),
    ("SO-12 不是很急", [{"field": "priority", "value": "normal"}]),
    ("SO-12 no need to rush", [{"field": "priority", "value": "normal"}]),
    ("SO-12 不要加喷砂", [{"field": "remove_operation", "value": "喷砂"}]),
])
def test_fields(text: str, expected: list[dict[str, Any]]) -> None:
    assert changes(text) == expected


@pytest.mark.parametrize(("text", "intent", "order"), [
    ("SO-12", "query_progress", "SO-12"),
    ("取消SO-31", "cancel", "SO-31"),
    ("SO-31 这个单不要了", "cancel", "SO-31"),
    ("取消", "reject", None),
    ("SO-12 取消", "cancel", "SO-12"),
    ("SO-12 取消吧", "cancel", "SO-12"),
    ("7781023不要了，取消吧", "cancel", "7781023"),
    ("SO-12 取消修改", "reject", "SO-12"),
    ("SO-12 的变更取消", "reject", "SO-12"),
    ("SO-12 先别取消", "reject", "SO-12"),
    ("SO-12 确认", "confirm", "SO-12"),
    ("CR-12 SO-12 批准", "approve", "SO-12"),
    ("不要改了", "reject", None),
    ("早上好", "unknown", None),
    ("明天下雨吗", "unknown", None),
    ("焊接 80", "report", None),
    ("WO-15 折弯 今天做了200个", "report", "WO-15"),
    ("我负责的订单", "query_progress", None),
    ("@工单助手 好", "confirm", None),
    ("SO-12 数量是多少", "query_progress", "SO-12"),
    ("SO-12 还差多少", "query_progress", "SO-12"),
    ("@Gongdan where is SO-12", "query_progress", "SO-12"),
])
def test_intents(text: str, intent: str, order: str | None) -> None:
    out = parse_text(text, NOW).to_contract_dict()
    assert (out["intent"], out["order"]) == (intent, order)


@pytest.mark.parametrize(("text", "kind"), [
    ("SO-12 交期改一下", "due_date"),
    ("SO-12 交期提前", "due_date"),
    ("SO-12 尽量提前", "due_date"),
    ("postpone SO-12", "due_date"),
    ("change SO-12 packaging", "spec_value"),
    ("SO-12 换个颜色", "spec_value"),
    ("SO-12 交期改到2月30号", "due_date"),
    ("SO-12 交期改为下周", "due_date"),
    ("SO-12 交期推到下个月", "due_date"),
    ("SO-12 交期改成国庆后", "due_date"),
    ("SO-12 due next week", "due_date"),
    ("SO-12 数量改一下", "quantity"),
    ("SO-12 数量改成半", "quantity"),
    ("SO-12 数量改成99999999999件", "quantity"),
    ("SO-12 包装改一下", "spec_value"),
    ("SO-12 要改", "change"),
    ("改成500", "order"),
    ("加急", "order"),
    ("报工 完成50件", "report_operation"),
    ("切割 报工", "report_quantity"),
    ("驳回", "ref"),
])
def test_incomplete_messages_ask_a_precise_question(text: str, kind: str) -> None:
    result = parse_text(text, NOW)
    assert result.question is not None and result.question.kind == kind
    assert result.to_contract_dict()["question"] == result.question.text


def test_configurable_order_pattern() -> None:
    result = parse_text("JOB#4711 加急", NOW, order_pattern=r"JOB#[0-9]+")
    assert result.to_contract_dict() == {
        "intent": "change", "order": "JOB#4711",
        "changes": [{"field": "priority", "value": "rush"}]}


def test_change_request_is_not_an_order() -> None:
    assert parse_text("批准CR-12", NOW).to_contract_dict() == {
        "intent": "approve", "order": None, "ref": "CR-12"}


def test_several_orders_in_a_change_are_asked_not_guessed() -> None:
    result = parse_text("SO-12 和 SO-13 都加急", NOW)
    assert result.question is not None and result.question.options == ("SO-12", "SO-13")
    assert parse_text("A-1020 颜色改为RAL7035", NOW).question is None
