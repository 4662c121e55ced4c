"""The job-shop tabu search compiled with Numba, with an elite pool and crossover.

The Python search in `tabu.py` (N5 swaps, restart from the best) made
about 2,000 moves a second on 15x15 shops, so a 10 s run stalled 1-2 %
above the optimum, where the textbook CP-SAT model ends too. Here the
moves run on flat integer arrays in machine code, about 400 thousand a
second on the same shops (200 thousand on 30x20), and after each move only
the part of the graph it can reach is re-evaluated (`evaluate_moved`, a
third faster than a full pass per move). The search is stronger in two ways:
- the N7 neighbourhood (Zhang et al. 2007): an operation of a critical
  block moves to the block's front or end, or the block's first or last
  moves inside it, which reaches schedules that chains of N5 swaps would
  have to pass through worse ones to reach;
- phases with an elite pool: a phase ends after `restart_after` moves
  without a gain of its own, its best joins a small pool, and the next
  starts from a child of two pool members (each machine's order from one
  parent), as in hybrid evolutionary job-shop solvers. Restarting from the
  best alone stalled in one basin: on ta01, la37 and la40 single 8 s runs
  ended at 1241-1242, 1407 and 1226-1228; with the pool la37 reached
  1397-1400 and ta01 1231-1243.

The kernel runs in chunks of moves, so the caller keeps the wall clock
(Numba code cannot read it) and the search state lives in arrays between
chunks. It releases the GIL, so runs on other threads proceed beside it.
Randomness is a 64-bit LCG carried in the state, so one seed gives one
sequence of moves whatever else runs in the process.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Indices into the int64 `stats` array the kernel keeps between chunks.
IT, BEST, CMAX, PHASE_BEST, PHASE_GAIN, BEST_IT, IMPROVEMENTS, POOL, LAST_RESET = range(9)
STATS_SIZE = 9

# Kinds of insertion move, see `_n7_moves`.
FORWARD, BACKWARD = 0, 1

# Why a chunk ended; only CHUNK_SPENT asks for another call.
CHUNK_SPENT, REACHED_BOUND, ITERATIONS_SPENT, STALLED, NO_MOVES = range(5)

# Numba takes arrays, not objects, so the state travels as tuples of arrays:
# graph: p, jp, js, mp, ms (durations, job and machine predecessors and
#   successors), r, q (heads and tails), order (a topological order), indeg
#   (Kahn's scratch), pos (each operation's place in `order`), queue (scratch);
# walk: path, block_start, moves, seg, heads (one critical path and its moves);
# memory: tabu, cell_base, rank (see `run_chunk`);
# elite: best_mp, best_ms, phase_mp, phase_ms, pool_mp, pool_ms, pool_cmax;
# build: js, machine, job_first, desired, from_a, placed, last, job_next
#   (list scheduling of a child or a random start).
Graph = tuple[np.ndarray, ...]
Walk = tuple[np.ndarray, ...]
Memory = tuple[np.ndarray, ...]
Elite = tuple[np.ndarray, ...]
Builder = tuple[np.ndarray, ...]


@njit(cache=True, nogil=True)
def _randint(rng: np.ndarray, k: int) -> int:
    """Knuth's MMIX LCG; int64 arithmetic wraps in Numba, the high bits are the output."""
    x = rng[0] * 6364136223846793005 + 1442695040888963407
    rng[0] = x
    return ((x >> 33) & 0x7FFFFFFF) % k


@njit(cache=True, nogil=True)
def evaluate(graph: Graph) -> int:
    """Heads and tails by Kahn's order; the makespan, or -1 if the sequences form a cycle."""
    order, pos = graph[7], graph[9]
    n = order.shape[0]
    for k in range(n):
        order[k] = k
        pos[k] = k
    if not _resort_span(graph, 0, n - 1):
        return -1
    _heads_from(graph, 0)
    return _tails_and_makespan(graph, n - 1)


