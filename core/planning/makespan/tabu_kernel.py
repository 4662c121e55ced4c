"""The job-shop tabu search compiled with Numba.

The same search as `tabu.py` (N5 swaps on one critical path, best move with
aspiration, restart from the best after a stall), but on flat integer arrays
in machine code. In CPython a move on a 15x15 shop cost about 0.5 ms, so a
10 s run made some 6,000 moves and stalled 1-2 % above the optimum, where
the textbook CP-SAT model ends on the same instances. Compiled, a move costs
a few microseconds: the search gets two orders of magnitude more moves in
the same time, which is what a tabu search needs to reach the optimum
region of 15x15 and wider shops.

The kernel runs in chunks of moves, so the caller keeps the wall clock
(Numba code cannot read it) and the search state lives in arrays between
chunks. It releases the GIL, so a CP-SAT thread or the event loop runs
beside it. Randomness is a 64-bit LCG carried in the state, so one seed
gives one sequence of moves whatever else runs in the process.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Indices into the int64 `stats` array the kernel keeps between chunks.
IT, BEST, CMAX, LAST_GAIN, BEST_IT, IMPROVEMENTS = range(6)
STATS_SIZE = 6

# Why a chunk ended; only CHUNK_SPENT asks for another call.
CHUNK_SPENT, REACHED_BOUND, ITERATIONS_SPENT, STALLED, NO_MOVES, CYCLE = range(6)


@njit(cache=True, nogil=True)
def _randint(rng: np.ndarray, k: int) -> int:
    """Knuth's MMIX LCG; int64 arithmetic wraps in Numba, the high bits are the output."""
    x = rng[0] * 6364136223846793005 + 1442695040888963407
    rng[0] = x
    return ((x >> 33) & 0x7FFFFFFF) % k


@njit(cache=True, nogil=True)
def evaluate(
    p: np.ndarray,
    jp: np.ndarray,
    js: np.ndarray,
    mp: np.ndarray,
    ms: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    order: np.ndarray,
    indeg: np.ndarray,
) -> int:
    """Heads and tails by Kahn's order; the makespan, or -1 if the sequences form a cycle."""
    n = p.shape[0]
    tail = 0
    for o in range(n):
        d = 0
        if jp[o] >= 0:
            d += 1
        if mp[o] >= 0:
            d += 1
        indeg[o] = d
        if d == 0:
            order[tail] = o
            tail += 1
    head = 0
    while head < tail:
        o = order[head]
        head += 1
        a = jp[o]
        b = mp[o]
        ra = r[a] + p[a] if a >= 0 else 0
        rb = r[b] + p[b] if b >= 0 else 0
        r[o] = ra if ra > rb else rb
        s = js[o]
        if s >= 0:
            indeg[s] -= 1
            if indeg[s] == 0:
                order[tail] = s
                tail += 1
        s = ms[o]
        if s >= 0:
            indeg[s] -= 1
            if indeg[s] == 0:
                order[tail] = s
                tail += 1
    if tail != n:
        return -1
    cmax = 0
    for k in range(n - 1, -1, -1):
        o = order[k]
        a = js[o]
        b = ms[o]
        qa = q[a] + p[a] if a >= 0 else 0
        qb = q[b] + p[b] if b >= 0 else 0
        q[o] = qa if qa > qb else qb
        total = r[o] + p[o] + q[o]
        if total > cmax:
            cmax = total
    return cmax


@njit(cache=True, nogil=True)
def _n5_moves(
    p: np.ndarray,
    js: np.ndarray,
    ms: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    cmax: int,
    rng: np.ndarray,
    path: np.ndarray,
    moves: np.ndarray,
) -> int:
    """N5 swaps (ends of critical blocks) on one random critical path; returns their count.

    `moves[k]` is (u, v): u directly before v on a machine, to become v before u.
    """
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
    # path[block_start:length] is the block being walked; a job arc ends it
    length = 0
    block_start = 0
    blocks = 0
    count = 0
    path[length] = o
    length += 1
    while True:
        end = r[o] + p[o]
        m = ms[o]
        j = js[o]
        if m >= 0 and r[m] == end and end + p[m] + q[m] == cmax:
            path[length] = m
            length += 1
            o = m
            continue
        # the block path[block_start:length] ends here
        last = not (j >= 0 and r[j] == end and end + p[j] + q[j] == cmax)
        size = length - block_start
        if size >= 2:
            first = blocks == 0
            if not first or last:
                u = path[block_start]
                v = path[block_start + 1]
                if js[u] != v:
                    moves[count, 0] = u
                    moves[count, 1] = v
                    count += 1
            if (not last or first) and not (size == 2 and (not first or last)):
                u = path[length - 2]
                v = path[length - 1]
                if js[u] != v:
                    moves[count, 0] = u
                    moves[count, 1] = v
                    count += 1
        blocks += 1
        if last:
            break
        block_start = length
        path[length] = j
        length += 1
        o = j
    return count


