"""assess and the impact card, one dimension at a time, on small hand-built shops."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from core.changes import AppliedChange, apply_changes
from core.i18n import check_catalog
from core.impact import CATALOG, Impact, PlanContext, SupplyContext, assess, impact_card_lines
from core.impact.risk import OTHERS_SLIP_HIGH_MINUTES
from core.model.capacity import WorkCenter
from core.model.materials import Item, PurchaseOrder
from core.model.parties import ContractPolicy, Customer, FreezePoint
from core.model.products import Bom, BomLine, Product, Routing, RoutingStep
from core.model.work_order import OperationProgress, OrderStatus, WorkOrder
from core.plan_building import due_minutes, op_key, weight_of
from core.planning.engine import plan
from core.planning.types import (
    Alternative,
    Calendar,
    Job,
    Machine,
    Operation,
    PlanInput,
    SolveParams,
)
from core.planning.whatif import evaluate
from core.supply import allocate

TODAY = date(2026, 12, 1)
EPOCH = datetime(2026, 12, 1, 17, 0, tzinfo=timezone(timedelta(hours=8)))
T0 = datetime(2026, 11, 28, 9, 0)

CENTERS = {
    wc.code: wc
    for wc in (
        WorkCenter("CUT", "开料", ("锯1",), hourly_cost=90.0),
        WorkCenter("PAINT", "喷涂", ("喷漆线",), hourly_cost=120.0),
        WorkCenter("GRIND", "打磨", ("打磨1",), hourly_cost=50.0),
        WorkCenter("QC", "质检", ("终检台",), hourly_cost=60.0),
        WorkCenter("PACK", "包装", ("包装线",), hourly_cost=45.0),
    )
}

ROUTING = Routing(
    "F-DESK",
    1,
    (
        RoutingStep(10, "开料", "CUT", 20, 1.0),
        RoutingStep(20, "喷涂", "PAINT", 30, 2.0),
        RoutingStep(30, "质检", "QC", 5, 0.5),
        RoutingStep(40, "包装", "PACK", 10, 0.5),
    ),
)

PRODUCT = Product(
    "F-DESK",
    "办公桌",
    "furniture",
    800.0,
    spec_options={"color": ["胡桃木色", "白橡木", "象牙白"]},
)

BOM = Bom(
    "F-DESK",
    1,
    (
        BomLine("BRD-WAL", 2.0, 0.0, "color"),
        BomLine("PNT-WAL", 0.5, 0.0, "color"),
        BomLine("HW-LEG", 1.0),
    ),
)


def items(**on_hand: float) -> dict[str, Item]:
    def item(code: str, name: str, cost: float, lead: int, attrs: dict[str, str] | None) -> Item:
        return Item(
            code,
            name,
            unit="张" if code.startswith("BRD") else "件",
            on_hand=on_hand.get(code.replace("-", "_"), 0.0),
            unit_cost=cost,
            lead_days=lead,
            attributes=attrs,
        )

    return {
        i.code: i
        for i in (
            item("BRD-WAL", "板材-胡桃木色", 100.0, 10, {"family": "BRD", "color": "胡桃木色"}),
            item("BRD-WOAK", "板材-白橡木", 110.0, 10, {"family": "BRD", "color": "白橡木"}),
            item("PNT-WAL", "色漆-胡桃木色", 40.0, 7, {"family": "PNT", "color": "胡桃木色"}),
            item("PNT-WOAK", "色漆-白橡木", 40.0, 7, {"family": "PNT", "color": "白橡木"}),
            item("HW-LEG", "桌腿", 80.0, 15, None),
        )
    }


PLENTY = {"BRD_WAL": 1000, "BRD_WOAK": 1000, "PNT_WAL": 500, "PNT_WOAK": 500, "HW_LEG": 1000}


def customer(**policy: Any) -> Customer:
    return Customer("C-1", "华南家具", policy=ContractPolicy(**policy))


def order(
    ref: str = "SO-31",
    qty: int = 100,
    due: date = date(2026, 12, 20),
    done: Mapping[str, int] | None = None,
    **kw: Any,
) -> WorkOrder:
    ops = [OperationProgress(s.seq, s.name, s.work_center) for s in ROUTING.steps]
    for op in ops:
        n = (done or {}).get(op.name, 0)
        if n:
            op.qty_done, op.started_at = n, T0
            op.finished_at = T0 if n >= qty else None
    kw.setdefault("specs", {"color": "胡桃木色"})
    return WorkOrder(
        ref, "C-1", "F-DESK", qty, due, status=OrderStatus.RELEASED, operations=ops, **kw
    )


def change(o: WorkOrder, *items_: dict[str, Any]) -> AppliedChange:
    return apply_changes(o, PRODUCT, ROUTING, list(items_), "sales.li", CENTERS, bom=BOM)


def run(
    before: WorkOrder,
    applied: AppliedChange,
    changes: Sequence[dict[str, Any]],
    *,
    cust: Customer | None = None,
    supply: SupplyContext | None = None,
    plan_ctx: PlanContext | None = None,
) -> Impact:
    return assess(
        before=before,
        after=applied.order,
        changes=changes,
        customer=cust or customer(),
        product=PRODUCT,
        bom_before=BOM,
        routing=ROUTING,
        supply=supply or SupplyContext(items(**PLENTY), (), TODAY),
        plan=plan_ctx,
        work_centers=CENTERS,
    )


def impact_of(before: WorkOrder, *changes: dict[str, Any], **kw: Any) -> Impact:
    return run(before, change(before, *changes), list(changes), **kw)


# a real what-if on a tiny shop ------------------------------------------------------------------

PARAMS = SolveParams(time_limit_s=2.0, workers=1, stability_weight=0, use_cpsat=True)


def plan_input(
    orders: Sequence[WorkOrder], minutes: Mapping[str, int], cust: Customer
) -> PlanInput:
    """One painting machine around the clock; each order is one operation of `minutes`."""
    jobs = tuple(
        Job(
            o.ref,
            0,
            due_minutes(EPOCH, o.due_date),
            weight_of(o, cust),
            (Operation(op_key(o.ref, 20), (Alternative("喷漆线", minutes[o.ref]),), name="喷涂"),),
        )
        for o in orders
    )
    return PlanInput(
        jobs, (Machine("喷漆线", "PAINT"),), {"PAINT": Calendar("PAINT", None)}, 10_000
    )


def what_if(
    before: Sequence[WorkOrder],
    after: Sequence[WorkOrder],
    changed: Sequence[str],
    minutes: Mapping[str, int],
    cust: Customer,
) -> PlanContext:
    """The flow the change-control handler runs: plan now, then evaluate the changed input."""
    current = plan(plan_input(before, minutes, cust), PARAMS)
    hypothetical, diff = evaluate(plan_input(after, minutes, cust), current, changed, PARAMS)
    return PlanContext(EPOCH, current, hypothetical, diff)


# plan --------------------------------------------------------------------------------------------


def test_rush_makes_another_order_slip_more_than_a_day() -> None:
    cust = customer(rush_fee_rate=0.05)
    mine = order("SO-31", due=date(2026, 12, 2))
    other = order("SO-40", due=date(2026, 12, 2))
    applied = change(mine, {"field": "priority", "value": "rush"})
    minutes = {"SO-31": 2000, "SO-40": 1000}
    ctx = what_if([mine, other], [applied.order, other], ["SO-31"], minutes, cust)
    assert ctx.before.jobs["SO-40"].end < ctx.before.jobs["SO-31"].end  # EDD-ish before the rush

    impact = run(mine, applied, [{"field": "priority", "value": "rush"}], cust=cust, plan_ctx=ctx)

    assert impact.plan is not None
    assert impact.plan.new_eta is not None and impact.plan.old_eta is not None
    assert impact.plan.new_eta < impact.plan.old_eta
    slips = {s.ref: s.minutes for s in impact.plan.others_slipped}
    assert slips["SO-40"] > OTHERS_SLIP_HIGH_MINUTES
    assert impact.plan.operations_moved == 2
    assert impact.cost.rush_fee == pytest.approx(0.05 * 800 * 100)
    assert impact.risk.level == "high"
    assert "others_slip_day" in [r.code for r in impact.risk.reasons]
    lines = impact_card_lines(impact, "zh")
    assert any("SO-40" in ln for ln in lines)


def test_due_date_pulled_in_makes_the_order_late_and_prices_overtime() -> None:
    mine = order("SO-31", due=date(2026, 12, 5))
    applied = change(
        mine, {"field": "due_date", "delta_days": -3}
    )  # due 12-02 17:00 = minute 1440
    ctx = what_if([mine], [applied.order], ["SO-31"], {"SO-31": 1500}, customer())
    impact = run(mine, applied, [{"field": "due_date", "delta_days": -3}], plan_ctx=ctx)
    assert impact.plan is not None
    assert impact.plan.old_lateness is not None and impact.plan.old_lateness < 0
    assert impact.plan.new_lateness == 60 and impact.plan.becomes_late
    assert impact.cost.overtime_minutes == 60
    assert impact.cost.overtime == pytest.approx(60 * 120 * 1.5 / 60)  # dearest remaining center
    assert impact.risk.level == "high" and impact.risk.reasons[0].code == "late"
    assert "晚1小时" in impact_card_lines(impact, "zh")[0]
    assert "1h late" in impact_card_lines(impact, "en")[0]


# materials ---------------------------------------------------------------------------------------


def test_quantity_increase_short_with_a_po_covering_part() -> None:
    stock = dict(PLENTY, HW_LEG=150)
    pos = (PurchaseOrder("PO-7", "HW-LEG", 30, "五金厂", TODAY + timedelta(days=5)),)
    supply = SupplyContext(items(**stock), pos, TODAY)
    impact = impact_of(
        order(due=date(2026, 12, 31)), {"field": "quantity", "value": 200}, supply=supply
    )

    leg = next(ln for ln in impact.materials.lines if ln.item_code == "HW-LEG")
    assert (leg.old_need, leg.new_need, leg.to_draw) == (100, 200, 200)
    assert leg.short == 50 and leg.covered_by == ("PO-7",) and leg.uncovered == 20
    assert leg.available_on == TODAY + timedelta(
        days=15
    )  # the remainder needs the item's lead time
    acts = [(a.kind, a.po_ref, a.quantity) for a in impact.materials.actions]
    assert acts == [("increase", "PO-7", 20)]
    assert impact.cost.material_delta == pytest.approx(100 * (2 * 100 + 0.5 * 40 + 80))
    assert impact.risk.level == "medium"
    assert any("桌腿" in ln and "PO-7" in ln for ln in impact_card_lines(impact, "zh"))


def test_short_past_the_due_date_is_high_and_late_po_is_expedited() -> None:
    stock = dict(PLENTY, HW_LEG=100)
    pos = (PurchaseOrder("PO-8", "HW-LEG", 500, "五金厂", date(2026, 12, 25)),)
    supply = SupplyContext(items(**stock), pos, TODAY)
    impact = impact_of(
        order(due=date(2026, 12, 20)), {"field": "quantity", "delta": 50}, supply=supply
    )
    assert [(a.kind, a.po_ref, a.was_expected) for a in impact.materials.actions] == [
        ("expedite", "PO-8", date(2026, 12, 25))
    ]
    assert impact.materials.ready_on == date(2026, 12, 25)
    assert impact.risk.level == "high"
    assert "short_past_due" in [r.code for r in impact.risk.reasons]


def test_stock_promised_to_other_orders_is_not_counted_twice() -> None:
    stock = dict(PLENTY, HW_LEG=150)
    pos = (PurchaseOrder("PO-1", "HW-LEG", 80, "五金厂", TODAY + timedelta(days=3)),)
    its = items(**stock)
    other = order("SO-9", qty=200, due=date(2026, 12, 10))  # ranks first: earlier due date
    availability = allocate([other], {("F-DESK", 1): BOM}, its, pos, TODAY)
    assert availability["SO-9"].shortages[0].missing == 50  # 150 from stock, 50 from PO-1

    supply = SupplyContext(its, pos, TODAY, (other,), {("F-DESK", 1): BOM}, availability)
    impact = impact_of(
        order(qty=10, due=date(2026, 12, 31)), {"field": "quantity", "value": 40}, supply=supply
    )
    leg = next(ln for ln in impact.materials.lines if ln.item_code == "HW-LEG")
    assert leg.free_stock == 0 and leg.free_incoming == 30
    assert leg.short == 40 and leg.covered_by == ("PO-1",) and leg.uncovered == 10

    alone = impact_of(
        order(qty=10, due=date(2026, 12, 31)),
        {"field": "quantity", "value": 40},
        supply=SupplyContext(its, pos, TODAY),
    )
    assert next(ln for ln in alone.materials.lines if ln.item_code == "HW-LEG").short == 0


def test_colour_maps_spec_lines_to_the_matching_item() -> None:
    impact = impact_of(order(), {"field": "spec", "key": "color", "value": "白橡木"})
    deltas = {ln.item_code: ln.delta for ln in impact.materials.lines}
    assert deltas == {"BRD-WAL": -200, "BRD-WOAK": 200, "PNT-WAL": -50, "PNT-WOAK": 50}
    assert impact.materials.shortages == ()
    assert impact.cost.material_delta == pytest.approx(200 * 10)
    assert impact.rework.operations == () and impact.risk.level in ("low", "medium")


def test_colour_nobody_stocks_must_be_purchased() -> None:
    impact = impact_of(order(), {"field": "spec", "key": "color", "value": "象牙白"})
    new = [ln for ln in impact.materials.lines if ln.new_item]
    assert {ln.item_code for ln in new} == {"BRD-WAL[color=象牙白]", "PNT-WAL[color=象牙白]"}
    assert all(ln.uncovered == ln.new_need for ln in new)
    kinds = {(a.kind, a.item_code) for a in impact.materials.actions}
    assert ("new", "BRD-WAL[color=象牙白]") in kinds
    assert "new_material" in [r.code for r in impact.risk.reasons]
    assert any("象牙白" in r.zh for r in impact.risk.reasons)


# rework ------------------------------------------------------------------------------------------


def test_colour_change_after_painting_is_rework_and_scrap() -> None:
    before = order(done={"开料": 100, "喷涂": 60, "质检": 20})
    impact = impact_of(before, {"field": "spec", "key": "color", "value": "白橡木"})
    rw = impact.rework
    assert rw.cause == "spec:color" and rw.trigger_operation == "喷涂"
    assert [(op.name, op.quantity) for op in rw.operations] == [("喷涂", 60), ("质检", 20)]
    assert rw.scrap_quantity == 60
    assert rw.operations[0].minutes == 30 + 2 * 60
    assert rw.operations[0].cost == pytest.approx(150 * 120 / 60)
    assert rw.scrap_material_cost == pytest.approx(60 * (2 * 100 + 0.5 * 40))
    assert impact.cost.rework == pytest.approx(rw.labour_cost + rw.scrap_material_cost)
    assert impact.risk.level == "high" and "scrap" in [r.code for r in impact.risk.reasons]
    # materials were issued when cutting started: only the new colour is drawn
    woak = next(ln for ln in impact.materials.lines if ln.item_code == "BRD-WOAK")
    assert woak.to_draw == 200
    assert impact.cost.material_delta == pytest.approx(
        200 * 110 + 50 * 40
    )  # issued walnut saves nothing
    assert any("喷涂" in ln and "60" in ln for ln in impact_card_lines(impact, "zh"))


def test_colour_change_before_painting_wastes_nothing() -> None:
    impact = impact_of(
        order(done={"开料": 100}), {"field": "spec", "key": "color", "value": "白橡木"}
    )
    assert impact.rework.operations == () and impact.rework.scrap_quantity == 0


def test_material_change_after_cutting_scraps_the_cut_parts() -> None:
    before = order(done={"开料": 40})
    impact = impact_of(before, {"field": "spec", "key": "material", "value": "颗粒板"})
    assert impact.rework.trigger_operation == "开料" and impact.rework.scrap_quantity == 40


def test_quantity_cut_below_what_is_cut_is_waste() -> None:
    before = order(done={"开料": 80})
    after = replace(
        before, quantity=50, operations=list(before.operations)
    )  # as another path might
    impact = assess(
        before=before,
        after=after,
        changes=[{"field": "quantity", "value": 50}],
        customer=customer(),
        product=PRODUCT,
        bom_before=BOM,
        routing=ROUTING,
        supply=SupplyContext(items(**PLENTY), (), TODAY),
        work_centers=CENTERS,
    )
    assert impact.rework.cause == "quantity" and impact.rework.scrap_quantity == 30


def test_cancel_wastes_the_work_done() -> None:
    before = order(done={"开料": 100, "喷涂": 10})
    impact = impact_of(before, {"field": "cancel"})
    assert impact.rework.cause == "cancel" and impact.rework.scrap_quantity == 100
    assert impact.policy.fee == 0 and not impact.policy.limit_reached
    assert impact_card_lines(impact, "en")[0] == "Order cancelled, capacity freed"


# contract ----------------------------------------------------------------------------------------


def test_change_limit_reached_is_blocked() -> None:
    before = order(change_count=3)
    impact = impact_of(
        before, {"field": "quantity", "value": 120}, cust=customer(max_changes_per_order=3)
    )
    assert impact.policy.limit_reached and (
        impact.policy.changes_used,
        impact.policy.changes_max,
    ) == (3, 3)
    assert impact.risk.level == "blocked" and impact.risk.reasons[0].code == "change_limit"
    assert "3/3" in impact.risk.reasons[0].zh and "limit" in impact.risk.reasons[0].en


def test_freeze_point_is_blocked() -> None:
    cust = customer(freeze_points=(FreezePoint("color", "喷涂"),), change_fee=200.0)
    impact = impact_of(
        order(done={"开料": 100, "喷涂": 5}),
        {"field": "spec", "key": "color", "value": "白橡木"},
        cust=cust,
    )
    assert [(h.kind, h.after_operation) for h in impact.policy.frozen] == [("color", "喷涂")]
    assert impact.risk.level == "blocked"
    frozen = next(r for r in impact.risk.reasons if r.code == "frozen")
    assert "喷涂" in frozen.zh and "颜色" in frozen.zh and "colour" in frozen.en
    assert impact.policy.fee == 200.0 and impact.cost.fee == 200.0


def test_freeze_point_of_another_kind_does_not_block() -> None:
    cust = customer(freeze_points=(FreezePoint("quantity", "开料"),))
    impact = impact_of(order(done={"开料": 10}), {"field": "due_date", "delta_days": 3}, cust=cust)
    assert impact.policy.frozen == () and impact.risk.level != "blocked"


def test_wildcard_freeze_point_blocks_any_change() -> None:
    cust = customer(freeze_points=(FreezePoint("*", "开料"),))
    impact = impact_of(order(done={"开料": 10}), {"field": "priority", "value": "rush"}, cust=cust)
    assert impact.risk.level == "blocked"


# output ------------------------------------------------------------------------------------------


def test_low_risk_and_serialisation() -> None:
    impact = impact_of(order(), {"field": "due_date", "delta_days": 5})
    assert impact.risk.level == "low" and impact.risk.reasons[0].code == "none"
    data = json.loads(json.dumps(impact.to_dict(), ensure_ascii=False))
    assert data["order_ref"] == "SO-31" and data["risk"]["level"] == "low"
    assert data["cost"]["total"] == 0 and data["plan"] is None
    assert data["kinds"] == ["due_date"] and data["due_date"] == "2026-12-25"
    assert impact_card_lines(impact, "zh")[0] == "交期12-25，未重新排产"


def test_full_impact_serialises_with_plan() -> None:
    cust = customer(rush_fee_rate=0.05)
    mine, other = order("SO-31", due=date(2026, 12, 2)), order("SO-40", due=date(2026, 12, 2))
    applied = change(mine, {"field": "priority", "value": "rush"})
    ctx = what_if(
        [mine, other], [applied.order, other], ["SO-31"], {"SO-31": 2000, "SO-40": 1000}, cust
    )
    impact = run(mine, applied, [{"field": "priority", "value": "rush"}], cust=cust, plan_ctx=ctx)
    data = json.loads(json.dumps(impact.to_dict(), ensure_ascii=False))
    assert data["plan"]["others_slipped"][0]["ref"] == "SO-40"
    assert data["plan"]["new_eta"].startswith("2026-12-0")


def test_card_is_short_in_both_languages() -> None:
    stock = dict(PLENTY, HW_LEG=0, BRD_WOAK=0, PNT_WOAK=0)
    supply = SupplyContext(items(**stock), (), TODAY)
    before = order(done={"开料": 100, "喷涂": 60}, change_count=1)
    impact = impact_of(
        before,
        {"field": "spec", "key": "color", "value": "白橡木"},
        {"field": "quantity", "value": 150},
        supply=supply,
    )
    for lang in ("zh", "en"):
        lines = impact_card_lines(impact, lang)
        assert 1 <= len(lines) <= 10
        assert all(len(ln) <= 80 for ln in lines), lines
        assert lines[-1].startswith("风险" if lang == "zh" else "Risk")
    assert any("另有" in ln for ln in impact_card_lines(impact, "zh"))


def test_catalog_has_both_languages() -> None:
    assert check_catalog(CATALOG) == []


def test_inputs_are_not_mutated() -> None:
    before = order(done={"开料": 100})
    its = items(**PLENTY)
    snapshot = (repr(before), repr(its))
    impact_of(before, {"field": "quantity", "value": 300}, supply=SupplyContext(its, (), TODAY))
    assert (repr(before), repr(its)) == snapshot


def test_small_slip_of_another_order_is_medium() -> None:
    cust = customer()
    mine, other = order("SO-31", due=TODAY), order("SO-40", due=TODAY)  # both due at the epoch
    applied = change(mine, {"field": "priority", "value": "rush"})
    ctx = what_if(
        [mine, other], [applied.order, other], ["SO-31"], {"SO-31": 300, "SO-40": 200}, cust
    )
    impact = run(mine, applied, [{"field": "priority", "value": "rush"}], cust=cust, plan_ctx=ctx)
    assert impact.plan is not None and impact.plan.worst_other_slip == 300
    assert not impact.plan.becomes_late  # it was later still before the rush
    assert impact.risk.level == "medium"
    assert {"others_slip", "still_late"} <= {r.code for r in impact.risk.reasons}


def test_new_bom_version_is_compared_with_the_old() -> None:
    bom2 = BOM.revise(
        tuple(
            replace(ln, qty_per=ln.qty_per * 1.5) if ln.item_code == "BRD-WAL" else ln
            for ln in BOM.lines
        )
    )
    before = order()
    applied = change(before, {"field": "quantity", "value": 100})
    impact = assess(
        before=before,
        after=applied.order,
        changes=[{"field": "quantity", "value": 100}],
        customer=customer(),
        product=PRODUCT,
        bom_before=BOM,
        bom_after=bom2,
        routing=ROUTING,
        supply=SupplyContext(items(**PLENTY), (), TODAY),
        work_centers=CENTERS,
    )
    assert [(ln.item_code, ln.old_need, ln.new_need) for ln in impact.materials.lines] == [
        ("BRD-WAL", 200, 300)
    ]


def test_operation_added_ahead_of_reported_work_sends_it_back() -> None:
    before = order(done={"开料": 100, "喷涂": 30})
    impact = impact_of(before, {"field": "add_operation", "value": "打磨"})
    assert impact.rework.cause == "routing" and impact.rework.trigger_operation == "打磨"
    assert [op.name for op in impact.rework.operations] == [
        "喷涂"
    ] and impact.rework.scrap_quantity == 0
    assert impact.risk.level == "medium"