@njit(cache=True, nogil=True)
def evaluate_moved(graph: Graph, seg: np.ndarray, m: int) -> int:
    """`evaluate` after seg[0..m), consecutive on one machine, was reordered in place.

    The old topological order stays valid outside the span from the first to
    the last moved operation in it: the moved run keeps its arcs to the
    outside, so nothing outside the span gains a predecessor after it. Only
    the span is re-sorted by Kahn's rule; then heads are redone from the
    span's start on, and tails up to the last moved operation. The heads,
    tails and makespan are those of a full pass.
    """
    pos = graph[9]
    lo = pos.shape[0]
    hi = 0
    for k in range(m):
        x = pos[seg[k]]
        lo = min(lo, x)
        hi = max(hi, x)
    if not _resort_span(graph, lo, hi):
        return -1
    _heads_from(graph, lo)
    last = 0
    for k in range(m):
        last = max(last, pos[seg[k]])
    return _tails_and_makespan(graph, last)


@njit(cache=True, nogil=True)
def _resort_span(graph: Graph, lo: int, hi: int) -> bool:
    """Kahn's rule on order[lo..hi], arcs from outside ignored; False if the span has a cycle."""
    jp, js, mp, ms = graph[1], graph[2], graph[3], graph[4]
    order, indeg, pos, queue = graph[7], graph[8], graph[9], graph[10]
    tail = 0
    for k in range(lo, hi + 1):
        o = order[k]
        d = 0
        for a in (jp[o], mp[o]):
            if a >= 0 and lo <= pos[a] <= hi:
                d += 1
        indeg[o] = d
        if d == 0:
            queue[tail] = o
            tail += 1
    head = 0
    while head < tail:
        o = queue[head]
        head += 1
        for x in (js[o], ms[o]):
            if x >= 0 and lo <= pos[x] <= hi:
                indeg[x] -= 1
                if indeg[x] == 0:
                    queue[tail] = x
                    tail += 1
    if tail != hi + 1 - lo:
        return False
    for k in range(tail):
        order[lo + k] = queue[k]
        pos[queue[k]] = lo + k
    return True


@njit(cache=True, nogil=True)
def _heads_from(graph: Graph, first: int) -> None:
    """Heads of order[first..] from their predecessors'."""
    p, jp, mp, r, order = graph[0], graph[1], graph[3], graph[5], graph[7]
    for k in range(first, order.shape[0]):
        o = order[k]
        a = jp[o]
        b = mp[o]
        ra = r[a] + p[a] if a >= 0 else 0
        rb = r[b] + p[b] if b >= 0 else 0
        r[o] = ra if ra > rb else rb


@njit(cache=True, nogil=True)
def _tails_and_makespan(graph: Graph, last: int) -> int:
    """Tails of order[0..last] from their successors', then the longest path through any."""
    p, js, ms, r, q, order = graph[0], graph[2], graph[4], graph[5], graph[6], graph[7]
    for k in range(last, -1, -1):
        o = order[k]
        a = js[o]
        b = ms[o]
        qa = q[a] + p[a] if a >= 0 else 0
        qb = q[b] + p[b] if b >= 0 else 0
        q[o] = qa if qa > qb else qb
    cmax = 0
    for o in range(p.shape[0]):
        total = r[o] + p[o] + q[o]
        if total > cmax:
            cmax = total
    return cmax


@njit(cache=True, nogil=True)
def _n5_moves(graph: Graph, walk: Walk, cmax: int, rng: np.ndarray) -> int:
    """N5 swaps (ends of critical blocks) on one random critical path; returns their count.

    `moves[k]` is (u, v): u directly before v on a machine, to become v before u.
    The first block swaps only its last pair and the last block only its
    first, unless the path is one block.
    """
    js = graph[2]
    path, block_start, moves = walk[0], walk[1], walk[2]
    blocks = _critical_path(graph, walk, cmax, rng)
    count = 0
    for b in range(blocks):
        s = block_start[b]
        e = block_start[b + 1] - 1
        if e <= s:
            continue
        first = b == 0
        last = b == blocks - 1
        if not first or last:
            count = _add_swap(moves, count, js, path[s], path[s + 1])
        if (not last or first) and not (e == s + 1 and (not first or last)):
            count = _add_swap(moves, count, js, path[e - 1], path[e])
    return count


