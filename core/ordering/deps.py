"""What the ordering use cases are given: change control's services and a cache of cards."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from core.change_control.deps import ChangeSettings
from core.change_control.fanout import Fanout
from core.model.work_order import WorkOrder
from core.ordering.results import QuoteFacts
from core.ports import Clock, EventPublisher, UnitOfWorkFactory
from core.services.planning import Planner, WhatIf

RISK_ORDER = {"low": 0, "medium": 1, "high": 2, "blocked": 3}


@dataclass(frozen=True, slots=True)
class OrderAssessment:
    """A new order played on the live plan at its asked date, and the quote for it."""

    order: WorkOrder
    facts: QuoteFacts
    plan: WhatIf
    at: datetime


class KeptAssessments:
    """Assessments awaiting confirmation by request ref, bounded; a miss re-assesses."""

    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, OrderAssessment] = OrderedDict()

    def put(self, ref: str, assessment: OrderAssessment) -> None:
        self._items[ref] = assessment
        self._items.move_to_end(ref)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def take(self, ref: str) -> OrderAssessment | None:
        return self._items.pop(ref, None)


@dataclass(frozen=True, slots=True)
class OrderingDeps:
    """Injected by the composition root (bot/app.py)."""

    uow_factory: UnitOfWorkFactory
    planner: Planner
    clock: Clock
    settings: ChangeSettings
    fanout: Fanout
    events: EventPublisher
    kept: KeptAssessments = field(default_factory=KeptAssessments)

    def needs_approval(self, risk: str, approval_always: bool) -> bool:
        threshold = RISK_ORDER[self.settings.approval_threshold]
        return RISK_ORDER.get(risk, 0) >= threshold or approval_always
