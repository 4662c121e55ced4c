"""Order and change-request references."""

from __future__ import annotations

import pytest

from bot.parsing.orders import find_change_requests, find_order, match_orders, order_key


@pytest.mark.parametrize(("text", "ref"), [
    ("SO-2025-0042 现在到哪一步了", "SO-2025-0042"),
    ("so 88 怎么样了", "SO88"),
    ("so-77 生产到哪了", "SO-77"),
    ("订单号 7781023 做到哪了", "7781023"),
    ("when will PO240311 ship", "PO240311"),
    ("reduce SO-12 by 100 pcs", "SO-12"),
    ("A-1020 颜色改为RAL7035", "A-1020"),
    ("颜色改为RAL7035，订单 SO-9", "SO-9"),
    ("qty 300 for SO-12", "SO-12"),
    ("确认CR-7", None),
    ("reduce by 100 pcs", None),
    ("E0级颗粒板", None),
    ("尺寸改成1200x600x750", None),
])
def test_find_order(text: str, ref: str | None) -> None:
    found = find_order(text, exclude=find_change_requests(text))
    assert (found.ref if found else None) == ref


def test_change_requests_are_canonical() -> None:
    assert [r.ref for r in find_change_requests("同意 cr-21，CR 3 也行")] == ["CR-21", "CR-3"]


def test_order_key_ignores_case_separators_and_leading_zeros() -> None:
    assert order_key("so077") == order_key("SO-77") == order_key("SO 077") == "SO77"


@pytest.mark.parametrize(("written", "expected"), [
    ("so-77", ["SO-77"]),          # exact, case-insensitive
    ("SO077", ["SO-077", "SO-77"]),  # normalised: both match, so the bot asks
    ("SO0042", ["SO-42"]),
    ("88", ["SO-88", "WO-88"]),    # the sender's own orders by digits
    ("XY-1", []),
])
def test_match_orders(written: str, expected: list[str]) -> None:
    known = ["SO-77", "SO-077", "SO-42", "SO-88", "WO-88", "SO-12"]
    assert match_orders(written, known, own=["SO-88", "WO-88", "SO-12"]) == expected


@pytest.mark.parametrize(("text", "ref"), [
    ("SO-12 数量改成 120000", "SO-12"),
    ("数量 100000 件", None),
    ("SO-12 加 200000 件", "SO-12"),
    ("SO-12 qty: 150000", "SO-12"),
    ("SO-12 change quantity to 100000 pcs", "SO-12"),
    ("7781023 数量改成 120000", "7781023"),
    ("单号 123456 数量 100000件", "123456"),  # after an order cue a number is the order
    ("7781023 进度", "7781023"),  # a bare order number still works
    ("订单 7781023 数量改成500", "7781023"),
])
def test_six_digit_counts_are_not_orders(text: str, ref: str | None) -> None:
    from bot.parsing.orders import find_orders

    found = find_orders(text)
    assert [m.ref for m in found] == ([ref] if ref else [])


@pytest.mark.parametrize(("text", "order", "change"), [
    ("SO-12 数量改成 120000", "SO-12", {"field": "quantity", "value": 120000}),
    ("SO-12 数量 100000 件", "SO-12", {"field": "quantity", "value": 100000, "unit": "件"}),
    ("7781023 数量改成 120000", "7781023", {"field": "quantity", "value": 120000}),
])
def test_six_digit_counts_are_read_as_quantities(text: str, order: str,
                                                 change: dict[str, object]) -> None:
    from datetime import datetime

    from bot.parsing import parse_text

    result = parse_text(text, datetime.fromisoformat("2026-11-18T09:30:00+08:00"))
    out = result.to_contract_dict()
    assert (out["order"], out["changes"], result.question) == (order, [change], None)


@pytest.mark.parametrize(("text", "intent", "ref"), [
    ("批准 NO-3", "approve", "NO-3"),
    ("驳回 NO-3", "deny", "NO-3"),
    ("approve no-3", "approve", "NO-3"),
    ("NO-12 同意", "approve", "NO-12"),
    ("确认 NO-3", "confirm", "NO-3"),
    ("批准 CR-3", "approve", "CR-3"),
])
def test_new_order_requests_are_decided_by_ref_like_change_requests(
        text: str, intent: str, ref: str) -> None:
    from datetime import datetime

    from bot.parsing import parse_text

    out = parse_text(text, datetime.fromisoformat("2026-11-18T09:30:00+08:00")).to_contract_dict()
    assert (out["intent"], out.get("ref"), out["order"]) == (intent, ref, None)


def test_no_without_a_hyphen_is_not_a_request() -> None:
    assert [r.ref for r in find_change_requests("no 3 pieces, CR-4 and NO-5")] == ["CR-4", "NO-5"]
