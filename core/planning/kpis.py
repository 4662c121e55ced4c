"""Order outcomes and shop KPIs, computed from the public plan alone.

They are recomputed from assignments rather than taken from solver internals so
that every plan (CP-SAT, dispatch rule or repair) is reported the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.planning.calendar import WorkTime
from core.planning.types import Assignment, JobOutcome, Kpis, PlanInput


def job_outcomes(inp: PlanInput, assignments: Mapping[str, Assignment]) -> dict[str, JobOutcome]:
    out: dict[str, JobOutcome] = {}
    for job in inp.jobs:
        end = job.release
        if job.ops:
            last = assignments.get(job.ops[-1].key)
            end = last.end if last is not None else job.release
        lateness = end - job.due
        out[job.ref] = JobOutcome(job.ref, end, job.due, lateness, max(0, lateness), job.weight)
    return out


def kpis(
    inp: PlanInput, assignments: Mapping[str, Assignment], jobs: Mapping[str, JobOutcome]
) -> Kpis:
    late = sum(1 for o in jobs.values() if o.tardiness > 0)
    wt = sum(o.tardiness * o.weight for o in jobs.values())
    makespan = max((a.end for a in assignments.values()), default=0)
    minutes_of: dict[tuple[str, str], int] = {}
    for job in inp.jobs:
        for op in job.ops:
            for alt in op.alternatives:
                minutes_of[op.key, alt.machine] = alt.minutes
    center_of = {m.id: m.work_center for m in inp.machines}
    busy: dict[str, int] = {}
    for key, a in assignments.items():
        if not a.machine or a.machine not in center_of:
            continue
        wc = center_of[a.machine]
        busy[wc] = busy.get(wc, 0) + minutes_of.get((key, a.machine), a.end - max(a.start, 0))
    available: dict[str, int] = {}
    for m in inp.machines:
        cal = WorkTime.of(inp.calendars.get(m.work_center))
        open_minutes = makespan if cal.always_open else cal.worked_before(makespan)
        available[m.work_center] = available.get(m.work_center, 0) + open_minutes
    utilization = {
        wc: (busy.get(wc, 0) / cap if cap > 0 else 0.0) for wc, cap in available.items()
    }
    bottleneck = max(utilization, key=lambda wc: utilization[wc]) if busy else None
    n = len(jobs)
    return Kpis(late, (n - late) / n if n else 1.0, wt, makespan, utilization, bottleneck)
