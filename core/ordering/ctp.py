"""Capable-to-promise on the engine's records: the earliest due day a new job can keep.

The planner inserts a job into the live plan by its due date (repair.py: after
every queued operation of a job due no later, ahead of the rest), so the date a
new order can keep depends on the date it is given. With due day d the job goes
behind everything due by d and its completion E(d) never falls as d grows; the
earliest promise is the least d whose repair finishes the job by day d's due
minute with a guard to spare. The search walks up from the lower bound E(today)
(d := the day E(d) falls on, until it holds), which costs a few repairs; a
job placed last (due far out) bounds it from above, so there is always an answer.

The guard is the safety margin: the background polish that follows a confirmed
order may trade a few hours of an on-time order for another order's lateness
(its objective is weighted tardiness), so the repair must leave room for that.
bench/promise.py measures how much room is enough.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from core.planning import diff as plan_diff
from core.planning import engine
from core.planning.types import Job, PlanDiff, PlanInput, PlanResult, SolveParams

DAY = 24 * 60
GUARD_MINUTES = 4 * 60
"""The repaired ETA must leave this much before the due minute (see bench/promise.py)."""
MAX_STEPS = 12
FAR_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Promise:
    """The earliest day offset (0 = the epoch's day) and the plan that keeps it."""

    day: int
    eta: int  # minutes from the epoch
    after: PlanResult
    diff: PlanDiff
    repairs: int
    seconds: float


def day_of(minute: int, due0: int) -> int:
    """The first day offset whose due minute (`due0` + whole days) is at or after `minute`."""
    return max(0, -((due0 - minute) // DAY))


def earliest(inp: PlanInput, before: PlanResult, job: Job, params: SolveParams, due0: int,
             guard: int = GUARD_MINUTES, min_day: int = 0,
             evaluate: Callable[[PlanInput], PlanResult] | None = None) -> Promise:
    """The least day offset d >= `min_day` at which `job` (due = due0 + d days) keeps its date.

    `inp` is the shop without the job; `before` its plan repaired to the present;
    `due0` the due minute of day 0 (the epoch's day at the due time). Nothing is saved.
    """
    t0 = time.monotonic()
    params = replace(params, use_cpsat=False, workers=1)
    repairs = 0

    def play(day: int) -> PlanResult:
        nonlocal repairs
        repairs += 1
        trial = replace(inp, jobs=inp.jobs + (replace(job, due=due0 + day * DAY),),
                        horizon=max(inp.horizon, due0 + (day + 60) * DAY))
        if evaluate is not None:
            return evaluate(trial)
        return engine.replan(trial, before, [job.ref], params)

    def holds(day: int, result: PlanResult) -> bool:
        return result.jobs[job.ref].end + guard <= due0 + day * DAY

    day = min_day
    result = play(day)
    for _ in range(MAX_STEPS):
        if holds(day, result):
            break
        day = max(day + 1, day_of(result.jobs[job.ref].end + guard, due0))
        result = play(day)
    else:
        # no fixed point in reach: the job placed last, and the day that leaves the guard
        far = play(FAR_DAYS)
        day = max(min_day, day_of(far.jobs[job.ref].end + guard, due0))
        result = play(day)
        while not holds(day, result) and repairs < MAX_STEPS + 8:
            day = max(day + 1, day_of(result.jobs[job.ref].end + guard, due0))
            result = play(day)
    end = result.jobs[job.ref].end
    return Promise(day, end, result, plan_diff.compare(before, result), repairs,
                   time.monotonic() - t0)
