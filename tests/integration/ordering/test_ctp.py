"""The quote is what the plan does after ordering: a property over random small shops."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from bench.promise import DUE0, _prospective
from bench.shop import generate
from core.ordering.ctp import DAY, earliest
from core.planning import engine
from core.planning.types import SolveParams

WHAT_IF = SolveParams(time_limit_s=1.5, seed=0, workers=1, use_cpsat=False)
POLISH = SolveParams(time_limit_s=0.5, seed=0, workers=1)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_quoted_day_holds_after_ordering_and_replanning(seed: int) -> None:
    rng = random.Random(seed)
    inp = generate(rng.randint(15, 40), seed)
    plan = engine.plan(inp, replace(POLISH, time_limit_s=0.5))
    for n in range(3):
        job = _prospective(inp, rng, n)
        promise = earliest(inp, plan, job, WHAT_IF, DUE0)
        due = DUE0 + promise.day * DAY
        ordered = replace(inp, jobs=inp.jobs + (replace(job, due=due),),
                          horizon=max(inp.horizon, due + 60 * DAY))
        repaired = engine.replan(ordered, plan, [job.ref], WHAT_IF)
        assert repaired.jobs[job.ref].end <= due  # what confirm commits
        polished = engine.replan(ordered, repaired, [job.ref], POLISH)
        assert polished.jobs[job.ref].end <= due  # after the background polish
        inp, plan = ordered, polished


def test_the_promise_is_the_least_day_the_repair_keeps() -> None:
    inp = generate(30, 7)
    plan = engine.plan(inp, replace(POLISH, time_limit_s=0.5))
    job = _prospective(inp, random.Random(7), 0)
    promise = earliest(inp, plan, job, WHAT_IF, DUE0)
    if promise.day > 0:  # one day earlier, the guard or the date itself is broken
        sooner = earliest(inp, plan, job, WHAT_IF, DUE0, min_day=promise.day - 1)
        assert sooner.day >= promise.day - 1
        trial = replace(inp, jobs=inp.jobs + (replace(job, due=DUE0 + (promise.day - 1) * DAY),))
        end = engine.replan(trial, plan, [job.ref], WHAT_IF).jobs[job.ref].end
        assert end + 240 > DUE0 + (promise.day - 1) * DAY
