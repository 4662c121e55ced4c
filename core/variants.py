"""Which stocked item a spec-following BOM line really draws.

A wardrobe's board line names one board; the order's colour (胡桃木色) picks
the board of that colour. Material planning, the impact of a change and the
demo data all need the same answer, so it lives here once.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.model.materials import Item
from core.model.products import BomLine


def normalise_spec(value: str) -> str:
    """Compare spec values loosely: salespeople write 胡桃木 and 胡桃木色 for the same colour."""
    v = value.strip().lower().replace(" ", "")
    return v[:-1] if v.endswith("色") and len(v) > 1 else v


def attr_matches(item: Item, key: str, value: str) -> bool:
    attr = (item.attributes or {}).get(key)
    return attr is not None and normalise_spec(attr) == normalise_spec(value)


def resolve_item(base: Item | None, key: str, value: str, items: Mapping[str, Item]) -> str | None:
    """The item like `base` but with attribute `key` = `value`; None when nobody stocks it."""
    if base is not None and attr_matches(base, key, value):
        return base.code
    template = dict(base.attributes or {}) if base is not None else {}
    template.pop(key, None)
    for code in sorted(items):
        item = items[code]
        attrs = item.attributes or {}
        if not attr_matches(item, key, value):
            continue
        if all(normalise_spec(attrs.get(k, "")) == normalise_spec(v) for k, v in template.items()):
            return code
    return None


def line_item(line: BomLine, specs: Mapping[str, str], items: Mapping[str, Item]) -> str:
    """The item this line draws for an order with `specs`: the variant, else the line's own."""
    value = specs.get(line.spec_key) if line.spec_key else None
    if line.spec_key is None or not value:
        return line.item_code
    return resolve_item(items.get(line.item_code), line.spec_key, value, items) or line.item_code
