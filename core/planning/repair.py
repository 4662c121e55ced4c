"""Insert-and-push-right repair of a previous plan.

After one change, most of the shop need not move: the previous machine
sequences are kept, orders that changed (or lost their machine) are taken out
and re-inserted one by one, each operation at an EDD-consistent place on the
machine that finishes it first, and the decoder pushes the rest right only as
far as needed. The result is a complete schedule, which is also the complete
hint CP-SAT needs to polish it quickly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from core.planning.problem import FROZEN, OUTSOURCED, Problem
from core.planning.sequences import Schedule, decode
from core.planning.types import Assignment


def previous_starts(pb: Problem, previous: Mapping[str, Assignment]) -> dict[int, int]:
    """Old start per op index, for ops that existed and were scheduled before."""
    return {
        i: previous[k].start
        for i, k in enumerate(pb.op_keys)
        if k in previous and pb.op_kind[i] != FROZEN
    }


def unplaceable_jobs(pb: Problem, previous: Mapping[str, Assignment]) -> set[int]:
    """Jobs with an op the previous plan cannot place (new op, machine no longer allowed)."""
    out: set[int] = set()
    for i, key in enumerate(pb.op_keys):
        if pb.op_kind[i] <= 0:
            continue
        old = previous.get(key)
        m = pb.machine_index.get(old.machine, -1) if old is not None else -1
        if m not in pb.op_alts[i]:
            out.add(pb.op_job[i])
    return out


def repair(
    pb: Problem,
    previous: Mapping[str, Assignment],
    changed: Collection[str],
    *,
    reinsert_changed: bool = True,
) -> tuple[Schedule, list[int]]:
    """A complete schedule keeping previous sequences, and the jobs re-inserted.

    Jobs the previous plan cannot place are always re-inserted. Changed jobs
    that it can place are re-inserted only with `reinsert_changed`; otherwise
    they keep their queue positions (right for a bigger quantity, wrong for a
    rush), and the caller keeps whichever variant costs less.
    """
    redo = unplaceable_jobs(pb, previous)
    if reinsert_changed:
        redo |= {j for j, ref in enumerate(pb.job_refs) if ref in set(changed)}
    mach = [-1] * pb.n_ops
    seqs: list[list[int]] = [[] for _ in pb.machine_ids]
    for i, key in enumerate(pb.op_keys):
        if pb.op_kind[i] > 0 and pb.op_job[i] not in redo:
            mach[i] = pb.machine_index[previous[key].machine]
            seqs[mach[i]].append(i)
    for seq in seqs:
        seq.sort(key=lambda i: (previous[pb.op_keys[i]].start, i))
    # the previous times stay valid for the kept ops until something is inserted
    start = [previous[k].start if k in previous else 0 for k in pb.op_keys]
    end = [previous[k].end if k in previous else 0 for k in pb.op_keys]
    sched = Schedule(mach, start, end, seqs)
    jobs = sorted(redo, key=lambda j: (pb.due[j], -pb.weight[j], j))
    for j in jobs:
        _insert_job(pb, sched, j)
        sched = decode(pb, sched.mach, sched.seqs)
    if not jobs:
        sched = decode(pb, mach, seqs)
    return sched, jobs


def _insert_job(pb: Problem, sched: Schedule, j: int) -> None:
    """Insert job j's ops into `sched`'s sequences (times are refreshed by the caller).

    Ops ahead of the insertion point do not depend on the inserted op, so each
    op's end is exact and becomes the next op's ready time without re-decoding.
    """
    ready = pb.release[j]
    for i in range(pb.job_first[j], pb.job_last[j]):
        kind = pb.op_kind[i]
        if kind == FROZEN:
            fz = pb.op_frozen[i]
            assert fz is not None
            ready = max(ready, fz[2])
            continue
        if kind == OUTSOURCED:
            ready += pb.op_min[i]
            continue
        best: tuple[int, int, int] | None = None  # (end, machine, position)
        for m, minutes in pb.op_alts[i].items():
            seq = sched.seqs[m]
            k = _position(pb, sched, seq, ready, pb.due[j])
            prev_end = sched.end[seq[k - 1]] if k > 0 else 0
            _, e = pb.earliest(m, max(ready, prev_end), minutes)
            if best is None or e < best[0]:
                best = (e, m, k)
        assert best is not None
        e, m, k = best
        sched.mach[i] = m
        sched.seqs[m].insert(k, i)
        ready = e


def _position(pb: Problem, sched: Schedule, seq: list[int], ready: int, due: int) -> int:
    """First place in `seq` at or after `ready` whose op belongs to a later-due job."""
    k = 0
    while k < len(seq) and sched.start[seq[k]] < ready:
        k += 1
    while k < len(seq) and pb.due[pb.op_job[seq[k]]] <= due:
        k += 1
    return k
