"""Work already reported that a change turns into rework or waste.

A spec only starts to matter at the operation that realises it: the colour at
painting, the material and size at cutting. Once that operation has reported
work, the parts it made in the old spec are scrap, and that operation and
every later one that already reported work must be done again for them. A
quantity cut below what an operation already made wastes the surplus; a
cancellation wastes everything made so far. An operation added in front of
work already done sends that work back through the line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.impact.types import RedoOperation, ReworkImpact
from core.model.capacity import WorkCenter
from core.model.materials import Item
from core.model.products import Bom, Routing
from core.model.work_order import OperationProgress, WorkOrder

FINISH_OPERATIONS = ("喷涂", "喷漆", "喷粉", "电镀", "拉丝")
CUT_OPERATIONS = ("开料", "激光切割", "数控冲床", "数控冲孔", "剪板")

SPEC_OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "color": FINISH_OPERATIONS,
    "finish": FINISH_OPERATIONS,
    "material": CUT_OPERATIONS,
    "size": CUT_OPERATIONS,
    "packaging": ("包装",),
}
"""Which operations realise each spec key: after they report work, a change of the key is rework.
"""

SCRAP_SPEC_KEYS = frozenset({"color", "finish", "material", "size"})
"""Keys whose realised parts are lost; repacking only costs the packing work."""

NO_REWORK = ReworkImpact("", None, (), 0, 0.0)


def assess_rework(
    before: WorkOrder,
    after: WorkOrder,
    spec_keys: Sequence[str],
    routing: Routing | None,
    bom: Bom | None,
    items: Mapping[str, Item],
    work_centers: Mapping[str, WorkCenter],
) -> ReworkImpact:
    """The first cause that applies, in order of cost: cancel, spec, quantity, routing."""
    ops = sorted(before.operations, key=lambda o: o.seq)
    if not after.status.is_open and before.status.is_open:
        return _cancelled(ops, bom, items, routing, work_centers)
    for key in spec_keys:
        if before.specs.get(key) != after.specs.get(key):
            found = _spec_rework(key, ops, bom, items, routing, work_centers)
            if found.operations:
                return found
    if after.quantity < before.quantity:
        found = _surplus(after.quantity, ops, bom, items, routing, work_centers)
        if found.operations:
            return found
    return _inserted(before, after, routing, work_centers)


def _spec_rework(
    key: str,
    ops: list[OperationProgress],
    bom: Bom | None,
    items: Mapping[str, Item],
    routing: Routing | None,
    centers: Mapping[str, WorkCenter],
) -> ReworkImpact:
    realising = SPEC_OPERATIONS.get(key, ())
    trigger = next(
        (i for i, op in enumerate(ops) if op.name in realising and op.qty_done > 0), None
    )
    if trigger is None:
        return NO_REWORK
    qty = ops[trigger].qty_done
    redo = tuple(
        _redo(op, min(qty, op.qty_done), routing, centers)
        for op in ops[trigger:]
        if op.qty_done > 0
    )
    scrap = qty if key in SCRAP_SPEC_KEYS else 0
    material = scrap * _unit_material_cost(bom, items, key)
    return ReworkImpact(f"spec:{key}", ops[trigger].name, redo, scrap, material)


def _surplus(
    quantity: int,
    ops: list[OperationProgress],
    bom: Bom | None,
    items: Mapping[str, Item],
    routing: Routing | None,
    centers: Mapping[str, WorkCenter],
) -> ReworkImpact:
    over = [op for op in ops if op.qty_done > quantity]
    if not over:
        return NO_REWORK
    redo = tuple(_redo(op, op.qty_done - quantity, routing, centers) for op in over)
    scrap = max(op.qty_done for op in over) - quantity
    return ReworkImpact(
        "quantity", over[0].name, redo, scrap, scrap * _unit_material_cost(bom, items)
    )


def _cancelled(
    ops: list[OperationProgress],
    bom: Bom | None,
    items: Mapping[str, Item],
    routing: Routing | None,
    centers: Mapping[str, WorkCenter],
) -> ReworkImpact:
    done = [op for op in ops if op.qty_done > 0]
    if not done:
        return ReworkImpact("cancel", None, (), 0, 0.0)
    redo = tuple(_redo(op, op.qty_done, routing, centers) for op in done)
    scrap = max(op.qty_done for op in done)
    return ReworkImpact(
        "cancel", done[0].name, redo, scrap, scrap * _unit_material_cost(bom, items)
    )


def _inserted(
    before: WorkOrder, after: WorkOrder, routing: Routing | None, centers: Mapping[str, WorkCenter]
) -> ReworkImpact:
    """A new operation ahead of reported work: the parts go back through every later step."""
    old_names = {op.name for op in before.operations}
    new_ops = sorted(after.operations, key=lambda o: o.seq)
    added = next((i for i, op in enumerate(new_ops) if op.name not in old_names), None)
    if added is None:
        return NO_REWORK
    later = [op for op in new_ops[added + 1 :] if op.qty_done > 0]
    if not later:
        return NO_REWORK
    redo = tuple(_redo(op, op.qty_done, routing, centers) for op in later)
    return ReworkImpact("routing", new_ops[added].name, redo, 0, 0.0)


def _redo(
    op: OperationProgress, qty: int, routing: Routing | None, centers: Mapping[str, WorkCenter]
) -> RedoOperation:
    step = routing.step_named(op.name) if routing is not None else None
    minutes = step.minutes_for(qty) if step is not None and not step.outsourced else 0
    center = centers.get(step.work_center if step else op.work_center)
    cost = minutes * (center.hourly_cost if center else 0.0) / 60
    return RedoOperation(op.seq, op.name, op.work_center, qty, minutes, cost)


def _unit_material_cost(
    bom: Bom | None, items: Mapping[str, Item], key: str | None = None
) -> float:
    """Material in one unit: only the lines that follow `key`, or every line when key is None."""
    if bom is None:
        return 0.0
    total = 0.0
    for line in bom.lines:
        if key is not None and line.spec_key != key:
            continue
        item = items.get(line.item_code)
        if item is not None:
            total += line.qty_per * (1 + line.scrap_rate) * item.unit_cost
    return total
