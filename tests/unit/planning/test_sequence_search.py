import time
from dataclasses import replace

from core.planning.dispatch import Rule, dispatch
from core.planning.objective import cost
from core.planning.problem import compile_problem
from core.planning.result import to_result
from core.planning.sequence_search import descend, make_room
from core.planning.sequences import Schedule, decode
from core.planning.types import Frozen, Job, Machine, PlanInput
from core.planning.validate import violations

from .instances import generated, op, single_machine


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


def test_make_room_moves_the_work_behind_an_insert_to_a_sibling_machine() -> None:
    # A and B are one center. A's orders are due just in time, B's have slack;
    # a rush op that only A can do goes first on A and pushes A's queue late.
    jobs = [Job(f"a{k}", 0, 10 * k, 1, (op(f"a{k}.0", ("A", 10), ("B", 10)),)) for k in (1, 2, 3)]
    jobs += [Job(f"b{k}", 0, 1000, 1, (op(f"b{k}.0", ("B", 10)),)) for k in (1, 2, 3)]
    jobs.append(Job("R", 0, 30, 5, (op("R.0", ("A", 30)),)))
    inp = PlanInput(tuple(jobs), (Machine("A", "WC"), Machine("B", "WC")), {}, 1000)
    pb = compile_problem(inp)
    ix = pb.op_index
    m_a, m_b = pb.machine_index["A"], pb.machine_index["B"]
    mach = [m_a] * 3 + [m_b] * 3 + [m_a]
    queues = [
        [ix["R.0"], ix["a1.0"], ix["a2.0"], ix["a3.0"]],
        [ix["b1.0"], ix["b2.0"], ix["b3.0"]],
    ]
    pushed = decode(pb, mach, queues)
    before = cost(pb, pushed, None, 0)
    assert before[0] == 3 * 30  # each of A's orders 30 min late

    sched, found, stats = make_room(pb, pushed, before, [ix["R.0"]], deadline=time.monotonic() + 5)
    assert stats.kept >= 1
    assert found[0] < before[0]
    assert found == cost(pb, sched, None, 0)
    assert sched.mach[ix["R.0"]] == m_a and sched.seqs[m_a][0] == ix["R.0"]
    assert all(sched.mach[ix[f"b{k}.0"]] == m_b for k in (1, 2, 3))  # B's own work stays
    result = to_result(pb, sched, status="FEASIBLE", lower_bound=0, method="t", seconds=0)
    assert violations(inp, result) == []


def _two_machines(jobs: list[Job], queues: dict[str, list[str]]) -> tuple[PlanInput, Schedule]:
    inp = PlanInput(tuple(jobs), (Machine("A", "WC"), Machine("B", "WC")), {}, 1000)
    pb = compile_problem(inp)
    mach = [0] * pb.n_ops
    seqs: list[list[int]] = [[] for _ in pb.machine_ids]
    for name, keys in queues.items():
        m = pb.machine_index[name]
        for k in keys:
            mach[pb.op_index[k]] = m
            seqs[m].append(pb.op_index[k])
    return inp, decode(pb, mach, seqs)


def test_make_room_uses_an_idle_sibling_machine() -> None:
    jobs = [Job(f"a{k}", 0, 10 * k, 1, (op(f"a{k}.0", ("A", 10), ("B", 10)),)) for k in (1, 2, 3)]
    jobs.append(Job("R", 0, 30, 5, (op("R.0", ("A", 30)),)))
    inp, pushed = _two_machines(jobs, {"A": ["R.0", "a1.0", "a2.0", "a3.0"], "B": []})
    pb = compile_problem(inp)
    before = cost(pb, pushed, None, 0)
    sched, found, stats = make_room(
        pb, pushed, before, [pb.op_index["R.0"]], deadline=time.monotonic() + 5
    )
    assert stats.kept >= 1 and found[0] < before[0] == 90
    assert found == cost(pb, sched, None, 0)
    assert sched.seqs[pb.machine_index["B"]]  # the idle machine took work
    result = to_result(pb, sched, status="FEASIBLE", lower_bound=0, method="t", seconds=0)
    assert violations(inp, result) == []


def test_make_room_keeps_a_plan_it_cannot_improve() -> None:
    # a1 would end at 40 on B too (30 min there against 10 on A): tried, not kept
    jobs = [
        Job("R", 0, 30, 5, (op("R.0", ("A", 30)),)),
        Job("a1", 0, 35, 1, (op("a1.0", ("A", 10), ("B", 30)),)),
        Job("b1", 0, 10, 1, (op("b1.0", ("B", 10)),)),
    ]
    inp, sched = _two_machines(jobs, {"A": ["R.0", "a1.0"], "B": ["b1.0"]})
    pb = compile_problem(inp)
    start = cost(pb, sched, None, 0)
    same, found, stats = make_room(
        pb, sched, start, [pb.op_index["R.0"]], deadline=time.monotonic() + 1
    )
    assert stats.tried >= 1 and stats.kept == 0
    assert (found, same.seqs, same.start) == (start, sched.seqs, sched.start)
