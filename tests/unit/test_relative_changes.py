"""A multiple of the current quantity and a due date's direction, settled against the order."""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation.replies.cards import understood_line
from core.change_control.relative import direction_unclear, multiplied, resolve_relative
from core.commands import ChangeItem, RelativeItem
from core.errors import ValidationError
from core.model.work_order import WorkOrder
from core.notices import BeforeAfter

ORDER = WorkOrder("SO-7", "C01", "F-DESK", 7, date(2026, 12, 20))


@pytest.mark.parametrize(("current", "factor", "result"), [
    (8, 2.0, 16), (7, 0.5, 4), (8, 1.2, 10), (120, 1.2, 144), (5, 3.0, 15), (3, 0.5, 2),
])
def test_a_multiple_rounds_half_up_to_a_whole_number(current: int, factor: float,
                                                     result: int) -> None:
    assert multiplied(current, factor) == result


def test_a_multiple_becomes_a_value_item_that_keeps_its_factor() -> None:
    assert resolve_relative(ORDER, [RelativeItem("quantity", 2.0, "翻倍")]) == [
        {"field": "quantity", "value": 14, "factor": 2.0}]
    with pytest.raises(ValidationError):
        resolve_relative(ORDER, [RelativeItem("due_date", 2.0, "翻倍")])


def test_the_card_says_the_factor_and_how_it_rounded() -> None:
    exact = BeforeAfter("quantity", 8, 16, factor=2.0)
    rounded = BeforeAfter("quantity", 7, 4, factor=0.5)
    assert understood_line(exact, "zh") == "数量 8 → 16件（×2）"
    assert understood_line(exact, "en") == "Quantity 8 → 16 pcs (×2)"
    assert understood_line(rounded, "zh") == "数量 7 → 4件（×0.5，3.5四舍五入为4）"
    assert understood_line(rounded, "en") == "Quantity 7 → 4 pcs (×0.5, 3.5 rounded to 4)"
    assert BeforeAfter.from_dict(rounded.to_dict()) == rounded  # approval cards say the same


@pytest.mark.parametrize(("value", "direction", "asked_back"), [
    ("2026-12-25", "earlier", True), ("2026-12-15", "earlier", False),
    ("2026-12-15", "later", True), ("2026-12-25", "later", False), ("2026-12-25", None, False),
])
def test_a_date_on_the_other_side_of_its_verb_is_asked_back(
        value: str, direction: str | None, asked_back: bool) -> None:
    unclear = direction_unclear(ORDER, [ChangeItem("due_date", value, direction=direction)])
    assert (unclear is not None) is asked_back
    if unclear is not None:
        assert (unclear.current, unclear.asked) == (date(2026, 12, 20), date.fromisoformat(value))
