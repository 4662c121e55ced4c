"""Dispatch rules (EDD, ATC) as event-driven list scheduling.

This is the plan the shop falls back on when CP-SAT finds nothing in time and
the first solution the optimizer starts from, so it must honour exactly the same
constraints and be fast: every queue is a heap, and ATC's time-dependent
priority is kept in two heaps per machine (see `_MachineQueue`) so that a
selection costs O(log n) instead of a scan of all waiting operations.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from core.planning.problem import FROZEN, OUTSOURCED, Problem
from core.planning.sequences import Schedule


@dataclass(frozen=True)
class Rule:
    """`kind` is "edd" or "atc"; `k` is ATC's look-ahead factor.

    `alt_slack` limits which alternative machines an op may use: only those
    within that fraction of its fastest time. The textbook rule (infinite
    slack) takes whichever machine finishes the op first, which at a saturated
    work center spends capacity that every later order then waits for: on
    shop_1000_s1 the bottleneck center runs without a gap from start to end,
    and ATC with slack 0.03 is 0.67 of the same ATC with any machine.
    """

    kind: str
    k: float = 2.0
    tail: float = 1.0  # multiplies the remaining work when estimating an op's due date
    alt_slack: float = math.inf

    @property
    def name(self) -> str:
        if self.kind == "edd":
            return "EDD"
        args = [f"k={self.k:g}"]
        if self.tail != 1.0:
            args.append(f"tail={self.tail:g}")
        if self.alt_slack != math.inf:
            args.append(f"alt={self.alt_slack:g}")
        return f"ATC({','.join(args)})"


@dataclass
class _MachineQueue:
    """Waiting operations of one machine.

    ATC priority w/p * exp(-max(0, tc - t) / K) with tc = d - p - tail: once
    t >= tc it is the static w/p ("critical" heap); before that its logarithm
    is ln(w/p) - tc/K + t/K, whose order does not depend on t ("waiting" heap).
    A third heap by tc moves operations across as time passes. EDD uses only
    the critical heap keyed by due date.
    """

    crit: list[tuple[float, int]] = field(default_factory=list)
    wait: list[tuple[float, int]] = field(default_factory=list)
    by_tc: list[tuple[float, int]] = field(default_factory=list)


def dispatch(
    pb: Problem,
    rule: Rule,
    bias: list[float] | None = None,
) -> Schedule:
    """List-schedule every op; `bias` multiplies each job's weight in ATC (see search.py)."""
    n = pb.n_ops
    mach = [-1] * n
    start = [0] * n
    end = [0] * n
    seqs: list[list[int]] = [[] for _ in pb.machine_ids]
    done = [False] * n
    promoted: set[tuple[int, int]] = set()
    queues = [_MachineQueue() for _ in pb.machine_ids]
    free = [0] * len(pb.machine_ids)
    awake = [False] * len(pb.machine_ids)
    version = [0] * len(pb.machine_ids)
    mheap: list[tuple[int, int, int]] = []
    pending: list[tuple[int, int]] = []  # (ready time, op)
    ready_at = [0] * n
    pbar = max(1.0, sum(pb.op_min) / max(1, n))
    K = max(rule.k * pbar, 1e-9)
    alts = _allowed(pb, rule.alt_slack)

    def advance(i: int, t: int) -> None:
        """Place frozen and outsourced ops from op i on, then queue the next real one."""
        j = pb.op_job[i]
        while i < pb.job_last[j]:
            kind = pb.op_kind[i]
            if kind == FROZEN:
                fz = pb.op_frozen[i]
                assert fz is not None
                mach[i], start[i], end[i] = -1, fz[1], fz[2]
                t = max(t, fz[2])
            elif kind == OUTSOURCED:
                start[i], end[i] = t, t + pb.op_min[i]
                t = end[i]
            else:
                ready_at[i] = t
                heapq.heappush(pending, (t, i))
                return
            done[i] = True
            i += 1

    def release(i: int, t: int) -> None:
        j = pb.op_job[i]
        w = max(pb.weight[j], 1e-3) * (bias[j] if bias else 1.0)
        for m, p in alts[i].items():
            q = queues[m]
            if rule.kind == "edd":
                heapq.heappush(q.crit, (pb.due[j], i))
            else:
                ratio = w / max(p, 1)
                tc = pb.due[j] - p - rule.tail * pb.op_tail[i]
                if tc <= t:
                    heapq.heappush(q.crit, (-ratio, i))
                else:
                    heapq.heappush(q.wait, (-(math.log(ratio) - tc / K), i))
                    heapq.heappush(q.by_tc, (tc, i))
            if not awake[m]:
                awake[m] = True
                free[m] = max(free[m], t)
                version[m] += 1
                heapq.heappush(mheap, (free[m], version[m], m))

    def select(m: int, t: int) -> int:
        q = queues[m]
        while q.by_tc and q.by_tc[0][0] <= t:
            _tc, i = heapq.heappop(q.by_tc)
            if not done[i]:
                promoted.add((m, i))
                p = pb.op_alts[i][m]
                j = pb.op_job[i]
                w = max(pb.weight[j], 1e-3) * (bias[j] if bias else 1.0)
                heapq.heappush(q.crit, (-w / max(p, 1), i))
        while q.crit and done[q.crit[0][1]]:
            heapq.heappop(q.crit)
        while q.wait and (done[q.wait[0][1]] or (m, q.wait[0][1]) in promoted):
            heapq.heappop(q.wait)
        if not q.wait:
            return heapq.heappop(q.crit)[1] if q.crit else -1
        if not q.crit:
            return heapq.heappop(q.wait)[1]
        crit_log = math.log(-q.crit[0][0])
        wait_log = -q.wait[0][0] + t / K
        return heapq.heappop(q.crit if crit_log >= wait_log else q.wait)[1]

    for j in range(pb.n_jobs):
        if pb.job_last[j] > pb.job_first[j]:
            advance(pb.job_first[j], pb.release[j])

    while pending or mheap:
        t_r = pending[0][0] if pending else math.inf
        while mheap and (version[mheap[0][2]] != mheap[0][1] or not awake[mheap[0][2]]):
            heapq.heappop(mheap)
        t_m = mheap[0][0] if mheap else math.inf
        if t_r == math.inf and t_m == math.inf:
            break
        if t_r <= t_m:
            t, i = heapq.heappop(pending)
            release(i, t)
            continue
        t, _, m = heapq.heappop(mheap)
        i = select(m, t)
        if i < 0:
            awake[m] = False
            continue
        done[i] = True
        best_m = m
        s, e = pb.earliest(m, max(t, ready_at[i]), pb.op_alts[i][m])
        for m2, p2 in alts[i].items():
            if m2 == m:
                continue
            s2, e2 = pb.earliest(m2, max(free[m2], ready_at[i]), p2)
            if e2 < e:
                best_m, s, e = m2, s2, e2
        mach[i], start[i], end[i] = best_m, s, e
        seqs[best_m].append(i)
        free[best_m] = e
        version[best_m] += 1
        if awake[best_m] or best_m == m:
            awake[best_m] = True
            heapq.heappush(mheap, (e, version[best_m], best_m))
        if best_m != m:
            version[m] += 1
            heapq.heappush(mheap, (t, version[m], m))
        if i + 1 < pb.job_last[pb.op_job[i]]:
            advance(i + 1, e)
    return Schedule(mach, start, end, seqs)


