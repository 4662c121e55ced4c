import time
from dataclasses import replace

from core.planning.dispatch import Rule, dispatch
from core.planning.objective import cost
from core.planning.problem import compile_problem
from core.planning.result import to_result
from core.planning.schedule import decode
from core.planning.sequence_search import descend
from core.planning.types import Frozen, PlanInput
from core.planning.validate import violations

from .instances import generated, single_machine


def _with_frozen_starts(inp: PlanInput) -> PlanInput:
    """Every fifth order has its first operation in progress where EDD put it."""
    pb = compile_problem(inp)
    sched = dispatch(pb, Rule("edd"))
    jobs = []
    for n, job in enumerate(inp.jobs):
        first = job.ops[0] if job.ops else None
        i = pb.op_index[first.key] if first else -1
        if n % 5 == 0 and first is not None and first.alternatives and sched.mach[i] >= 0:
            frozen = Frozen(pb.machine_ids[sched.mach[i]], sched.start[i], sched.end[i])
            job = replace(job, ops=(replace(first, frozen=frozen),) + job.ops[1:])
        jobs.append(job)
    return replace(inp, jobs=tuple(jobs))


def test_descent_keeps_times_exact_and_the_plan_valid() -> None:
    # calendars with breaks, pausable centers, outsourced steps, material releases, frozen work
    inp = _with_frozen_starts(generated(150, 5))
    pb = compile_problem(inp)
    start = dispatch(pb, Rule("edd"))
    start_cost = cost(pb, start, None, 0)
    sched, found, stats = descend(pb, start, start_cost, deadline=time.monotonic() + 1.5, seed=1)
    assert stats.kept > 0
    assert found < start_cost
    assert found == cost(pb, sched, None, 0)  # incremental bookkeeping matches a recount
    again = decode(pb, sched.mach, sched.seqs)
    assert (again.start, again.end) == (sched.start, sched.end)
    result = to_result(pb, sched, status="FEASIBLE", lower_bound=0, method="t", seconds=0)
    assert violations(inp, result) == []


def test_descent_moves_a_late_order_ahead_of_one_with_slack() -> None:
    # EDD-blind order: A (long, due late) runs first, B (short, due soon) waits
    inp = single_machine([("A", 50, 500, 1), ("B", 10, 20, 5)])
    pb = compile_problem(inp)
    a, b = pb.op_index["A.0"], pb.op_index["B.0"]
    m = pb.machine_index["A"]
    mach = [m] * pb.n_ops
    start = decode(pb, mach, [[a, b]])
    assert cost(pb, start, None, 0)[0] == 5 * (60 - 20)
    sched, found, _ = descend(
        pb, start, cost(pb, start, None, 0), deadline=time.monotonic() + 0.5, seed=0
    )
    assert sched.seqs[m] == [b, a]
    assert found[0] == 0
