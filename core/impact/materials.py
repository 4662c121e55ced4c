"""Material side of a change: the requirement delta against supply nobody else was promised.

Stock and incoming purchase orders are promised to orders by priority then due
date (core.supply). A change must not count stock twice, so the supply this
order may draw is what is left after every *other* order took its share:
their need less what their availability says is missing gives the stock they
hold, and what their purchase orders cover is taken from incoming supply in
date order, exactly as allocation fills them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.impact.types import MaterialImpact, MaterialLine, PurchaseAction
from core.model.materials import Item, PurchaseOrder
from core.model.products import Bom, BomLine
from core.model.work_order import WorkOrder
from core.supply import Availability, material_need
from core.variants import resolve_item

EPS = 1e-9
NEW_ITEM_LEAD_DAYS = 14
"""Lead time assumed for an item we have never bought and whose base line names no item either."""


@dataclass(frozen=True, slots=True)
class SupplyContext:
    """Stock, purchase orders and everything already promised to the other open orders."""

    items: Mapping[str, Item]
    purchase_orders: Sequence[PurchaseOrder]
    today: date
    other_orders: Sequence[WorkOrder] = ()
    boms: Mapping[tuple[str, int], Bom] = field(default_factory=dict)
    availability: Mapping[str, Availability] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewItem:
    """A spec value no stocked item has: a pseudo item standing for what must be bought."""

    code: str
    base_code: str
    key: str
    value: str


@dataclass(slots=True)
class _Free:
    stock: float
    incoming: list[tuple[date, float, str]]  # (expected, free qty, po ref), by date


# requirement -------------------------------------------------------------------------------------


def requirement(
    order: WorkOrder, bom: Bom, items: Mapping[str, Item]
) -> tuple[dict[str, float], dict[str, NewItem]]:
    """What `order` needs per item, with spec-following lines mapped to the order's spec value."""
    need: dict[str, float] = {}
    new_items: dict[str, NewItem] = {}
    for line in bom.lines:
        code = _line_item(line, order, items, new_items)
        need[code] = need.get(code, 0.0) + line.qty_per * order.quantity * (1 + line.scrap_rate)
    return need, new_items


def _line_item(
    line: BomLine, order: WorkOrder, items: Mapping[str, Item], new_items: dict[str, NewItem]
) -> str:
    value = order.specs.get(line.spec_key) if line.spec_key else None
    if line.spec_key is None or not value:
        return line.item_code
    found = resolve_item(items.get(line.item_code), line.spec_key, value, items)
    if found is not None:
        return found
    code = f"{line.item_code}[{line.spec_key}={value}]"
    new_items[code] = NewItem(code, line.item_code, line.spec_key, value)
    return code


# supply left for this order ----------------------------------------------------------------------


def free_supply(ctx: SupplyContext, exclude_ref: str) -> dict[str, _Free]:
    """Per item: stock and incoming quantities not promised to any other open order."""
    free = {code: _Free(item.on_hand, []) for code, item in ctx.items.items()}
    for po in sorted(ctx.purchase_orders, key=lambda p: (p.expected, p.ref)):
        if not po.received and po.item_code in free:
            free[po.item_code].incoming.append((max(po.expected, ctx.today), po.quantity, po.ref))
    for other in ctx.other_orders:
        if other.ref != exclude_ref and other.status.in_plan:
            _take_promised(free, other, ctx)
    return free


def _take_promised(free: dict[str, _Free], other: WorkOrder, ctx: SupplyContext) -> None:
    bom = ctx.boms.get((other.product_code, other.bom_version))
    if bom is None:
        return
    avail = ctx.availability.get(other.ref)  # none known: assume it holds stock for all it needs
    missing = {s.item_code: s for s in avail.shortages} if avail else {}
    for code, qty in material_need(other, bom, ctx.items).items():
        src = free.get(code)
        if src is None:
            continue
        short = missing.get(code)
        from_stock = qty - short.missing if short else qty
        from_incoming = short.missing - short.uncovered if short else 0.0
        src.stock = max(0.0, src.stock - from_stock)
        _consume(src.incoming, from_incoming)


