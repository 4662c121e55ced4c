"""Items, stock and incoming purchase orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ItemKind(StrEnum):
    MATERIAL = "material"
    PRODUCT = "product"


@dataclass(slots=True)
class Item:
    code: str
    name: str
    kind: ItemKind = ItemKind.MATERIAL
    unit: str = "pcs"
    on_hand: float = 0.0
    unit_cost: float = 0.0
    lead_days: int = 7  # when nothing is on order, how long a new purchase takes
    attributes: dict[str, str] | None = None  # colour, material ... for spec matching


@dataclass(slots=True)
class PurchaseOrder:
    ref: str
    item_code: str
    quantity: float
    supplier: str
    expected: date
    received: bool = False
