"""A saved plan version: what the shop will do and when, and what it promises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class PlannedOperation:
    order_ref: str
    seq: int
    name: str
    work_center: str
    machine: str  # "" for outsourced
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class OrderEta:
    order_ref: str
    eta: datetime
    due: datetime
    lateness_minutes: int

    @property
    def late(self) -> bool:
        return self.lateness_minutes > 0


@dataclass(slots=True)
class PlanVersion:
    number: int
    created_at: datetime
    epoch: datetime
    status: str  # solver status: OPTIMAL / FEASIBLE / HEURISTIC
    method: str
    objective: int
    lower_bound: int
    kpis: dict[str, Any]
    reason: str  # what triggered it: "change CR-12", "report", "schedule" ...
    operations: list[PlannedOperation] = field(default_factory=list)
    etas: dict[str, OrderEta] = field(default_factory=dict)
    diff: dict[str, Any] = field(default_factory=dict)
