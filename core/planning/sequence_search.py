"""Local search over machine sequences for weighted tardiness.

The rule search (search.py) tunes how the dispatcher ranks queues, and CP-SAT
windows (lns.py) cannot see a late order's whole routing at once; neither
fixes the one queue decision that made a particular order late. This search
does: it picks a tardy order (by weighted tardiness), walks back the chain of
operations that decided its completion, and wherever one of them waited for
its machine it tries to move it a few places ahead in that queue, to trade
places with an earlier operation whose order has the slack to wait, or to
put it on an alternative machine. A move is kept only when weighted
tardiness falls, or stays and flow falls. Measured on shop_1000_s1 after the
rule search: 189,700 -> 186,784 in 10 s, where CP-SAT windows gained 0.05%.

Moves are evaluated incrementally: only operations downstream of the moved
one are re-timed, by label-correcting propagation that stops wherever a start
does not change, so a move costs a fraction of a full decode. The moves are
chosen so that they cannot close a cycle (an operation is only moved ahead of
work that ends after its own job predecessor does); a propagation that runs
away all the same is treated as a cycle and undone.
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass

from core.planning.objective import Cost
from core.planning.problem import FROZEN, OUTSOURCED, Problem
from core.planning.sequences import Schedule

MAX_JUMP = 6  # furthest a move carries an operation ahead in its queue (3-40 tried: 6-12 best)


class _Cycle(Exception):
    """The move made the precedence graph cyclic."""


@dataclass(frozen=True)
class DescentStats:
    tried: int
    kept: int


class _State:
    """A schedule as linked machine queues with times kept semi-active."""

    def __init__(self, pb: Problem, sched: Schedule) -> None:
        self.pb = pb
        n = pb.n_ops
        self.mach = sched.mach[:]
        self.start = sched.start[:]
        self.end = sched.end[:]
        self.mpred = [-1] * n
        self.msucc = [-1] * n
        self.head = [-1] * len(sched.seqs)
        for m, seq in enumerate(sched.seqs):
            if seq:
                self.head[m] = seq[0]
            for a, b in zip(seq, seq[1:], strict=False):
                self.msucc[a] = b
                self.mpred[b] = a
        self.limit = 4 * n + 1000
        self.first = [i == pb.job_first[pb.op_job[i]] for i in range(n)]
        self.simple = [
            pb.worktime[m].always_open and not pb.blocked[m] for m in range(len(pb.machine_ids))
        ]
        self._saved: dict[int, tuple[int, int]] = {}

    def ready(self, i: int) -> int:
        """When op i's job lets it start."""
        pb = self.pb
        j = pb.op_job[i]
        return pb.release[j] if i == pb.job_first[j] else self.end[i - 1]

    def timing(self, i: int) -> tuple[int, int]:
        pb = self.pb
        r = self.ready(i)
        kind = pb.op_kind[i]
        if kind == FROZEN:
            fz = pb.op_frozen[i]
            assert fz is not None
            return fz[1], fz[2]
        if kind == OUTSOURCED:
            return r, r + pb.op_min[i]
        m = self.mach[i]
        p = self.mpred[i]
        if p >= 0 and self.end[p] > r:
            r = self.end[p]
        return pb.earliest(m, r, pb.op_alts[i][m])

    # linked-list edits ------------------------------------------------------

    def unlink(self, i: int) -> None:
        p, s = self.mpred[i], self.msucc[i]
        if p >= 0:
            self.msucc[p] = s
        else:
            self.head[self.mach[i]] = s
        if s >= 0:
            self.mpred[s] = p
        self.mpred[i] = self.msucc[i] = -1

    def insert_before(self, i: int, m: int, a: int) -> None:
        """Put op i on machine m just before op a (a = -1: at the end is not used)."""
        p = self.mpred[a]
        self.mach[i] = m
        self.mpred[i], self.msucc[i] = p, a
        self.mpred[a] = i
        if p >= 0:
            self.msucc[p] = i
        else:
            self.head[m] = i

    def insert_after(self, i: int, m: int, p: int) -> None:
        s = self.msucc[p]
        self.mach[i] = m
        self.mpred[i], self.msucc[i] = p, s
        self.msucc[p] = i
        if s >= 0:
            self.mpred[s] = i

    # re-timing ------------------------------------------------------------------

    def propagate(self, seeds: list[int]) -> tuple[int, int]:
        """Re-time everything downstream of `seeds`; (delta wt, delta flow).

        The hot loop of the search, so `timing` is inlined for the common case
        (a machine open around the clock with no frozen work on it).
        """
        pb = self.pb
        saved = self._saved
        start, end, mach, mpred, msucc = self.start, self.end, self.mach, self.mpred, self.msucc
        job, last, first, kind, alts = pb.op_job, pb.job_last, self.first, pb.op_kind, pb.op_alts
        simple = self.simple
        heap = [(start[i], i) for i in seeds]
        heapq.heapify(heap)
        pops = 0
        d_wt = d_flow = 0
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            _, i = pop(heap)
            pops += 1
            if pops > self.limit:
                raise _Cycle
            m = mach[i]
            if kind[i] > 0 and simple[m]:
                r = pb.release[job[i]] if first[i] else end[i - 1]
                p = mpred[i]
                if p >= 0 and end[p] > r:
                    r = end[p]
                s, e = r, r + alts[i][m]
            else:
                s, e = self.timing(i)
            if s == start[i] and e == end[i]:
                continue
            if i not in saved:
                saved[i] = (start[i], end[i])
            j = job[i]
            if i == last[j] - 1:
                old, due, w = end[i], pb.due[j], pb.weight[j]
                d_wt += w * (max(0, e - due) - max(0, old - due))
                d_flow += e - old
            start[i], end[i] = s, e
            if i + 1 < last[j]:
                push(heap, (start[i + 1], i + 1))
            n = msucc[i]
            if n >= 0:
                push(heap, (start[n], n))
        return d_wt, d_flow

    def commit(self) -> None:
        self._saved = {}

    def restore_times(self) -> None:
        for i, (s, e) in self._saved.items():
            self.start[i], self.end[i] = s, e
        self._saved = {}

    def schedule(self) -> Schedule:
        seqs: list[list[int]] = []
        for h in self.head:
            seq = []
            i = h
            while i >= 0:
                seq.append(i)
                i = self.msucc[i]
            seqs.append(seq)
        return Schedule(self.mach[:], self.start[:], self.end[:], seqs)


