"""apply_changes: every contract change kind, on a copy, with the domain's own errors."""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest

from core.changes import AppliedChange, apply_changes, work_center_for
from core.errors import InvalidTransition, ValidationError
from core.events import OrderChanged
from core.model.capacity import WorkCenter
from core.model.products import Product, Routing, RoutingStep
from core.model.work_order import OperationProgress, OrderStatus, Priority, WorkOrder

T0 = datetime(2026, 11, 20, 9, 0)

CENTERS = {
    wc.code: wc
    for wc in (
        WorkCenter("CUT", "开料", ("锯1",), hourly_cost=85.0),
        WorkCenter("BLAST", "喷砂", ("喷砂房",), hourly_cost=70.0),
        WorkCenter("PAINT", "喷涂", ("喷漆线",), hourly_cost=120.0),
        WorkCenter("GRIND", "打磨", ("打磨1",), hourly_cost=50.0),
        WorkCenter("QC", "质检", ("终检台",), hourly_cost=70.0),
        WorkCenter("PACK", "包装", ("包装线",), hourly_cost=45.0),
    )
}


def routing() -> Routing:
    return Routing(
        "F-DESK",
        1,
        (
            RoutingStep(10, "开料", "CUT", 20, 1.0),
            RoutingStep(20, "喷涂", "PAINT", 30, 2.0),
            RoutingStep(30, "质检", "QC", 5, 0.5),
            RoutingStep(40, "包装", "PACK", 10, 0.5),
        ),
    )


def product() -> Product:
    return Product(
        "F-DESK",
        "办公桌",
        "furniture",
        800.0,
        spec_options={"color": ["胡桃木色", "白橡木"], "material": ["多层板", "颗粒板"]},
    )


def order(status: OrderStatus = OrderStatus.RELEASED, cut_done: int = 0) -> WorkOrder:
    ops = [OperationProgress(s.seq, s.name, s.work_center) for s in routing().steps]
    if cut_done:
        ops[0].qty_done, ops[0].started_at = cut_done, T0
    return WorkOrder(
        "SO-31",
        "C-1",
        "F-DESK",
        100,
        date(2026, 12, 10),
        specs={"color": "胡桃木色"},
        status=status,
        operations=ops,
    )


def apply(o: WorkOrder, *changes: dict[str, object]) -> AppliedChange:
    return apply_changes(o, product(), routing(), list(changes), "sales.li", CENTERS)


def test_quantity_value_on_a_copy() -> None:
    o = order()
    snapshot = copy.deepcopy(o)
    result = apply(o, {"field": "quantity", "value": 500, "unit": "件"})
    assert result.order.quantity == 500
    assert result.quantity_changed and result.materials_changed
    assert not (result.spec_changed or result.routing_changed)
    assert result.routing is None
    assert o == snapshot and o.events == [] and o.change_count == 0
    assert result.order.change_count == 1


def test_quantity_delta() -> None:
    assert apply(order(), {"field": "quantity", "delta": 100}).order.quantity == 200
    assert apply(order(), {"field": "quantity", "delta": -30}).order.quantity == 70


def test_quantity_below_what_is_made_is_refused() -> None:
    with pytest.raises(ValidationError, match="already made"):
        apply(order(cut_done=80), {"field": "quantity", "value": 50})


