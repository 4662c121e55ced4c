"""A schedule as machine assignments plus machine sequences.

Keeping the sequence per machine (not only times) is what makes the engine
stable: repair and neighbourhood search change sequences locally and `decode`
recomputes times, so an operation keeps its place in its machine's queue
unless something deliberately moved it.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

from core.planning.problem import FROZEN, OUTSOURCED, Problem


@dataclass
class Schedule:
    mach: list[int]  # machine index, -1 for outsourced / frozen off-machine
    start: list[int]
    end: list[int]
    seqs: list[list[int]]  # per machine: non-frozen ops in processing order

    def copy(self) -> Schedule:
        return Schedule(self.mach[:], self.start[:], self.end[:], [s[:] for s in self.seqs])


def job_end(pb: Problem, sched: Schedule, j: int) -> int:
    if pb.job_last[j] > pb.job_first[j]:
        return sched.end[pb.job_last[j] - 1]
    return pb.release[j]


def weighted_tardiness(pb: Problem, sched: Schedule) -> int:
    return sum(pb.weight[j] * max(0, job_end(pb, sched, j) - pb.due[j]) for j in range(pb.n_jobs))


def flow(pb: Problem, sched: Schedule) -> int:
    return sum(job_end(pb, sched, j) for j in range(pb.n_jobs))


def decode(pb: Problem, mach: list[int], seqs: list[list[int]]) -> Schedule:
    """Semi-active times for given machines and sequences (each op as early as allowed).

    Raises ValueError when sequences and job order form a cycle, which callers
    avoid by building sequences from a consistent time order.
    """
    n = pb.n_ops
    start = [0] * n
    end = [0] * n
    mpred = [-1] * n
    indeg = [0] * n
    msucc = [-1] * n
    for seq in seqs:
        for a, b in itertools.pairwise(seq):
            mpred[b] = a
            msucc[a] = b
            indeg[b] += 1
    for j in range(pb.n_jobs):
        for i in range(pb.job_first[j] + 1, pb.job_last[j]):
            indeg[i] += 1
    queue = deque(i for i in range(n) if indeg[i] == 0)
    done = 0
    while queue:
        i = queue.popleft()
        done += 1
        j = pb.op_job[i]
        ready = pb.release[j] if i == pb.job_first[j] else end[i - 1]
        kind = pb.op_kind[i]
        if kind == FROZEN:
            fz = pb.op_frozen[i]
            assert fz is not None
            start[i], end[i] = fz[1], fz[2]
        elif kind == OUTSOURCED:
            start[i], end[i] = ready, ready + pb.op_min[i]
        elif mach[i] < 0:
            start[i], end[i] = ready, ready  # not placed yet (repair inserts it later)
        else:
            m = mach[i]
            if mpred[i] >= 0:
                ready = max(ready, end[mpred[i]])
            start[i], end[i] = pb.earliest(m, ready, pb.op_alts[i][m])
        if i + 1 < pb.job_last[j]:
            indeg[i + 1] -= 1
            if indeg[i + 1] == 0:
                queue.append(i + 1)
        if msucc[i] >= 0:
            indeg[msucc[i]] -= 1
            if indeg[msucc[i]] == 0:
                queue.append(msucc[i])
    if done != n:
        raise ValueError("machine sequences contradict job order")
    return Schedule(mach[:], start, end, [s[:] for s in seqs])
