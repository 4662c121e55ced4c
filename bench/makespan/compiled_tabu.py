"""The compiled job-shop tabu search: its state in flat arrays, run in timed chunks."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np

from bench.makespan import tabu_kernel as kernel
from bench.makespan.instance import ShopInstance, job_shop
from bench.makespan.schedule import Schedule, ScheduledOp
from bench.makespan.tabu_settings import (
    COMPILED_JOBS_PER_TENURE_MOVE,
    COMPILED_KICK_MOVES,
    COMPILED_POOL_RESET_AFTER,
    COMPILED_RESTART_AFTER,
    COMPILED_TENURE_BASE,
    COMPILED_TENURE_SPAN,
    TabuOutcome,
    TabuSettings,
    or_default,
)

# A chunk of compiled moves lasts about this long, so the deadline is kept
# to within a few milliseconds without paying a Python round trip per move.
CHUNK_SECONDS = 0.005


class _KernelState:
    """The flat arrays the compiled search works on, built from a schedule."""

    def __init__(
        self, instance: ShopInstance, schedule: Schedule, seed: int, settings: TabuSettings
    ) -> None:
        flat = [op for job in schedule.ops for op in job]
        n = len(flat)
        ids = {(op.job, op.index): k for k, op in enumerate(flat)}
        self.key = [(op.job, op.index) for op in flat]
        self.machine = [op.machine for op in flat]
        self.p = np.array([op.duration for op in flat], dtype=np.int64)
        self.jp = np.full(n, -1, dtype=np.int64)
        self.js = np.full(n, -1, dtype=np.int64)
        for a in range(n - 1):
            if self.key[a][0] == self.key[a + 1][0]:
                self.js[a], self.jp[a + 1] = a + 1, a
        self.mp = np.full(n, -1, dtype=np.int64)
        self.ms = np.full(n, -1, dtype=np.int64)
        self.rank = np.zeros(n, dtype=np.int64)
        self.cell_base = np.zeros(n, dtype=np.int64)
        cells = 0
        for seq in schedule.machine_sequences(instance.num_machines):
            members = [ids[(op.job, op.index)] for op in seq]
            for k, o in enumerate(members):
                self.rank[o] = k
                self.cell_base[o] = cells + k * len(members)
            for a, b in itertools.pairwise(members):
                self.ms[a], self.mp[b] = b, a
            cells += len(members) ** 2
        self.tabu = np.zeros(max(cells, 1), dtype=np.int64)
        self.r = np.zeros(n, dtype=np.int64)
        self.q = np.zeros(n, dtype=np.int64)
        self.order = np.zeros(n, dtype=np.int64)
        self.indeg = np.zeros(n, dtype=np.int64)
        self.pos = np.zeros(n, dtype=np.int64)
        self.queue = np.zeros(n, dtype=np.int64)
        self.path = np.zeros(n, dtype=np.int64)
        self.block_start = np.zeros(n + 1, dtype=np.int64)
        self.seg = np.zeros(n, dtype=np.int64)
        self.heads = np.zeros(n, dtype=np.int64)
        # each block of k >= 2 operations gives at most 4k insertions
        self.moves = np.zeros((4 * n + 4, 3), dtype=np.int64)
        self.graph = (
            self.p, self.jp, self.js, self.mp, self.ms, self.r, self.q,
            self.order, self.indeg, self.pos, self.queue,
        )  # fmt: skip
        self.walk = (self.path, self.block_start, self.moves, self.seg, self.heads)
        self.memory = (self.tabu, self.cell_base, self.rank)
        cmax = self.evaluate()
        self.best_mp, self.best_ms = self.mp.copy(), self.ms.copy()
        self.phase_mp, self.phase_ms = self.mp.copy(), self.ms.copy()
        self.stats = np.zeros(kernel.STATS_SIZE, dtype=np.int64)
        for field in (kernel.BEST, kernel.CMAX, kernel.PHASE_BEST):
            self.stats[field] = cmax
        self.machine_of = np.array(self.machine, dtype=np.int64)
        self.job_first = np.array([k for k in range(n) if self.jp[k] < 0], dtype=np.int64)
        elite = max(settings.elite, 1)
        self.pool_mp = np.zeros((elite, n), dtype=np.int64)
        self.pool_ms = np.zeros((elite, n), dtype=np.int64)
        self.pool_cmax = np.zeros(elite, dtype=np.int64)
        self.elite = (self.best_mp, self.best_ms, self.phase_mp, self.phase_ms)
        self.elite += (self.pool_mp, self.pool_ms, self.pool_cmax)
        machines = max(instance.num_machines, 1)
        self.build = (
            self.js,
            self.machine_of,
            self.job_first,
            np.zeros(n, dtype=np.int64),  # desired
            np.zeros(machines, dtype=np.int64),  # from_a
            np.zeros(machines, dtype=np.int64),  # placed
            np.zeros(machines, dtype=np.int64),  # last
            np.zeros(len(self.job_first), dtype=np.int64),  # job_next
        )
        self.rng = np.array([seed * 2654435761 + 1], dtype=np.int64)

    def evaluate(self) -> int:
        cmax = kernel.evaluate(self.graph)
        if cmax < 0:
            raise ValueError("machine sequences form a cycle")
        return int(cmax)

    def run(self, lower_bound: int, chunk: int, settings: TabuSettings, tenure: int) -> int:
        return int(
            kernel.run_chunk(
                self.graph, self.walk, self.memory, self.elite, self.build,
                self.stats, self.rng, lower_bound, chunk,
                settings.max_iterations or 0, tenure,
                max(or_default(settings.tenure_span, COMPILED_TENURE_SPAN), 1),
                or_default(settings.restart_after, COMPILED_RESTART_AFTER),
                settings.stop_after_stall or 0,
                or_default(settings.kick_moves, COMPILED_KICK_MOVES),
                settings.insertions,
                or_default(settings.pool_reset_after, COMPILED_POOL_RESET_AFTER),
            )
        )  # fmt: skip

    def best_schedule(self) -> Schedule:
        self.mp[:], self.ms[:] = self.best_mp, self.best_ms
        self.evaluate()
        jobs: dict[int, list[ScheduledOp]] = {}
        for o, (j, i) in enumerate(self.key):
            jobs.setdefault(j, []).append(
                ScheduledOp(j, i, self.machine[o], int(self.r[o]), int(self.p[o]))
            )
        return Schedule(tuple(tuple(jobs[j]) for j in sorted(jobs)))


def compiled_tabu_search(
    instance: ShopInstance,
    schedule: Schedule,
    lower_bound: int,
    deadline: float,
    seed: int,
    settings: TabuSettings,
) -> TabuOutcome:
    """Chunks of compiled moves, each about CHUNK_SECONDS long, until a stop or the deadline."""
    state = _KernelState(instance, schedule, seed, settings)
    tenure = (
        or_default(settings.tenure_base, COMPILED_TENURE_BASE)
        + len(schedule.ops) // COMPILED_JOBS_PER_TENURE_MOVE
    )
    chunk = 64
    while time.monotonic() < deadline:
        began = time.monotonic()
        if state.run(lower_bound, chunk, settings, tenure) != kernel.CHUNK_SPENT:
            break
        if time.monotonic() - began < CHUNK_SECONDS and chunk < 1 << 20:
            chunk *= 2
    return TabuOutcome(
        state.best_schedule(),
        int(state.stats[kernel.IT]),
        int(state.stats[kernel.IMPROVEMENTS]),
    )


_compiled = threading.Event()
_compiling = threading.Lock()


def ensure_compiled() -> None:
    """Warm the kernel up once per process; later calls return at once."""
    if _compiled.is_set():
        return
    with _compiling:
        if not _compiled.is_set():
            warm_up()


def warm_up() -> float:
    """Compile (or load from Numba's cache) the kernel on a tiny shop; returns the seconds spent.

    The first run after an install compiles for about 20 s and later runs
    load the cache in well under one; a process that times its solves calls
    this first so that neither lands inside a time limit.
    """
    began = time.monotonic()
    jobs = [[(0, 3), (1, 2), (2, 2)], [(0, 2), (2, 1), (1, 4)], [(1, 4), (2, 3), (0, 1)]]
    instance = job_shop("warm-up", 3, jobs)
    ops = tuple(
        tuple(ScheduledOp(j, i, m, 10 * (3 * j + i), d) for i, (m, d) in enumerate(route))
        for j, route in enumerate(jobs)
    )
    settings = TabuSettings(max_iterations=200, restart_after=20)
    compiled_tabu_search(instance, Schedule(ops), 0, float("inf"), 0, settings)
    _compiled.set()
    return time.monotonic() - began