def descend(
    pb: Problem,
    sched: Schedule,
    best_cost: Cost,
    *,
    deadline: float,
    seed: int,
    wt_only: bool = False,
) -> tuple[Schedule, Cost, DescentStats]:
    """Improve `sched` until `deadline` (time.monotonic); `best_cost` is its (wt, flow).

    The search knows weighted tardiness and flow, not stability: when a plan
    must also stay close to a previous one, `wt_only` keeps only moves that
    cut weighted tardiness, which the lexicographic objective ranks first.
    """
    rng = random.Random(seed)
    st = _State(pb, sched)
    wt, fl = best_cost
    tried = kept = 0
    stuck: set[int] = set()
    tardy: list[int] = []
    rounds = 0
    while time.monotonic() < deadline:
        if rounds % 100 == 0:
            tardy = _tardy(pb, st)
        rounds += 1
        j = _pick_tardy(pb, st, rng, tardy, stuck)
        if j < 0:
            if not stuck:
                break
            stuck.clear()  # others have moved since: look at everyone again
            tardy = _tardy(pb, st)
            continue
        improved = False
        for move in _moves(pb, st, j, rng):
            tried += 1
            done = _try(st, move)
            if done is None:
                continue
            d, undo = done
            if d[0] < 0 or (d[0] == 0 and d[1] < 0 and not wt_only):
                st.commit()
                wt, fl = wt + d[0], fl + d[1]
                kept += 1
                improved = True
                break
            _undo(st, undo)
            if time.monotonic() >= deadline:
                break
        if improved:
            stuck.discard(j)
        else:
            stuck.add(j)
    return st.schedule(), (wt, fl), DescentStats(tried, kept)


