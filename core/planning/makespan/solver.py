"""Entry point: minimise the makespan of a (flexible) job shop within a time limit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.planning.makespan import cpsat
from core.planning.makespan.dispatch import best_dispatch
from core.planning.makespan.instance import ShopInstance
from core.planning.makespan.lns import LnsSettings, improve
from core.planning.makespan.model import ModelOptions, add_schedule_hint, build_model
from core.planning.makespan.schedule import MakespanResult, Schedule
from core.planning.makespan.tabu import TabuSettings, tabu_search


@dataclass(frozen=True)
class SolveOptions:
    """`plain=True` gives the textbook model (no hint, no redundancy, no LNS) for comparison."""

    time_limit: float = 10.0
    seed: int = 0
    num_workers: int = 0
    plain: bool = False
    dispatch_share: float = 0.05
    tabu: bool = True
    tabu_share: float = 0.6
    tabu_settings: TabuSettings = field(default_factory=TabuSettings)
    lns: bool = False
    lns_share: float = 0.7
    lns_settings: LnsSettings = field(default_factory=LnsSettings)
    model: ModelOptions = field(default_factory=ModelOptions)
    log: bool = False


def _full_solve(
    instance: ShopInstance, options: SolveOptions, hint: Schedule | None, time_limit: float
) -> cpsat.RawSolve:
    model_options = ModelOptions(False, False) if options.plain else options.model
    horizon = hint.makespan if hint is not None else instance.horizon()
    built = build_model(instance, horizon, model_options)
    if hint is not None:
        add_schedule_hint(built, hint)
    params = cpsat.SolverParams(
        time_limit=time_limit, seed=options.seed, num_workers=options.num_workers, log=options.log
    )
    return cpsat.run(built, instance, params)


def solve_makespan(instance: ShopInstance, options: SolveOptions = SolveOptions()) -> MakespanResult:
    """Dispatch for a complete hint, LNS to find good schedules fast, then the full
    model with the best one as hint to close the gap or prove the bound."""
    started = time.monotonic()
    deadline = started + options.time_limit
    stats: list[tuple[str, float]] = []
    incumbent: Schedule | None = None
    lower_bound = instance.trivial_lower_bound()
    if not options.plain:
        seeded = best_dispatch(instance, options.seed, options.time_limit * options.dispatch_share)
        incumbent = seeded.schedule
        stats.append(("dispatch_makespan", incumbent.makespan))
    if not options.plain and options.tabu and incumbent is not None:
        outcome_ts = tabu_search(
            instance,
            incumbent,
            lower_bound,
            started + options.time_limit * options.tabu_share,
            options.seed,
            options.tabu_settings,
        )
        incumbent = outcome_ts.schedule
        stats += [("tabu_makespan", incumbent.makespan), ("tabu_iterations", outcome_ts.iterations)]
    if not options.plain and options.lns and incumbent is not None:
        lns_deadline = started + options.time_limit * options.lns_share
        outcome = improve(
            instance, incumbent, lower_bound, lns_deadline, options.seed, options.lns_settings
        )
        incumbent = outcome.schedule
        stats += [("lns_makespan", incumbent.makespan), ("lns_iterations", outcome.iterations)]
    if incumbent is not None and incumbent.makespan <= lower_bound:
        return MakespanResult(
            incumbent, incumbent.makespan, lower_bound, "OPTIMAL",
            round(time.monotonic() - started, 3), tuple(stats),
        )
    raw = _full_solve(instance, options, incumbent, deadline - time.monotonic())
    best = incumbent
    if raw.schedule is not None and (best is None or raw.schedule.makespan <= best.makespan):
        best = raw.schedule
    status = raw.status
    if best is not None and raw.schedule is None and status in ("UNKNOWN", "INFEASIBLE"):
        status = "FEASIBLE"  # the full model was cut to <= incumbent and found nothing better
    return MakespanResult(
        schedule=best,
        makespan=best.makespan if best is not None else None,
        lower_bound=max(raw.lower_bound, lower_bound),
        status=status,
        seconds=round(time.monotonic() - started, 3),
        stats=tuple(stats),
    )
