"""Benchmark instance files (JSPLIB, Brandimarte), their known bounds, and the
shared runner behind `python -m bench.jsp` and `python -m bench.fjsp`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.makespan import (
    Alternative,
    ModelOptions,
    Operation,
    ShopInstance,
    SolveOptions,
    solve_makespan,
    warm_up,
)
from bench.shared import BENCH

BENCH_ROOT = BENCH
JSP_DIR = BENCH_ROOT / "jsp"
FJSP_DIR = BENCH_ROOT / "fjsp" / "brandimarte"

Parser = Callable[[Path], ShopInstance]


def _numbers(lines: Sequence[str]) -> list[int]:
    return [int(float(tok)) for line in lines for tok in line.split()]


def parse_jsplib(path: Path) -> ShopInstance:
    """`#` comments, then `jobs machines`, then a line of (machine, duration) pairs per job."""
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    num_jobs, num_machines = (int(t) for t in lines[0].split()[:2])
    jobs: list[tuple[Operation, ...]] = []
    for line in lines[1 : 1 + num_jobs]:
        vals = _numbers([line])
        pairs = zip(vals[0::2], vals[1::2], strict=False)
        jobs.append(tuple(Operation((Alternative(m, d),)) for m, d in pairs))
    if len(jobs) != num_jobs:
        raise ValueError(f"{path}: expected {num_jobs} jobs, found {len(jobs)}")
    return ShopInstance(path.stem, num_machines, tuple(jobs))


def parse_brandimarte(path: Path) -> ShopInstance:
    """`jobs machines [avg]`, then per job: #ops, per op: #alts and (machine, duration) pairs.

    The format says machines count from 1, but the shipped files count from
    0 (their .json twins agree), so a file that uses machine 0 is read as
    0-based and any other one as 1-based.
    """
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    num_jobs, num_machines = (int(float(t)) for t in lines[0].split()[:2])
    vals = _numbers(lines[1:])
    pos = 0
    raw_jobs: list[list[list[tuple[int, int]]]] = []
    for _ in range(num_jobs):
        num_ops, pos = vals[pos], pos + 1
        ops: list[list[tuple[int, int]]] = []
        for _ in range(num_ops):
            num_alts, pos = vals[pos], pos + 1
            ops.append([(vals[pos + 2 * k], vals[pos + 2 * k + 1]) for k in range(num_alts)])
            pos += 2 * num_alts
        raw_jobs.append(ops)
    machines = [m for job in raw_jobs for op in job for m, _ in op]
    offset = 0 if min(machines) == 0 else 1
    if max(machines) - offset >= num_machines:
        raise ValueError(f"{path}: machine index out of range")
    jobs = tuple(
        tuple(Operation(tuple(Alternative(m - offset, d) for m, d in op)) for op in job)
        for job in raw_jobs
    )
    return ShopInstance(path.stem, num_machines, jobs)


@dataclass(frozen=True)
class KnownBound:
    """Best known makespan (`upper`) and best proven `lower`; equal when optimal."""

    lower: int
    upper: int

    def gap_pct(self, makespan: int) -> float:
        """Percent above the optimum or best known upper bound."""
        return 100.0 * (makespan - self.upper) / self.upper


def known_bounds(name: str) -> KnownBound | None:
    """bounds.json merges the newer published results, so it wins over instances.json."""
    table = json.loads((BENCH_ROOT / "bounds.json").read_text())
    entry = table.get(name)
    if entry is None:
        return None
    if entry.get("optimum") is not None:
        return KnownBound(entry["optimum"], entry["optimum"])
    bounds = entry.get("bounds")
    if bounds:
        return KnownBound(int(bounds[0]), int(bounds[1]))
    return None


def expand_set(spec: str, available: Sequence[str]) -> list[str]:
    """`la36-la40,ta01,all` -> names; a range keeps the prefix and digit width."""
    names: list[str] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        if part == "all":
            names.extend(available)
            continue
        match = re.fullmatch(r"([a-z]+)(\d+)-([a-z]+)?(\d+)", part)
        if match is None:
            names.append(part)
            continue
        prefix, first, _, last = match.groups()
        width = len(first)
        names.extend(f"{prefix}{k:0{width}d}" for k in range(int(first), int(last) + 1))
    return names


def solve_file(path: Path, parser: Parser, options: SolveOptions) -> dict[str, object]:
    """Solve one file and report it in the bench's JSON shape."""
    instance = parser(path)
    result = solve_makespan(instance, options)
    row: dict[str, object] = {
        "instance": instance.name,
        "makespan": result.makespan,
        "lower_bound": result.lower_bound,
        "status": result.status,
        "seconds": result.seconds,
    }
    known = known_bounds(instance.name)
    if known is not None:
        row["optimum_or_best_known"] = known.upper
        if result.makespan is not None:
            row["gap_pct"] = round(known.gap_pct(result.makespan), 3)
    row.update({k: v for k, v in result.stats})
    return row


