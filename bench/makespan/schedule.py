"""Schedules and solve results, as plain data the callers can keep."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduledOp:
    """Where and when operation `index` of job `job` runs."""

    job: int
    index: int
    machine: int
    start: int
    duration: int

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True)
class Schedule:
    """ops[j][i] is operation i of job j."""

    ops: tuple[tuple[ScheduledOp, ...], ...]

    @property
    def makespan(self) -> int:
        return max((job[-1].end for job in self.ops if job), default=0)

    def machine_sequences(self, num_machines: int) -> list[list[ScheduledOp]]:
        """Operations per machine in start order; the order is what LNS keeps."""
        seqs: list[list[ScheduledOp]] = [[] for _ in range(num_machines)]
        for job in self.ops:
            for op in job:
                seqs[op.machine].append(op)
        for seq in seqs:
            seq.sort(key=lambda o: (o.start, o.end, o.job))
        return seqs


@dataclass(frozen=True)
class MakespanResult:
    """What a solve returns; `status` is the CP-SAT status name of the last proof.

    `lower_bound` is the best proven bound, so `makespan == lower_bound` means
    the schedule is optimal even when the search stopped on its time limit.
    """

    schedule: Schedule | None
    makespan: int | None
    lower_bound: int
    status: str
    seconds: float
    stats: tuple[tuple[str, float], ...] = ()
