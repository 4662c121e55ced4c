"""Changes stated against the order as it is: multiples ("翻倍") and a due date's direction.

The parser cannot know an order's current values, so it leaves two things to
the request: a multiple of the current quantity, and whether a new due date
really lies the way the message's verb says ("提前到12-25" on an order due
12-20 moves it later). Both are settled here, against the order being changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.change_control.results import DirectionUnclear
from core.commands import ChangeItem, RelativeItem
from core.errors import ValidationError
from core.model.work_order import WorkOrder


def multiplied(current: int, factor: float) -> int:
    """`current` × `factor` rounded half up to a whole number (7 × 0.5 = 3.5 -> 4)."""
    exact = Decimal(current) * Decimal(str(factor))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def resolve_relative(order: WorkOrder, relative: Sequence[RelativeItem]) -> list[dict[str, Any]]:
    """Each multiple as a contract item with the value it comes to on `order`; the item
    keeps its `factor` so the card can show "数量 8 → 16件 (×2)".

    :raises ValidationError: a multiple of something that has no amount.
    """
    items: list[dict[str, Any]] = []
    for r in relative:
        if r.field != "quantity":
            raise ValidationError(f"{order.ref}: {r.written or r.field} cannot be multiplied")
        if r.factor <= 0:
            raise ValidationError(f"{order.ref}: {r.written or r.factor} is not a multiple")
        items.append({"field": "quantity", "value": multiplied(order.quantity, r.factor),
                      "factor": r.factor})
    return items


def direction_unclear(order: WorkOrder, items: Sequence[ChangeItem]) -> DirectionUnclear | None:
    """The first due date set against its verb's direction (earlier but later, or the
    reverse), to be asked back instead of applied; None when every date agrees."""
    for item in items:
        if item.field != "due_date" or item.direction not in ("earlier", "later"):
            continue
        try:
            asked = date.fromisoformat(str(item.value))
        except ValueError:
            continue
        if (item.direction == "earlier" and asked > order.due_date
                or item.direction == "later" and asked < order.due_date):
            return DirectionUnclear(order.ref, order.due_date, asked, item.direction)
    return None
