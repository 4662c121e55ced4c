"""Factory benchmark for the planning engine.

    python -m bench.shop --instance FILE --time-limit S [--plan-out FILE]
    python -m bench.shop --orders N --seed K --time-limit S

The first form reads a `gongdan-shop-1` instance (see shared/bench/README.md beside the checkout);
the second generates a factory with shift calendars (some work centres may
pause over a break), material release dates, customer-tier and rush weights
and outsourced steps. Either way it prints one JSON line: the plan's weighted
tardiness next to the EDD plan and the best dispatch rule made in the same run
(the textbook rules the targets are set against: EDD and ATC with several
look-ahead factors, each op on whichever machine finishes it first; and, to
show where the planner's gain comes from, the best capacity-aware ATC, which
keeps ops near their fastest machine), the time to a first plan, and a rush
order inserted into the finished plan (replan time, how many other operations
changed machine or queue order).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from dataclasses import replace

from core.planning.diff import reordered
from core.planning.dispatch import capacity_rules, default_rules, dispatch
from core.planning.engine import plan, replan
from core.planning.problem import compile_problem
from core.planning.sequences import weighted_tardiness
from core.planning.types import (
    Alternative,
    Calendar,
    Job,
    Machine,
    Operation,
    PlanInput,
    PlanResult,
    SolveParams,
)
from core.planning.validate import violations

DAY = 1440


def load_instance(path: str) -> PlanInput:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != "gongdan-shop-1":
        raise SystemExit(f"{path}: not a gongdan-shop-1 instance")
    n_machines = int(data["machines"])
    jobs = tuple(
        Job(
            f"J{j}",
            int(x["r"]),
            int(x["d"]),
            int(x["w"]),
            tuple(
                Operation(f"J{j}.{o}", tuple(Alternative(f"M{m}", int(p)) for m, p in alts))
                for o, alts in enumerate(x["ops"])
            ),
        )
        for j, x in enumerate(data["jobs"])
    )
    machines = tuple(Machine(f"M{m}", f"WC{m // 3}") for m in range(n_machines))
    horizon = max((j.due for j in jobs), default=0) * 4 + 1
    return PlanInput(jobs, machines, {}, horizon)


def generate(orders: int, seed: int) -> PlanInput:
    """A 10-centre, 30-machine factory on two shifts, with materials arriving over time."""
    rng = random.Random(seed)
    centres = [f"WC{c}" for c in range(10)]
    machines = tuple(Machine(f"M{c * 3 + k}", centres[c]) for c in range(10) for k in range(3))
    est_days = max(5, orders * 6 * 140 // (30 * 840) * 2)
    shifts = tuple(
        w
        for d in range(est_days)
        if d % 7 != 6
        for w in ((d * DAY + 360, d * DAY + 720), (d * DAY + 780, d * DAY + 1320))
    )
    calendars = {
        wc: Calendar(wc, None if c >= 8 else shifts, can_pause=c < 4)
        for c, wc in enumerate(centres)
    }
    bottlenecks = {3, 6}
    jobs: list[Job] = []
    span = est_days * DAY * 2 // 3
    for j in range(orders):
        qty = rng.randint(1, 40)
        route = sorted(rng.sample(range(10), rng.randint(4, 7)))
        ops: list[Operation] = []
        total = 0
        for o, c in enumerate(route):
            key = f"O{j}.{o}"
            if rng.random() < 0.06:
                lead = rng.randint(1, 3) * DAY
                ops.append(Operation(key, (), lead_minutes=lead, name="outsourced"))
                total += lead
                continue
            setup = rng.randint(10, 60)
            run = rng.randint(1, 6) * (2 if c in bottlenecks else 1)
            minutes = min(setup + qty * run, 330)
            alts = [k for k in range(3) if rng.random() < 0.6] or [rng.randrange(3)]
            ops.append(
                Operation(
                    key,
                    tuple(
                        Alternative(f"M{c * 3 + k}", minutes + rng.randint(0, 20)) for k in alts
                    ),
                )
            )
            total += minutes
        release = rng.randint(0, span)
        rush = rng.random() < 0.05
        tier = rng.choice((1, 1, 2, 3))
        due = release + int(total * rng.uniform(1.5, 4.0)) + rng.randint(0, 4) * DAY
        jobs.append(Job(f"WO{j}", release, due, tier * (4 if rush else 1), tuple(ops)))
    return PlanInput(tuple(jobs), machines, calendars, est_days * DAY)


def with_rush(inp: PlanInput, seed: int) -> tuple[PlanInput, str]:
    """The input plus one urgent copy of a random order, released now and due soon."""
    rng = random.Random(seed + 7919)
    model = rng.choice(inp.jobs)
    ops = tuple(replace(op, key=f"RUSH.{k}", frozen=None) for k, op in enumerate(model.ops))
    work = sum(min((a.minutes for a in op.alternatives), default=op.lead_minutes) for op in ops)
    top = max((j.weight for j in inp.jobs), default=1)
    rush = Job("RUSH", 0, int(work * 1.5) + 120, top * 5, ops)
    return replace(inp, jobs=inp.jobs + (rush,)), rush.ref


def rule_baselines(inp: PlanInput, params: SolveParams) -> tuple[int, int, str, int, str]:
    """EDD, the best textbook rule, and the best capacity-aware ATC, with their names."""
    pb = compile_problem(inp)
    scores = [
        (weighted_tardiness(pb, dispatch(pb, r)), r.name) for r in default_rules(params.atc_k)
    ]
    aware = min(
        (weighted_tardiness(pb, dispatch(pb, r)), r.name) for r in capacity_rules(params.atc_k)
    )
    edd = scores[0][0]
    best = min(scores)
    return edd, best[0], best[1], aware[0], aware[1]


def write_plan(path: str, inp: PlanInput, result: PlanResult) -> None:
    """Write the plan in the README's format: per job, per op, [start, machine number]."""
    rows = [
        [
            [result.assignments[op.key].start, int(result.assignments[op.key].machine[1:])]
            for op in job.ops
        ]
        for job in inp.jobs
    ]
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"plan": rows}, f)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.shop", description=__doc__)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--instance")
    src.add_argument("--orders", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument(
        "--rush-time-limit",
        type=float,
        default=1.5,
        help="whole budget of the rush replan, result included",
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--window", type=int, default=SolveParams.lns_window_ops)
    ap.add_argument("--plan-out")
    ap.add_argument("--no-rush", action="store_true")
    args = ap.parse_args(argv)

    t0 = time.monotonic()
    inp = load_instance(args.instance) if args.instance else generate(args.orders, args.seed)
    params = SolveParams(
        time_limit_s=args.time_limit,
        seed=args.seed,
        workers=args.workers,
        lns_window_ops=args.window,
    )
    result = plan(inp, params)
    out: dict[str, object] = {
        "instance": args.instance or f"generated:{args.orders}:{args.seed}",
        "orders": len(inp.jobs),
        "weighted_tardiness": result.objective,
        "lower_bound": result.lower_bound,
        "status": result.status,
        "method": result.method,
        "first_solution_seconds": round(result.first_solution_seconds, 3),
        "plan_seconds": round(result.seconds, 2),
        "violations": len(violations(inp, result)),
    }
    edd, best_rule, best_name, aware, aware_name = rule_baselines(inp, params)
    out |= {
        "edd_weighted_tardiness": edd,
        "best_rule_weighted_tardiness": best_rule,
        "best_rule": best_name,
        "ratio_to_best_rule": round(result.objective / best_rule, 4) if best_rule else None,
        "capacity_rule_weighted_tardiness": aware,
        "capacity_rule": aware_name,
        "ratio_to_capacity_rule": round(result.objective / aware, 4) if aware else None,
    }
    if args.plan_out and args.instance:
        write_plan(args.plan_out, inp, result)
    if not args.no_rush:
        rushed, ref = with_rush(inp, args.seed)
        t = time.monotonic()
        after = replan(rushed, result, [ref], replace(params, time_limit_s=args.rush_time_limit))
        others = [k for k in result.assignments]
        moved = [k for k in reordered(result, after) if not k.startswith(f"{ref}.")]
        out |= {
            "rush_replan_seconds": round(time.monotonic() - t, 3),
            "ops_moved": len(moved),
            "total_ops": len(others),
            "rush_tardiness": after.jobs[ref].tardiness,
            "rush_weighted_tardiness_after": after.objective,
            "rush_violations": len(violations(rushed, after)),
        }
    out |= {
        "seconds": round(time.monotonic() - t0, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
