"""Large-neighbourhood search: CP-SAT on time windows of a complete schedule.

The monolithic model does not scale (on 1,000 orders it needs 32 s for a first
plan and barely moves from a good hint in 120 s), so large instances are
improved window by window: a few hundred operations that start in a time
window are re-optimized by CP-SAT with everything before them fixed and
everything after them re-timed by the decoder. A window is kept only when the
whole schedule's cost improves (or ties), so the search never makes a plan
worse. Windows alternate between a sweep over the horizon and windows centred
on operations of late orders, drawn by their weighted tardiness.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left
from dataclasses import dataclass

from core.planning.cpsat import solve_window
from core.planning.objective import Cost, cost
from core.planning.problem import FROZEN, Problem
from core.planning.sequences import Schedule, job_end

OVERHEAD_PER_OP = 1.5e-5  # measured: sorting, decoding and costing 30k ops take ~0.4 s


@dataclass(frozen=True)
class LnsStats:
    windows: int
    accepted: int
    improved: int


def improve(
    pb: Problem,
    sched: Schedule,
    *,
    deadline: float,
    window_ops: int,
    tail_ops: int,
    step_s: float,
    seed: int,
    workers: int,
    previous_start: dict[int, int] | None,
    stability_weight: int,
    focus: list[int] | None = None,
) -> tuple[Schedule, Cost, LnsStats]:
    """Improve `sched` until `deadline` (time.monotonic); `focus` restricts window centres."""
    rng = random.Random(seed)
    best = sched
    best_cost = cost(pb, sched, previous_start, stability_weight)
    windows = accepted = improved = 0
    sweep_at = 0
    overhead = OVERHEAD_PER_OP * pb.n_ops  # model building and splicing of the last window
    while time.monotonic() + 0.05 < deadline:
        order = sorted(
            (i for i in range(pb.n_ops) if pb.op_kind[i] != FROZEN),
            key=lambda i: (best.start[i], i),
        )
        if not order:
            break
        centre, sweep_at = _pick_centre(
            pb, best, order, rng, windows, sweep_at, focus, max(1, window_ops // 2)
        )
        free, tail = _window(order, best, centre, window_ops, tail_ops)
        budget = min(step_s, deadline - time.monotonic())
        if budget <= 0.05 or deadline - time.monotonic() <= 1.2 * overhead + 0.05:
            break  # building and splicing the window alone would overrun the deadline
        began = time.monotonic()
        sub = solve_window(
            pb,
            best,
            free,
            tail=tail,
            time_limit_s=budget,
            seed=seed + windows,
            workers=workers,
            previous_start=previous_start,
            stability_weight=stability_weight,
            probing=len(free) < 150,
            deadline=deadline,
        )
        windows += 1
        overhead = max(0.0, time.monotonic() - began - sub.seconds)
        if sub.schedule is None:
            continue
        c = cost(pb, sub.schedule, previous_start, stability_weight)
        if c <= best_cost:
            accepted += 1
            improved += c < best_cost
            best, best_cost = sub.schedule, c
    return best, best_cost, LnsStats(windows, accepted, improved)


def _pick_centre(
    pb: Problem,
    sched: Schedule,
    order: list[int],
    rng: random.Random,
    windows: int,
    sweep_at: int,
    focus: list[int] | None,
    step: int,
) -> tuple[int, int]:
    """Index into `order` of the window's centre, and the next sweep position."""
    position = {i: k for k, i in enumerate(order)}
    if focus:
        targets = [i for i in focus if i in position]
        if targets:
            return position[rng.choice(targets)], sweep_at
    if windows % 2 == 0:
        late = [
            (pb.weight[j] * (job_end(pb, sched, j) - pb.due[j]), j)
            for j in range(pb.n_jobs)
            if job_end(pb, sched, j) > pb.due[j]
        ]
        if late:
            total = sum(w for w, _ in late)
            pick = rng.uniform(0, total)
            for w, j in late:  # noqa: B007  (j, the job picked, is read after the loop)
                pick -= w
                if pick <= 0:
                    break
            ops = [i for i in range(pb.job_first[j], pb.job_last[j]) if i in position]
            if ops:
                return position[rng.choice(ops)], sweep_at
    centre = sweep_at % len(order)
    return centre, (centre + step) % len(order)


def _window(
    order: list[int], sched: Schedule, centre: int, size: int, tail: int = 0
) -> tuple[list[int], list[int]]:
    """Ops whose start lies in the time window around `centre` holding ~`size` ops,
    and the `tail` ops that start after it."""
    lo_k = max(0, centre - size // 2)
    hi_k = min(len(order), lo_k + size)
    lo_k = max(0, hi_k - size)
    starts = [sched.start[i] for i in order]
    t0, t1 = starts[lo_k], starts[hi_k - 1]
    a = bisect_left(starts, t0)
    b = bisect_left(starts, t1 + 1)
    return order[a:b], order[b : b + tail]
