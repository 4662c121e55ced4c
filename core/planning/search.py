"""Iterated dispatch: search over job priorities, re-running ATC each time.

CP-SAT on time windows barely improves ATC on large shops (a late order's
tardiness comes from many small decisions spread over its whole routing, which
no window sees at once), so the global search happens one level up: each
order's ATC weight is multiplied by a bias, late orders are "squeaky wheels"
whose bias grows, and the dispatcher (a few hundredths of a second per pass
at 1,000 orders) turns each bias vector into a complete, valid schedule. The
best schedule found is kept; the search never makes the plan worse.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from core.planning.dispatch import Rule, dispatch
from core.planning.objective import Cost, cost
from core.planning.problem import Problem
from core.planning.schedule import Schedule, job_end


@dataclass(frozen=True)
class SearchStats:
    passes: int
    improved: int


def squeaky_wheel(
    pb: Problem,
    rule: Rule,
    best: Schedule,
    best_cost: Cost,
    *,
    deadline: float,
    seed: int,
    previous_start: dict[int, int] | None,
    stability_weight: int,
) -> tuple[Schedule, Cost, SearchStats]:
    rng = random.Random(seed)
    bias = [1.0] * pb.n_jobs
    best_bias = bias[:]
    current = best
    passes = improved = 0
    last = 0.0
    while time.monotonic() + last < deadline:
        t = time.monotonic()
        bias = best_bias[:] if rng.random() < 0.5 else bias
        _perturb(pb, current, bias, rng)
        current = dispatch(pb, rule, bias)
        passes += 1
        c = cost(pb, current, previous_start, stability_weight)
        if c < best_cost:
            best, best_cost, best_bias = current, c, bias[:]
            improved += 1
        last = time.monotonic() - t
    return best, best_cost, SearchStats(passes, improved)


def _perturb(pb: Problem, sched: Schedule, bias: list[float], rng: random.Random) -> None:
    """Raise the bias of late jobs in proportion to how late they are; relax the rest."""
    for j in range(pb.n_jobs):
        late = job_end(pb, sched, j) - pb.due[j]
        if late > 0:
            bias[j] *= 1.0 + rng.uniform(0.0, 0.6) * min(1.0, late / 2000 + 0.2)
        elif rng.random() < 0.1:
            bias[j] = max(0.2, bias[j] * rng.uniform(0.8, 1.0))
