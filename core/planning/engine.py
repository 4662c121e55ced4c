"""Planning entry points: full plan and incremental replan.

Both are blocking and keep all state in local variables, so callers may run
several in worker threads (`asyncio.to_thread`) at once.

Pipeline: dispatch rules (EDD, ATC with several look-ahead factors) give a
plan within a fraction of a second, so the shop always has one; the best of
them (or the repaired previous plan) is the complete hint for CP-SAT, which
solves the whole shop when it is small. A large shop is not one CP-SAT model:
a search over the rule itself (search.py) and then a local search over the
machine queues (sequence_search.py) improve a whole plan; a replan after a
change repairs the previous plan and polishes CP-SAT time windows around the
change (lns.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection

from core.planning.cpsat import solve_window
from core.planning.dispatch import Rule, capacity_rules, default_rules, dispatch
from core.planning.lns import improve
from core.planning.objective import cost
from core.planning.problem import FROZEN, Problem, compile_problem
from core.planning.repair import previous_starts, repair
from core.planning.result import to_result
from core.planning.search import rule_search
from core.planning.sequence_search import descend, make_room
from core.planning.sequences import Schedule
from core.planning.types import PlanInput, PlanResult, SolveParams

ROOM_SHARE = 0.5  # of a replan's time, at most, for make_room
FINISH_SECONDS_PER_OP = 2.5e-5  # measured: 0.35-0.7 s to build a result of 30k ops (shared CPU)


def plan(inp: PlanInput, params: SolveParams, previous: PlanResult | None = None) -> PlanResult:
    """A full plan within `params.time_limit_s`, hinted by (and kept close to) `previous`."""
    t0 = time.monotonic()
    deadline = t0 + params.time_limit_s
    pb = compile_problem(inp)
    prev_start = previous_starts(pb, previous.assignments) if previous else None
    first = 0.0
    candidates: list[tuple[str, Schedule, Rule | None]] = []
    if previous is not None:
        candidates.append(("repair", repair(pb, previous.assignments, ())[0], None))
    rules = default_rules(params.atc_k) + capacity_rules(params.atc_k[:1])
    for n, rule in enumerate(rules):
        if n >= 2 and time.monotonic() >= deadline:
            break  # EDD and the first ATC always run; more rules only within the limit
        candidates.append((rule.name, dispatch(pb, rule), rule))
        first = first or time.monotonic() - t0
    costs = [cost(pb, sched, prev_start, params.stability_weight) for _, sched, _ in candidates]
    k = min(range(len(candidates)), key=lambda n: costs[n])
    method, best, best_rule = candidates[k]
    best_cost = costs[k]
    schedulable = sum(1 for i in range(pb.n_ops) if pb.op_kind[i] != FROZEN)
    if (
        params.use_cpsat
        and schedulable > params.monolithic_max_ops
        and best_rule is not None
        and best_rule.kind == "atc"
    ):
        # part of the time searches the rule (search.py), the rest the sequences
        share = t0 + (deadline - t0) * params.search_share
        best, best_cost, stats = rule_search(
            pb,
            best_rule,
            best,
            best_cost,
            deadline=share,
            seed=params.seed,
            previous_start=prev_start,
            stability_weight=params.stability_weight,
        )
        if stats.improved:
            alt = "" if stats.alt_slack == math.inf else f",alt={stats.alt_slack:g}"
            method = f"{method}+search(k={stats.k:.2f}{alt},{stats.improved}/{stats.passes})"
    return _optimize(pb, best, method, params, deadline, t0, first, prev_start, None)


def replan(
    inp: PlanInput, previous: PlanResult, changed: Collection[str], params: SolveParams
) -> PlanResult:
    """Repair `previous` after changes to the jobs in `changed`, then polish around them.

    Unchanged orders keep their machine sequences; CP-SAT windows are centred
    on the re-inserted orders' operations, so the work is local and the time
    does not grow with the size of the shop beyond the linear decode.
    """
    t0 = time.monotonic()
    deadline = t0 + params.time_limit_s
    pb = compile_problem(inp)
    prev_start = previous_starts(pb, previous.assignments)
    sched, redone = repair(pb, previous.assignments, changed, reinsert_changed=False)
    method = "repair"
    refs = set(changed)
    touched = {j for j, ref in enumerate(pb.job_refs) if ref in refs} | set(redone)
    if touched - set(redone):  # some changed jobs kept their places: try re-inserting them
        other, _ = repair(pb, previous.assignments, changed, reinsert_changed=True)
        sw = params.stability_weight
        if cost(pb, other, prev_start, sw) < cost(pb, sched, prev_start, sw):
            sched, method = other, "repair(reinserted)"
    focus = [
        i
        for j in sorted(touched)
        for i in range(pb.job_first[j], pb.job_last[j])
        if pb.op_kind[i] != FROZEN
    ]
    # deterministic and cheap (tens of moves), so a what-if without the solver
    # shows the same relief the real replan will find; in a large saturated shop
    # each move re-times long queues (35 ms at 30k ops), hence its share of the time
    now = time.monotonic()
    room_end = now + (deadline - now - FINISH_SECONDS_PER_OP * pb.n_ops) * ROOM_SHARE
    sched, _, room = make_room(pb, sched, cost(pb, sched, None, 0), focus, deadline=room_end)
    if room.kept:
        method = f"{method}+room({room.kept}/{room.tried})"
    first = time.monotonic() - t0
    return _optimize(pb, sched, method, params, deadline, t0, first, prev_start, focus)


def _optimize(
    pb: Problem,
    sched: Schedule,
    method: str,
    params: SolveParams,
    deadline: float,
    t0: float,
    first: float,
    prev_start: dict[int, int] | None,
    focus: list[int] | None,
) -> PlanResult:
    status = "HEURISTIC"
    bound = pb.lower_bound()
    # keep time to build the result (KPIs over every op) inside the caller's limit
    deadline -= FINISH_SECONDS_PER_OP * pb.n_ops
    schedulable = [i for i in range(pb.n_ops) if pb.op_kind[i] != FROZEN]
    if params.use_cpsat and schedulable and deadline - time.monotonic() > 0.05:
        if len(schedulable) <= params.monolithic_max_ops:
            sub = solve_window(
                pb,
                sched,
                schedulable,
                time_limit_s=deadline - time.monotonic(),
                deadline=deadline,
                seed=params.seed,
                workers=params.workers,
                previous_start=prev_start,
                stability_weight=params.stability_weight,
            )
            if sub.schedule is not None:
                c_new = cost(pb, sub.schedule, prev_start, params.stability_weight)
                if c_new <= cost(pb, sched, prev_start, params.stability_weight):
                    sched, method = sub.schedule, f"{method}+cpsat"
                status = "OPTIMAL" if sub.status == "OPTIMAL" else "FEASIBLE"
                bound = max(bound, sub.wt_bound)
        else:
            if focus is not None:
                # a replan first polishes CP-SAT windows centred on the change, small
                # ones as it must be fast, then the queue descent takes the rest
                share = (
                    time.monotonic() + (deadline - time.monotonic()) * params.replan_window_share
                )
                shrink = 3
                sched, _, stats = improve(
                    pb,
                    sched,
                    deadline=share,
                    window_ops=params.lns_window_ops // shrink,
                    tail_ops=params.lns_tail_ops // shrink,
                    step_s=params.lns_step_s,
                    seed=params.seed,
                    workers=params.workers,
                    previous_start=prev_start,
                    stability_weight=params.stability_weight,
                    focus=focus,
                )
                if stats.windows:
                    status = "FEASIBLE"
                    method = f"{method}+lns({stats.improved}/{stats.windows})"
            # CP-SAT windows barely move weighted tardiness at this size (on
            # shop_1000_s1, 197,314 -> 197,216 in 30 s); moving late orders'
            # operations ahead in their queues does (186,784 in 10 s from 189,700)
            if deadline - time.monotonic() > 0.05:
                sched, _, dstats = descend(
                    pb,
                    sched,
                    cost(pb, sched, None, 0),
                    deadline=deadline,
                    seed=params.seed,
                    wt_only=prev_start is not None,
                )
                if dstats.tried:
                    status = "FEASIBLE"
                    method = f"{method}+descent({dstats.kept}/{dstats.tried})"
    return to_result(
        pb,
        sched,
        status=status,
        lower_bound=bound,
        method=method,
        seconds=time.monotonic() - t0,
        first_solution_seconds=first,
    )
