import itertools

import pytest

from core.planning.engine import plan
from core.planning.types import (
    Calendar,
    Frozen,
    Job,
    Machine,
    PlanInput,
    SolveParams,
)
from core.planning.validate import violations

from .instances import generated, op, single_machine, small_shop

ONE_WORKER = SolveParams(time_limit_s=2.0, seed=3, workers=1)


def _brute_force_wt(jobs: list[tuple[str, int, int, int]]) -> int:
    best = None
    for perm in itertools.permutations(jobs):
        t = wt = 0
        for _, p, due, w in perm:
            t += p
            wt += w * max(0, t - due)
        best = wt if best is None else min(best, wt)
    assert best is not None
    return best


@pytest.mark.parametrize(
    "jobs",
    [
        [("A", 30, 40, 1), ("B", 20, 25, 3), ("C", 50, 60, 2), ("D", 10, 30, 1), ("E", 40, 90, 4)],
        [("A", 10, 5, 5), ("B", 60, 70, 1), ("C", 25, 20, 2), ("D", 35, 40, 3)],
    ],
)
def test_single_machine_reaches_the_known_optimum(jobs: list[tuple[str, int, int, int]]) -> None:
    inp = single_machine(jobs)
    result = plan(inp, ONE_WORKER)
    assert violations(inp, result) == []
    assert result.status == "OPTIMAL"
    assert result.objective == _brute_force_wt(jobs)
    assert result.lower_bound == result.objective


def test_flexible_shop_optimum_and_outcomes() -> None:
    inp = small_shop()
    result = plan(inp, ONE_WORKER)
    assert violations(inp, result) == []
    assert result.status == "OPTIMAL"
    assert result.objective == 0
    assert set(result.jobs) == {"WO-1", "WO-2", "WO-3"}
    for outcome in result.jobs.values():
        assert outcome.lateness == outcome.end - outcome.due
    assert result.kpis.orders_late == 0
    assert result.kpis.on_time_rate == 1.0
    assert result.kpis.bottleneck in {"CUT", "WELD"}


def test_zero_time_limit_falls_back_to_dispatch() -> None:
    inp = generated(60, 5)
    result = plan(inp, SolveParams(time_limit_s=0.0))
    assert result.status == "HEURISTIC"
    assert result.method.startswith(("EDD", "ATC"))
    assert len(result.assignments) == sum(len(j.ops) for j in inp.jobs)
    assert violations(inp, result) == []


def test_fixed_seed_and_one_worker_is_deterministic() -> None:
    inp = small_shop()
    a = plan(inp, SolveParams(time_limit_s=1.0, seed=7, workers=1))
    b = plan(inp, SolveParams(time_limit_s=1.0, seed=7, workers=1))
    assert a.assignments == b.assignments
    assert a.objective == b.objective


def test_large_shop_path_searches_and_stays_valid() -> None:
    # above monolithic_max_ops a plan is rule search plus queue descent, not one model
    inp = generated(80, 2)
    params = SolveParams(
        time_limit_s=2.0,
        workers=1,
        monolithic_max_ops=50,
        lns_step_s=0.5,
        lns_window_ops=40,
        lns_tail_ops=60,
    )
    result = plan(inp, params)
    assert violations(inp, result) == []
    assert "descent" in result.method
    baseline = plan(inp, SolveParams(time_limit_s=0.0))
    assert result.objective <= baseline.objective


def _calendar_shop(can_pause: bool) -> PlanInput:
    windows = ((0, 100), (160, 260), (320, 420))
    jobs = (
        Job("J1", 0, 100, 1, (op("J1.a", ("M1", 70)),)),
        Job("J2", 0, 100, 2, (op("J2.a", ("M1", 60)),)),
    )
    return PlanInput(jobs, (Machine("M1", "WC"),), {"WC": Calendar("WC", windows, can_pause)}, 600)


@pytest.mark.parametrize("can_pause", [False, True])
def test_calendars_with_and_without_pausing(can_pause: bool) -> None:
    inp = _calendar_shop(can_pause)
    for params in (SolveParams(time_limit_s=0.0), ONE_WORKER):
        result = plan(inp, params)
        assert violations(inp, result) == []
    a, b = result.assignments["J2.a"], result.assignments["J1.a"]
    assert (a.start, a.end) == (0, 60)  # heavier order first
    if can_pause:
        assert (b.start, b.end) == (60, 190)  # 40 min before the break, 30 after it
    else:
        assert (b.start, b.end) == (160, 230)  # must fit one window
    assert result.status == "OPTIMAL"