@pytest.mark.parametrize(
    "item",
    [
        {"field": "quantity"},
        {"field": "quantity", "value": "many"},
        {"field": "quantity", "value": 0},
    ],
)
def test_bad_quantity(item: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        apply(order(), item)


def test_due_date_delta_days_shifts_the_stored_date() -> None:
    result = apply(order(), {"field": "due_date", "delta_days": -3})
    assert result.order.due_date == date(2026, 12, 7)
    assert result.due_date_changed and not result.materials_changed


def test_due_date_iso_value() -> None:
    assert apply(order(), {"field": "due_date", "value": "2026-12-24"}).order.due_date == date(
        2026, 12, 24
    )
    with pytest.raises(ValidationError):
        apply(order(), {"field": "due_date", "value": "下周三"})


def test_spec_uses_the_products_spelling() -> None:
    o = order()
    result = apply(o, {"field": "spec", "key": "color", "value": "白橡木色"})
    assert result.order.specs["color"] == "白橡木"
    assert result.spec_changed and result.materials_changed and result.spec_keys == ("color",)
    assert o.specs["color"] == "胡桃木色"


def test_spec_unknown_key() -> None:
    with pytest.raises(ValidationError):
        apply(order(), {"field": "spec", "key": "weight", "value": "5kg"})


def test_packaging_spec_touches_no_materials() -> None:
    result = apply(order(), {"field": "spec", "key": "packaging", "value": "木架包装"})
    assert result.spec_changed and not result.materials_changed


def test_priority_rush_and_back() -> None:
    rushed = apply(order(), {"field": "priority", "value": "rush"})
    assert rushed.order.priority is Priority.RUSH and rushed.priority_changed
    with pytest.raises(ValidationError):
        apply(order(), {"field": "priority", "value": "asap"})


def test_add_operation_makes_a_new_routing_version() -> None:
    o = order(cut_done=100)
    old_routing = routing()
    result = apply_changes(
        o,
        product(),
        old_routing,
        [{"field": "add_operation", "value": "喷砂"}],
        "sales.li",
        CENTERS,
    )
    assert result.routing is not None and result.routing_changed
    assert [s.name for s in result.routing.steps] == ["开料", "喷砂", "喷涂", "质检", "包装"]
    assert result.routing.step_named("喷砂").work_center == "BLAST"  # type: ignore[union-attr]
    assert result.routing.version == 2 and result.order.routing_version == 2
    names = [(op.seq, op.name, op.qty_done) for op in result.order.operations]
    assert names[:2] == [(10, "开料", 100), (20, "喷砂", 0)]
    assert len(old_routing.steps) == 4 and len(o.operations) == 4 and o.operations[1].seq == 20


def test_add_operation_places_checks_before_packing_and_maps_aliases() -> None:
    result = apply(order(), {"field": "add_operation", "value": "打磨"})
    assert result.routing is not None
    assert [s.name for s in result.routing.steps] == ["开料", "打磨", "喷涂", "质检", "包装"]
    assert work_center_for("喷漆", list(CENTERS.values())).code == "PAINT"


def test_add_unknown_operation_lists_the_known_work_centers() -> None:
    with pytest.raises(ValidationError, match="激光雕刻.*开料.*喷砂"):
        apply(order(), {"field": "add_operation", "value": "激光雕刻"})


def test_remove_operation() -> None:
    result = apply(order(), {"field": "remove_operation", "value": "质检"})
    assert result.routing is not None
    assert [s.name for s in result.routing.steps] == ["开料", "喷涂", "包装"]
    assert [op.name for op in result.order.operations] == ["开料", "喷涂", "包装"]


def test_remove_started_or_missing_operation_is_refused() -> None:
    with pytest.raises(ValidationError, match="already started"):
        apply(order(cut_done=10), {"field": "remove_operation", "value": "开料"})
    with pytest.raises(ValidationError):
        apply(order(), {"field": "remove_operation", "value": "焊接"})


def test_several_items_count_once() -> None:
    result = apply(
        order(),
        {"field": "quantity", "value": 300},
        {"field": "priority", "value": "rush"},
        {"field": "due_date", "delta_days": 7},
    )
    o = result.order
    assert (o.quantity, o.priority, o.due_date, o.change_count) == (
        300,
        Priority.RUSH,
        date(2026, 12, 17),
        1,
    )
    fields = [e.field for e in o.events if isinstance(e, OrderChanged)]
    assert fields == ["quantity", "priority", "due_date"]


def test_cancel() -> None:
    o = order()
    result = apply(o, {"field": "cancel"})
    assert result.cancelled and result.order.status is OrderStatus.CANCELLED
    assert o.status is OrderStatus.RELEASED


@pytest.mark.parametrize("status", [OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.DONE])
@pytest.mark.parametrize(
    "item",
    [
        {"field": "quantity", "value": 5},
        {"field": "due_date", "delta_days": 1},
        {"field": "spec", "key": "color", "value": "白橡木"},
        {"field": "priority", "value": "rush"},
        {"field": "add_operation", "value": "喷砂"},
        {"field": "remove_operation", "value": "质检"},
    ],
)
def test_closed_order_is_an_invalid_transition(
    status: OrderStatus, item: dict[str, object]
) -> None:
    o = order(status)
    with pytest.raises(InvalidTransition):
        apply(o, item)
    assert o.status is status and o.events == []


def test_unknown_field_and_empty_request() -> None:
    with pytest.raises(ValidationError):
        apply(order(), {"field": "weight", "value": 3})
    with pytest.raises(ValidationError):
        apply(order())


def test_new_routing_version_passes_every_version_the_product_has() -> None:
    prod = product()
    prod.current_routing = 3
    result = apply_changes(
        order(),
        prod,
        routing(),
        [
            {"field": "add_operation", "value": "喷砂"},
            {"field": "remove_operation", "value": "质检"},
        ],
        "sales.li",
        list(CENTERS.values()),
    )
    assert result.routing is not None and result.routing.version == 4
    assert result.order.routing_version == 4
    assert [s.name for s in result.routing.steps] == ["开料", "喷砂", "喷涂", "包装"]
    assert [s.seq for s in result.routing.steps] == [10, 20, 30, 40]
