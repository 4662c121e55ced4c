"""An independent feasibility check: it reads only the instance and the schedule,
never the solver's model, so a modelling slip cannot hide behind itself.
"""

from __future__ import annotations

import itertools

from bench.makespan import Schedule, ShopInstance


def violations(instance: ShopInstance, schedule: Schedule) -> list[str]:
    """Every broken rule, empty when the schedule is feasible."""
    found: list[str] = []
    if len(schedule.ops) != len(instance.jobs):
        return [f"{len(schedule.ops)} jobs scheduled, {len(instance.jobs)} expected"]
    by_machine: dict[int, list[tuple[int, int, str]]] = {}
    for j, (job, placed) in enumerate(zip(instance.jobs, schedule.ops, strict=False)):
        if len(placed) != len(job):
            found.append(f"job {j}: {len(placed)} ops scheduled, {len(job)} expected")
            continue
        previous_end = 0
        for i, (op, sop) in enumerate(zip(job, placed, strict=False)):
            allowed = {a.machine: a.duration for a in op.alternatives}
            if (sop.job, sop.index) != (j, i):
                found.append(f"op ({j},{i}) labelled ({sop.job},{sop.index})")
            if sop.machine not in allowed:
                found.append(f"op ({j},{i}) on machine {sop.machine}, not an alternative")
            elif sop.duration != allowed[sop.machine]:
                found.append(f"op ({j},{i}) lasts {sop.duration}, not {allowed[sop.machine]}")
            if sop.start < previous_end:
                found.append(f"op ({j},{i}) starts {sop.start} before its predecessor ends")
            if sop.start < 0:
                found.append(f"op ({j},{i}) starts before 0")
            previous_end = sop.start + sop.duration
            by_machine.setdefault(sop.machine, []).append(
                (sop.start, sop.start + sop.duration, f"({j},{i})")
            )
    for machine, slots in by_machine.items():
        slots.sort()
        for (s1, e1, a), (s2, _, b) in itertools.pairwise(slots):
            if s2 < e1:
                found.append(f"machine {machine}: {a} [{s1},{e1}) overlaps {b} from {s2}")
    return found
