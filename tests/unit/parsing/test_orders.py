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
