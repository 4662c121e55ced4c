"""Running CP-SAT on a built model and reading the schedule back."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ortools.sat.python import cp_model

from bench.makespan.instance import ShopInstance
from bench.makespan.model import MakespanModel
from bench.makespan.schedule import Schedule, ScheduledOp


@dataclass(frozen=True)
class SolverParams:
    """What the CP-SAT run may use. `num_workers=0` means every core."""

    time_limit: float
    seed: int = 0
    num_workers: int = 0
    probing_level: int | None = None
    deterministic_limit: float | None = None
    log: bool = False


@dataclass(frozen=True)
class RawSolve:
    """One CP-SAT run: its status, proven bound and schedule if one was found."""

    status: str
    schedule: Schedule | None
    lower_bound: int
    wall_time: float


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def make_solver(params: SolverParams) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(params.time_limit, 0.01)
    p.random_seed = params.seed
    p.num_workers = params.num_workers or default_workers()
    if params.probing_level is not None:
        p.cp_model_probing_level = params.probing_level
    if params.deterministic_limit is not None:
        p.max_deterministic_time = params.deterministic_limit
    p.log_search_progress = params.log
    return solver


def extract_schedule(
    solver: cp_model.CpSolver, built: MakespanModel, instance: ShopInstance
) -> Schedule:
    """Read the chosen machine from the present alternative, since the main interval has none."""
    jobs: list[tuple[ScheduledOp, ...]] = []
    for j, (job, job_vars) in enumerate(zip(instance.jobs, built.ops, strict=False)):
        placed: list[ScheduledOp] = []
        for i, (op, var) in enumerate(zip(job, job_vars, strict=False)):
            machine = var.machine
            for alt in var.alts:
                if solver.boolean_value(alt.presence):
                    machine = alt.machine
            placed.append(
                ScheduledOp(j, i, machine, solver.value(var.start), op.duration_on(machine))
            )
        jobs.append(tuple(placed))
    return Schedule(tuple(jobs))


def run(built: MakespanModel, instance: ShopInstance, params: SolverParams) -> RawSolve:
    solver = make_solver(params)
    status = solver.solve(built.model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    schedule = extract_schedule(solver, built, instance) if found else None
    bound = int(solver.best_objective_bound) if found or status == cp_model.UNKNOWN else 0
    return RawSolve(solver.status_name(status), schedule, bound, solver.wall_time)