@njit(cache=True, nogil=True)
def _add_swap(moves: np.ndarray, count: int, js: np.ndarray, u: int, v: int) -> int:
    """A pair that is also consecutive in its job cannot swap without a cycle."""
    if js[u] == v:
        return count
    moves[count, 0] = u
    moves[count, 1] = v
    return count + 1


@njit(cache=True, nogil=True)
def _estimate_swap(graph: Graph, u: int, v: int) -> int:
    """Longest path through u and v after v jumps ahead of u (exact for those two)."""
    p, jp, js, mp, ms, r, q = graph[:7]
    a = jp[v]
    b = mp[u]
    x = r[a] + p[a] if a >= 0 else 0
    y = r[b] + p[b] if b >= 0 else 0
    rv = x if x > y else y
    a = jp[u]
    x = r[a] + p[a] if a >= 0 else 0
    y = rv + p[v]
    ru = x if x > y else y
    a = js[u]
    b = ms[v]
    x = q[a] + p[a] if a >= 0 else 0
    y = q[b] + p[b] if b >= 0 else 0
    qu = x if x > y else y
    a = js[v]
    x = q[a] + p[a] if a >= 0 else 0
    y = qu + p[u]
    qv = x if x > y else y
    x = rv + p[v] + qv
    y = ru + p[u] + qu
    return x if x > y else y


@njit(cache=True, nogil=True)
def _swap(mp: np.ndarray, ms: np.ndarray, u: int, v: int) -> None:
    """u directly before v on their machine becomes v before u."""
    before = mp[u]
    after = ms[v]
    mp[v] = before
    ms[v] = u
    mp[u] = v
    ms[u] = after
    if before >= 0:
        ms[before] = v
    if after >= 0:
        mp[after] = u


@njit(cache=True, nogil=True)
def _restart(
    graph: Graph,
    walk: Walk,
    best_mp: np.ndarray,
    best_ms: np.ndarray,
    rng: np.ndarray,
    kick_moves: int,
) -> int:
    """Back to the best sequences, then random critical swaps into a new basin."""
    mp, ms, moves = graph[3], graph[4], walk[2]
    mp[:] = best_mp
    ms[:] = best_ms
    cmax = evaluate(graph)
    for _ in range(kick_moves):
        count = _n5_moves(graph, walk, cmax, rng)
        if count == 0:
            break
        pick = _randint(rng, count)
        _swap(mp, ms, moves[pick, 0], moves[pick, 1])
        cmax = evaluate(graph)
    return cmax


@njit(cache=True, nogil=True)
def _critical_path(graph: Graph, walk: Walk, cmax: int, rng: np.ndarray) -> int:
    """One random critical path into `path`, cut into machine blocks; returns the block count.

    Block b is path[block_start[b]:block_start[b + 1]], consecutive on one machine.
    """
    p, js, ms, r, q = graph[0], graph[2], graph[4], graph[5], graph[6]
    path, block_start = walk[0], walk[1]
    n = p.shape[0]
    starts = 0
    for o in range(n):
        if r[o] == 0 and p[o] + q[o] == cmax:
            starts += 1
    pick = _randint(rng, starts)
    o = -1
    for x in range(n):
        if r[x] == 0 and p[x] + q[x] == cmax:
            if pick == 0:
                o = x
                break
            pick -= 1
    path[0] = o
    length = 1
    blocks = 1
    block_start[0] = 0
    while True:
        end = r[o] + p[o]
        m = ms[o]
        j = js[o]
        if m >= 0 and r[m] == end and end + p[m] + q[m] == cmax:
            o = m
        elif j >= 0 and r[j] == end and end + p[j] + q[j] == cmax:
            o = j
            block_start[blocks] = length
            blocks += 1
        else:
            block_start[blocks] = length
            return blocks
        path[length] = o
        length += 1


