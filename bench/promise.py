"""A quoted date is a promise: quote, order for that date, replan as confirm does, check.

    python -m bench.promise [--quotes N] [--polish-seconds S] [--guard-minutes M]

Over random quotes on the shop instances (shared/bench/shop, format gongdan-shop-1, read as
bench/shop.py reads them) and on generated shops with shift calendars, outsourced
steps and tier weights (bench/shop.py `generate`): for each quote a new job copied
from a random order of the shop (its operations, a quantity factor, a material
release up to a week out, a tier weight), then

1. quote: `core.ordering.ctp.earliest` on the shop's current plan (repair only);
2. order it for the quoted day: the repair confirm commits (`engine.replan` without
   the solver), then the background polish (`engine.replan` with the solver, one
   worker, as `Polisher` runs it);
3. check the job's end in both plans against the quoted day's due minute.

Orders stay in the shop, so each shop fills up as quotes are taken. Prints one JSON
line: on-time rate after the repair and after the polish, tightness (quoted due
minus achieved end, in days: median, p90), quote latency (median, p90, max) per
shop size.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench.shop import generate, load_instance
from core.ordering.ctp import DAY, GUARD_MINUTES, earliest
from core.planning import engine
from core.planning.types import Job, Operation, PlanInput, SolveParams

SHOPS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "shop"
DUE0 = 17 * 60  # the epoch is midnight of day 0; an order is due at 17:00 of its day


@dataclass
class Sample:
    shop: str
    orders: int
    day: int
    latency: float
    repairs: int
    slack_repair: int  # due minute - end, after the confirm's repair
    slack_polish: int  # after the polish


def _shops(quotes: int, seed: int) -> list[tuple[str, PlanInput, int]]:
    """(name, shop, quotes on it): the README's instances and generated shops with calendars."""
    out: list[tuple[str, PlanInput, int]] = []
    for name, share in (("shop_200_s1", 0.25), ("shop_1000_s1", 0.15)):
        path = SHOPS / f"{name}.json"
        if path.exists():
            out.append((name, load_instance(str(path)), max(1, int(quotes * share))))
    rest = quotes - sum(n for _, _, n in out)
    gens = [(80, seed), (200, seed + 1), (200, seed + 2), (400, seed + 3)]
    for k, (orders, s) in enumerate(gens):
        n = rest // len(gens) + (1 if k < rest % len(gens) else 0)
        out.append((f"generated:{orders}:{s}", generate(orders, s), n))
    return out


def _prospective(inp: PlanInput, rng: random.Random, n: int) -> Job:
    model = rng.choice(inp.jobs)
    factor = rng.choice((0.5, 1.0, 1.0, 1.5, 2.0))
    ops = tuple(
        Operation(f"NEW{n}.{k}",
                  tuple(replace(a, minutes=max(1, int(a.minutes * factor)))
                        for a in op.alternatives),
                  lead_minutes=op.lead_minutes, name=op.name)
        for k, op in enumerate(model.ops))
    release = rng.choice((0, 0, 0, rng.randint(1, 7) * DAY + 8 * 60))
    return Job(f"NEW{n}", release, 0, rng.choice((1, 1, 2, 4)), ops)


def run(quotes: int, polish_seconds: float, guard: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    what_if = SolveParams(time_limit_s=1.5, seed=0, workers=1, use_cpsat=False)
    polish = SolveParams(time_limit_s=polish_seconds, seed=0, workers=1)
    samples: list[Sample] = []
    for name, inp, n_quotes in _shops(quotes, seed):
        plan = engine.plan(inp, replace(polish, time_limit_s=3.0))
        for _ in range(n_quotes):
            job = _prospective(inp, rng, len(samples))
            t = time.monotonic()
            promise = earliest(inp, plan, job, what_if, DUE0, guard)
            latency = time.monotonic() - t
            due = DUE0 + promise.day * DAY
            ordered = replace(inp, jobs=inp.jobs + (replace(job, due=due),),
                              horizon=max(inp.horizon, due + 60 * DAY))
            repaired = engine.replan(ordered, plan, [job.ref], what_if)
            polished = engine.replan(ordered, repaired, [job.ref], polish)
            samples.append(Sample(name, len(inp.jobs), promise.day, latency, promise.repairs,
                                  due - repaired.jobs[job.ref].end,
                                  due - polished.jobs[job.ref].end))
            inp, plan = ordered, polished
    return _report(samples, polish_seconds, guard)


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else 0.0


def _report(samples: list[Sample], polish_seconds: float, guard: int) -> dict[str, object]:
    n = len(samples)
    kept_repair = sum(1 for s in samples if s.slack_repair >= 0)
    kept_polish = sum(1 for s in samples if s.slack_polish >= 0)
    tight = [s.slack_polish / DAY for s in samples]
    by_size: dict[str, dict[str, float]] = {}
    for label, lo, hi in (("<=300 orders", 0, 300), ("300-700 orders", 300, 700),
                          (">=1000 orders", 1000, 10**9)):
        lat = [s.latency for s in samples if lo <= s.orders < hi]
        if lat:
            by_size[label] = {"quotes": len(lat), "median_s": round(statistics.median(lat), 3),
                              "p90_s": round(_pct(lat, 0.9), 3), "max_s": round(max(lat), 3)}
    late = [{"shop": s.shop, "day": s.day, "late_minutes": -s.slack_polish}
            for s in samples if s.slack_polish < 0]
    return {
        "quotes": n,
        "guard_minutes": guard,
        "polish_seconds": polish_seconds,
        "on_time_rate_after_repair": round(kept_repair / n, 4) if n else None,
        "on_time_rate": round(kept_polish / n, 4) if n else None,
        "tightness_days": {"median": round(statistics.median(tight), 2) if tight else None,
                           "p90": round(_pct(tight, 0.9), 2) if tight else None},
        "quoted_days": {"median": statistics.median([s.day for s in samples]) if n else None,
                        "max": max((s.day for s in samples), default=None)},
        "repairs_per_quote": {"median": statistics.median([s.repairs for s in samples]) if n
                              else None, "max": max((s.repairs for s in samples), default=None)},
        "latency": by_size,
        "late": late[:20],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.promise", description=__doc__)
    ap.add_argument("--quotes", type=int, default=200)
    ap.add_argument("--polish-seconds", type=float, default=2.0)
    ap.add_argument("--guard-minutes", type=int, default=GUARD_MINUTES)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    out = run(args.quotes, args.polish_seconds, args.guard_minutes, args.seed)
    out["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
