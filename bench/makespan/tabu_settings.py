"""Settings and outcome of the tabu searches, shared by the Python and compiled ones."""

from __future__ import annotations

from dataclasses import dataclass

from bench.makespan.schedule import Schedule

COMPILED_RESTART_AFTER = 2500
COMPILED_KICK_MOVES = 30
COMPILED_POOL_RESET_AFTER = 100_000
COMPILED_TENURE_BASE = 0
COMPILED_TENURE_SPAN = 12
COMPILED_JOBS_PER_TENURE_MOVE = 5
PYTHON_RESTART_AFTER = 2000
PYTHON_KICK_MOVES = 0
PYTHON_TENURE_BASE = 8
PYTHON_TENURE_SPAN = 8


def or_default(value: int | None, default: int) -> int:
    """A setting left at None takes the running search's own default."""
    return default if value is None else value


@dataclass(frozen=True)
class TabuSettings:
    """Tenure grows with the shop's size; a restart from the best follows a long stall.

    Settings left at None take the defaults of the search that runs.

    A move stays tabu for `tenure_base` plus a size term plus a random
    share of `tenure_span` moves. The Python search adds jobs per machine
    to 8 and draws from 8. The compiled one adds a fifth of the jobs and
    draws from 12, so a 15x15 shop gets 3-14. Run alone over la36-la40
    and ta01-ta10 at 3 s, seeds 0-3 (`python -m bench.tabu --set
    la36-la40,ta01-ta10 --seeds 0-3 --setting KEY=VALUE`), its mean gap was
    0.49-0.52 % with the Python search's 9-16, 0.22-0.25 % with 3-14,
    0.35-0.42 % with 5-16 and 7.6 % with mostly none, which cycles. On
    20x20 and 30x20 shops 2-12 did worse than 5-16, hence the size term.

    The Python search restarts after 2,000 idle moves and without a kick.
    The compiled one restarts after 2,500 and makes 30 random critical
    swaps first. At 3 s with the longer tenure, its mean gap was 0.94 %
    with no kick, 0.76 % with 10 swaps after 2,000, 0.72 % with 5 swaps
    after 10,000, and 0.54 % with 30 swaps after 5,000: at a hundred
    thousand moves a second a plain restart walks back into the basin it
    left. With the shorter tenure, 1,250-2,500 idle moves gave 0.22-0.27 %,
    5,000 0.25-0.30 % and 10,000-20,000 0.30-0.43 %.
    """

    max_iterations: int | None = None
    tenure_base: int | None = None
    tenure_span: int | None = None
    restart_after: int | None = None
    kick_moves: int | None = None
    stop_after_stall: int | None = None
    insertions: bool = True
    elite: int = 10
    pool_reset_after: int | None = None


@dataclass(frozen=True)
class TabuOutcome:
    """The best schedule and the effort spent."""

    schedule: Schedule
    iterations: int
    improvements: int
