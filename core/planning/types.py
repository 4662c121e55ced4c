"""Plain data the planning engine consumes and produces.

No ORM objects cross this boundary: the adapter turns work orders, routings and
calendars into these frozen records, so the engine can run in a worker thread
and be tested on hand-written instances. Time is integer minutes from the plan
epoch (the moment the plan is made).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Alternative:
    """One machine that can run an operation; `minutes` already sums setup and run time."""

    machine: str
    minutes: int


@dataclass(frozen=True)
class Frozen:
    """An operation already in progress: the plan may not move it."""

    machine: str
    start: int
    end: int


@dataclass(frozen=True)
class Operation:
    """One routing step.

    An outsourced step has no alternatives and a positive `lead_minutes`: it takes
    that long after its predecessor and uses none of our capacity.
    """

    key: str
    alternatives: tuple[Alternative, ...]
    lead_minutes: int = 0
    frozen: Frozen | None = None
    name: str = ""

    @property
    def outsourced(self) -> bool:
        return not self.alternatives and self.frozen is None


@dataclass(frozen=True)
class Job:
    """A work order; its operations run in the given order."""

    ref: str
    release: int
    due: int
    weight: int
    ops: tuple[Operation, ...]


@dataclass(frozen=True)
class Machine:
    id: str
    work_center: str


@dataclass(frozen=True)
class Calendar:
    """Working time of a work center.

    `windows` are sorted, disjoint working intervals [start, end); None means
    around the clock. Past the last window the calendar is taken as open, so a
    plan always exists even when the horizon was drawn too short. With
    `can_pause` an operation may stop at a break and resume; otherwise it must
    fit inside one window.
    """

    work_center: str
    windows: tuple[tuple[int, int], ...] | None
    can_pause: bool = False


@dataclass(frozen=True)
class PlanInput:
    jobs: tuple[Job, ...]
    machines: tuple[Machine, ...]
    calendars: Mapping[str, Calendar]
    horizon: int


@dataclass(frozen=True)
class SolveParams:
    """Solver knobs.

    `workers=0` uses every core. Instances with more than `monolithic_max_ops`
    operations are not solved as one CP-SAT model: `search_share` of a full
    plan's time goes to the dispatch-rule search (search.py), the rest to the
    local search over machine queues (sequence_search.py; 0.5 measured best of
    0.5/0.7 on shop_1000_s1). A replan spends `replan_window_share` of its time
    on CP-SAT time windows centred on the change, of a third of
    `lns_window_ops` operations plus a third of `lns_tail_ops` floating ones
    after them (lns.py), `lns_step_s` each, and the rest on the queue descent
    (0.5 beat windows alone in six rush insertions on two 1,000-order shops,
    at most 25 of ~6,000 operations reordered). `stability_weight` prices one
    minute of shifting a previously planned operation against one minute of
    flow time (see objective.py); weighted tardiness always comes first.
    """

    time_limit_s: float = 10.0
    seed: int = 0
    workers: int = 0
    monolithic_max_ops: int = 400
    lns_window_ops: int = 240
    lns_tail_ops: int = 600
    lns_step_s: float = 1.5
    search_share: float = 0.5
    stability_weight: int = 1
    atc_k: tuple[float, ...] = (2.0, 4.0, 1.0, 8.0, 0.5)  # first ones run even at limit 0
    replan_window_share: float = 0.5
    use_cpsat: bool = True


@dataclass(frozen=True)
class Assignment:
    """Where and when an operation runs; machine == "" for outsourced work."""

    machine: str
    start: int
    end: int


@dataclass(frozen=True)
class JobOutcome:
    ref: str
    end: int
    due: int
    lateness: int
    tardiness: int
    weight: int


@dataclass(frozen=True)
class Kpis:
    orders_late: int
    on_time_rate: float
    weighted_tardiness: int
    makespan: int
    utilization: Mapping[str, float]
    bottleneck: str | None


@dataclass(frozen=True)
class PlanResult:
    """A complete plan.

    `objective` is the weighted tardiness of the plan and `lower_bound` a proven
    lower bound on it; `status` is OPTIMAL, FEASIBLE (CP-SAT improved or
    confirmed it) or HEURISTIC (a dispatch rule or repair alone produced it).
    """

    assignments: Mapping[str, Assignment]
    jobs: Mapping[str, JobOutcome]
    status: str
    objective: int
    lower_bound: int
    kpis: Kpis
    method: str
    seconds: float
    first_solution_seconds: float = 0.0


@dataclass(frozen=True)
class OpMove:
    key: str
    old: Assignment
    new: Assignment


@dataclass(frozen=True)
class Slip:
    ref: str
    old_end: int
    new_end: int
    delta: int


@dataclass(frozen=True)
class PlanDiff:
    moved: tuple[OpMove, ...]
    slipped: tuple[Slip, ...]
    improved: tuple[Slip, ...]
    worst_slip: Slip | None
    reordered: tuple[str, ...] = field(default=())