def _allowed(pb: Problem, slack: float) -> list[dict[int, int]]:
    """Each op's usable machine -> minutes: all, or those within `slack` of its fastest.

    Kept on the problem per slack: the rule search dispatches hundreds of
    times, and rebuilding 30k small dicts each time cost a quarter of a pass.
    """
    if slack == math.inf:
        return pb.op_alts
    cached = pb.allowed_alts.get(slack)
    if cached is None:
        cached = [_within(a, pb.op_min[i] * (1.0 + slack)) for i, a in enumerate(pb.op_alts)]
        pb.allowed_alts[slack] = cached
    return cached


def _within(alts: dict[int, int], limit: float) -> dict[int, int]:
    """`alts` itself when every alternative is within `limit` (most ops), else a filtered copy."""
    if all(p <= limit for p in alts.values()):
        return alts
    return {m: p for m, p in alts.items() if p <= limit}


def default_rules(ks: tuple[float, ...]) -> list[Rule]:
    """The textbook rules: EDD, and ATC taking whichever machine finishes first."""
    return [Rule("edd")] + [Rule("atc", k) for k in ks]


CAPACITY_SLACKS = (0.0, 0.05, 0.2)


def capacity_rules(
    ks: tuple[float, ...], slacks: tuple[float, ...] = CAPACITY_SLACKS
) -> list[Rule]:
    """ATC that keeps ops near their fastest machine (see `Rule.alt_slack`)."""
    return [Rule("atc", k, alt_slack=s) for s in slacks for k in ks]