ROOM_DEPTH = 10  # queue successors tried per inserted op (25 found nothing more on shop_1000_s1)


def make_room(
    pb: Problem,
    sched: Schedule,
    best_cost: Cost,
    ops: list[int],
    *,
    deadline: float,
    depth: int = ROOM_DEPTH,
) -> tuple[Schedule, Cost, DescentStats]:
    """Move the work queued right behind `ops` to a sibling machine where that cuts tardiness.

    Work inserted into a full queue (a rush order, a bigger quantity) pushes
    everything behind it; at a saturated center that push reaches the orders
    already late at the end of the horizon. The descent walks back from those
    late orders and stops long before the front of such a queue, so after a
    change this step tries the few ops right behind each inserted one on their
    alternative machines, at the slot where they run now. Measured on
    shop_1000_s1's rush insertion: the repair's 184,394 fell to 166,426 in
    0.12 s (65 moves tried, 2 kept); the descent alone had reached 179,938 in 5 s.
    Only weighted tardiness cuts are kept: a replan must also stay close to
    the plan it repairs, which this step does not see.
    """
    st = _State(pb, sched)
    wt, fl = best_cost
    tried = kept = 0
    # the longest inserted work pushes its queue furthest: try behind it first
    placed = [i for i in ops if pb.op_kind[i] > 0 and st.mach[i] >= 0]
    placed.sort(key=lambda i: st.start[i] - st.end[i])
    for i in placed:
        a, n = st.msucc[i], 0
        while a >= 0 and n < depth and time.monotonic() < deadline:
            n += 1
            nxt = st.msucc[a]
            for m2 in pb.op_alts[a]:
                if m2 == st.mach[a] or time.monotonic() >= deadline:
                    continue
                move = _alt_place(pb, st, a, m2, st.ready(a))
                if move is None:
                    continue
                tried += 1
                done = _try(st, move)
                if done is None:
                    continue
                d, undo = done
                if d[0] < 0:
                    st.commit()
                    wt, fl = wt + d[0], fl + d[1]
                    kept += 1
                    break
                _undo(st, undo)
            a = nxt
    return st.schedule(), (wt, fl), DescentStats(tried, kept)


def _tardy(pb: Problem, st: _State) -> list[int]:
    return [
        j
        for j in range(pb.n_jobs)
        if pb.weight[j] > 0
        and pb.job_last[j] > pb.job_first[j]
        and st.end[pb.job_last[j] - 1] > pb.due[j]
    ]


def _pick_tardy(
    pb: Problem, st: _State, rng: random.Random, tardy: list[int], stuck: set[int]
) -> int:
    """A tardy job not known to be stuck, drawn in proportion to its weighted tardiness."""
    best, best_key = -1, 0.0
    if not tardy:
        return -1
    for _ in range(24):
        j = tardy[rng.randrange(len(tardy))]
        if j in stuck:
            continue
        late = st.end[pb.job_last[j] - 1] - pb.due[j]
        if late <= 0:
            continue
        key = rng.random() ** (1.0 / (pb.weight[j] * late))  # weighted reservoir draw
        if key > best_key:
            best, best_key = j, key
    return best


# A move is one or more steps (op, machine, place, anchor), place "before" or
# "after" anchor, or "only" (anchor -1) on a machine with an empty queue,
# applied in order.
Step = tuple[int, int, str, int]
Move = tuple[Step, ...]
SWAP_SCAN = 60  # how far back a queue is searched for an op with slack to trade places with


