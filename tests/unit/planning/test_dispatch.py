"""Dispatch rules: capacity-aware machine choice at a saturated work center."""

import math
import random
import time

import pytest

from core.planning.dispatch import Rule, dispatch
from core.planning.objective import cost
from core.planning.problem import compile_problem
from core.planning.result import to_result
from core.planning.search import SLACKS, rule_search
from core.planning.sequences import weighted_tardiness
from core.planning.types import Alternative, Job, Machine, Operation, PlanInput
from core.planning.validate import violations


def _saturated_center(seed: int = 5) -> PlanInput:
    """Two unrelated machines, each 3-6 min slower on half of the orders, loaded past capacity."""
    rng = random.Random(seed)
    jobs = []
    for j in range(60):
        fast = rng.randint(8, 14)
        slow = fast + rng.randint(3, 6)
        alts = (("F", fast), ("S", slow)) if j % 2 else (("F", slow), ("S", fast))
        r = rng.randint(0, 150)
        op = Operation(f"J{j}.0", tuple(Alternative(m, p) for m, p in alts))
        jobs.append(Job(f"J{j}", r, r + rng.randint(20, 150), rng.choice((1, 2, 5)), (op,)))
    return PlanInput(tuple(jobs), (Machine("F", "WC"), Machine("S", "WC")), {}, 5000)


@pytest.mark.parametrize("slack", [0.0, 0.3, math.inf])
def test_ops_use_only_machines_within_the_slack(slack: float) -> None:
    inp = _saturated_center()
    pb = compile_problem(inp)
    sched = dispatch(pb, Rule("atc", 2.0, alt_slack=slack))
    used = {pb.op_alts[i][sched.mach[i]] / pb.op_min[i] for i in range(pb.n_ops)}
    assert max(used) <= 1.0 + slack
    if slack == math.inf:
        assert max(used) > 1.3  # the textbook rule does take slow machines here
    result = to_result(
        pb,
        sched,
        status="HEURISTIC",
        lower_bound=0,
        method="test",
        seconds=0.0,
        first_solution_seconds=0.0,
    )
    assert violations(inp, result) == []


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0, 4.0])
def test_keeping_fast_machines_beats_earliest_finish_when_saturated(k: float) -> None:
    pb = compile_problem(_saturated_center())
    textbook = weighted_tardiness(pb, dispatch(pb, Rule("atc", k)))
    capacity_aware = weighted_tardiness(pb, dispatch(pb, Rule("atc", k, alt_slack=0.0)))
    assert capacity_aware < textbook


def test_rule_search_finds_the_slack() -> None:
    pb = compile_problem(_saturated_center())
    rule = Rule("atc", 2.0)
    start = dispatch(pb, rule)
    start_cost = cost(pb, start, None, 0)
    best, best_cost, stats = rule_search(
        pb,
        rule,
        start,
        start_cost,
        deadline=time.monotonic() + 0.5,
        seed=0,
        previous_start=None,
        stability_weight=0,
    )
    assert best_cost < start_cost
    assert best_cost == cost(pb, best, None, 0)
    assert stats.alt_slack in SLACKS and stats.alt_slack != math.inf
