"""Assess a change on a copy: apply it, repair the latest plan with it, weigh the impact.

The assessment is kept in memory, keyed by change request, until the request is
confirmed: its plan is what the confirm commits, so a change is solved once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.change_control.relative import resolve_relative
from core.changes import AppliedChange, apply_changes
from core.commands import CancelOrder, ChangeCommand, ChangeItem
from core.impact import Impact, PlanContext, SupplyContext, assess
from core.model.work_order import WorkOrder
from core.notices import BeforeAfter, Understood
from core.ports import Clock, UnitOfWork
from core.services.planning import Planner, WhatIf, load_snapshot, with_overrides


@dataclass(frozen=True, slots=True)
class Assessment:
    """A change played on a copy of its order, and the plan and impact that would follow."""

    applied: AppliedChange
    impact: Impact
    understood: Understood
    plan: WhatIf
    order_version: int  # the order version it was assessed against
    at: datetime

    def stored_impact(self) -> dict[str, Any]:
        """The impact snapshot a change request keeps, with what was understood."""
        return {**self.impact.to_dict(), "understood": [u.to_dict() for u in self.understood]}


class AssessedPlans:
    """Assessments awaiting confirmation, by change-request ref; the oldest go first.

    In-process and bounded on purpose: a confirm that finds none here (another
    process assessed it, a restart, or it was pushed out) re-assesses with one
    repair, which costs a fraction of a second, so nothing is worth persisting.
    """

    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, Assessment] = OrderedDict()

    def put(self, cr_ref: str, assessment: Assessment) -> None:
        self._items[cr_ref] = assessment
        self._items.move_to_end(cr_ref)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def take(self, cr_ref: str) -> Assessment | None:
        """Remove and return it: a plan is committed at most once."""
        return self._items.pop(cr_ref, None)

    def __len__(self) -> int:
        return len(self._items)


def items_of(command: ChangeCommand, order: WorkOrder) -> list[dict[str, Any]]:
    """The command's items in the shape `apply_changes` reads; a cancel is one item.
    Multiples ("翻倍") come to a value on `order` as it is now.

    :raises CoreError: a multiple that cannot be resolved.
    """
    if isinstance(command, CancelOrder):
        return [{"field": "cancel"}]
    return [item.to_dict() for item in command.items] + resolve_relative(order, command.relative)


async def assess_change(uow: UnitOfWork, planner: Planner, clock: Clock, order: WorkOrder,
                        items: list[dict[str, Any]]) -> Assessment:
    """Apply `items` to a copy of `order` and assess it against the latest plan; writes nothing.

    :raises CoreError: the change cannot be applied (closed order, bad value ...).
    """
    today = clock.now().astimezone(ZoneInfo(planner.tz)).date()
    snap = await load_snapshot(uow, today)
    product = (await uow.catalog.products())[order.product_code]
    routing = snap.routings[(order.product_code, order.routing_version)]
    bom = snap.boms[(order.product_code, order.bom_version)]
    applied = apply_changes(order, product, routing, items, "assessment", snap.work_centers, bom)
    extra = ({(order.product_code, applied.routing.version): applied.routing}
             if applied.routing else None)
    hypothetical = with_overrides(snap, {order.ref: applied.order}, extra)
    wi = await planner.what_if(snap, hypothetical, await uow.plans.latest(), [order.ref])
    others = [o for o in snap.orders if o.ref != order.ref]
    supply = SupplyContext(snap.items, snap.purchase_orders, today, others, snap.boms,
                           snap.availability)
    impact = assess(before=order, after=applied.order, changes=items,
                    customer=snap.customers[order.customer_code], product=product,
                    bom_before=bom, routing=routing, supply=supply,
                    plan=PlanContext(wi.epoch, wi.before, wi.after, wi.diff),
                    work_centers=snap.work_centers)
    return Assessment(applied, impact, understood(order, applied.order, items), wi, order.version,
                      clock.now())


def understood(before: WorkOrder, after: WorkOrder, items: Sequence[dict[str, Any]]) -> Understood:
    """Each item as the order's value before -> after, for the card to restate first."""
    out: list[BeforeAfter] = []
    for raw in items:
        item = ChangeItem.from_dict(raw)
        field = item.field
        if field == "quantity":
            factor = raw.get("factor")
            out.append(BeforeAfter(field, before.quantity, after.quantity, unit=item.unit,
                                   factor=float(factor) if factor is not None else None))
        elif field == "due_date":
            out.append(BeforeAfter(field, before.due_date, after.due_date))
        elif field == "spec" and item.key:
            out.append(BeforeAfter(field, before.specs.get(item.key), after.specs.get(item.key),
                                   key=item.key))
        elif field == "priority":
            out.append(BeforeAfter(field, before.priority.value, after.priority.value))
        elif field == "add_operation":
            out.append(BeforeAfter(field, None, str(item.value or "")))
        elif field == "remove_operation":
            out.append(BeforeAfter(field, str(item.value or ""), None))
        elif field == "cancel":
            out.append(BeforeAfter(field, before.status.value, after.status.value))
    return tuple(out)