@njit(cache=True, nogil=True)
def _n7_moves(graph: Graph, walk: Walk, blocks: int) -> int:
    """Insertions within critical blocks that touch a block end (Zhang et al.'s N7).

    `moves[k]` is (kind, a, b) with a < b positions in `path` of one block:
    kind FORWARD puts path[a] right after path[b], BACKWARD puts path[b]
    right before path[a]; adjacent pairs appear once, as FORWARD. Non-adjacent
    insertions are kept only under Balas and Vazacopoulos's conditions, which
    guarantee the new sequences have no cycle.
    """
    p, jp, js, r, q = graph[0], graph[1], graph[2], graph[5], graph[6]
    path, block_start, moves = walk[0], walk[1], walk[2]
    count = 0
    for b in range(blocks):
        s = block_start[b]
        e = block_start[b + 1] - 1
        if e <= s:
            continue
        for a in range(s, e):  # an operation to the block's end
            if _forward_ok(p, js, q, path[a], path[e], a + 1 == e):
                count = _add(moves, count, FORWARD, a, e)
        for c in range(s + 1, e):  # the first operation into the block
            if _forward_ok(p, js, q, path[s], path[c], c == s + 1):
                count = _add(moves, count, FORWARD, s, c)
        for c in range(s + 2, e + 1):  # an operation to the block's front
            if _backward_ok(p, jp, r, path[s], path[c]):
                count = _add(moves, count, BACKWARD, s, c)
        for c in range(s + 1, e - 1):  # the last operation into the block
            if _backward_ok(p, jp, r, path[c], path[e]):
                count = _add(moves, count, BACKWARD, c, e)
    return count


@njit(cache=True, nogil=True)
def _add(moves: np.ndarray, count: int, kind: int, a: int, b: int) -> int:
    moves[count, 0] = kind
    moves[count, 1] = a
    moves[count, 2] = b
    return count + 1


@njit(cache=True, nogil=True)
def _forward_ok(
    p: np.ndarray, js: np.ndarray, q: np.ndarray, u: int, v: int, adjacent: bool
) -> bool:
    """u may jump behind v: no path from u's job successor reaches v."""
    if adjacent:
        return True
    j = js[u]
    return j < 0 or q[v] + p[v] >= q[j] + p[j]


@njit(cache=True, nogil=True)
def _backward_ok(p: np.ndarray, jp: np.ndarray, r: np.ndarray, u: int, v: int) -> bool:
    """v may jump ahead of u: no path from u reaches v's job predecessor."""
    j = jp[v]
    return j < 0 or r[u] + p[u] >= r[j] + p[j]


@njit(cache=True, nogil=True)
def _new_segment(path: np.ndarray, kind: int, a: int, b: int, seg: np.ndarray) -> int:
    """The block slice path[a..b] in its order after the move; returns its length."""
    m = 0
    if kind == FORWARD:
        for k in range(a + 1, b + 1):
            seg[m] = path[k]
            m += 1
        seg[m] = path[a]
    else:
        seg[0] = path[b]
        for k in range(a, b):
            m += 1
            seg[m] = path[k]
    return m + 1


@njit(cache=True, nogil=True)
def _estimate_segment(
    p: np.ndarray,
    jp: np.ndarray,
    js: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    seg: np.ndarray,
    m: int,
    before: int,
    after: int,
    heads: np.ndarray,
) -> int:
    """Longest path through the reordered slice, the rest of the graph's heads and tails kept."""
    end = r[before] + p[before] if before >= 0 else 0
    for k in range(m):
        x = seg[k]
        j = jp[x]
        h = r[j] + p[j] if j >= 0 else 0
        if end > h:
            h = end
        heads[k] = h
        end = h + p[x]
    tail = q[after] + p[after] if after >= 0 else 0
    longest = 0
    for k in range(m - 1, -1, -1):
        x = seg[k]
        j = js[x]
        t = q[j] + p[j] if j >= 0 else 0
        if tail > t:
            t = tail
        total = heads[k] + p[x] + t
        if total > longest:
            longest = total
        tail = t + p[x]
    return longest


@njit(cache=True, nogil=True)
def _relink(
    mp: np.ndarray, ms: np.ndarray, seg: np.ndarray, m: int, before: int, after: int
) -> None:
    """Put seg[0..m) between `before` and `after` on their machine."""
    prev = before
    for k in range(m):
        x = seg[k]
        mp[x] = prev
        if prev >= 0:
            ms[prev] = x
        prev = x
    ms[prev] = after
    if after >= 0:
        mp[after] = prev


