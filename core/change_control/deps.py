"""What every change-control use case is given: settings and the services it calls."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from core.change_control.assess import AssessedPlans
from core.change_control.fanout import Fanout
from core.ports import Clock, EventPublisher, UnitOfWorkFactory
from core.services.planning import Planner

RISK_ORDER = {"low": 0, "medium": 1, "high": 2, "blocked": 3}


@dataclass(frozen=True, slots=True)
class ChangeSettings:
    confirm_timeout: timedelta = timedelta(minutes=30)
    approval_threshold: str = "high"  # this risk level and above needs a supervisor
    enabled_channels: Collection[str] = ("web",)
    reuse_within: timedelta = timedelta(minutes=10)
    """How old an assessed plan may be and still be committed as it is on confirm: it is
    timed from its assessment, so an older one is repaired onto the present instead."""


@dataclass(frozen=True, slots=True)
class Deps:
    """Injected by the composition root (bot/app.py); tests pass fakes."""

    uow_factory: UnitOfWorkFactory
    planner: Planner
    clock: Clock
    settings: ChangeSettings
    fanout: Fanout
    events: EventPublisher
    assessed: AssessedPlans

    def needs_approval(self, risk: str, approval_always: bool) -> bool:
        """High risk, or a contract that sends every change to a supervisor."""
        threshold = RISK_ORDER[self.settings.approval_threshold]
        return RISK_ORDER.get(risk, 0) >= threshold or approval_always
