import copy
from dataclasses import replace

import pytest

from core.planning.diff import compare
from core.planning.engine import plan, replan
from core.planning.types import Alternative, Job, PlanInput, PlanResult, SolveParams
from core.planning.validate import violations
from core.planning.whatif import evaluate

from .instances import generated, op

PARAMS = SolveParams(
    time_limit_s=1.0,
    workers=1,
    monolithic_max_ops=60,
    lns_window_ops=40,
    lns_tail_ops=60,
    lns_step_s=0.4,
)


@pytest.fixture(scope="module")
def shop() -> tuple[PlanInput, PlanResult]:
    inp = generated(40, 11)
    return inp, plan(inp, SolveParams(time_limit_s=0.0))


def _with_job(inp: PlanInput, job: Job) -> PlanInput:
    jobs = tuple(job if j.ref == job.ref else j for j in inp.jobs)
    if job.ref not in {j.ref for j in inp.jobs}:
        jobs += (job,)
    return replace(inp, jobs=jobs)


def _scaled(job: Job, factor: float) -> Job:
    ops = tuple(
        replace(
            o,
            alternatives=tuple(
                replace(a, minutes=int(a.minutes * factor)) for a in o.alternatives
            ),
        )
        for o in job.ops
    )
    return replace(job, ops=ops)


def test_diff_of_identical_plans_is_empty(shop: tuple[PlanInput, PlanResult]) -> None:
    _, result = shop
    d = compare(result, result)
    assert d.moved == () and d.slipped == () and d.improved == () and d.worst_slip is None
    assert d.reordered == ()


def test_rush_order_is_inserted_with_few_moves(shop: tuple[PlanInput, PlanResult]) -> None:
    inp, current = shop
    model = inp.jobs[0]
    rush = Job(
        "RUSH", 0, 600, 50, tuple(replace(o, key=f"RUSH.{k}") for k, o in enumerate(model.ops))
    )
    hypothetical = _with_job(inp, rush)
    snapshot = copy.deepcopy(current)
    result, diff = evaluate(hypothetical, current, ["RUSH"], PARAMS)
    assert current == snapshot  # what-if never touches the current plan
    assert violations(hypothetical, result) == []
    assert "RUSH" in result.jobs
    assert len(diff.reordered) <= 0.1 * len(current.assignments) + 5
    for move in diff.moved:
        assert move.old == current.assignments[move.key]
    if diff.slipped:
        assert diff.worst_slip == max(diff.slipped, key=lambda s: s.delta)


def test_quantity_change_slips_the_order(shop: tuple[PlanInput, PlanResult]) -> None:
    inp, current = shop
    job = max(inp.jobs, key=lambda j: current.jobs[j.ref].end)
    bigger = _with_job(inp, _scaled(job, 2.0))
    result, diff = evaluate(bigger, current, [job.ref], PARAMS)
    assert violations(bigger, result) == []
    assert result.jobs[job.ref].end > current.jobs[job.ref].end
    assert any(s.ref == job.ref for s in diff.slipped)
    assert diff.worst_slip is not None and diff.worst_slip.delta > 0


def test_due_date_change_replans_validly(shop: tuple[PlanInput, PlanResult]) -> None:
    inp, current = shop
    job = inp.jobs[5]
    earlier = _with_job(inp, replace(job, due=job.release + 60, weight=job.weight * 10))
    result, _diff = evaluate(earlier, current, [job.ref], PARAMS)
    assert violations(earlier, result) == []
    assert result.jobs[job.ref].due == job.release + 60
    assert result.jobs[job.ref].end <= current.jobs[job.ref].end + 1


def test_routing_change_and_cancellation(shop: tuple[PlanInput, PlanResult]) -> None:
    inp, current = shop
    job = inp.jobs[3]
    new_ops = (
        job.ops[:1]
        + (op(f"{job.ref}.extra", *[(a.machine, a.minutes) for a in job.ops[0].alternatives]),)
        + job.ops[1:]
    )
    changed = _with_job(inp, replace(job, ops=new_ops))
    cancelled = inp.jobs[7].ref
    changed = replace(changed, jobs=tuple(j for j in changed.jobs if j.ref != cancelled))
    result = replan(changed, current, [job.ref, cancelled], PARAMS)
    assert violations(changed, result) == []
    assert f"{job.ref}.extra" in result.assignments
    assert cancelled not in result.jobs
    diff = compare(current, result)
    assert all(m.key in current.assignments for m in diff.moved)


def test_replan_keeps_unchanged_queues(shop: tuple[PlanInput, PlanResult]) -> None:
    inp, current = shop
    same = replan(inp, current, [], replace(PARAMS, time_limit_s=0.0))
    assert same.assignments == current.assignments
    assert compare(current, same).moved == ()


def test_machine_choice_is_one_of_the_alternatives(shop: tuple[PlanInput, PlanResult]) -> None:
    inp, current = shop
    for job in inp.jobs:
        for o in job.ops:
            a = current.assignments[o.key]
            if o.alternatives:
                assert Alternative(a.machine, 0).machine in {x.machine for x in o.alternatives}


def test_a_solver_free_what_if_moves_the_pushed_work_to_a_sibling_machine() -> None:
    # A's orders are due just in time, B's have slack; a rush op only A can do
    # goes in front of A. Without the solver the what-if still shows the relief
    # of moving A's next order to B, which the real replan would find too.
    from core.planning.problem import compile_problem
    from core.planning.result import to_result
    from core.planning.sequences import decode
    from core.planning.types import Machine

    jobs = tuple(
        Job(f"a{k}", 0, 10 * k, 1, (op(f"a{k}.0", ("A", 10), ("B", 10)),)) for k in (1, 2, 3)
    ) + tuple(Job(f"b{k}", 0, 1000, 1, (op(f"b{k}.0", ("B", 10)),)) for k in (1, 2, 3))
    base = PlanInput(jobs, (Machine("A", "WC"), Machine("B", "WC")), {}, 1000)
    pb = compile_problem(base)
    a, b = pb.machine_index["A"], pb.machine_index["B"]
    queues = [[pb.op_index[f"{x}{k}.0"] for k in (1, 2, 3)] for x in "ab"]
    sched = decode(pb, [a] * 3 + [b] * 3, queues if a == 0 else queues[::-1])
    current = to_result(pb, sched, status="FEASIBLE", lower_bound=0, method="t", seconds=0)
    assert current.objective == 0
    rushed = _with_job(base, Job("R", 0, 9, 5, (op("R.0", ("A", 30)),)))  # due first
    after, diff = evaluate(rushed, current, ["R"], SolveParams(time_limit_s=1.0, use_cpsat=False))
    assert "room" in after.method
    assert after.assignments["R.0"].start == 0
    # R is 21 min late at best; the pushed queue alone would add 3 x 30 min on A
    assert after.objective < 5 * 21 + 3 * 30
    assert violations(rushed, after) == []