@njit(cache=True, nogil=True)
def _estimate_swap(
    p: np.ndarray,
    jp: np.ndarray,
    js: np.ndarray,
    mp: np.ndarray,
    ms: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    u: int,
    v: int,
) -> int:
    """Longest path through u and v after v jumps ahead of u (exact for those two)."""
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
    p: np.ndarray,
    jp: np.ndarray,
    js: np.ndarray,
    mp: np.ndarray,
    ms: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    order: np.ndarray,
    indeg: np.ndarray,
    path: np.ndarray,
    moves: np.ndarray,
    best_mp: np.ndarray,
    best_ms: np.ndarray,
    rng: np.ndarray,
    kick_moves: int,
) -> int:
    """Back to the best sequences, then random critical swaps into a new basin."""
    mp[:] = best_mp
    ms[:] = best_ms
    cmax = evaluate(p, jp, js, mp, ms, r, q, order, indeg)
    for _ in range(kick_moves):
        count = _n5_moves(p, js, ms, r, q, cmax, rng, path, moves)
        if count == 0:
            break
        pick = _randint(rng, count)
        _swap(mp, ms, moves[pick, 0], moves[pick, 1])
        cmax = evaluate(p, jp, js, mp, ms, r, q, order, indeg)
    return cmax


@njit(cache=True, nogil=True)
def run_chunk(
    p: np.ndarray,
    jp: np.ndarray,
    js: np.ndarray,
    cell_base: np.ndarray,
    rank: np.ndarray,
    mp: np.ndarray,
    ms: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    order: np.ndarray,
    indeg: np.ndarray,
    path: np.ndarray,
    moves: np.ndarray,
    tabu: np.ndarray,
    best_mp: np.ndarray,
    best_ms: np.ndarray,
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
) -> int:
    """At most `chunk` moves from the state in the arrays; returns why it stopped.

    The tabu attribute of a swap is the reversed pair; pair (u, v) of one
    machine lives in cell `cell_base[u] + rank[v]` of `tabu` (rank: place
    among that machine's operations), holding the move it is tabu until.
    `max_iterations` and `stop_after_stall` of 0 or less mean no limit.
    """
    cmax = stats[CMAX]
    for _ in range(chunk):
        if stats[BEST] <= lower_bound:
            return REACHED_BOUND
        it = stats[IT]
        if max_iterations > 0 and it >= max_iterations:
            return ITERATIONS_SPENT
        it += 1
        stats[IT] = it
        count = _n5_moves(p, js, ms, r, q, cmax, rng, path, moves)
        if count == 0:
            return NO_MOVES
        chosen = -1
        chosen_value = 0
        for k in range(count):
            u = moves[k, 0]
            v = moves[k, 1]
            value = _estimate_swap(p, jp, js, mp, ms, r, q, u, v)
            allowed = tabu[cell_base[u] + rank[v]] <= it or value < stats[BEST]
            if allowed and (
                chosen < 0
                or value < chosen_value
                or (value == chosen_value and _randint(rng, 2) == 0)
            ):
                chosen = k
                chosen_value = value
        if chosen < 0:
            chosen = _randint(rng, count)
        u = moves[chosen, 0]
        v = moves[chosen, 1]
        _swap(mp, ms, u, v)
        tabu[cell_base[v] + rank[u]] = it + tenure + _randint(rng, tenure_span)
        cmax = evaluate(p, jp, js, mp, ms, r, q, order, indeg)
        if cmax < 0:
            return CYCLE
        if cmax < stats[BEST]:
            stats[BEST] = cmax
            best_mp[:] = mp
            best_ms[:] = ms
            stats[LAST_GAIN] = it
            stats[BEST_IT] = it
            stats[IMPROVEMENTS] += 1
        elif stop_after_stall > 0 and it - stats[BEST_IT] > stop_after_stall:
            stats[CMAX] = cmax
            return STALLED
        elif it - stats[LAST_GAIN] > restart_after:
            tabu[:] = 0
            cmax = _restart(
                p,
                jp,
                js,
                mp,
                ms,
                r,
                q,
                order,
                indeg,
                path,
                moves,
                best_mp,
                best_ms,
                rng,
                kick_moves,
            )
            stats[LAST_GAIN] = it
        stats[CMAX] = cmax
    return CHUNK_SPENT