def test_frozen_outsourced_and_release_dates() -> None:
    jobs = (
        Job(
            "WO-1",
            0,
            100,
            1,
            (
                op("WO-1.mill", frozen=Frozen("M1", -20, 30)),
                op("WO-1.plate", lead_minutes=240),
                op("WO-1.grind", ("M1", 20), ("M2", 20)),
            ),
        ),
        Job("WO-2", 50, 200, 1, (op("WO-2.mill", ("M1", 40)), op("WO-2.grind", ("M2", 30)))),
        Job("WO-3", 0, 60, 5, (op("WO-3.mill", ("M1", 30)),)),
    )
    inp = PlanInput(jobs, (Machine("M1", "MILL"), Machine("M2", "GRIND")), {}, 2000)
    for params in (SolveParams(time_limit_s=0.0), ONE_WORKER):
        result = plan(inp, params)
        assert violations(inp, result) == []
        a = result.assignments
        assert (a["WO-1.mill"].machine, a["WO-1.mill"].start, a["WO-1.mill"].end) == (
            "M1",
            -20,
            30,
        )
        assert a["WO-1.plate"].machine == ""
        assert (a["WO-1.plate"].start, a["WO-1.plate"].end) == (30, 270)
        assert a["WO-1.grind"].start >= 270
        assert a["WO-2.mill"].start >= 50
        assert a["WO-3.mill"].start >= 30  # the frozen op holds M1 until 30
        assert result.jobs["WO-1"].tardiness == result.jobs["WO-1"].end - 100


@pytest.mark.slow
def test_medium_factory_improves_on_dispatch() -> None:
    inp = generated(300, 4)
    result = plan(inp, SolveParams(time_limit_s=10.0, workers=2))
    baseline = plan(inp, SolveParams(time_limit_s=0.0))
    assert violations(inp, result) == []
    assert result.objective <= baseline.objective


def test_order_without_operations_and_unknown_machines() -> None:
    inp = PlanInput((Job("EMPTY", 40, 30, 1, ()),), (Machine("M1", "WC"),), {}, 100)
    result = plan(inp, SolveParams(time_limit_s=0.5, workers=1))
    assert result.jobs["EMPTY"].end == 40 and result.jobs["EMPTY"].tardiness == 10
    bad = PlanInput(
        (Job("J", 0, 30, 1, (op("J.a", ("NOPE", 5)),)),), (Machine("M1", "WC"),), {}, 100
    )
    with pytest.raises(ValueError, match="unknown machine"):
        plan(bad, SolveParams(time_limit_s=0.0))


def test_plan_hinted_by_previous_keeps_the_previous_plan() -> None:
    inp = generated(50, 8)
    first = plan(inp, SolveParams(time_limit_s=0.0))
    again = plan(inp, SolveParams(time_limit_s=0.0), previous=first)
    assert violations(inp, again) == []
    assert again.objective <= first.objective
    if again.objective == first.objective:
        assert again.assignments == first.assignments


def test_plans_run_concurrently_in_worker_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    # results must not depend on timing, so: an instance CP-SAT proves optimal at
    # once, and dispatch-only plans of larger ones
    jobs = [(small_shop(), SolveParams(time_limit_s=2.0, workers=1, seed=1))] + [
        (generated(40, seed), SolveParams(time_limit_s=0.0)) for seed in (1, 2)
    ]
    alone = [plan(inp, params) for inp, params in jobs]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda job: plan(*job), jobs))
    for (inp, _), a, b in zip(jobs, alone, together, strict=False):
        assert violations(inp, b) == []
        assert a.objective == b.objective
        assert a.assignments == b.assignments


def test_redundant_center_cumulative_keeps_the_optimum() -> None:
    from core.planning.cpsat import solve_window
    from core.planning.dispatch import Rule, dispatch
    from core.planning.problem import compile_problem

    pb = compile_problem(small_shop())
    sched = dispatch(pb, Rule("edd"))
    free = list(range(pb.n_ops))
    plain = solve_window(pb, sched, free, time_limit_s=2.0, seed=0, workers=1)
    extra = solve_window(pb, sched, free, time_limit_s=2.0, seed=0, workers=1, redundant=True)
    assert plain.status == extra.status == "OPTIMAL"
    assert plain.wt_bound == extra.wt_bound
