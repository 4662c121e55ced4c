"""Domain events: facts in the past tense, recorded by aggregates, handled after commit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    pass


@dataclass(frozen=True, slots=True)
class OrderChanged(Event):
    ref: str
    field: str
    old: object
    new: object
    by: str


@dataclass(frozen=True, slots=True)
class OrderStatusChanged(Event):
    ref: str
    old: str
    new: str
    by: str


@dataclass(frozen=True, slots=True)
class ProgressReported(Event):
    ref: str
    operation: str
    quantity: int
    scrap: int
    by: str


@dataclass(frozen=True, slots=True)
class ChangeRequestMoved(Event):
    ref: str
    order_ref: str
    old: str
    new: str
    by: str


@dataclass(frozen=True, slots=True)
class PlanRevised(Event):
    """A plan version was committed; `changed` names the orders it was made for (empty = all)."""

    number: int
    reason: str
    status: str
    method: str
    solve_seconds: float
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeApplied(Event):
    """A change request was committed together with its order and plan version."""

    cr_ref: str
    order_ref: str
    plan_version: int
