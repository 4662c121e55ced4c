"""Iterated dispatch: search over ATC's look-ahead and order priorities.

CP-SAT barely improves a good dispatch plan on a large shop: on shop_1000_s1
the whole-shop model moves 0.02% in 120 s, and even the bottleneck work center
alone (1,057 operations, heads and tails fixed) does not improve in 20 s. A
late order's tardiness comes from many small queue decisions spread over its
routing, which no window sees at once. So the global search happens one level
up, over the rule itself: the dispatcher turns a look-ahead factor k and a
per-order weight bias into a complete, valid schedule in a few hundredths of a
second at 1,000 orders, and ATC's quality varies a lot with k (on shop_1000_s1
from 204,227 to 285,551 over k = 3..32, not monotone). How strictly it keeps
ops on their fastest machine matters as much (`Rule.alt_slack`), and which
slack is best depends on the shop: on shop_1000_s1 0.02, on a generated factory
with shift calendars 0.4. The search samples k (in log scale) and the slack
together, evenly over the plane, then perturbs around the best k while raising
the bias of late orders ("squeaky wheel"). It keeps the best schedule and never
makes the plan worse.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from core.planning.dispatch import Rule, dispatch
from core.planning.objective import Cost, cost
from core.planning.problem import Problem
from core.planning.sequences import Schedule, job_end

K_RANGE = (0.5, 30.0)
SLACKS = (math.inf, 0.4, 0.2, 0.1, 0.05, 0.02, 0.0)


@dataclass(frozen=True)
class SearchStats:
    passes: int
    improved: int
    k: float
    alt_slack: float


def rule_search(
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
    start = time.monotonic()
    explore_until = start + (deadline - start) / 2
    best_k, best_slack = rule.k, rule.alt_slack
    best_bias: list[float] | None = None
    passes = improved = 0
    last = 0.0
    while time.monotonic() + last < deadline:
        t = time.monotonic()
        if t < explore_until:
            # additive recurrence on the plastic number (R2): points cover the
            # (log k, slack) square evenly whatever the pass count
            u = (0.5 + passes * 0.7548776662) % 1.0
            v = (0.5 + passes * 0.5698402910) % 1.0
            k = math.exp(math.log(K_RANGE[0]) + u * math.log(K_RANGE[1] / K_RANGE[0]))
            slack = SLACKS[int(v * len(SLACKS))]
            bias = best_bias
        else:
            k = best_k * math.exp(rng.gauss(0.0, 0.1))
            slack = best_slack
            bias = _squeak(pb, best, best_bias, rng)
        sched = dispatch(pb, Rule("atc", k, rule.tail, slack), bias)
        passes += 1
        c = cost(pb, sched, previous_start, stability_weight)
        if c < best_cost:
            best, best_cost, best_k, best_slack, best_bias = sched, c, k, slack, bias
            improved += 1
        last = time.monotonic() - t
    return best, best_cost, SearchStats(passes, improved, best_k, best_slack)


def _squeak(
    pb: Problem, sched: Schedule, bias: list[float] | None, rng: random.Random
) -> list[float]:
    """Raise the bias of some late orders in proportion to how late they are."""
    out = bias[:] if bias else [1.0] * pb.n_jobs
    for j in range(pb.n_jobs):
        late = job_end(pb, sched, j) - pb.due[j]
        if late > 0 and rng.random() < 0.3:
            out[j] *= 1.0 + rng.uniform(0.0, 0.5) * min(1.0, late / 2000 + 0.2)
    return out
