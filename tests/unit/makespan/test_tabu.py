"""The tabu search keeps heads and tails incrementally; they must match a full recomputation."""

from __future__ import annotations

import random
import time

from bench.instances import FJSP_DIR, JSP_DIR, parse_brandimarte, parse_jsplib
from core.planning.makespan import best_dispatch
from core.planning.makespan.tabu import _Graph, _n5_moves, tabu_search
from tests.unit.makespan.checker import violations


def test_incremental_heads_and_tails_match_a_full_evaluation() -> None:
    instance = parse_jsplib(JSP_DIR / "ta01")
    graph = _Graph(instance, best_dispatch(instance, seed=0, time_budget=0.0).schedule)
    rng = random.Random(5)
    for _ in range(300):
        moves = _n5_moves(graph, graph.critical_blocks(graph.makespan(), rng))
        u, v = moves[rng.randrange(len(moves))]
        graph.swap(u, v)
        heads, tails = list(graph.r), list(graph.q)
        graph.evaluate()
        assert (heads, tails) == (graph.r, graph.q)


def test_tabu_improves_and_stays_feasible_on_a_flexible_shop() -> None:
    instance = parse_brandimarte(FJSP_DIR / "mk03.txt")
    start = best_dispatch(instance, seed=0, time_budget=0.0).schedule
    outcome = tabu_search(instance, start, 0, time.monotonic() + 1.0, seed=2)
    assert violations(instance, outcome.schedule) == []
    assert outcome.schedule.makespan <= start.makespan


def test_tabu_is_reproducible_for_a_fixed_seed_and_iteration_count() -> None:
    from core.planning.makespan.tabu import TabuSettings

    instance = parse_jsplib(JSP_DIR / "ft10")
    start = best_dispatch(instance, seed=0, time_budget=0.0).schedule
    settings = TabuSettings(max_iterations=500)
    runs = [
        tabu_search(instance, start, 0, time.monotonic() + 30, seed=3, settings=settings)
        for _ in range(2)
    ]
    assert runs[0].schedule == runs[1].schedule
