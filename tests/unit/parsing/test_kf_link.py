"""kf_link: a request for a customer's 微信客服 binding link, read before order references."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.parsing import parse_text

NOW = datetime.fromisoformat("2026-11-18T09:30:00+08:00")


@pytest.mark.parametrize(("text", "customer", "lang"), [
    ("给华兴发个绑定链接", "华兴", "zh"),
    ("C01 客服链接", "C01", "zh"),  # a customer code, though shaped like an order number
    ("binding link for C01", "C01", "en"),
    ("客户绑定二维码 华兴", "华兴", "zh"),
    ("华兴的微信客服二维码", "华兴", "zh"),
    ("请给客户C03生成一个客服链接", "C03", "zh"),
    ("把宏景的绑定链接发我", "宏景", "zh"),
    ("send Acme Corp the binding link", "Acme Corp", "en"),
    ("发个绑定链接", None, "zh"),
])
def test_binding_link_requests_name_the_customer_as_written(
        text: str, customer: str | None, lang: str) -> None:
    result = parse_text(text, NOW)
    assert result.to_contract_dict() == {"intent": "kf_link", "order": None,
                                         "customer": customer}
    assert result.lang == lang and result.question is None


@pytest.mark.parametrize("text", ["SO-12 进度", "C01 的订单哪些会延误", "SO-12 数量改成500件",
                                  "SO-12 二维码标签改成新版"])
def test_messages_without_the_cue_are_not_link_requests(text: str) -> None:
    assert parse_text(text, NOW).command.intent.value != "kf_link"


def test_the_link_answers_are_bilingual() -> None:
    from bot.conversation.replies.kf_link import KF_LINK_TEXTS
    from core.i18n import check_catalog

    assert check_catalog(KF_LINK_TEXTS) == []
