"""Shop instances for makespan scheduling.

A job shop is a flexible job shop in which every operation has one
alternative, so one representation serves both and the solver has one code
path.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Alternative:
    """One machine an operation may run on, with its duration there."""

    machine: int
    duration: int


@dataclass(frozen=True)
class Operation:
    """An operation of a job; runs on exactly one of its alternatives."""

    alternatives: tuple[Alternative, ...]

    @property
    def min_duration(self) -> int:
        return min(a.duration for a in self.alternatives)

    @property
    def max_duration(self) -> int:
        return max(a.duration for a in self.alternatives)

    def duration_on(self, machine: int) -> int:
        """Duration on `machine`; raises KeyError when it is not an alternative."""
        for alt in self.alternatives:
            if alt.machine == machine:
                return alt.duration
        raise KeyError(machine)


@dataclass(frozen=True)
class ShopInstance:
    """Jobs are sequences of operations that run in order."""

    name: str
    num_machines: int
    jobs: tuple[tuple[Operation, ...], ...]

    @property
    def is_flexible(self) -> bool:
        return any(len(op.alternatives) > 1 for job in self.jobs for op in job)

    @property
    def num_operations(self) -> int:
        return sum(len(job) for job in self.jobs)

    def horizon(self) -> int:
        """A safe upper bound: every operation back to back at its longest."""
        return sum(op.max_duration for job in self.jobs for op in job)

    def trivial_lower_bound(self) -> int:
        """Longest job (at its shortest) or, for a job shop, the busiest machine.

        In a flexible shop a machine's load depends on the assignment, so the
        machine part there uses the total shortest work spread over all machines.
        """
        job_bound = max((sum(op.min_duration for op in job) for job in self.jobs), default=0)
        if not self.is_flexible:
            loads = [0] * self.num_machines
            for job in self.jobs:
                for op in job:
                    loads[op.alternatives[0].machine] += op.alternatives[0].duration
            return max(job_bound, max(loads, default=0))
        total = sum(op.min_duration for job in self.jobs for op in job)
        return max(job_bound, -(-total // max(self.num_machines, 1)))


def job_shop(name: str, num_machines: int, jobs: list[list[tuple[int, int]]]) -> ShopInstance:
    """Build a classical job shop from (machine, duration) routes."""
    return ShopInstance(
        name=name,
        num_machines=num_machines,
        jobs=tuple(tuple(Operation((Alternative(m, d),)) for m, d in route) for route in jobs),
    )
