"""Entry point: minimise the makespan of a (flexible) job shop within a time limit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.planning.makespan import cpsat
from core.planning.makespan.dispatch import best_dispatch
from core.planning.makespan.instance import ShopInstance
from core.planning.makespan.model import ModelOptions, add_schedule_hint, build_model
from core.planning.makespan.schedule import MakespanResult


@dataclass(frozen=True)
class SolveOptions:
    """`plain=True` gives the textbook model (no hint, no redundancy) for comparison."""

    time_limit: float = 10.0
    seed: int = 0
    num_workers: int = 0
    plain: bool = False
    dispatch_share: float = 0.05
    lns: bool = True
    model: ModelOptions = field(default_factory=ModelOptions)
    log: bool = False


def solve_makespan(instance: ShopInstance, options: SolveOptions = SolveOptions()) -> MakespanResult:
    """Dispatch for a complete hint, then CP-SAT for the rest of the time."""
    started = time.monotonic()
    stats: list[tuple[str, float]] = []
    model_options = ModelOptions(False, False) if options.plain else options.model
    built = build_model(instance, instance.horizon(), model_options)
    if not options.plain:
        budget = options.time_limit * options.dispatch_share
        seeded = best_dispatch(instance, options.seed, budget)
        stats.append(("dispatch_makespan", seeded.schedule.makespan))
        add_schedule_hint(built, seeded.schedule)
    remaining = options.time_limit - (time.monotonic() - started)
    params = cpsat.SolverParams(
        time_limit=remaining, seed=options.seed, num_workers=options.num_workers, log=options.log
    )
    raw = cpsat.run(built, instance, params)
    makespan = raw.schedule.makespan if raw.schedule else None
    return MakespanResult(
        schedule=raw.schedule,
        makespan=makespan,
        lower_bound=max(raw.lower_bound, instance.trivial_lower_bound()),
        status=raw.status,
        seconds=round(time.monotonic() - started, 3),
        stats=tuple(stats),
    )