@njit(cache=True, nogil=True)
def _insertion_tabu(
    tabu: np.ndarray,
    cell_base: np.ndarray,
    rank: np.ndarray,
    path: np.ndarray,
    kind: int,
    a: int,
    b: int,
    it: int,
) -> bool:
    """Whether the move reverses an order made tabu: the moved operation against each it passes."""
    if kind == FORWARD:
        u = path[a]
        for k in range(a + 1, b + 1):
            if tabu[cell_base[u] + rank[path[k]]] > it:
                return True
    else:
        v = path[b]
        for k in range(a, b):
            if tabu[cell_base[path[k]] + rank[v]] > it:
                return True
    return False


@njit(cache=True, nogil=True)
def _forbid_undoing(
    tabu: np.ndarray,
    cell_base: np.ndarray,
    rank: np.ndarray,
    path: np.ndarray,
    kind: int,
    a: int,
    b: int,
    until: int,
) -> None:
    """Each order the move made may not be reversed before `until`."""
    if kind == FORWARD:
        u = path[a]
        for k in range(a + 1, b + 1):
            tabu[cell_base[path[k]] + rank[u]] = until
    else:
        v = path[b]
        for k in range(a, b):
            tabu[cell_base[v] + rank[path[k]]] = until


@njit(cache=True, nogil=True)
def _n7_step(
    graph: Graph,
    walk: Walk,
    memory: Memory,
    rng: np.ndarray,
    cmax: int,
    best: int,
    it: int,
    tenure: int,
    tenure_span: int,
) -> int:
    """One best allowed insertion; the new makespan, or -1 when there is no move."""
    p, jp, js, mp, ms, r, q = graph[:7]
    path, _, moves, seg, heads = walk
    tabu, cell_base, rank = memory
    blocks = _critical_path(graph, walk, cmax, rng)
    count = _n7_moves(graph, walk, blocks)
    if count == 0:
        return -1
    chosen = -1
    chosen_value = 0
    for k in range(count):
        kind = moves[k, 0]
        a = moves[k, 1]
        b = moves[k, 2]
        m = _new_segment(path, kind, a, b, seg)
        value = _estimate_segment(p, jp, js, r, q, seg, m, mp[path[a]], ms[path[b]], heads)
        allowed = value < best or not _insertion_tabu(tabu, cell_base, rank, path, kind, a, b, it)
        if allowed and (
            chosen < 0 or value < chosen_value or (value == chosen_value and _randint(rng, 2) == 0)
        ):
            chosen = k
            chosen_value = value
    if chosen < 0:
        chosen = _randint(rng, count)
    kind = moves[chosen, 0]
    a = moves[chosen, 1]
    b = moves[chosen, 2]
    before = mp[path[a]]
    after = ms[path[b]]
    m = _new_segment(path, kind, a, b, seg)
    _relink(mp, ms, seg, m, before, after)
    cmax = evaluate_moved(graph, seg, m)
    if cmax < 0:  # cannot happen under the move conditions; undo rather than trust them
        _relink(mp, ms, path[a : b + 1], b + 1 - a, before, after)
        return evaluate(graph)
    _forbid_undoing(
        tabu, cell_base, rank, path, kind, a, b, it + tenure + _randint(rng, tenure_span)
    )
    return cmax


@njit(cache=True, nogil=True)
def _n5_step(
    graph: Graph,
    walk: Walk,
    memory: Memory,
    rng: np.ndarray,
    cmax: int,
    best: int,
    it: int,
    tenure: int,
    tenure_span: int,
) -> int:
    """One best allowed N5 swap; the new makespan, or -1 when there is no move."""
    mp, ms, moves = graph[3], graph[4], walk[2]
    tabu, cell_base, rank = memory
    count = _n5_moves(graph, walk, cmax, rng)
    if count == 0:
        return -1
    chosen = -1
    chosen_value = 0
    for k in range(count):
        u = moves[k, 0]
        v = moves[k, 1]
        value = _estimate_swap(graph, u, v)
        allowed = tabu[cell_base[u] + rank[v]] <= it or value < best
        if allowed and (
            chosen < 0 or value < chosen_value or (value == chosen_value and _randint(rng, 2) == 0)
        ):
            chosen = k
            chosen_value = value
    if chosen < 0:
        chosen = _randint(rng, count)
    u = moves[chosen, 0]
    v = moves[chosen, 1]
    _swap(mp, ms, u, v)
    tabu[cell_base[v] + rank[u]] = it + tenure + _randint(rng, tenure_span)
    seg = walk[3]
    seg[0] = v
    seg[1] = u
    return evaluate_moved(graph, seg, 2)


