"""The schedule side of a change, read from a what-if the caller already ran.

The solver is not run here: the change-control flow runs
core.planning.whatif.evaluate in a worker thread and hands the plans and their
diff in, so the assessment stays a pure, instant function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.impact.types import OrderSlip, PlanImpact
from core.model.work_order import WorkOrder
from core.plan_building import DUE_TIME, due_minutes, split_key
from core.planning.types import PlanDiff, PlanResult


@dataclass(frozen=True, slots=True)
class PlanContext:
    """The plan before the change, the what-if plan after it, their diff, and the plan epoch."""

    epoch: datetime
    before: PlanResult
    after: PlanResult
    diff: PlanDiff


def assess_plan(before: WorkOrder, after: WorkOrder, ctx: PlanContext) -> PlanImpact:
    old_job = ctx.before.jobs.get(before.ref)
    new_job = ctx.after.jobs.get(after.ref) if after.status.is_open else None
    old_due, new_due = (
        due_minutes(ctx.epoch, before.due_date),
        due_minutes(ctx.epoch, after.due_date),
    )
    others = tuple(
        OrderSlip(s.ref, s.delta, _at(ctx.epoch, s.old_end), _at(ctx.epoch, s.new_end))
        for s in ctx.diff.slipped
        if s.ref != before.ref
    )
    return PlanImpact(
        old_eta=_at(ctx.epoch, old_job.end) if old_job else None,
        new_eta=_at(ctx.epoch, new_job.end) if new_job else None,
        old_due=datetime.combine(before.due_date, DUE_TIME, ctx.epoch.tzinfo),
        new_due=datetime.combine(after.due_date, DUE_TIME, ctx.epoch.tzinfo),
        old_lateness=old_job.end - old_due if old_job else None,
        new_lateness=new_job.end - new_due if new_job else None,
        others_slipped=others,
        operations_moved=len(ctx.diff.moved),
        operations_reordered=len(ctx.diff.reordered),
    )


def planned_start(ref: str, ctx: PlanContext | None, fallback: date) -> date:
    """When the order's first remaining operation starts in the new plan: materials are needed
    then.
    """
    if ctx is None:
        return fallback
    starts = [a.start for key, a in ctx.after.assignments.items() if split_key(key)[0] == ref]
    return _at(ctx.epoch, min(starts)).date() if starts else fallback


def _at(epoch: datetime, minutes: int) -> datetime:
    return epoch + timedelta(minutes=minutes)
