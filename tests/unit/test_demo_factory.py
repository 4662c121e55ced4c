"""The demo factory is what every first-time user sees: its data must hang together."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest

from core.model.parties import Role, Tier
from core.model.work_order import OrderStatus, Priority
from storage.demo_factory import (
    CHAT_REFS,
    FACTORY_TZ,
    DemoFactory,
    build_demo_factory,
    open_demand,
)

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo() -> DemoFactory:
    return build_demo_factory(TODAY)


def test_counts_meet_the_brief(demo: DemoFactory) -> None:
    assert len(demo.work_centers) >= 15
    assert len(demo.customers) == 20
    assert len(demo.products) >= 30
    assert sum(o.status.is_open for o in demo.orders) >= 80
    closed = Counter(o.status for o in demo.orders if not o.status.is_open)
    assert {OrderStatus.DONE, OrderStatus.SHIPPED, OrderStatus.CANCELLED} <= set(closed)


def test_is_deterministic() -> None:
    a, b = build_demo_factory(TODAY), build_demo_factory(TODAY)
    assert [(o.ref, o.quantity, o.due_date, o.specs) for o in a.orders] == [
        (o.ref, o.quantity, o.due_date, o.specs) for o in b.orders]
    assert [(i.code, i.on_hand) for i in a.items] == [(i.code, i.on_hand) for i in b.items]


def test_work_centers(demo: DemoFactory) -> None:
    codes = {wc.code for wc in demo.work_centers}
    for wc in demo.work_centers:
        assert set(wc.alternatives) <= codes - {wc.code}
        if wc.code != "PLATE":
            assert 1 <= len(wc.machines) <= 4, wc.code
    by_code = {wc.code: wc for wc in demo.work_centers}
    assert by_code["PAINT"].can_pause is False
    assert any(wc.alternatives for wc in demo.work_centers)
    assert {"CUT", "EDGE", "CNC-DRILL", "LASER", "BEND", "WELD", "GRIND", "PAINT", "POWDER",
            "ASSY", "PACK", "QC", "BLAST", "DRILL", "PLATE"} <= codes


def test_calendars(demo: DemoFactory) -> None:
    cal = demo.work_centers[0].calendar
    assert cal.weekdays == frozenset(range(5))
    near = [d for d in demo.holidays if abs((d - TODAY).days) <= 75]
    assert len(near) >= 2
    assert all(not cal.is_working_day(d) for d in demo.holidays)
    (extra,) = demo.extra_days
    assert extra.weekday() >= 5 and cal.is_working_day(extra)
    shifts = {len(wc.calendar.shifts) for wc in demo.work_centers}
    assert len(shifts) >= 2  # one- and two-shift centres


def test_every_routing_has_three_to_eight_valid_steps(demo: DemoFactory) -> None:
    codes = {wc.code for wc in demo.work_centers}
    for routing in demo.routings:
        assert 3 <= len(routing.steps) <= 8, routing.product_code
        for step in routing.steps:
            assert step.work_center in codes
            assert step.outsourced == (step.lead_days > 0)
    assert any(s.outsourced for r in demo.routings for s in r.steps)


def test_products_have_their_current_bom_and_routing(demo: DemoFactory) -> None:
    items = {i.code for i in demo.items}
    for product in demo.products:
        bom = demo.bom(product.code, product.current_bom)
        demo.routing(product.code, product.current_routing)
        assert bom.lines and {ln.item_code for ln in bom.lines} <= items
    assert {p.family for p in demo.products} == {"furniture", "sheet-metal"}
    assert any(ln.spec_key == "color" for b in demo.boms for ln in b.lines)


def test_orders_reference_what_exists(demo: DemoFactory) -> None:
    refs = [o.ref for o in demo.orders]
    assert len(refs) == len(set(refs))
    assert set(CHAT_REFS) <= set(refs)
    customers = {c.code for c in demo.customers}
    for order in demo.orders:
        assert order.customer_code in customers
        routing = demo.routing(order.product_code, order.routing_version)
        demo.bom(order.product_code, order.bom_version)
        assert [op.seq for op in order.operations] == [s.seq for s in routing.steps]


def test_orders_are_varied(demo: DemoFactory) -> None:
    open_orders = [o for o in demo.orders if o.status.is_open]
    statuses = Counter(o.status for o in open_orders)
    assert min(statuses[s] for s in (OrderStatus.DRAFT, OrderStatus.RELEASED,
                                     OrderStatus.IN_PROGRESS)) >= 5
    assert any(o.priority is Priority.RUSH for o in open_orders)
    dues = [o.due_date for o in open_orders]
    assert min(dues) < TODAY and max(dues) >= TODAY + timedelta(days=35)
    assert all(o.specs for o in open_orders)


def test_progress_is_consistent(demo: DemoFactory) -> None:
    midnight = datetime.combine(TODAY, time(0), FACTORY_TZ)
    for order in demo.orders:
        last_end: datetime | None = None
        seen_unstarted = False
        for op in order.operations:
            if op.started_at is None:
                seen_unstarted = True
                assert op.qty_done == 0 and op.finished_at is None
                continue
            assert not seen_unstarted, order.ref  # started ops come first in routing order
            assert op.started_at.date() < TODAY
            assert op.started_at < midnight
            if last_end is not None:
                assert op.started_at >= last_end, order.ref
            if op.finished_at is not None:
                assert op.finished_at > op.started_at and op.qty_done == order.quantity
                last_end = op.finished_at
            else:
                assert op.qty_done < order.quantity
        started = any(op.started for op in order.operations)
        assert started == (order.status in (OrderStatus.IN_PROGRESS, OrderStatus.DONE,
                                            OrderStatus.SHIPPED)), order.ref
        if order.status in (OrderStatus.DONE, OrderStatus.SHIPPED):
            assert all(op.finished for op in order.operations)
        if started and order.created_at is not None:
            first = order.operations[0].started_at
            assert first is not None and order.created_at < first


def test_every_role_with_platform_ids(demo: DemoFactory) -> None:
    roles = Counter(p.role for p in demo.people)
    assert set(roles) == set(Role)
    assert roles[Role.SALES] >= 4 and roles[Role.CUSTOMER] >= 6 and roles[Role.OPERATOR] >= 4
    assert roles[Role.SUPERVISOR] >= 2
    for ids in ([p.id for p in demo.people], [p.wecom_userid for p in demo.people],
                [p.dingtalk_staff_id for p in demo.people]):
        assert None not in ids and len(ids) == len(set(ids))
    customers = {c.code for c in demo.customers}
    owned = [c for p in demo.people if p.role is Role.SALES for c in p.customers]
    assert sorted(owned) == sorted(customers)  # each customer has exactly one salesperson
    for p in demo.people:
        if p.role is Role.CUSTOMER:
            assert len(p.customers) == 1
        if p.role is Role.OPERATOR:
            assert p.work_center in {wc.code for wc in demo.work_centers}


def test_customers_and_policies(demo: DemoFactory) -> None:
    assert {c.tier for c in demo.customers} == set(Tier)
    assert sum(c.policy.approval_always for c in demo.customers) >= 2
    points = {(f.kind, f.after_operation) for c in demo.customers for f in c.policy.freeze_points}
    assert {("spec", "开料"), ("color", "喷涂"), ("*", "包装")} <= points
    assert len({c.policy.max_changes_per_order for c in demo.customers}) >= 3
    assert any(c.policy.change_fee > 0 for c in demo.customers)


def test_some_materials_are_short_and_on_order(demo: DemoFactory) -> None:
    need = open_demand(demo)
    short = [i.code for i in demo.items if need.get(i.code, 0.0) > i.on_hand]
    assert len(short) >= 3
    on_order = {po.item_code for po in demo.purchase_orders}
    assert set(short) <= on_order
    assert any(po.expected < TODAY for po in demo.purchase_orders)  # one supplier is late
    refs = [po.ref for po in demo.purchase_orders]
    assert len(refs) == len(set(refs))
