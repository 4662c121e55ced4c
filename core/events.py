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
