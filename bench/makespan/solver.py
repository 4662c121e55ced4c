"""Entry point: minimise the makespan of a (flexible) job shop within a time limit.

Pipeline, each step kept because the benchmark numbers paid for it:
1. priority-rule dispatch -> a complete first schedule in milliseconds;
2. tabu search for its share of the time: it takes ta51/ta71 to their
   optima where the textbook model ends 17 %/9 % above. Job shops run it
   compiled (N7 insertions, an elite pool), one independent run per core,
   since a compiled run holds no GIL; flexible shops run it in Python (N5
   swaps and machine reassignment);
3. CP-SAT on every core, hinted with the tabu schedule, for the rest of the
   time: on 15x15 shops it shaves the last units the tabu search misses, and
   it reports the proven lower bound.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from bench.makespan import cpsat
from bench.makespan.compiled_tabu import ensure_compiled
from bench.makespan.dispatch import best_dispatch
from bench.makespan.instance import ShopInstance
from bench.makespan.lns import LnsSettings, improve
from bench.makespan.model import ModelOptions, add_schedule_hint, build_model
from bench.makespan.schedule import MakespanResult, Schedule
from bench.makespan.tabu import TabuOutcome, TabuSettings, tabu_search

Stats = list[tuple[str, float]]


@dataclass(frozen=True)
class SolveOptions:
    """Solver switches; `plain=True` is the textbook model alone, for comparison.

    `deterministic=True` replaces wall-clock limits by work limits (tabu
    iterations, CP-SAT deterministic time) so that one worker and one seed
    always give the same schedule.
    """

    time_limit: float = 10.0
    seed: int = 0
    num_workers: int = 0
    plain: bool = False
    tabu: bool = True
    portfolio_share: float | None = None
    portfolio_cpsat_max_ops: int = 0
    tabu_settings: TabuSettings = field(default_factory=TabuSettings)
    lns: bool = False
    lns_settings: LnsSettings = field(default_factory=LnsSettings)
    model: ModelOptions = field(default_factory=ModelOptions)
    deterministic: bool = False
    final_hint: bool = True
    cpsat_first_min_ops: int = 150
    cpsat_first_max_ops: int = 0
    tabu_iterations_per_second: int = 2000
    compiled_tabu_iterations_per_second: int = 100_000
    log: bool = False


def _phase_share(instance: ShopInstance, options: SolveOptions) -> float:
    """Share of the time for the tabu phase.

    The closing CP-SAT phase paid on 15x15 shops (la40 1248 -> 1233, ta01
    1251 -> 1244 at 10 s) but only presolve time on 100x20 (ta71 ran 1.8 s
    over its limit for no gain), so wide shops leave it little or nothing.
    """
    if options.portfolio_share is not None:
        return options.portfolio_share
    ops = instance.num_operations
    if ops <= 300:
        return 0.6
    if ops <= 1000:
        return 0.85
    return 1.0


def _params(options: SolveOptions, time_limit: float, workers: int) -> cpsat.SolverParams:
    """In deterministic mode the wall clock is only a far backstop; work units decide."""
    return cpsat.SolverParams(
        time_limit=10 * time_limit + 1 if options.deterministic else time_limit,
        seed=options.seed,
        num_workers=workers,
        deterministic_limit=time_limit if options.deterministic else None,
        log=options.log,
    )


def _full_solve(
    instance: ShopInstance,
    options: SolveOptions,
    hint: Schedule | None,
    params: cpsat.SolverParams,
) -> cpsat.RawSolve:
    """The whole model; with a hint its horizon is the hint's makespan, which prunes at once."""
    model_options = ModelOptions(False, False) if options.plain else options.model
    horizon = hint.makespan if hint is not None else instance.horizon()
    built = build_model(instance, horizon, model_options)
    if hint is not None:
        add_schedule_hint(built, hint)
    return cpsat.run(built, instance, params)


def _tabu_runs(instance: ShopInstance, options: SolveOptions) -> int:
    """Job shops run one compiled search per core; the Python search holds the GIL."""
    if instance.is_flexible:
        return 1
    return options.num_workers or cpsat.default_workers()


