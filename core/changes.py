"""Apply contract-shaped change items to a copy of a work order.

The bot shows a change's impact before anything is applied, so the change is
first played on a deep copy: the copy is what the impact assessment compares
with the original, and the original stays exactly as storage loaded it. The
aggregate's own methods do the work, so every rule they enforce (closed
orders, quantity below what is made) applies here with the same errors.

Items follow CONTRACT.md section 3: {"field": "quantity", "value" | "delta"},
{"field": "due_date", "value" (ISO) | "delta_days"}, {"field": "spec", "key",
"value"}, {"field": "add_operation" | "remove_operation", "value"},
{"field": "priority", "value": "rush" | "normal"}; the cancel intent is
passed as {"field": "cancel"}.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from core.errors import ValidationError
from core.model.capacity import WorkCenter
from core.model.products import Bom, Product, Routing
from core.model.work_order import OperationProgress, Priority, WorkOrder
from core.variants import normalise_spec

ChangeItem = Mapping[str, Any]
WorkCenters = Mapping[str, WorkCenter] | Iterable[WorkCenter]

MATERIAL_SPEC_KEYS = frozenset({"color", "material", "size", "finish"})
"""Spec keys that change what is bought when no BOM is at hand to say which lines follow them."""

OPERATION_ALIASES: Mapping[str, tuple[str, ...]] = {
    "喷漆": ("喷涂", "喷漆"),
    "喷涂": ("喷涂", "喷漆"),
    "喷塑": ("喷粉",),
    "抛光": ("打磨", "抛光"),
    "检验": ("质检",),
    "检查": ("质检",),
    "打包": ("包装",),
}
"""Words salespeople use for an operation, mapped to the work-center names that run it."""

PLACE_BEFORE: Mapping[str, tuple[str, ...]] = {
    "喷砂": ("喷粉", "喷涂", "电镀"),
    "打磨": ("喷砂", "喷粉", "喷涂", "拉丝", "电镀", "组装"),
    "拉丝": ("质检", "包装"),
    "质检": ("包装",),
}
"""Where a new operation goes when the message does not say: surface prep before the finish,
checks before packing.
"""

_DEFAULT_BEFORE = ("质检", "包装")


@dataclass(frozen=True, slots=True)
class AppliedChange:
    """The changed copy and what kind of change it was, for the impact assessment."""

    order: WorkOrder
    routing: Routing | None  # a new routing version when operations were added or removed
    spec_changed: bool
    quantity_changed: bool
    routing_changed: bool
    materials_changed: bool
    due_date_changed: bool = False
    priority_changed: bool = False
    cancelled: bool = False
    spec_keys: tuple[str, ...] = ()


@dataclass(slots=True)
class _State:
    """What the item handlers share while one request is applied."""

    order: WorkOrder
    routing: Routing
    routing_version: int  # the version a changed routing gets, past every one the product has
    routing_changed: bool = False
    touched: set[str] | None = None
    spec_keys: list[str] | None = None


def apply_changes(
    order: WorkOrder,
    product: Product,
    routing: Routing,
    changes: list[dict[str, Any]],
    by: str,
    work_centers: WorkCenters,
    bom: Bom | None = None,
) -> AppliedChange:
    """Apply `changes` to a deep copy of `order`; the input order and routing are never touched.

    :param bom: the order's BOM, when known, to tell whether a spec change touches materials.
    :raises InvalidTransition: the order is closed.
    :raises ValidationError: a bad value, an unknown operation, quantity below what is made.
    """
    if not changes:
        raise ValidationError(f"{order.ref}: no change given")
    version = max(routing.version, product.current_routing) + 1
    state = _State(copy.deepcopy(order), routing, version, touched=set(), spec_keys=[])
    centers = _centers(work_centers)
    for item in changes:
        _apply_item(state, item, product, by, centers)
    return _result(state, bom)


def _apply_item(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    field = str(item.get("field", ""))
    handler = _HANDLERS.get(field)
    if handler is None:
        raise ValidationError(f"{state.order.ref}: unknown change field {field!r}")
    handler(state, item, product, by, centers)
    assert state.touched is not None
    state.touched.add(field)


def _result(state: _State, bom: Bom | None) -> AppliedChange:
    touched = state.touched or set()
    keys = tuple(dict.fromkeys(state.spec_keys or []))
    order = state.order
    if "cancel" not in touched:
        order.count_change()  # one request counts once against the contract, however many items
    new_routing = state.routing if state.routing_changed else None
    quantity_changed = "quantity" in touched
    return AppliedChange(
        order=order,
        routing=new_routing,
        spec_changed="spec" in touched,
        quantity_changed=quantity_changed,
        routing_changed=state.routing_changed,
        materials_changed=quantity_changed or _spec_touches_materials(keys, bom),
        due_date_changed="due_date" in touched,
        priority_changed="priority" in touched,
        cancelled="cancel" in touched,
        spec_keys=keys,
    )


def _spec_touches_materials(keys: tuple[str, ...], bom: Bom | None) -> bool:
    if bom is None:
        return any(k in MATERIAL_SPEC_KEYS for k in keys)
    return any(line.spec_key in keys for line in bom.lines)


# one handler per change field ---------------------------------------------------------------


def _quantity(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    order = state.order
    if "value" in item and item["value"] is not None:
        new = _as_int(order.ref, "quantity", item["value"])
    elif "delta" in item and item["delta"] is not None:
        new = order.quantity + _as_int(order.ref, "quantity delta", item["delta"])
    else:
        raise ValidationError(f"{order.ref}: a quantity change needs value or delta")
    order.change_quantity(new, by)


def _due_date(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    order = state.order
    if item.get("value"):
        try:
            due = date.fromisoformat(str(item["value"]))
        except ValueError as exc:
            raise ValidationError(f"{order.ref}: bad due date {item['value']!r}") from exc
    elif item.get("delta_days") is not None:
        due = order.due_date + timedelta(days=_as_int(order.ref, "delta_days", item["delta_days"]))
    else:
        raise ValidationError(f"{order.ref}: a due-date change needs value or delta_days")
    order.change_due_date(due, by)


def _spec(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    key = str(item.get("key") or "")
    value = str(item.get("value") or "").strip()
    if not value:
        raise ValidationError(f"{state.order.ref}: spec {key or '?'} needs a value")
    state.order.change_spec(key, canonical_spec_value(product, key, value), by)
    assert state.spec_keys is not None
    state.spec_keys.append(key)


def _priority(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    try:
        priority = Priority(str(item.get("value", "")))
    except ValueError as exc:
        raise ValidationError(f"{state.order.ref}: priority must be rush or normal") from exc
    state.order.change_priority(priority, by)


def _add_operation(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    order = state.order
    name = str(item.get("value") or "").strip()
    order.ensure_changeable("change routing")
    if not name:
        raise ValidationError(f"{order.ref}: which operation to add?")
    if state.routing.step_named(name) is not None:
        raise ValidationError(f"{order.ref}: the routing already has {name}")
    center = work_center_for(name, centers)
    after = item.get("after")
    state.routing = _with_step(state.routing, name, center.code, str(after) if after else None)
    _reroute(state, by)


def _remove_operation(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    order = state.order
    name = str(item.get("value") or "").strip()
    order.ensure_changeable("change routing")
    progress = order.operation(name)
    if progress is not None and progress.started:
        raise ValidationError(f"{order.ref}: {name} has already started and cannot be removed")
    state.routing = state.routing.with_step_removed(name)
    _reroute(state, by)


def _cancel(
    state: _State, item: ChangeItem, product: Product, by: str, centers: Sequence[WorkCenter]
) -> None:
    state.order.cancel(by)


_Handler = Callable[[_State, ChangeItem, Product, str, Sequence[WorkCenter]], None]

_HANDLERS: Mapping[str, _Handler] = {
    "quantity": _quantity,
    "due_date": _due_date,
    "spec": _spec,
    "priority": _priority,
    "add_operation": _add_operation,
    "remove_operation": _remove_operation,
    "cancel": _cancel,
}


# routing helpers ----------------------------------------------------------------------------


def _reroute(state: _State, by: str) -> None:
    """Give the order one progress record per step of the new routing, keeping reported work."""
    state.routing = replace(state.routing, version=state.routing_version)
    old = {op.name: op for op in state.order.operations}
    ops = [
        _progress_for(old.get(step.name), step.seq, step.name, step.work_center)
        for step in state.routing.steps
    ]
    state.order.change_routing(state.routing.version, ops, by)
    state.routing_changed = True


def _progress_for(
    old: OperationProgress | None, seq: int, name: str, center: str
) -> OperationProgress:
    if old is None:
        return OperationProgress(seq, name, center)
    fresh = copy.copy(old)
    fresh.seq = seq
    return fresh


def _with_step(routing: Routing, name: str, center: str, after: str | None) -> Routing:
    """A new routing version with the step placed where the message said, else where it belongs."""
    if after is not None:
        return routing.with_step_added(name, center, after)
    before = PLACE_BEFORE.get(name, _DEFAULT_BEFORE)
    names = [s.name for s in routing.steps]
    idx = next((i for i, n in enumerate(names) if n in before), None)
    if idx is None:
        return routing.with_step_added(name, center, None)  # at the end
    if idx > 0:
        return routing.with_step_added(name, center, names[idx - 1])
    appended = routing.with_step_added(name, center, None)
    steps = (appended.steps[-1],) + appended.steps[:-1]  # must precede the very first step
    return Routing(
        routing.product_code,
        appended.version,
        tuple(replace(s, seq=(i + 1) * 10) for i, s in enumerate(steps)),
    )


def work_center_for(name: str, centers: Sequence[WorkCenter]) -> WorkCenter:
    """The work center that runs operation `name`: its code or name, or a name containing the
    word.
    """
    wanted = OPERATION_ALIASES.get(name, (name,))
    for word in wanted:
        exact = [wc for wc in centers if word in (wc.name, wc.code)]
        if exact:
            return exact[0]
    for word in wanted:
        found = [wc for wc in centers if word in wc.name or wc.name in word]
        if found:
            return found[0]
    known = "、".join(wc.name for wc in centers) or "-"
    raise ValidationError(f"no work center runs {name}; known: {known}")


def _centers(work_centers: WorkCenters) -> list[WorkCenter]:
    if isinstance(work_centers, Mapping):
        return list(work_centers.values())
    return list(work_centers)


# values ---------------------------------------------------------------------------------------


def canonical_spec_value(product: Product, key: str, value: str) -> str:
    """The product's own spelling of an option ("胡桃木" -> "胡桃木色"), else the value typed."""
    options = product.spec_options.get(key, [])
    norm = normalise_spec(value)
    return next((opt for opt in options if normalise_spec(opt) == norm), value)


def _as_int(ref: str, what: str, value: object) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{ref}: {what} must be a whole number, got {value!r}")
    try:
        number = float(str(value))
    except ValueError as exc:
        raise ValidationError(f"{ref}: {what} must be a whole number, got {value!r}") from exc
    if number != int(number):
        raise ValidationError(f"{ref}: {what} must be a whole number, got {value!r}")
    return int(number)
