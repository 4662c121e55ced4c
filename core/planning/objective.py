"""The plan's cost as the engine ranks plans: lexicographic.

Weighted tardiness first: it is what customers feel, with weights carrying the
customer tier and rush priority. Then stability: minutes that previously
planned operations move, priced by `stability_weight`, so that the ETAs the bot
already sent stay true. Then flow: the sum of order completion times, which
keeps machines compact and leaves room for the next rush order. Lexicographic
rather than a weighted blend because no amount of stability or flow should
excuse a late order; CP-SAT gets the same order through a dominating
coefficient (see cpsat.py).
"""

from __future__ import annotations

from core.planning.problem import Problem
from core.planning.sequences import Schedule, flow, weighted_tardiness

Cost = tuple[int, int]


def cost(
    pb: Problem, sched: Schedule, previous_start: dict[int, int] | None, stability_weight: int
) -> Cost:
    secondary = flow(pb, sched)
    if previous_start and stability_weight > 0:
        secondary += stability_weight * sum(
            abs(sched.start[i] - s) for i, s in previous_start.items()
        )
    return weighted_tardiness(pb, sched), secondary