def parse_seeds(spec: str) -> list[int]:
    """`3` or `0-3`."""
    first, _, last = spec.partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise SystemExit(f"--seeds takes N or A-B, not {spec!r}") from None
    if high < low:
        raise SystemExit(f"--seeds {spec!r} is an empty range")
    return list(range(low, high + 1))


def _arguments(description: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("file", nargs="?", help="instance file or name")
    ap.add_argument("--set", help="comma list of names/ranges, e.g. la36-la40,ta01-ta10 or all")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--seeds",
        help="N or A-B: one run per seed and instance (overrides --seed); "
        "with --paired the summary compares the two models per instance over the seeds",
    )
    ap.add_argument("--workers", type=int, default=0, help="0 = every core")
    ap.add_argument("--plain", action="store_true", help="textbook model, for comparison")
    ap.add_argument(
        "--paired",
        action="store_true",
        help="also run the textbook model on each instance with the same seed and compare",
    )
    ap.add_argument("--no-tabu", action="store_true", help="skip the tabu search phase")
    ap.add_argument("--lns", action="store_true", help="add the CP-SAT LNS phase")
    ap.add_argument("--no-redundant", action="store_true")
    ap.add_argument("--deterministic", action="store_true", help="work limits, not wall clock")
    ap.add_argument("--log", action="store_true", help="CP-SAT search log on stderr")
    return ap


def _resolve(name: str, directory: Path, suffix: str) -> Path:
    path = Path(name)
    if path.exists():
        return path
    candidate = directory / f"{name}{suffix}"
    if candidate.exists():
        return candidate
    raise SystemExit(f"no instance {name!r} in {directory}")


def main(
    argv: Sequence[str] | None, *, description: str, directory: Path, suffix: str, parser: Parser
) -> int:
    """One file -> one JSON line; `--set` or `--seeds` -> a line per run, then a summary line."""
    args = _arguments(description).parse_args(argv)
    options = SolveOptions(
        time_limit=args.time_limit,
        seed=args.seed,
        num_workers=args.workers,
        plain=args.plain,
        tabu=not args.no_tabu,
        lns=args.lns,
        model=ModelOptions(False, False) if args.no_redundant else ModelOptions(),
        deterministic=args.deterministic,
        log=args.log,
    )
    if args.set is None and args.file is None:
        raise SystemExit("give FILE or --set")
    if args.paired and args.plain:
        raise SystemExit(
            "--paired already runs the textbook model beside the planner; drop --plain"
        )
    seeds = parse_seeds(args.seeds) if args.seeds is not None else None
    warm_up_seconds = round(warm_up(), 3)
    if args.set is None and seeds is None:
        row = _solve(_resolve(args.file, directory, suffix), parser, options, args.paired)
        row |= {"warm_up_seconds": warm_up_seconds}
        if args.paired:
            row |= {"worse_than_plain": paired_summary([row])["worse_than_plain"]}
        print(json.dumps(row))
        return 0
    names = (
        [args.file] if args.set is None else expand_set(args.set, _available(directory, suffix))
    )
    rows = []
    for name in names:
        path = _resolve(name, directory, suffix)
        for seed in seeds or [args.seed]:
            row = _solve(path, parser, replace(options, seed=seed), args.paired)
            if seeds is not None:
                row = {"seed": seed} | row
            print(json.dumps(row), flush=True)
            rows.append(row)
    summary = {
        "summary": True,
        "instances": len(names),
        "runs": len(rows),
        "time_limit": args.time_limit,
        **_gap_summary(rows, "gap_pct"),
        "plain": args.plain,
        "warm_up_seconds": warm_up_seconds,
    }
    if seeds is not None:
        summary["seeds"] = seeds
    if args.paired:
        summary |= paired_summary(rows)
        if seeds is not None:
            summary |= spread_summary(rows)
    print(json.dumps(summary))
    return 0


