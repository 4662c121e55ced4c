"""An independent plan checker.

It reads only the public input and result types and re-derives every rule from
the issue, so a bug in the dispatcher, the repair or the CP-SAT model shows up
as a violation instead of a wrong ETA sent to a customer.
"""

from __future__ import annotations

import itertools

from core.planning.calendar import WorkTime
from core.planning.types import Assignment, Operation, PlanInput, PlanResult


def violations(inp: PlanInput, result: PlanResult) -> list[str]:
    out: list[str] = []
    center_of = {m.id: m.work_center for m in inp.machines}
    worktimes = {wc: WorkTime.of(inp.calendars.get(wc)) for wc in set(center_of.values())}
    on_machine: dict[str, list[tuple[int, int, str]]] = {}
    for job in inp.jobs:
        prev_end = job.release
        for op in job.ops:
            a = result.assignments.get(op.key)
            if a is None:
                out.append(f"{op.key}: not planned")
                continue
            out.extend(_check_op(op.key, a, op, prev_end, center_of, worktimes))
            if a.machine:
                on_machine.setdefault(a.machine, []).append((a.start, a.end, op.key))
            prev_end = a.end
    known = {op.key for job in inp.jobs for op in job.ops}
    out.extend(f"{k}: planned but not in the input" for k in result.assignments if k not in known)
    for machine, spans in on_machine.items():
        spans.sort()
        for (s1, e1, k1), (s2, e2, k2) in itertools.pairwise(spans):
            if s2 < e1 and e1 > s1 and e2 > s2:
                out.append(f"{machine}: {k1} [{s1},{e1}) overlaps {k2} [{s2},{e2})")
    return out


def _check_op(
    key: str,
    a: Assignment,
    op: Operation,
    prev_end: int,
    center_of: dict[str, str],
    worktimes: dict[str, WorkTime],
) -> list[str]:
    out: list[str] = []
    if op.frozen is not None:
        f = op.frozen
        if (a.machine, a.start, a.end) != (f.machine, f.start, f.end):
            out.append(f"{key}: frozen op moved")
        return out
    if a.start < prev_end:
        out.append(f"{key}: starts at {a.start} before predecessor/release {prev_end}")
    if not op.alternatives:
        if a.machine:
            out.append(f"{key}: outsourced op placed on {a.machine}")
        if a.end - a.start != op.lead_minutes:
            out.append(f"{key}: lead time {a.end - a.start} != {op.lead_minutes}")
        return out
    minutes = {alt.machine: alt.minutes for alt in op.alternatives}
    if a.machine not in minutes:
        out.append(f"{key}: machine {a.machine!r} is not an alternative")
        return out
    wc = center_of.get(a.machine)
    if wc is None:
        out.append(f"{key}: unknown machine {a.machine}")
        return out
    if not worktimes[wc].fits(a.start, a.end, minutes[a.machine]):
        out.append(
            f"{key}: [{a.start},{a.end}) breaks calendar of {wc} for {minutes[a.machine]} min"
        )
    return out