def _tabu(
    instance: ShopInstance,
    start: Schedule,
    lower_bound: int,
    deadline: float,
    options: SolveOptions,
    stats: Stats,
) -> Schedule:
    """The best of independent runs with consecutive seeds; ties go to the lowest seed."""
    settings = options.tabu_settings
    if options.deterministic:
        share = _phase_share(instance, options)
        rate = (
            options.tabu_iterations_per_second
            if instance.is_flexible
            else options.compiled_tabu_iterations_per_second
        )
        settings = replace(settings, max_iterations=int(rate * options.time_limit * share))
        deadline = float("inf")
    seeds = [options.seed + k for k in range(_tabu_runs(instance, options))]

    def run(seed: int) -> TabuOutcome:
        return tabu_search(instance, start, lower_bound, deadline, seed, settings)

    if len(seeds) == 1:
        outcomes = [run(seeds[0])]
    else:
        with ThreadPoolExecutor(len(seeds), thread_name_prefix="tabu") as pool:
            outcomes = list(pool.map(run, seeds))
    best = min(outcomes, key=lambda o: o.schedule.makespan)
    stats += [
        ("tabu_makespan", best.schedule.makespan),
        ("tabu_iterations", sum(o.iterations for o in outcomes)),
    ]
    return best.schedule


def _portfolio(
    instance: ShopInstance,
    start: Schedule,
    lower_bound: int,
    deadline: float,
    options: SolveOptions,
    stats: Stats,
) -> tuple[Schedule, int]:
    """Tabu search, with CP-SAT in a thread (it releases the GIL) on shops of at most
    `portfolio_cpsat_max_ops` operations.

    Off by default: on the shared 2-core machine a CP-SAT thread started
    beside the tabu search reached only 1258-1379 on la36/la38/ta01/ta02
    (10 s, 60 % share) and took the tabu search's CPU; CP-SAT pays after the
    tabu search, from its schedule. Helper tabu processes with other seeds
    were tried too and halved each run's moves for no gain, so they went.
    """
    workers = options.num_workers or cpsat.default_workers()
    found: list[cpsat.RawSolve] = []
    thread: threading.Thread | None = None
    if workers > 1 and instance.num_operations <= options.portfolio_cpsat_max_ops:
        params = _params(options, deadline - time.monotonic(), workers)
        thread = threading.Thread(
            target=lambda: found.append(_full_solve(instance, options, None, params))
        )
        thread.start()
    best = _tabu(instance, start, lower_bound, deadline, options, stats) if options.tabu else start
    bound = lower_bound
    if thread is not None:
        thread.join()
        raw = found[0]
        bound = max(bound, raw.lower_bound)
        if raw.schedule is not None:
            stats.append(("portfolio_cpsat_makespan", raw.schedule.makespan))
            if raw.schedule.makespan < best.makespan:
                best = raw.schedule
    return best, bound


def _finish(
    started: float, best: Schedule | None, bound: int, status: str, stats: Stats
) -> MakespanResult:
    if best is not None and best.makespan <= bound:
        status = "OPTIMAL"
    return MakespanResult(
        schedule=best,
        makespan=best.makespan if best is not None else None,
        lower_bound=bound,
        status=status,
        seconds=round(time.monotonic() - started, 3),
        stats=tuple(stats),
    )