@njit(cache=True, nogil=True)
def _pool_add(
    pool_ms: np.ndarray,
    pool_mp: np.ndarray,
    pool_cmax: np.ndarray,
    stats: np.ndarray,
    ms: np.ndarray,
    mp: np.ndarray,
    cmax: int,
) -> None:
    """Keep the sequences among the elite unless they are there already or worse than all."""
    size = stats[POOL]
    for k in range(size):
        if pool_cmax[k] == cmax and np.array_equal(pool_ms[k], ms):
            return
    if size < pool_cmax.shape[0]:
        slot = size
        stats[POOL] = size + 1
    else:
        slot = 0
        for k in range(1, size):
            if pool_cmax[k] > pool_cmax[slot]:
                slot = k
        if pool_cmax[slot] <= cmax:
            return
    pool_ms[slot] = ms
    pool_mp[slot] = mp
    pool_cmax[slot] = cmax


@njit(cache=True, nogil=True)
def _crossover(
    a_mp: np.ndarray,
    a_ms: np.ndarray,
    b_mp: np.ndarray,
    b_ms: np.ndarray,
    build: Builder,
    rng: np.ndarray,
    mp: np.ndarray,
    ms: np.ndarray,
) -> None:
    """A child of two elite solutions: each machine's order from one parent or the other.

    Orders taken from different parents can close a cycle, so the child is
    built by list scheduling: among the jobs' next operations it places the
    one most due in its machine's wanted order. The result is acyclic and
    keeps the parents' orders wherever they fit together.
    """
    machine, desired, from_a = build[1], build[3], build[4]
    for m in range(from_a.shape[0]):
        from_a[m] = _randint(rng, 2)
    for o in range(machine.shape[0]):
        use_a = from_a[machine[o]] == 1
        if (a_mp[o] if use_a else b_mp[o]) == -1:
            k = 0
            x = o
            while x >= 0:
                desired[x] = k
                k += 1
                x = a_ms[x] if use_a else b_ms[x]
    _decode(build, rng, mp, ms)


@njit(cache=True, nogil=True)
def _random_start(build: Builder, rng: np.ndarray, mp: np.ndarray, ms: np.ndarray) -> None:
    """Machine orders from random priorities: a start far from every basin searched so far."""
    machine, desired = build[1], build[3]
    n = machine.shape[0]
    for o in range(n):
        desired[o] = _randint(rng, n)
    _decode(build, rng, mp, ms)


@njit(cache=True, nogil=True)
def _decode(build: Builder, rng: np.ndarray, mp: np.ndarray, ms: np.ndarray) -> None:
    """Acyclic machine orders close to `desired` ranks, by list scheduling the jobs."""
    js, machine, job_first, desired, _, placed, last, job_next = build
    for m in range(placed.shape[0]):
        placed[m] = 0
        last[m] = -1
    for j in range(job_first.shape[0]):
        job_next[j] = job_first[j]
    for _ in range(machine.shape[0]):
        chosen = -1
        chosen_key = 0
        ties = 0
        for j in range(job_first.shape[0]):
            x = job_next[j]
            if x < 0:
                continue
            key = desired[x] - placed[machine[x]]
            if chosen < 0 or key < chosen_key:
                chosen, chosen_key, ties = j, key, 1
            elif key == chosen_key:
                ties += 1
                if _randint(rng, ties) == 0:
                    chosen = j
        x = job_next[chosen]
        m = machine[x]
        prev = last[m]
        mp[x] = prev
        ms[x] = -1
        if prev >= 0:
            ms[prev] = x
        last[m] = x
        placed[m] += 1
        job_next[chosen] = js[x]


