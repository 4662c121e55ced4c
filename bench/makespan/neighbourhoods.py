"""Which operations an LNS step frees; everything else keeps its machine and order.

Each chooser returns a set of (job, index) pairs of about `size` operations.
They draw only from the seeded `random.Random` they are given, so a run is
reproducible for a fixed seed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from bench.makespan.instance import ShopInstance
from bench.makespan.schedule import Schedule, ScheduledOp

OpKey = tuple[int, int]
Chooser = Callable[[ShopInstance, Schedule, int, random.Random], frozenset[OpKey]]


def _all_ops(schedule: Schedule) -> list[ScheduledOp]:
    return [op for job in schedule.ops for op in job]


def time_window(
    instance: ShopInstance, schedule: Schedule, size: int, rng: random.Random
) -> frozenset[OpKey]:
    """A slice of the timeline: the operations that start in it may be resequenced.

    Repairs local congestion wherever it is, which is where wide instances
    lose most against their machine-load bound.
    """
    ops = sorted(_all_ops(schedule), key=lambda o: o.start)
    first = rng.randrange(max(1, len(ops) - size + 1))
    return frozenset((o.job, o.index) for o in ops[first : first + size])


def machine_window(
    instance: ShopInstance, schedule: Schedule, size: int, rng: random.Random
) -> frozenset[OpKey]:
    """A few machines over a time slice; resequencing a machine is the shifting-bottleneck move."""
    seqs = [s for s in schedule.machine_sequences(instance.num_machines) if s]
    count = min(len(seqs), rng.randint(2, 4))
    chosen = rng.sample(seqs, count)
    per_machine = max(2, size // count)
    free: set[OpKey] = set()
    for seq in chosen:
        first = rng.randrange(max(1, len(seq) - per_machine + 1))
        free.update((o.job, o.index) for o in seq[first : first + per_machine])
    return frozenset(free)


def random_jobs(
    instance: ShopInstance, schedule: Schedule, size: int, rng: random.Random
) -> frozenset[OpKey]:
    """Whole jobs re-inserted; moves long chains at once, which windows cannot."""
    order = list(range(len(instance.jobs)))
    rng.shuffle(order)
    free: set[OpKey] = set()
    for j in order:
        if len(free) >= size:
            break
        free.update((j, i) for i in range(len(instance.jobs[j])))
    return frozenset(free)


def critical_window(
    instance: ShopInstance, schedule: Schedule, size: int, rng: random.Random
) -> frozenset[OpKey]:
    """Operations near a random point of a critical path: only moves there can shorten it."""
    path = critical_path(instance, schedule)
    centre = path[rng.randrange(len(path))]
    ops = sorted(_all_ops(schedule), key=lambda o: abs(o.start - centre.start))
    return frozenset((o.job, o.index) for o in ops[:size])


def critical_path(instance: ShopInstance, schedule: Schedule) -> list[ScheduledOp]:
    """Walk back from the last operation through tight job or machine predecessors."""
    machine_prev: dict[OpKey, ScheduledOp] = {}
    for seq in schedule.machine_sequences(instance.num_machines):
        for before, after in itertools.pairwise(seq):
            machine_prev[(after.job, after.index)] = before
    current = max(_all_ops(schedule), key=lambda o: o.end)
    path = [current]
    while current.start > 0:
        job_prev = schedule.ops[current.job][current.index - 1] if current.index else None
        mprev = machine_prev.get((current.job, current.index))
        if job_prev is not None and job_prev.end == current.start:
            current = job_prev
        elif mprev is not None and mprev.end == current.start:
            current = mprev
        else:
            break
        path.append(current)
    return path


CHOOSERS: dict[str, Chooser] = {
    "time_window": time_window,
    "machine_window": machine_window,
    "random_jobs": random_jobs,
    "critical_window": critical_window,
}