def _cpsat_first(instance: ShopInstance, options: SolveOptions) -> bool:
    """Small job shops start with CP-SAT on its own and let the tabu search polish.

    Measured at 10 s on the shared machine: tabu first then CP-SAT from its
    schedule ended ta01/ta07/ta10/la36 at 1253/1253/1287/1296, the textbook
    model alone at 1241/1249/1261/1301, and CP-SAT unhinted for 6.5 s then
    tabu from its schedule at 1231/1251/1281/1274. On 20x20 and wider the
    tabu search leads (ta21: 1708 against 1801 for the textbook model), and
    on flexible shops it leads by far, so they keep the tabu-first order.
    So does ft10 (100 operations): tabu first reached 930 in 5 of 6 runs,
    CP-SAT first in 2 of 5.

    Off by default (`cpsat_first_max_ops=0`): those four instances had been
    picked for doing badly tabu-first, and over all fifteen 15x15 shops of
    the benchmark set CP-SAT first summed to 27.3 gap points against 21.6
    for tabu first (one 10 s run each, shared machine). The path stays for
    measurement.
    """
    return (
        not instance.is_flexible
        and options.cpsat_first_min_ops < instance.num_operations <= options.cpsat_first_max_ops
        and options.tabu
    )


def _cpsat_then_tabu(
    instance: ShopInstance,
    options: SolveOptions,
    start: Schedule,
    lower_bound: int,
    started: float,
    stats: Stats,
) -> MakespanResult:
    share = options.portfolio_share if options.portfolio_share is not None else 0.65
    limit = options.time_limit * share
    raw = _full_solve(instance, options, None, _params(options, limit, options.num_workers))
    lower_bound = max(lower_bound, raw.lower_bound)
    best = start
    if raw.schedule is not None and raw.schedule.makespan < best.makespan:
        best = raw.schedule
    stats.append(("cpsat_makespan", best.makespan))
    if best.makespan > lower_bound:
        polish = replace(options, portfolio_share=1 - share)
        best = _tabu(instance, best, lower_bound, started + options.time_limit, polish, stats)
    status = "OPTIMAL" if best.makespan <= lower_bound else "FEASIBLE"
    return _finish(started, best, lower_bound, status, stats)


def solve_makespan(
    instance: ShopInstance, options: SolveOptions = SolveOptions()
) -> MakespanResult:
    """Best schedule found within `options.time_limit` seconds, with its proven bound.

    A job shop's first solve in a process loads the compiled tabu kernel
    before the clock starts (about 20 s the first time after an install,
    when Numba compiles it, then under 1 s from its cache), so that the
    load never eats the search's time limit.
    """
    if options.tabu and not options.plain and not instance.is_flexible:
        ensure_compiled()
    started = time.monotonic()
    stats: Stats = []
    lower_bound = instance.trivial_lower_bound()
    if options.plain:
        raw = _full_solve(
            instance, options, None, _params(options, options.time_limit, options.num_workers)
        )
        return _finish(started, raw.schedule, max(lower_bound, raw.lower_bound), raw.status, stats)

    best = best_dispatch(instance, options.seed, noisy_runs=0).schedule
    stats.append(("dispatch_makespan", best.makespan))
    if _cpsat_first(instance, options):
        return _cpsat_then_tabu(instance, options, best, lower_bound, started, stats)
    share = _phase_share(instance, options)
    phase_end = started + options.time_limit * share
    if best.makespan > lower_bound:
        best, lower_bound = _portfolio(instance, best, lower_bound, phase_end, options, stats)
    if options.lns and best.makespan > lower_bound:
        lns_end = started + options.time_limit * (1 + share) / 2
        best = improve(
            instance, best, lower_bound, lns_end, options.seed, options.lns_settings
        ).schedule
        stats.append(("lns_makespan", best.makespan))
    remaining = options.time_limit - (time.monotonic() - started)
    if options.deterministic:
        remaining = options.time_limit * (1 - share)
    if best.makespan <= lower_bound or remaining < 0.2:
        return _finish(started, best, lower_bound, "FEASIBLE", stats)

    hint = best if options.final_hint else None
    raw = _full_solve(instance, options, hint, _params(options, remaining, options.num_workers))
    lower_bound = max(lower_bound, raw.lower_bound)
    status = raw.status
    if raw.schedule is not None and raw.schedule.makespan <= best.makespan:
        best = raw.schedule
    elif status in ("UNKNOWN", "INFEASIBLE"):
        status = "FEASIBLE"  # the model was cut at the hint's makespan and found nothing better
    return _finish(started, best, lower_bound, status, stats)
