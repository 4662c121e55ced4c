"""Turning an internal schedule back into the public PlanResult."""

from __future__ import annotations

from core.planning.kpis import job_outcomes, kpis
from core.planning.problem import Problem
from core.planning.sequences import Schedule
from core.planning.types import Assignment, PlanResult


def assignments_of(pb: Problem, sched: Schedule) -> dict[str, Assignment]:
    out: dict[str, Assignment] = {}
    for i, key in enumerate(pb.op_keys):
        fz = pb.op_frozen[i]
        if fz is not None:
            machine = pb.machine_ids[fz[0]] if fz[0] >= 0 else ""
            out[key] = Assignment(machine, fz[1], fz[2])
            continue
        m = sched.mach[i]
        out[key] = Assignment(pb.machine_ids[m] if m >= 0 else "", sched.start[i], sched.end[i])
    return out


def to_result(
    pb: Problem,
    sched: Schedule,
    *,
    status: str,
    lower_bound: int,
    method: str,
    seconds: float,
    first_solution_seconds: float = 0.0,
) -> PlanResult:
    assignments = assignments_of(pb, sched)
    jobs = job_outcomes(pb.inp, assignments)
    k = kpis(pb.inp, assignments, jobs)
    return PlanResult(
        assignments,
        jobs,
        status,
        k.weighted_tardiness,
        min(lower_bound, k.weighted_tardiness),
        k,
        method,
        seconds,
        first_solution_seconds,
    )
