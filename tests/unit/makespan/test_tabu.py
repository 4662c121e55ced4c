"""The tabu searches: heads and tails stay true, moves are critical, runs repeat for a seed."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

pytest.importorskip("numba")  # the makespan solver is the [bench] extra

from bench.instances import FJSP_DIR, JSP_DIR, parse_brandimarte, parse_jsplib
from bench.makespan import SolveOptions, best_dispatch, solve_makespan, tabu_kernel
from bench.makespan.compiled_tabu import _KernelState
from bench.makespan.tabu import TabuSettings, _Graph, _n5_moves, tabu_search
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
    instance = parse_jsplib(JSP_DIR / "ft10")
    start = best_dispatch(instance, seed=0, time_budget=0.0).schedule
    settings = TabuSettings(max_iterations=500)
    runs = [
        tabu_search(instance, start, 0, time.monotonic() + 30, seed=3, settings=settings)
        for _ in range(2)
    ]
    assert runs[0].schedule == runs[1].schedule


def test_compiled_n5_moves_are_adjacent_critical_pairs() -> None:
    instance = parse_jsplib(JSP_DIR / "ta01")
    state = _KernelState(
        instance, best_dispatch(instance, seed=0, time_budget=0.0).schedule, 1, TabuSettings()
    )
    cmax = state.evaluate()
    p, r, q = state.p, state.r, state.q
    for _ in range(50):
        count = tabu_kernel._n5_moves(state.graph, state.walk, cmax, state.rng)
        assert count > 0
        for u, v in state.moves[:count, :2]:
            assert state.ms[u] == v
            assert r[u] + p[u] == r[v]
            assert r[u] + p[u] + q[u] == cmax == r[v] + p[v] + q[v]


def test_compiled_search_keeps_heads_a_python_evaluation_agrees_with() -> None:
    instance = parse_jsplib(JSP_DIR / "ta01")
    start = best_dispatch(instance, seed=0, time_budget=0.0).schedule
    settings = TabuSettings(max_iterations=20_000, restart_after=500, kick_moves=10)
    outcome = tabu_search(instance, start, 0, time.monotonic() + 60, seed=4, settings=settings)
    assert outcome.iterations == 20_000
    assert outcome.schedule.makespan < start.makespan
    assert violations(instance, outcome.schedule) == []
    # the Python graph computes heads from the same machine orders on its own
    assert _Graph(instance, outcome.schedule).to_schedule() == outcome.schedule


def test_job_shops_take_the_best_of_one_search_per_worker() -> None:
    instance = parse_jsplib(JSP_DIR / "la16")

    def tabu_makespan(seed: int, workers: int) -> float:
        options = SolveOptions(time_limit=0.2, seed=seed, num_workers=workers, deterministic=True)
        return dict(solve_makespan(instance, options).stats)["tabu_makespan"]

    alone = [tabu_makespan(5, 1), tabu_makespan(6, 1)]
    assert tabu_makespan(5, 2) == min(alone)


def _child_of(state: _KernelState, a: tuple, b: tuple) -> tuple[np.ndarray, np.ndarray]:
    mp, ms = np.empty_like(state.mp), np.empty_like(state.ms)
    tabu_kernel._crossover(a[0], a[1], b[0], b[1], state.build, state.rng, mp, ms)
    return mp, ms


def _machine_orders(state: _KernelState, mp: np.ndarray, ms: np.ndarray) -> list[list[int]]:
    orders = []
    for head in (o for o in range(len(mp)) if mp[o] == -1):
        order, o = [], head
        while o >= 0:
            order.append(o)
            o = ms[o]
        orders.append(order)
    return sorted(orders, key=lambda order: state.machine[order[0]])


def test_crossover_children_are_acyclic_mixes_of_their_parents() -> None:
    instance = parse_jsplib(JSP_DIR / "ta01")
    start = best_dispatch(instance, seed=0, time_budget=0.0).schedule
    state = _KernelState(instance, start, 2, TabuSettings())
    other = tabu_search(
        instance, start, 0, time.monotonic() + 60, 3, TabuSettings(max_iterations=3000)
    ).schedule
    twin = _KernelState(instance, other, 2, TabuSettings())
    parent_a = (state.mp.copy(), state.ms.copy())
    parent_b = (twin.mp.copy(), twin.ms.copy())
    orders_a = _machine_orders(state, *parent_a)
    orders_b = _machine_orders(state, *parent_b)
    inherited = {"a": 0, "b": 0}
    for _ in range(20):
        state.mp[:], state.ms[:] = _child_of(state, parent_a, parent_b)
        assert state.evaluate() > 0  # raises on a cycle
        orders = _machine_orders(state, state.mp, state.ms)
        assert [sorted(o) for o in orders] == [sorted(o) for o in orders_a]
        inherited["a"] += sum(x == y for x, y in zip(orders, orders_a, strict=False))
        inherited["b"] += sum(x == y for x, y in zip(orders, orders_b, strict=False))
    assert inherited["a"] > 0 and inherited["b"] > 0
    same = _child_of(state, parent_a, parent_a)
    assert np.array_equal(same[0], parent_a[0]) and np.array_equal(same[1], parent_a[1])


def test_a_converged_pool_restarts_from_random_orders_and_stays_feasible() -> None:
    instance = parse_jsplib(JSP_DIR / "ft10")
    start = best_dispatch(instance, seed=0, time_budget=0.0).schedule
    settings = TabuSettings(max_iterations=40_000, restart_after=200, pool_reset_after=1_000)
    state = _KernelState(instance, start, 6, settings)
    while state.run(0, 5_000, settings, tenure=10) == tabu_kernel.CHUNK_SPENT:
        pass
    assert state.stats[tabu_kernel.IT] == 40_000
    assert state.stats[tabu_kernel.LAST_RESET] > 0
    best = state.best_schedule()
    assert best.makespan == state.stats[tabu_kernel.BEST] < start.makespan
    assert violations(instance, best) == []


def test_compiled_moves_keep_heads_tails_and_order_equal_to_a_full_evaluation() -> None:
    """The kernel redoes only the span a move touches; a full pass must agree after every move."""
    for name, insertions in (("ta01", True), ("ft10", True), ("ft10", False)):
        instance = parse_jsplib(JSP_DIR / name)
        start = best_dispatch(instance, seed=0, time_budget=0.0).schedule
        settings = TabuSettings(restart_after=300, insertions=insertions)
        state = _KernelState(instance, start, 4, settings)
        order, pos = state.order, state.pos
        for _ in range(1_500):
            assert state.run(0, 1, settings, tenure=8) == tabu_kernel.CHUNK_SPENT
            assert np.array_equal(pos[order], np.arange(len(order)))
            for o in range(len(order)):  # the kept order is topological
                for before in (state.jp[o], state.mp[o]):
                    assert before < 0 or pos[before] < pos[o]
            full = tuple(a.copy() for a in state.graph)  # the state keeps its own order
            assert tabu_kernel.evaluate(full) == state.stats[tabu_kernel.CMAX]
            assert np.array_equal(full[5], state.r) and np.array_equal(full[6], state.q)
