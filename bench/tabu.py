"""`python -m bench.tabu --set SPEC --time-limit S --seeds A-B [--setting KEY=VALUE ...]`.

The compiled job-shop tabu search alone: one thread, from the dispatch
schedule, one run per seed. In the 10 s pipeline two runs and CP-SAT share
the time, so a change to the search's settings shows there mostly as noise;
the figures in `TabuSettings`' docstring were measured this way. Prints a
JSON line per instance, then a summary line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Sequence

from bench.instances import JSP_DIR, expand_set, known_bounds, parse_jsplib, parse_seeds
from bench.makespan import best_dispatch
from bench.makespan.compiled_tabu import compiled_tabu_search, ensure_compiled
from bench.makespan.tabu_settings import TabuSettings


def parse_settings(pairs: Sequence[str]) -> TabuSettings:
    """KEY=VALUE pairs over `TabuSettings`' integer fields; `insertions` takes 0 or 1."""
    fields = {f.name for f in dataclasses.fields(TabuSettings)}
    values: dict[str, int | bool] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or key not in fields:
            raise SystemExit(
                f"--setting {pair!r}: expected KEY=VALUE, KEY one of {sorted(fields)}"
            )
        try:
            number = int(raw)
        except ValueError:
            raise SystemExit(f"--setting {pair!r}: the value must be an integer") from None
        values[key] = bool(number) if key == "insertions" else number
    return TabuSettings(**values)  # type: ignore[arg-type]


def run_instance(
    name: str, seconds: float, seeds: Sequence[int], settings: TabuSettings
) -> dict[str, object]:
    """One run per seed; the gap is to the optimum or best known upper bound."""
    instance = parse_jsplib(JSP_DIR / name)
    makespans: list[int] = []
    iterations: list[int] = []
    for seed in seeds:
        start = best_dispatch(instance, seed, noisy_runs=0).schedule
        deadline = time.monotonic() + seconds
        outcome = compiled_tabu_search(
            instance, start, instance.trivial_lower_bound(), deadline, seed, settings
        )
        makespans.append(outcome.schedule.makespan)
        iterations.append(outcome.iterations)
    row: dict[str, object] = {"instance": name, "makespans": makespans, "iterations": iterations}
    known = known_bounds(name)
    if known is not None:
        gaps = [known.gap_pct(m) for m in makespans]
        row |= {
            "optimum_or_best_known": known.upper,
            "mean_gap_pct": round(statistics.fmean(gaps), 3),
        }
    return row


def run(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The compiled job-shop tabu search alone.")
    ap.add_argument("--set", required=True, help="names/ranges, e.g. la36-la40,ta01-ta10")
    ap.add_argument("--time-limit", type=float, default=3.0, help="seconds per run")
    ap.add_argument("--seeds", default="0-1", help="N or A-B; one run per seed")
    ap.add_argument("--setting", action="append", default=[], help="TabuSettings KEY=VALUE")
    args = ap.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    settings = parse_settings(args.setting)
    names = expand_set(args.set, [])
    missing = [n for n in names if not (JSP_DIR / n).is_file()]
    if missing:
        raise SystemExit(f"no instance {', '.join(missing)} in {JSP_DIR}")
    ensure_compiled()
    rows = []
    for name in names:
        row = run_instance(name, args.time_limit, seeds, settings)
        print(json.dumps(row), flush=True)
        rows.append(row)
    gaps = [float(r["mean_gap_pct"]) for r in rows if "mean_gap_pct" in r]  # type: ignore[arg-type]
    summary = {
        "summary": True,
        "instances": len(rows),
        "runs": len(rows) * len(seeds),
        "time_limit": args.time_limit,
        "seeds": seeds,
        "settings": {k: v for k, v in dataclasses.asdict(settings).items() if v is not None},
        "mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(run())
