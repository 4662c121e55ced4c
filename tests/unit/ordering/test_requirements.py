"""The rules of requirement specifications: what needs confirming, versions, who may settle."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.errors import InvalidTransition
from core.model.parties import Person, Role
from core.model.products import Product
from core.model.work_order import OrderStatus, WorkOrder
from core.ordering import requirements as rules
from core.ordering.draft import match_specs
from core.ordering.model import Requirement, RequirementStatus
from core.plan_building import open_orders

DESK = Product("F-DESK-L", "L型办公桌",
               spec_options={"color": ["白色", "胡桃木色"], "material": ["颗粒板", "多层板"]})
AT = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)


def test_specs_outside_the_options_come_back_as_requirements_not_refusals() -> None:
    specs, unmatched = match_specs(DESK, [("color", "胡桃木"), ("color", "粉红色"),
                                          ("other", "边角倒圆"), ("size", "1600x800"),
                                          ("coating", "钝化")])
    assert specs == {"color": "胡桃木色", "size": "1600x800"}  # size is left open
    assert unmatched == (Requirement("color", "粉红色"), Requirement("other", "边角倒圆"),
                         Requirement("other", "coating 钝化"))


def test_a_note_naming_an_option_is_that_option() -> None:
    specs, unmatched = match_specs(DESK, [("other", "多层板")])
    assert specs == {"material": "多层板"} and unmatched == ()
    assert rules.classify(DESK, [("other", "胡桃木色"), ("color", "紫色")]) == (
        Requirement("color", "胡桃木色", known=True), Requirement("color", "紫色"))


def test_confirming_keeps_the_text_and_marks_who_and_when() -> None:
    v1 = rules.first_version("SO-1", [Requirement("color", "粉红色")], "sales.a", AT, "NO-1")
    assert rules.refusal([v1]) is None
    done = rules.confirm([v1], "plan.b", LATER)
    assert (done.version, done.status, done.decided_by, done.decided_at) == (
        1, RequirementStatus.CONFIRMED, "plan.b", LATER)
    assert done.items == v1.items and done.written_by == "sales.a"
    assert rules.refusal([done]) == "already_confirmed"


def test_amending_supersedes_the_latest_and_writes_the_next_version_confirmed() -> None:
    v1 = rules.first_version("SO-1", [Requirement("color", "粉红色")], "sales.a", AT, "NO-1")
    old, v2 = rules.amend([v1], [Requirement("color", "胡桃木色", known=True)], "plan.b", LATER,
                          "需求改为 胡桃木色")
    assert (old.version, old.status) == (1, RequirementStatus.SUPERSEDED)
    assert old.items == v1.items  # the old text is kept as it was
    assert (v2.version, v2.status, v2.written_by, v2.request_ref) == (
        2, RequirementStatus.CONFIRMED, "plan.b", "NO-1")
    assert rules.refusal([old, v2]) == "already_confirmed"
    assert rules.refusal([]) == "no_requirement"


@pytest.mark.parametrize(("role", "allowed"), [
    (Role.PLANNER, True), (Role.SUPERVISOR, True), (Role.ADMIN, True), (Role.SALES, False),
    (Role.CUSTOMER, False), (Role.OPERATOR, False), (Role.QC, False),
])
def test_only_planners_supervisors_and_admins_settle_requirements(role: Role,
                                                                   allowed: bool) -> None:
    assert rules.may_settle(Person("p", "P", role)) is allowed
    assert rules.may_settle(None) is False


def test_a_settled_version_puts_known_options_in_specs_and_the_rest_in_the_note() -> None:
    specs, note = rules.specs_and_note((Requirement("color", "胡桃木色", known=True),
                                        Requirement("other", "边角倒圆"),
                                        Requirement("finish", "钝化")))
    assert specs == {"color": "胡桃木色"} and note == "边角倒圆; finish=钝化"


def test_a_held_order_is_open_but_not_planned_and_is_released_or_cancelled() -> None:
    held = WorkOrder("SO-1", "C01", "F-DESK-L", 5, date(2026, 12, 30),
                     status=OrderStatus.AWAITING_TECH)
    running = WorkOrder("SO-2", "C01", "F-DESK-L", 5, date(2026, 12, 30),
                        status=OrderStatus.RELEASED)
    assert held.status.is_open and not held.status.in_plan
    assert open_orders([held, running]) == (running,)
    with pytest.raises(InvalidTransition):
        held.transition(OrderStatus.IN_PROGRESS)
    held.release("plan.b")
    assert held.status is OrderStatus.RELEASED