@njit(cache=True, nogil=True)
def run_chunk(
    graph: Graph,
    walk: Walk,
    memory: Memory,
    elite: Elite,
    build: Builder,
    stats: np.ndarray,
    rng: np.ndarray,
    lower_bound: int,
    chunk: int,
    max_iterations: int,
    tenure: int,
    tenure_span: int,
    restart_after: int,
    stop_after_stall: int,
    kick_moves: int,
    insertions: bool,
    reset_after: int,
) -> int:
    """At most `chunk` moves from the state in the arrays; returns why it stopped.

    The search runs in phases. A phase ends `restart_after` moves after its
    own last gain; its best joins the elite pool (`pool_*`), and the next
    phase starts from a child of two elite solutions, or, while the pool
    holds fewer than two, from the best after `kick_moves` random swaps.
    A pool of one entry keeps the restart-from-best search. When the best
    has not improved for `reset_after` moves the pool has converged (on la40
    it held ten different schedules, all at 1228): it keeps only the best,
    and phases start from random orders until it holds three again.

    `insertions` picks the N7 insertion neighbourhood over N5 swaps. The
    tabu attribute of a move is each order it made; the order "u before v"
    of one machine lives in cell `cell_base[u] + rank[v]` of `tabu` (rank:
    place among that machine's operations), holding the move it is tabu
    until. `max_iterations` and `stop_after_stall` of 0 or less mean no limit.
    """
    mp, ms = graph[3], graph[4]
    tabu = memory[0]
    best_mp, best_ms, phase_mp, phase_ms, pool_mp, pool_ms, pool_cmax = elite
    cmax = stats[CMAX]
    for _ in range(chunk):
        if stats[BEST] <= lower_bound:
            return REACHED_BOUND
        it = stats[IT]
        if max_iterations > 0 and it >= max_iterations:
            return ITERATIONS_SPENT
        it += 1
        stats[IT] = it
        if insertions:
            cmax = _n7_step(graph, walk, memory, rng, cmax, stats[BEST], it, tenure, tenure_span)
        else:
            cmax = _n5_step(graph, walk, memory, rng, cmax, stats[BEST], it, tenure, tenure_span)
        if cmax < 0:
            return NO_MOVES
        if cmax < stats[PHASE_BEST]:
            stats[PHASE_BEST] = cmax
            stats[PHASE_GAIN] = it
            phase_mp[:] = mp
            phase_ms[:] = ms
            if cmax < stats[BEST]:
                stats[BEST] = cmax
                best_mp[:] = mp
                best_ms[:] = ms
                stats[BEST_IT] = it
                stats[IMPROVEMENTS] += 1
        if stop_after_stall > 0 and it - stats[BEST_IT] > stop_after_stall:
            stats[CMAX] = cmax
            return STALLED
        if it - stats[PHASE_GAIN] > restart_after:
            _pool_add(pool_ms, pool_mp, pool_cmax, stats, phase_ms, phase_mp, stats[PHASE_BEST])
            if (
                reset_after > 0
                and pool_cmax.shape[0] >= 3
                and it - stats[BEST_IT] > reset_after
                and it - stats[LAST_RESET] > reset_after
            ):
                pool_ms[0] = best_ms
                pool_mp[0] = best_mp
                pool_cmax[0] = stats[BEST]
                stats[POOL] = 1
                stats[LAST_RESET] = it
            size = stats[POOL]
            if stats[LAST_RESET] > 0 and size < 3:
                _random_start(build, rng, mp, ms)
                cmax = evaluate(graph)
            elif size >= 2 and pool_cmax.shape[0] >= 2:
                a = _randint(rng, size)
                b = _randint(rng, size - 1)
                if b >= a:
                    b += 1
                _crossover(pool_mp[a], pool_ms[a], pool_mp[b], pool_ms[b], build, rng, mp, ms)
                cmax = evaluate(graph)
            else:
                cmax = _restart(graph, walk, best_mp, best_ms, rng, kick_moves)
            tabu[:] = 0
            stats[PHASE_BEST] = cmax
            stats[PHASE_GAIN] = it
            phase_mp[:] = mp
            phase_ms[:] = ms
        stats[CMAX] = cmax
    return CHUNK_SPENT
