"""Solver behaviour on tiny instances, each schedule checked independently."""

from __future__ import annotations

import pytest

pytest.importorskip("numba")  # the makespan solver is the [bench] extra

from bench.instances import FJSP_DIR, JSP_DIR, parse_brandimarte, parse_jsplib
from bench.makespan import (
    Alternative,
    Operation,
    ShopInstance,
    SolveOptions,
    best_dispatch,
    solve_makespan,
)
from tests.unit.makespan.checker import violations

ONE_WORKER = SolveOptions(time_limit=2.0, seed=7, num_workers=1)


def tiny_fjsp() -> ShopInstance:
    """Two jobs, two machines; the optimum is 6, worked out by hand.

    Job 0: a (M0:3 | M1:4) then b (M1:2). Job 1: c (M0:2 | M1:2) then d (M0:3).
    The work bound is 5, but d and b are pinned to M0 and M1 behind a and c,
    and every way of placing a and c leaves a machine idle for one unit:
    a@M0 [0,3), c@M1 [0,2), b@M1 [3,5), d@M0 [3,6) gives 6.
    """

    def op(*alts: tuple[int, int]) -> Operation:
        return Operation(tuple(Alternative(m, d) for m, d in alts))

    return ShopInstance(
        "tiny",
        2,
        ((op((0, 3), (1, 4)), op((1, 2))), (op((0, 2), (1, 2)), op((0, 3)))),
    )


def test_ft06_solves_to_its_optimum() -> None:
    instance = parse_jsplib(JSP_DIR / "ft06")
    result = solve_makespan(instance, ONE_WORKER)
    assert result.schedule is not None
    assert violations(instance, result.schedule) == []
    assert result.makespan == 55
    assert result.status == "OPTIMAL"
    assert result.lower_bound == 55


def test_tiny_fjsp_reaches_the_hand_optimum() -> None:
    instance = tiny_fjsp()
    result = solve_makespan(instance, ONE_WORKER)
    assert result.schedule is not None
    assert violations(instance, result.schedule) == []
    assert result.makespan == 6
    assert result.status == "OPTIMAL"


def test_mk01_schedule_is_feasible_and_near_optimal() -> None:
    instance = parse_brandimarte(FJSP_DIR / "mk01.txt")
    result = solve_makespan(instance, SolveOptions(time_limit=2.0, seed=1, num_workers=2))
    assert result.schedule is not None
    assert violations(instance, result.schedule) == []
    assert result.makespan is not None and 40 <= result.makespan <= 42


def test_plain_model_is_also_checked() -> None:
    instance = parse_jsplib(JSP_DIR / "la01")
    result = solve_makespan(instance, SolveOptions(time_limit=2.0, num_workers=1, plain=True))
    assert result.schedule is not None
    assert violations(instance, result.schedule) == []
    assert result.makespan == 666


def test_dispatch_schedules_are_feasible() -> None:
    for instance in (parse_jsplib(JSP_DIR / "ft10"), parse_brandimarte(FJSP_DIR / "mk03.txt")):
        found = best_dispatch(instance, seed=3, time_budget=0.1)
        assert violations(instance, found.schedule) == []


def test_same_seed_and_one_worker_give_the_same_schedule() -> None:
    instance = parse_jsplib(JSP_DIR / "la16")
    options = SolveOptions(time_limit=1.0, seed=11, num_workers=1, deterministic=True)
    first = solve_makespan(instance, options)
    second = solve_makespan(instance, options)
    assert first.schedule is not None
    assert violations(instance, first.schedule) == []
    assert first.schedule == second.schedule
    assert first.stats == second.stats


def test_the_checker_catches_an_overlap() -> None:
    instance = parse_jsplib(JSP_DIR / "ft06")
    result = solve_makespan(instance, ONE_WORKER)
    assert result.schedule is not None
    job0 = result.schedule.ops[0]
    moved = (type(job0[0])(0, 0, job0[0].machine, job0[0].start + 1, job0[0].duration),)
    broken = type(result.schedule)((moved + job0[1:],) + result.schedule.ops[1:])
    assert violations(instance, broken) != []


def test_cpsat_first_order_returns_a_checked_schedule() -> None:
    instance = parse_jsplib(JSP_DIR / "la16")
    options = SolveOptions(time_limit=2.0, seed=4, cpsat_first_min_ops=0, cpsat_first_max_ops=500)
    result = solve_makespan(instance, options)
    assert result.schedule is not None
    assert violations(instance, result.schedule) == []
    assert result.makespan is not None
    assert dict(result.stats)["cpsat_makespan"] >= result.makespan
    assert result.lower_bound <= 945 <= result.makespan  # la16's optimum
