"""tech_confirm: a planner confirms or amends a held order's requirements; orders keep notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.parsing import parse_text

NOW = datetime.fromisoformat("2026-12-06T10:00:00+08:00")


def read(text: str) -> dict[str, Any]:
    return parse_text(text, NOW).to_contract_dict()


@pytest.mark.parametrize("text", [
    "SO-2026-0031 技术确认", "确认需求 SO-2026-0031", "SO-2026-0031 需求确认",
    "tech confirm SO-2026-0031", "SO-2026-0031 technical confirmation",
])
def test_confirm_as_written(text: str) -> None:
    assert read(text) == {"intent": "tech_confirm", "order": "SO-2026-0031", "specs": []}


@pytest.mark.parametrize(("text", "specs"), [
    ("SO-2026-0031 需求改为 颜色 胡桃木色, 边角倒圆",
     [{"key": "color", "value": "胡桃木色"}, {"key": "other", "value": "边角倒圆"}]),
    ("SO-2026-0031 需求改成：表面处理 钝化；包装 木箱",
     [{"key": "finish", "value": "钝化"}, {"key": "packaging", "value": "木箱"}]),
    ("SO-2026-0031 amend requirements: color walnut, round the corners",
     [{"key": "color", "value": "walnut"}, {"key": "other", "value": "round the corners"}]),
])
def test_amend(text: str, specs: list[dict[str, str]]) -> None:
    assert read(text) == {"intent": "tech_confirm", "order": "SO-2026-0031", "specs": specs}


@pytest.mark.parametrize(("text", "intent"), [
    ("SO-31 确认", "confirm"), ("SO-12 颜色要求改成哑光黑", "change"), ("技术确认", "unknown"),
])
def test_other_messages_keep_their_intent(text: str, intent: str) -> None:
    assert read(text)["intent"] == intent


def test_new_order_keeps_leftover_words_as_notes() -> None:
    out = read("新单 华兴 F-CAB-2 20个 加一道钝化 12月30号交")
    assert (out["customer"], out["product"], out["quantity"]) == ("华兴", "F-CAB-2", 20)
    assert out["specs"] == [{"key": "other", "value": "加一道钝化"}]
    out = read("新单 华兴 L型办公桌 20张 粉红色 边角倒圆 12月30号交 谢谢")
    assert out["specs"] == [{"key": "color", "value": "粉红色"},
                            {"key": "other", "value": "边角倒圆"}]
