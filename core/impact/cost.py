"""A cost estimate in yuan: material delta, rework, expediting and the contract fee.

It is an estimate for a salesperson deciding whether to push the change, not
costing: overtime is priced at the dearest work center the order still needs,
since that is where the extra hours are usually spent.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.impact.types import CostEstimate, MaterialImpact, PlanImpact, PolicyImpact, ReworkImpact
from core.model.capacity import WorkCenter
from core.model.products import Product
from core.model.work_order import Priority, WorkOrder

OVERTIME_PREMIUM = 1.5
"""Overtime is paid at 150% of the normal hourly rate (PRC labour law, working days)."""

OVERTIME_MAX_MINUTES = 5 * 3 * 60
"""Overtime can recover at most one week of three extra evening hours; later than that it cannot
save the date.
"""


def estimate(
    before: WorkOrder,
    after: WorkOrder,
    product: Product,
    rush_fee_rate: float,
    plan: PlanImpact | None,
    materials: MaterialImpact,
    rework: ReworkImpact,
    policy: PolicyImpact,
    work_centers: Mapping[str, WorkCenter],
) -> CostEstimate:
    overtime_minutes = _overtime_minutes(plan)
    return CostEstimate(
        material_delta=sum(ln.cost_delta for ln in materials.lines),
        rework=rework.labour_cost + rework.scrap_material_cost,
        rush_fee=_rush_fee(before, after, product, rush_fee_rate),
        overtime=overtime_minutes * _overtime_rate(after, work_centers) / 60,
        overtime_minutes=overtime_minutes,
        fee=policy.fee,
    )


def order_value(order: WorkOrder, product: Product) -> float:
    return product.unit_price * order.quantity


def _rush_fee(before: WorkOrder, after: WorkOrder, product: Product, rate: float) -> float:
    """Charged once, when the order becomes a rush order."""
    if after.priority is Priority.RUSH and before.priority is not Priority.RUSH:
        return rate * order_value(after, product)
    return 0.0


def _overtime_minutes(plan: PlanImpact | None) -> int:
    """The lateness the change adds, when overtime can still win it back."""
    if plan is None or not plan.becomes_late or plan.new_lateness is None:
        return 0
    added = plan.new_lateness - max(0, plan.old_lateness or 0)
    return added if added <= OVERTIME_MAX_MINUTES else 0


def _overtime_rate(order: WorkOrder, work_centers: Mapping[str, WorkCenter]) -> float:
    rates = [
        work_centers[op.work_center].hourly_cost
        for op in order.operations
        if not op.finished and op.work_center in work_centers
    ]
    return max(rates, default=0.0) * OVERTIME_PREMIUM
