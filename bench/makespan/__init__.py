"""Makespan scheduling for job shops and flexible job shops on CP-SAT.

Public surface: `solve_makespan`, `SolveOptions`, the instance and schedule
dataclasses, `best_dispatch` for a quick heuristic schedule, and `warm_up`,
which compiles the job-shop tabu kernel before anything is timed.
"""

from bench.makespan.compiled_tabu import warm_up
from bench.makespan.dispatch import DispatchResult, best_dispatch
from bench.makespan.instance import Alternative, Operation, ShopInstance, job_shop
from bench.makespan.model import ModelOptions
from bench.makespan.schedule import MakespanResult, Schedule, ScheduledOp
from bench.makespan.solver import SolveOptions, solve_makespan

__all__ = [
    "Alternative",
    "DispatchResult",
    "MakespanResult",
    "ModelOptions",
    "Operation",
    "Schedule",
    "ScheduledOp",
    "ShopInstance",
    "SolveOptions",
    "best_dispatch",
    "job_shop",
    "solve_makespan",
    "warm_up",
]