def _moves(pb: Problem, st: _State, j: int, rng: random.Random) -> list[Move]:
    """Moves that could let job j finish earlier, from its last op backwards."""
    out: list[Move] = []
    i = pb.job_last[j] - 1
    seen = 0
    while i >= 0 and seen < 64:
        seen += 1
        if pb.op_kind[i] <= 0:
            if i == pb.job_first[pb.op_job[i]]:
                break
            i -= 1
            continue
        r = st.ready(i)
        p = st.mpred[i]
        m = st.mach[i]
        if p >= 0 and st.end[p] > r:
            # i waited for its machine: ahead of p, and further back while that can help
            a, steps = p, 0
            while a >= 0 and st.end[a] > r and steps < MAX_JUMP:
                out.append(((i, m, "before", a),))
                a, steps = st.mpred[a], steps + 1
            out += _swaps(pb, st, i, r)
            for m2 in pb.op_alts[i]:
                if m2 != m:
                    mv = _alt_place(pb, st, i, m2, r)
                    if mv is not None:
                        out.append(mv)
            i = p  # its machine predecessor decided it: follow that chain
        else:
            jj = pb.op_job[i]
            if i == pb.job_first[jj]:
                break
            i -= 1
    rng.shuffle(out)
    return out[:16]


def _swaps(pb: Problem, st: _State, b: int, r: int) -> list[Move]:
    """Trade places with an earlier op whose order has the slack to wait.

    Safe from cycles: the partner a ends after b is ready (so nothing ahead of
    b's new place depends on b), and a's next op starts after b ends (so
    nothing between the two places depends on a).
    """
    found: list[tuple[int, int]] = []
    a = st.mpred[b]
    scanned = 0
    p = st.mpred[b]
    while a >= 0 and st.end[a] > r and scanned < SWAP_SCAN:
        scanned += 1
        ja = pb.op_job[a]
        nxt_ok = a + 1 >= pb.job_last[ja] or st.start[a + 1] >= st.end[b]
        if nxt_ok and a != p:
            slack = pb.due[ja] - st.end[pb.job_last[ja] - 1]
            if slack >= st.end[b] - st.end[a]:
                found.append((slack, a))
        a = st.mpred[a]
    found.sort(reverse=True)
    m = st.mach[b]
    return [((b, m, "before", a), (a, m, "after", p)) for _, a in found[:3]]


def _alt_place(pb: Problem, st: _State, i: int, m2: int, r: int) -> Move | None:
    """Insert i on machine m2 where it now starts on its own machine.

    Not where it could first start: in a loaded center that jumps a whole
    queue, and on shop_1000_s1 such moves were kept 2 times in 727.
    """
    a = st.head[m2]
    prev = -1
    at = max(r, st.start[i])
    while a >= 0 and st.start[a] < at:
        prev, a = a, st.msucc[a]
    if prev >= 0 and st.start[prev] >= st.end[i]:
        return None  # could sit after work downstream of i: a cycle
    if a >= 0 and st.end[a] <= r:
        return None
    if prev >= 0:
        return ((i, m2, "after", prev),)
    if a >= 0:
        return ((i, m2, "before", a),)
    return ((i, m2, "only", -1),)  # an idle machine (nothing queued, frozen work aside)


def _try(st: _State, move: Move) -> tuple[tuple[int, int], list[tuple[int, int, int]]] | None:
    """Apply `move` and re-time; the cost delta and what undoes it, None on a cycle."""
    undo: list[tuple[int, int, int]] = []
    seeds: list[int] = []
    for i, m, place, anchor in move:
        undo.append((i, st.mach[i], st.mpred[i]))
        old_s = st.msucc[i]
        st.unlink(i)
        if place == "before":
            st.insert_before(i, m, anchor)
        elif place == "after":
            st.insert_after(i, m, anchor)
        else:
            st.mach[i], st.head[m] = m, i
        # the op itself and the two ops whose machine predecessor changed
        seeds += [x for x in (i, old_s, st.msucc[i]) if x >= 0]
    try:
        return st.propagate(seeds), undo
    except _Cycle:
        _undo(st, undo)
        return None


def _undo(st: _State, undo: list[tuple[int, int, int]]) -> None:
    for i, old_m, old_p in reversed(undo):
        st.unlink(i)
        if old_p >= 0:
            st.insert_after(i, old_m, old_p)
        else:
            h = st.head[old_m]
            if h >= 0:
                st.insert_before(i, old_m, h)
            else:
                st.mach[i] = old_m
                st.head[old_m] = i
    st.restore_times()
