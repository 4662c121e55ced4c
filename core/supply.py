"""Material availability: which orders can start when, and what is short.

Stock is promised to orders in priority order (rush first, then by due date),
then incoming purchase orders by their expected dates. An order's materials
are available on the date its last missing piece arrives; with nothing on
order, after the item's purchasing lead time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.model.materials import Item, PurchaseOrder
from core.model.products import Bom
from core.model.work_order import Priority, WorkOrder
from core.variants import line_item


@dataclass(frozen=True, slots=True)
class Shortage:
    item_code: str
    missing: float  # not covered by stock
    covered_by: tuple[str, ...]  # purchase orders that cover it
    available_on: date  # when the last needed piece arrives
    uncovered: float = 0.0  # not covered by any purchase order either: must be bought


@dataclass(frozen=True, slots=True)
class Availability:
    order_ref: str
    ready_on: date
    shortages: tuple[Shortage, ...] = field(default=())


@dataclass(slots=True)
class _Supply:
    on_hand: float
    incoming: list[tuple[date, float, str]]  # (expected, remaining qty, po ref)


def material_need(order: WorkOrder, bom: Bom, items: Mapping[str, Item]) -> dict[str, float]:
    """What the order still has to draw, colour and material variants resolved.

    Nothing once its first operation has started: the material was issued.
    """
    if any(op.started for op in order.operations):
        return {}
    need: dict[str, float] = {}
    for line in bom.lines:
        code = line_item(line, order.specs, items)
        need[code] = need.get(code, 0.0) + line.qty_per * order.quantity * (1 + line.scrap_rate)
    return need


def allocate(
    orders: Iterable[WorkOrder],
    boms: Mapping[tuple[str, int], Bom],
    items: Mapping[str, Item],
    purchase_orders: Iterable[PurchaseOrder],
    today: date,
) -> dict[str, Availability]:
    supply = {code: _Supply(item.on_hand, []) for code, item in items.items()}
    for po in sorted(purchase_orders, key=lambda p: (p.expected, p.ref)):
        if not po.received and po.item_code in supply:
            supply[po.item_code].incoming.append((max(po.expected, today), po.quantity, po.ref))
    ranked = sorted(orders, key=lambda o: (o.priority is not Priority.RUSH, o.due_date, o.ref))
    result: dict[str, Availability] = {}
    for order in ranked:
        bom = boms.get((order.product_code, order.bom_version))
        need = material_need(order, bom, items) if bom else {}
        shortages = [s for code, qty in need.items()
                     if (s := _draw(supply, items, code, qty, today)) is not None]
        ready = max((s.available_on for s in shortages), default=today)
        result[order.ref] = Availability(order.ref, ready, tuple(shortages))
    return result


def _draw(
    supply: dict[str, _Supply], items: Mapping[str, Item], code: str, qty: float, today: date
) -> Shortage | None:
    src = supply.get(code)
    if src is None:
        return Shortage(code, qty, (), today + timedelta(days=7), qty)
    from_stock = min(src.on_hand, qty)
    src.on_hand -= from_stock
    missing = qty - from_stock
    if missing <= 1e-9:
        return None
    remaining, covered, arrival = missing, [], today
    for i, (expected, avail, ref) in enumerate(src.incoming):
        if remaining <= 1e-9:
            break
        if avail <= 1e-9:
            continue
        take = min(avail, remaining)
        src.incoming[i] = (expected, avail - take, ref)
        remaining -= take
        covered.append(ref)
        arrival = max(arrival, expected)
    if remaining > 1e-9:
        arrival = max(arrival, today + timedelta(days=items[code].lead_days))
    return Shortage(code, missing, tuple(covered), arrival, max(remaining, 0.0))
