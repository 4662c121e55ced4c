"""assess: the whole impact of one change request, from plain inputs, without side effects.

The caller (the change-control handler) loads the order, applies the change to
a copy with core.changes.apply_changes, runs the what-if in a worker thread and
then calls this: every number the impact card shows comes from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.impact.cost import estimate, order_value
from core.impact.materials import SupplyContext, assess_materials
from core.impact.plan import PlanContext, assess_plan, planned_start
from core.impact.policy import assess_policy, change_kinds
from core.impact.rework import assess_rework
from core.impact.risk import judge
from core.impact.types import Impact
from core.model.capacity import WorkCenter
from core.model.parties import Customer
from core.model.products import Bom, Product, Routing
from core.model.work_order import WorkOrder


def assess(
    *,
    before: WorkOrder,
    after: WorkOrder,
    changes: Sequence[Mapping[str, Any]],
    customer: Customer,
    product: Product,
    bom_before: Bom,
    bom_after: Bom | None = None,
    routing: Routing | None = None,
    supply: SupplyContext,
    plan: PlanContext | None = None,
    work_centers: Mapping[str, WorkCenter],
) -> Impact:
    """The impact of turning `before` into `after` by `changes`.

    :param changes: contract change items; the cancel intent as {"field": "cancel"}.

    :param bom_after: the BOM version the changed order uses; the same as before when None.
    :param routing: the routing the reported work was done on, to price rework.
    :param plan: the current plan, the what-if plan and their diff; None skips the plan section.
    """
    kinds = change_kinds(changes)
    spec_keys = tuple(str(c["key"]) for c in changes if c.get("field") == "spec" and c.get("key"))
    need_by = planned_start(after.ref, plan, after.due_date)
    plan_impact = assess_plan(before, after, plan) if plan is not None else None
    materials = assess_materials(
        before, after, bom_before, bom_after or bom_before, supply, need_by
    )
    rework = assess_rework(
        before, after, spec_keys, routing, bom_before, supply.items, work_centers
    )
    policy = assess_policy(before, customer.policy, kinds)
    cost = estimate(
        before,
        after,
        product,
        customer.policy.rush_fee_rate,
        plan_impact,
        materials,
        rework,
        policy,
        work_centers,
    )
    risk = judge(
        plan_impact, materials, rework, policy, cost, after.due_date, order_value(after, product)
    )
    return Impact(
        before.ref, after.due_date, kinds, plan_impact, materials, rework, policy, cost, risk
    )
