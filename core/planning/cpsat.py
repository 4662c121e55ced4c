"""CP-SAT model of a (sub)schedule: the only module that imports ortools.

The model covers a *free* set of operations inside a fixed context: the whole
shop for small instances, a time window for large ones (see lns.py). Work that
starts before the window keeps its machine and times. The window may be
followed by a *tail* of operations whose machine and order are pinned but whose
times float, so the model sees how its changes ripple on. Everything after that
keeps its times as upper bounds (machine free-until, next operation of the
order), so a spliced window can never push the rest of the shop: window search
is monotone, and `decode` re-times the whole schedule without cycles.

Objective: weighted tardiness first, then a secondary sum of stability (minutes
each previously planned operation moves, times `stability_weight`) and flow
(order completion times). Tardiness is multiplied by a coefficient larger than
any value the secondary sum can take, which makes the single weighted sum
exactly lexicographic: no stability or flow gain can excuse a late order, yet
one solve suffices where a two-stage lexicographic solve would double the
latency of a replan. It also makes `best_objective_bound // coefficient` a
valid lower bound on weighted tardiness.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from core.planning.calendar import WorkTime
from core.planning.problem import FROZEN, OUTSOURCED, Problem
from core.planning.sequences import Schedule, decode


@dataclass(frozen=True)
class AltVars:
    machine: int
    presence: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    interval: cp_model.IntervalVar


@dataclass(frozen=True)
class OpVars:
    start: cp_model.IntVar
    end: cp_model.IntVar
    alts: tuple[AltVars, ...]


@dataclass(frozen=True)
class SubResult:
    schedule: Schedule | None
    status: str  # OPTIMAL, FEASIBLE, UNKNOWN, INFEASIBLE
    wt_bound: int  # lower bound on weighted tardiness, valid when the window is the whole shop
    seconds: float


@dataclass
class _Built:
    model: cp_model.CpModel
    ops: dict[int, OpVars]
    hints: list[tuple[cp_model.IntVar, int]]
    big_m: int


def solve_window(
    pb: Problem,
    sched: Schedule,
    free: list[int],
    *,
    tail: list[int] | None = None,
    time_limit_s: float,
    seed: int,
    workers: int,
    previous_start: dict[int, int] | None = None,
    stability_weight: int = 1,
    probing: bool = True,
    redundant: bool = False,
    deadline: float | None = None,
) -> SubResult:
    """Re-optimize the operations in `free` (indices) and splice the result into `sched`.

    `tail` ops follow the window: they keep their machine and order but their
    times float, so the model sees how a change in the window ripples on.
    """
    built = _build(
        pb, sched, set(free), set(tail or ()), previous_start or {}, stability_weight, redundant
    )
    if deadline is not None:  # building the model took part of the budget
        time_limit_s = min(time_limit_s, deadline - time.monotonic())
        if time_limit_s <= 0.02:
            return SubResult(None, "UNKNOWN", 0, 0.0)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(time_limit_s, 0.0)
    p.random_seed = seed
    p.num_workers = workers if workers > 0 else (os.cpu_count() or 1)
    if not probing:
        p.cp_model_probing_level = 0
    for var, value in built.hints:
        built.model.add_hint(var, value)
    code = solver.solve(built.model)
    status = solver.status_name(code)
    seconds = solver.wall_time
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SubResult(None, status, 0, seconds)
    bound = int(solver.best_objective_bound) // built.big_m
    mach, seqs = _spliced_sequences(sched, built, solver)
    try:
        decoded: Schedule | None = decode(pb, mach, seqs)
    except ValueError:
        decoded = None  # the window reordered against ops it did not model
    return SubResult(decoded, status, max(bound, 0), seconds)


def _build(
    pb: Problem,
    sched: Schedule,
    window: set[int],
    tail: set[int],
    previous_start: dict[int, int],
    stability_weight: int,
    redundant: bool,
) -> _Built:
    model = cp_model.CpModel()
    hints: list[tuple[cp_model.IntVar, int]] = []
    free = window | tail
    lo = min(sched.start[i] for i in free)
    hi = max(sched.end[i] for i in free)
    ub = hi + max((hi - lo) // 2, max(pb.op_min[i] for i in free), 60)
    bounds = _machine_bounds(pb, sched, free, ub)
    intervals: dict[int, list[cp_model.IntervalVar]] = {}
    ops: dict[int, OpVars] = {}
    for i in sorted(free):
        ops[i] = _op_vars(pb, sched, model, hints, i, free, ub, bounds, intervals, i in tail)
    for m, ivs in intervals.items():
        for k, (a, b) in enumerate(pb.blocked[m]):
            if b > lo and a < ub:
                ivs.append(model.new_fixed_size_interval_var(a, b - a, f"frozen_{m}_{k}"))
        model.add_no_overlap(ivs)
    if redundant:
        _add_center_cumulatives(pb, model, intervals)
    # precedence inside the free set (predecessors outside it are folded into bounds)
    for i in free:
        if i - 1 in free and pb.op_job[i - 1] == pb.op_job[i]:
            model.add(ops[i].start >= ops[i - 1].end)
    # the tail keeps its machine order (redundant with no-overlap, but prunes at once)
    for seq in sched.seqs:
        chain = [i for i in seq if i in tail]
        for a, b in itertools.pairwise(chain):
            model.add(ops[b].start >= ops[a].end)
    tard_terms, secondary_terms, secondary_ub = _objective_terms(
        pb, sched, model, hints, ops, free, ub, previous_start, stability_weight
    )
    big_m = secondary_ub + 1
    model.minimize(
        cp_model.LinearExpr.sum(tard_terms) * big_m + cp_model.LinearExpr.sum(secondary_terms)
    )
    return _Built(model, ops, hints, big_m)


def _add_center_cumulatives(
    pb: Problem, model: cp_model.CpModel, intervals: dict[int, list[cp_model.IntervalVar]]
) -> None:
    """Redundant: a work center runs at most as many ops at once as it has machines.

    Implied by the machines' no-overlaps, but it lets CP-SAT reason about the
    center as a whole (energy and LP relaxation) before machines are chosen.
    Off by default: on three generated 60-order shops (8-10 s, 2 workers) it
    gave weighted tardiness 184/3,475/537 against 152/3,468/537 without it.
    """
    centers: dict[str, list[int]] = {}
    for m in intervals:
        centers.setdefault(pb.work_center[m], []).append(m)
    for ms in centers.values():
        if len(ms) < 2:
            continue
        ivs = [iv for m in ms for iv in intervals[m]]
        model.add_cumulative(ivs, [1] * len(ivs), len(ms))


def _machine_bounds(
    pb: Problem, sched: Schedule, free: set[int], ub: int
) -> list[tuple[int, int]]:
    """Per machine, the time range left to the free ops: after the work that stays
    ahead of them, before the old start of the work that follows them.

    The upper side is what makes window search monotone: free ops never push
    the rest of the shop, so splicing a better window can only make the whole
    schedule better.
    """
    t0 = min(sched.start[i] for i in free)
    out: list[tuple[int, int]] = []
    for seq in sched.seqs:
        ready, limit = 0, ub
        for i in seq:
            if i in free:
                continue
            if sched.start[i] < t0:
                ready = max(ready, sched.end[i])
            else:
                limit = min(limit, sched.start[i])
        out.append((ready, limit))
    return out


def _lower(pb: Problem, sched: Schedule, i: int, free: set[int]) -> int:
    j = pb.op_job[i]
    if i == pb.job_first[j]:
        return pb.release[j]
    if i - 1 in free:
        return pb.release[j]
    return sched.end[i - 1]


def _op_vars(
    pb: Problem,
    sched: Schedule,
    model: cp_model.CpModel,
    hints: list[tuple[cp_model.IntVar, int]],
    i: int,
    free: set[int],
    ub: int,
    bounds: list[tuple[int, int]],
    intervals: dict[int, list[cp_model.IntervalVar]],
    pinned: bool,
) -> OpVars:
    lb = _lower(pb, sched, i, free)
    s0, e0 = sched.start[i], sched.end[i]
    top = max(ub, e0)
    j = pb.op_job[i]
    if i + 1 < pb.job_last[j] and i + 1 not in free:
        top = min(top, sched.start[i + 1])  # the job's next op stays where it is
    start = model.new_int_var(lb, top, f"s_{i}")
    end = model.new_int_var(lb, top, f"e_{i}")
    hints += [(start, s0), (end, e0)]
    if pb.op_kind[i] == OUTSOURCED:
        model.add(end == start + pb.op_min[i])
        return OpVars(start, end, ())
    assert pb.op_kind[i] != FROZEN
    alts: list[AltVars] = []
    for m, minutes in sorted(pb.op_alts[i].items()):
        if pinned and m != sched.mach[i]:
            continue
        a_lb = max(lb, bounds[m][0])
        a_top = min(top, bounds[m][1])
        if a_lb > a_top and sched.mach[i] != m:
            continue
        lit = model.new_bool_var(f"x_{i}_{m}")
        chosen = sched.mach[i] == m
        av = _alt_vars(
            model, hints, pb.worktime[m], i, m, minutes, a_lb, a_top, lit, chosen, s0, e0
        )
        if av is None:
            model.add(lit == 0)
            hints.append((lit, 0))
            continue
        model.add(start == av.start).only_enforce_if(lit)
        model.add(end == av.end).only_enforce_if(lit)
        hints.append((lit, int(chosen)))
        alts.append(av)
        intervals.setdefault(m, []).append(av.interval)
    model.add_exactly_one(a.presence for a in alts)
    return OpVars(start, end, tuple(alts))


def _alt_vars(
    model: cp_model.CpModel,
    hints: list[tuple[cp_model.IntVar, int]],
    wt: WorkTime,
    i: int,
    m: int,
    minutes: int,
    lb: int,
    end_ub: int,
    lit: cp_model.IntVar,
    chosen: bool,
    s0: int,
    e0: int,
) -> AltVars | None:
    """Start, end and interval of op i on machine m within [lb, end_ub].

    Calendars become the start variable's domain (a whole op must start where
    it still fits its window); a pausable op's length grows by each break it
    straddles, one Boolean per break in range.
    """
    pausing = wt.can_pause and not wt.always_open
    last_start = end_ub - 1 if pausing else end_ub - minutes
    dom = wt.start_domain(lb, last_start, minutes)
    if chosen and not any(a <= s0 <= b for a, b in dom):
        dom = sorted(dom + [(s0, s0)])
    if not dom:
        return None
    s = model.new_int_var_from_domain(cp_model.Domain.from_intervals(dom), f"s_{i}_{m}")
    e = model.new_int_var(lb, max(end_ub, e0), f"e_{i}_{m}")
    hs = s0 if chosen else dom[0][0]
    if not pausing:
        iv = model.new_optional_interval_var(s, minutes, e, lit, f"iv_{i}_{m}")
        hints.extend([(s, hs), (e, hs + minutes)])
        return AltVars(m, lit, s, e, iv)
    he = e0 if chosen else min(wt.end_after(hs, minutes), max(end_ub, e0))
    size = model.new_int_var(0, max(end_ub, e0) - lb, f"len_{i}_{m}")
    straddled = []
    for k, (ga, gb) in enumerate(wt.breaks_between(lb, max(end_ub, e0))):
        if ga <= lb:
            continue
        before = model.new_bool_var(f"u_{i}_{m}_{k}")  # starts before the break
        after = model.new_bool_var(f"v_{i}_{m}_{k}")  # ends after the break
        x = model.new_bool_var(f"w_{i}_{m}_{k}")
        model.add(s <= ga - 1).only_enforce_if([before, lit])
        model.add(s >= ga).only_enforce_if([~before, lit])
        model.add(e >= gb + 1).only_enforce_if([after, lit])
        model.add(e <= ga).only_enforce_if([~after, lit])
        model.add_bool_and([before, after]).only_enforce_if(x)
        model.add_bool_or([~before, ~after, x])
        straddled.append((x, gb - ga))
        hb, ha = (hs < ga, he > ga) if chosen else (False, False)
        hints.extend([(before, int(hb)), (after, int(ha)), (x, int(hb and ha))])
    model.add(size == minutes + sum(x * length for x, length in straddled)).only_enforce_if(lit)
    iv = model.new_optional_interval_var(s, size, e, lit, f"iv_{i}_{m}")
    hints.extend([(s, hs), (e, he), (size, he - hs if chosen else 0)])
    return AltVars(m, lit, s, e, iv)


def _objective_terms(
    pb: Problem,
    sched: Schedule,
    model: cp_model.CpModel,
    hints: list[tuple[cp_model.IntVar, int]],
    ops: dict[int, OpVars],
    free: set[int],
    ub: int,
    previous_start: dict[int, int],
    stability_weight: int,
) -> tuple[list[cp_model.LinearExprT], list[cp_model.LinearExprT], int]:
    last_free: dict[int, int] = {}
    for i in free:
        j = pb.op_job[i]
        last_free[j] = max(last_free.get(j, -1), i)
    tard: list[cp_model.LinearExprT] = []
    secondary: list[cp_model.LinearExprT] = []
    secondary_ub = 0
    for j, i in last_free.items():
        # jobs that continue after the window: completion = end + the old gap to completion
        gap = sched.end[pb.job_last[j] - 1] - sched.end[i]
        due = pb.due[j] - gap
        top = max(ub, sched.end[i]) + 10 * max(pb.op_min[i], 1)
        t = model.new_int_var(0, max(0, top - due), f"t_{j}")
        model.add(t >= ops[i].end - due)
        hints.append((t, max(0, sched.end[i] - due)))
        if pb.weight[j]:
            tard.append(pb.weight[j] * t)
        secondary.append(ops[i].end)
        secondary_ub += top
    if stability_weight > 0:
        for i in free:
            if i not in previous_start:
                continue
            old = previous_start[i]
            top = max(ub, sched.end[i]) + 10 * max(pb.op_min[i], 1)
            span = max(top, old)
            d = model.new_int_var(0, span, f"d_{i}")
            model.add_abs_equality(d, ops[i].start - old)
            hints.append((d, abs(sched.start[i] - old)))
            secondary.append(stability_weight * d)
            secondary_ub += stability_weight * span
    return tard, secondary, secondary_ub


def _spliced_sequences(
    sched: Schedule, built: _Built, solver: cp_model.CpSolver
) -> tuple[list[int], list[list[int]]]:
    """Machines and sequences: work ahead of the window, the window by new start, the rest."""
    mach = sched.mach[:]
    new_start: dict[int, int] = {}
    for i, ov in built.ops.items():
        new_start[i] = solver.value(ov.start)
        for av in ov.alts:
            if solver.boolean_value(av.presence):
                mach[i] = av.machine
    t0 = min(sched.start[i] for i in built.ops)
    seqs: list[list[int]] = []
    for m, seq in enumerate(sched.seqs):
        before = [i for i in seq if i not in built.ops and sched.start[i] < t0]
        after = [i for i in seq if i not in built.ops and sched.start[i] >= t0]
        mine = sorted((i for i in built.ops if mach[i] == m), key=lambda i: (new_start[i], i))
        seqs.append(before + mine + after)
    return mach, seqs