def _available(directory: Path, suffix: str) -> list[str]:
    return sorted(
        p.name.removesuffix(suffix)
        for p in directory.iterdir()
        if p.is_file() and p.name.endswith(suffix) and p.suffix not in (".json", ".md")
    )


def _solve(path: Path, parser: Parser, options: SolveOptions, paired: bool) -> dict[str, object]:
    """One instance's row; paired, the textbook model's figures follow under `plain_` keys."""
    row = solve_file(path, parser, options)
    if paired:
        plain = solve_file(path, parser, replace(options, plain=True))
        row |= {
            f"plain_{k}": plain[k] for k in ("makespan", "lower_bound", "gap_pct") if k in plain
        }
    return row


def _gap_summary(rows: Sequence[dict[str, object]], key: str) -> dict[str, object]:
    gaps = [float(r[key]) for r in rows if key in r]  # type: ignore[arg-type]
    prefix = key.removesuffix("gap_pct")
    return {
        f"{prefix}mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
        f"{prefix}max_gap_pct": max(gaps) if gaps else None,
        f"{prefix}optimal_or_best_known_reached": sum(1 for g in gaps if g <= 0),
    }


def paired_summary(rows: Sequence[dict[str, object]]) -> dict[str, object]:
    """Where the textbook model, run with the same seed, ended below the planner.

    One run per model and instance says little on its own: both vary by a
    few units between runs on 15x15 shops, so the comparison is meant to be
    repeated over seeds.
    """
    worse = [
        {k: r[k] for k in ("instance", "seed") if k in r}
        | {"makespan": r["makespan"], "plain": r["plain_makespan"]}
        for r in rows
        if r.get("makespan") is not None
        and r.get("plain_makespan") is not None
        and r["makespan"] > r["plain_makespan"]  # type: ignore[operator]
    ]
    return _gap_summary(rows, "plain_gap_pct") | {"worse_than_plain": worse}


def spread_summary(rows: Sequence[dict[str, object]]) -> dict[str, object]:
    """Both models per instance over the seeds: each run's makespan, mean, median and worst.

    A single paired run is decided by noise where both models end within a
    few units; over seeds the comparison is between the two distributions.
    `worse_than_plain_on` names the instances where ours loses on the mean,
    the median or the worst run.
    """
    runs: dict[str, tuple[list[int], list[int]]] = {}
    for r in rows:
        if r.get("makespan") is None or r.get("plain_makespan") is None:
            continue
        ours, plain = runs.setdefault(str(r["instance"]), ([], []))
        ours.append(int(r["makespan"]))  # type: ignore[call-overload]
        plain.append(int(r["plain_makespan"]))  # type: ignore[call-overload]
    per_instance = []
    worse_on: dict[str, list[str]] = {"mean": [], "median": [], "worst": []}
    for name, (ours, plain) in runs.items():
        entry: dict[str, object] = {"instance": name, "makespans": ours, "plain_makespans": plain}
        for label, statistic in (
            ("mean", statistics.fmean),
            ("median", statistics.median),
            ("worst", max),
        ):
            mine, theirs = statistic(ours), statistic(plain)
            entry[label] = round(mine, 2)
            entry[f"plain_{label}"] = round(theirs, 2)
            if mine > theirs:
                worse_on[label].append(name)
        per_instance.append(entry)
    return {"per_instance": per_instance, "worse_than_plain_on": worse_on}