def _consume(incoming: list[tuple[date, float, str]], qty: float) -> list[tuple[date, float, str]]:
    """Take `qty` from incoming supply in date order; return what was taken, per PO."""
    taken: list[tuple[date, float, str]] = []
    for i, (expected, avail, ref) in enumerate(incoming):
        if qty <= EPS:
            break
        take = min(avail, qty)
        if take <= EPS:
            continue
        incoming[i] = (expected, avail - take, ref)
        taken.append((expected, take, ref))
        qty -= take
    return taken


# the assessment ----------------------------------------------------------------------------------


def assess_materials(
    before: WorkOrder,
    after: WorkOrder,
    bom_before: Bom,
    bom_after: Bom,
    ctx: SupplyContext,
    need_by: date,
) -> MaterialImpact:
    """Requirement delta per item, what is short, when it arrives, what purchasing must do."""
    old, _ = requirement(before, bom_before, ctx.items)
    new, new_items = requirement(after, bom_after, ctx.items) if after.status.is_open else ({}, {})
    issued = any(op.started for op in before.operations)  # materials already drawn: only the delta
    free = free_supply(ctx, before.ref)
    lines: list[MaterialLine] = []
    actions: list[PurchaseAction] = []
    for code in sorted(old.keys() | new.keys()):
        o, n = old.get(code, 0.0), new.get(code, 0.0)
        if abs(n - o) <= EPS:
            continue
        to_draw = max(0.0, n - o) if issued else n
        line, acts = _line(code, o, n, to_draw, free, ctx, new_items.get(code), need_by, issued)
        lines.append(line)
        actions.extend(acts)
    arrivals = [ln.available_on for ln in lines if ln.available_on is not None]
    return MaterialImpact(tuple(lines), tuple(actions), need_by, max(arrivals, default=None))


def _line(
    code: str,
    old: float,
    new: float,
    to_draw: float,
    free: dict[str, _Free],
    ctx: SupplyContext,
    new_item: NewItem | None,
    need_by: date,
    issued: bool,
) -> tuple[MaterialLine, list[PurchaseAction]]:
    base = ctx.items.get(new_item.base_code if new_item else code)
    src = free.get(code) or _Free(0.0, [])
    free_stock, free_incoming = src.stock, sum(q for _, q, _ in src.incoming)
    short = max(0.0, to_draw - free_stock)
    taken = _consume(src.incoming, short)
    src.stock = max(0.0, src.stock - to_draw)
    uncovered = max(0.0, short - sum(q for _, q, _ in taken))
    lead = base.lead_days if base is not None else NEW_ITEM_LEAD_DAYS
    actions = _actions(code, taken, uncovered, ctx, need_by, lead, new_item is not None)
    arrivals = [e for e, _, _ in taken] + [a.arrives for a in actions if a.kind != "expedite"]
    line = MaterialLine(
        item_code=code,
        name=_name(code, base, new_item),
        unit=base.unit if base else "",
        old_need=old,
        new_need=new,
        to_draw=to_draw,
        free_stock=free_stock,
        free_incoming=free_incoming,
        short=short,
        uncovered=uncovered,
        covered_by=tuple(ref for _, _, ref in taken),
        available_on=max(arrivals) if short > EPS and arrivals else None,
        unit_cost=base.unit_cost if base else 0.0,
        new_item=new_item is not None,
        issued=issued,
    )
    return line, actions


def _actions(
    code: str,
    taken: list[tuple[date, float, str]],
    uncovered: float,
    ctx: SupplyContext,
    need_by: date,
    lead_days: int,
    new_item: bool,
) -> list[PurchaseAction]:
    """Expedite POs arriving after the need date; raise an open PO or buy anew for the rest."""
    acts = [
        PurchaseAction("expedite", code, qty, max(need_by, ctx.today), ref, expected)
        for expected, qty, ref in taken
        if expected > need_by
    ]
    if uncovered <= EPS:
        return acts
    arrives = ctx.today + timedelta(days=lead_days)
    open_pos = [p for p in ctx.purchase_orders if p.item_code == code and not p.received]
    if open_pos and not new_item:
        po = max(open_pos, key=lambda p: (p.expected, p.ref))
        acts.append(PurchaseAction("increase", code, uncovered, max(po.expected, arrives), po.ref))
    else:
        acts.append(PurchaseAction("new", code, uncovered, arrives))
    return acts


def _name(code: str, base: Item | None, new_item: NewItem | None) -> str:
    if new_item is not None:
        return f"{base.name if base else new_item.base_code} → {new_item.value}"
    return base.name if base else code
