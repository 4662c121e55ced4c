"""Delay-alert rules on hand-made plans: each finding is announced once, and recovery too."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from core import alerts, digest
from core.alerts import AlertContext, AlertKind, evaluate, render_alert
from core.i18n import check_catalog
from core.model.capacity import WorkCenter
from core.model.plan import PlanVersion
from core.model.work_order import OperationProgress, OrderStatus, WorkOrder
from core.supply import Availability, Shortage
from tests.integration.proactive.helpers import ZONE, make_plan

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)
CENTERS = {
    "POWDER": WorkCenter("POWDER", "喷粉", ("静电喷粉线",), alternatives=("PAINT",)),
    "CUT": WorkCenter("CUT", "开料", ("锯1",)),
}


def order(ref: str = "SO-1", customer: str = "C01", due: date = date(2026, 11, 25)) -> WorkOrder:
    return WorkOrder(
        ref,
        customer,
        "P1",
        10,
        due,
        status=OrderStatus.RELEASED,
        operations=[OperationProgress(1, "开料", "CUT"), OperationProgress(2, "喷粉", "POWDER")],
    )


def ctx(
    plan: PlanVersion,
    orders: list[WorkOrder],
    now: datetime = NOW,
    availability: dict[str, Availability] | None = None,
    causes: dict[str, str] | None = None,
) -> AlertContext:
    return AlertContext(
        plan, {o.ref: o for o in orders}, availability or {}, CENTERS, now, 480, causes or {}
    )


def run(
    plan: PlanVersion, orders: list[WorkOrder], state: Any, **kw: Any
) -> tuple[list[alerts.Alert], dict[str, Any]]:
    return evaluate(ctx(plan, orders, **kw), state)


def test_a_new_delay_is_announced_once() -> None:
    o = order()
    plan = make_plan(1, [o], NOW, {"SO-1": 120}, bottleneck="POWDER")
    found, state = run(plan, [o], None)
    assert [a.kind for a in found] == [AlertKind.NEW_LATE]
    assert found[0].minutes == 120
    assert found[0].cause is not None and found[0].cause.kind == "bottleneck"
    assert found[0].cause.subject == "POWDER"
    assert [r.kind for r in found[0].remedies] == ["overtime", "alternative", "rush"]
    again, state2 = run(make_plan(2, [o], NOW, {"SO-1": 120}, bottleneck="POWDER"), [o], state)
    assert again == [] and state2["orders"] == state["orders"]


def test_later_only_beyond_the_threshold_then_once() -> None:
    o = order()
    _, state = run(make_plan(1, [o], NOW, {"SO-1": 60}), [o], None)
    small, state = run(make_plan(2, [o], NOW, {"SO-1": 60 + 400}), [o], state)
    assert small == []
    later, state = run(make_plan(3, [o], NOW, {"SO-1": 60 + 600}), [o], state)
    assert [a.kind for a in later] == [AlertKind.LATER]
    assert run(make_plan(4, [o], NOW, {"SO-1": 60 + 600}), [o], state)[0] == []


def test_back_on_time_is_said_once_and_a_new_delay_counts_again() -> None:
    o = order()
    _, state = run(make_plan(1, [o], NOW, {"SO-1": 300}), [o], None)
    back, state = run(make_plan(2, [o], NOW, {"SO-1": -30}), [o], state)
    assert [a.kind for a in back] == [AlertKind.BACK_ON_TIME]
    assert run(make_plan(3, [o], NOW, {"SO-1": -30}), [o], state)[0] == []
    again, _ = run(make_plan(4, [o], NOW, {"SO-1": 45}), [o], state)
    assert [a.kind for a in again] == [AlertKind.NEW_LATE]


def test_on_time_orders_and_closed_orders_say_nothing() -> None:
    o, gone = order("SO-1"), order("SO-2")
    _, state = run(make_plan(1, [o, gone], NOW, {"SO-1": -60, "SO-2": 90}), [o, gone], None)
    assert "SO-2" in state["orders"]
    found, state = run(make_plan(2, [o], NOW, {"SO-1": -60}), [o], state)
    assert found == [] and state["orders"] == {}


def test_an_overdue_operation_is_announced_once_per_planned_end() -> None:
    o = order(due=date(2026, 11, 23))
    plan = make_plan(1, [o], NOW - timedelta(hours=8), {"SO-1": -300})  # ops end 11:00, 12:00
    later = NOW + timedelta(hours=2, minutes=30)  # 11:30: the first operation is overdue
    found, state = run(plan, [o], {"orders": {}}, now=later)
    assert [(a.kind, a.detail["operation"]) for a in found] == [(AlertKind.OVERDUE_OP, "开料")]
    assert found[0].minutes == 30
    assert run(plan, [o], state, now=later + timedelta(minutes=10))[0] == []
    o.operations[0].finished_at = later  # reported done: nothing more about it
    assert run(plan, [o], state, now=later + timedelta(minutes=20))[0] == []


def test_material_arriving_after_it_is_needed() -> None:
    o = order(due=date(2026, 11, 26))
    plan = make_plan(1, [o], NOW, {"SO-1": 24 * 60})  # first op starts 11-27 15:00, a day late
    short = Shortage("PWD-7035", 5, ("PO-8",), date(2026, 11, 27))
    found, state = run(
        plan, [o], None, availability={"SO-1": Availability("SO-1", short.available_on, (short,))}
    )
    assert [a.kind for a in found] == [AlertKind.NEW_LATE]  # the late alert names the material
    assert found[0].cause is not None and found[0].cause.kind == "material"
    assert [r.kind for r in found[0].remedies] == ["expedite", "rush"]
    slipped = Shortage("PWD-7035", 5, ("PO-8",), date(2026, 11, 28))
    plan2 = make_plan(2, [o], NOW, {"SO-1": 24 * 60 + 60})
    avail = {"SO-1": Availability("SO-1", slipped.available_on, (slipped,))}
    found, state = run(plan2, [o], state, availability=avail)
    assert [(a.kind, a.detail["arrives"]) for a in found] == [(AlertKind.MATERIAL, "2026-11-28")]
    assert run(plan2, [o], state, availability=avail)[0] == []


def test_a_change_is_named_as_the_cause() -> None:
    o = order()
    found, _ = run(make_plan(1, [o], NOW, {"SO-1": 90}), [o], None, causes={"SO-1": "CR-7"})
    assert found[0].cause == alerts.Cause("change", "CR-7")
    text = render_alert(found[0], "zh", "宏景")
    assert "SO-1" in text and "CR-7" in text and "加急" in text
    en = render_alert(found[0], "en")
    assert "Reason: change CR-7" in en and "rush SO-1" in en


def test_every_text_exists_in_both_languages() -> None:
    assert check_catalog(alerts.TEXTS) == []
    assert check_catalog(digest.TEXTS) == []
