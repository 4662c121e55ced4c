"""Bad input never crashes: it yields `unknown` or a question. Replies are bilingual."""

from __future__ import annotations

import os
import random
from datetime import datetime

import pytest

from bot.parsing import parse_text
from bot.parsing.questions import CATALOG
from core.i18n import check_catalog

NOW = datetime.fromisoformat("2026-11-18T09:30:00+08:00")
INTENTS = {"query_progress", "change", "cancel", "what_if", "report", "confirm", "reject",
           "approve", "deny", "help", "unknown"}

_rng = random.Random(4)
BAD = [
    "", "   ", "\x00\x01\x02\x7f", "👍🎉🔥🙏", "☀️☀️", "SO-12 " * 900, "数量改成" * 1250,
    "x" * 5000, os.urandom(4096).decode("latin-1"),
    bytes(_rng.getrandbits(8) for _ in range(5000)).decode("utf-8", "replace"),
    "\ud800\udfff", "ملخص SO-12 кол-во 500 数量", "Ｓ\u0301Ｏ-12 改成\u202e500",
    "SO-12 交期改到0月0号", "SO-12 交期推迟99999999天", "SO-12 交期改到99999年1月1号",
    *("".join(chr(_rng.randint(0, 0x2FFFF)) for _ in range(_rng.randint(1, 80)))
      for _ in range(40)),
]


@pytest.mark.parametrize("text", BAD, ids=range(len(BAD)))
def test_bad_input_never_crashes(text: str) -> None:
    result = parse_text(text, NOW)
    out = result.to_contract_dict()
    assert out["intent"] in INTENTS
    if out["intent"] in ("change", "what_if"):
        assert out["changes"] or result.question is not None or result.command.relative


@pytest.mark.parametrize("text", ["", "👍", "asdfgh", "今天食堂吃啥", "在吗？", "x" * 5000])
def test_noise_is_unknown(text: str) -> None:
    out = parse_text(text, NOW).to_contract_dict()
    assert (out["intent"], out["order"]) == ("unknown", None)


def test_non_string_input_is_unknown() -> None:
    assert parse_text(None, NOW).command.intent == "unknown"  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "lang", "needle"), [
    ("SO-12 交期改一下", "zh", "交期"),
    ("change SO-12 due date", "en", "due date"),
    ("rush please", "en", "Which order"),
    ("加急", "zh", "哪个订单"),
    ("change SO-12 qty", "en", "quantity"),
])
def test_questions_in_the_senders_language(text: str, lang: str, needle: str) -> None:
    result = parse_text(text, NOW)
    assert result.lang == lang
    assert result.question is not None and needle in result.question.text


def test_order_number_alone_is_not_english() -> None:
    assert parse_text("SO-12", NOW).lang == "zh"


def test_question_catalog_is_bilingual() -> None:
    assert check_catalog(CATALOG) == []


def test_question_is_the_text_to_send() -> None:
    import json

    question = parse_text("SO-12 交期改一下", NOW).question
    assert isinstance(question, str) and question == question.text and question.kind == "due_date"
    assert json.loads(json.dumps({"q": question}, ensure_ascii=False))["q"] == question.text


def test_naive_now_and_unknown_zone_do_not_crash() -> None:
    naive = datetime(2026, 11, 18, 9, 30)
    out = parse_text("SO-12 明天交货", naive, tz="Not/AZone").to_contract_dict()
    assert out["changes"] == [{"field": "due_date", "value": "2026-11-19"}]
