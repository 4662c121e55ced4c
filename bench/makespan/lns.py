"""Large-neighbourhood search: short CP-SAT sub-solves with most of the schedule held.

With two cores CP-SAT's own LNS gets one interleaved thread and runs a
handful of neighbourhoods in 10 s on a 50x15 shop (measured: ta51 saw 1-2
of each), so this loop runs its own: free a time window, a few machines, the
operations around a critical path or whole jobs; hold the rest in machine
order; re-solve briefly.

Measured, it did not pay and is off by default (`SolveOptions.lns`,
`--lns`): every sub-solve presolves the whole model, 0.2-0.3 s on ta51 even
for 20 free operations, so it ran 2 sub-solves a second and, started from
the tabu search's ta41 schedule (2183), found 2181 at best in 4 s, against
thousands of tabu moves in the same time.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field

from bench.makespan import cpsat
from bench.makespan.instance import ShopInstance
from bench.makespan.model import (
    MakespanModel,
    ModelOptions,
    add_schedule_hint,
    build_model,
)
from bench.makespan.neighbourhoods import CHOOSERS, OpKey
from bench.makespan.schedule import Schedule


@dataclass(frozen=True)
class LnsSettings:
    """Sizes adapt: a neighbourhood solved to optimality grows, one that times out shrinks."""

    sub_time_limit: float = 0.5
    initial_size: int = 40
    min_size: int = 10
    max_share: float = 0.6
    workers: int = 1
    choosers: tuple[str, ...] = ("time_window", "machine_window", "critical_window", "random_jobs")
    max_iterations: int | None = None
    deterministic_sub_limit: float | None = None
    model: ModelOptions = field(default_factory=ModelOptions)


@dataclass(frozen=True)
class LnsOutcome:
    """The best schedule and how the search got there."""

    schedule: Schedule
    iterations: int
    improvements: int
    lower_bound: int


def hold_outside(
    built: MakespanModel, instance: ShopInstance, incumbent: Schedule, free: frozenset[OpKey]
) -> None:
    """Operations outside `free` keep their machine and their order among themselves."""
    model = built.model
    for job_vars, placed in zip(built.ops, incumbent.ops, strict=False):
        for var, op in zip(job_vars, placed, strict=False):
            if (op.job, op.index) in free:
                continue
            for alt in var.alts:
                model.add(alt.presence == (alt.machine == op.machine))
    for seq in incumbent.machine_sequences(instance.num_machines):
        held = [op for op in seq if (op.job, op.index) not in free]
        for before, after in itertools.pairwise(held):
            model.add(
                built.ops[after.job][after.index].start >= built.ops[before.job][before.index].end
            )


def _sub_solve(
    instance: ShopInstance,
    incumbent: Schedule,
    free: frozenset[OpKey],
    settings: LnsSettings,
    seed: int,
    time_left: float,
) -> cpsat.RawSolve:
    built = build_model(instance, incumbent.makespan, settings.model)
    hold_outside(built, instance, incumbent, free)
    add_schedule_hint(built, incumbent)
    params = cpsat.SolverParams(
        time_limit=min(settings.sub_time_limit, time_left),
        seed=seed,
        num_workers=settings.workers,
        deterministic_limit=settings.deterministic_sub_limit,
    )
    return cpsat.run(built, instance, params)


def _total_end(schedule: Schedule) -> int:
    """Tie-break between equal makespans: earlier job ends leave slack for the next move."""
    return sum(job[-1].end for job in schedule.ops if job)


def improve(
    instance: ShopInstance,
    incumbent: Schedule,
    lower_bound: int,
    deadline: float,
    seed: int,
    settings: LnsSettings = LnsSettings(),
) -> LnsOutcome:
    """Run neighbourhoods round-robin until the deadline, the bound, or max_iterations."""
    rng = random.Random(seed)
    best = incumbent
    total_ops = instance.num_operations
    size = min(settings.initial_size, total_ops)
    max_size = max(settings.min_size, int(total_ops * settings.max_share))
    iterations = improvements = 0
    while best.makespan > lower_bound:
        if settings.max_iterations is not None and iterations >= settings.max_iterations:
            break
        time_left = deadline - time.monotonic()
        if time_left < 0.05:
            break
        name = settings.choosers[iterations % len(settings.choosers)]
        free = CHOOSERS[name](instance, best, size, rng)
        raw = _sub_solve(instance, best, free, settings, seed + iterations, time_left)
        iterations += 1
        if raw.schedule is not None and (
            raw.schedule.makespan < best.makespan
            or (
                raw.schedule.makespan == best.makespan
                and _total_end(raw.schedule) < _total_end(best)
            )
        ):
            if raw.schedule.makespan < best.makespan:
                improvements += 1
            best = raw.schedule
        if raw.status == "OPTIMAL":
            size = min(max_size, int(size * 1.2) + 1)
        else:
            size = max(settings.min_size, int(size * 0.8))
    return LnsOutcome(best, iterations, improvements, lower_bound)
