"""Change requests: a chat message's journey to an applied (or refused) change.

Every step is kept in `audit`: the raw message, the parsed command, the impact
snapshot, who confirmed or approved and when, and the plan version it led to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.errors import InvalidTransition
from core.events import ChangeRequestMoved, Event


class CRStatus(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # impact shown to the requester
    AWAITING_SALES = "awaiting_sales"  # a customer asked; their salesperson must confirm
    AWAITING_APPROVAL = "awaiting_approval"  # high impact: a supervisor decides
    APPLIED = "applied"
    CANCELLED = "cancelled"  # the requester said no
    DENIED = "denied"  # a supervisor said no
    EXPIRED = "expired"
    REFUSED = "refused"  # policy or authorisation refused it outright
    SUPERSEDED = "superseded"  # the order changed underneath; re-assessed as a new request

    @property
    def is_open(self) -> bool:
        return self in (
            CRStatus.AWAITING_CONFIRMATION,
            CRStatus.AWAITING_SALES,
            CRStatus.AWAITING_APPROVAL,
        )


_ALLOWED: dict[CRStatus, frozenset[CRStatus]] = {
    CRStatus.AWAITING_CONFIRMATION: frozenset(
        {
            CRStatus.AWAITING_APPROVAL,
            CRStatus.APPLIED,
            CRStatus.CANCELLED,
            CRStatus.EXPIRED,
            CRStatus.SUPERSEDED,
            CRStatus.REFUSED,
        }
    ),
    CRStatus.AWAITING_SALES: frozenset(
        {
            CRStatus.AWAITING_APPROVAL,
            CRStatus.APPLIED,
            CRStatus.CANCELLED,
            CRStatus.EXPIRED,
            CRStatus.SUPERSEDED,
            CRStatus.REFUSED,
        }
    ),
    CRStatus.AWAITING_APPROVAL: frozenset(
        {
            CRStatus.APPLIED,
            CRStatus.DENIED,
            CRStatus.EXPIRED,
            CRStatus.SUPERSEDED,
            CRStatus.REFUSED,
        }
    ),
}


@dataclass(slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ChangeRequest:
    ref: str  # "CR-12"
    order_ref: str
    requested_by: str
    kind: str  # "change" | "cancel"
    raw_text: str
    command: dict[str, Any]
    status: CRStatus
    created_at: datetime
    order_version: int  # the order version the impact was assessed against
    impact: dict[str, Any] = field(default_factory=dict)
    risk: str = "low"
    expires_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    plan_version: int | None = None
    id: int | None = None
    audit: list[AuditEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list, compare=False, repr=False)
    saved_audit: int | None = field(default=None, compare=False, repr=False)
    """How many audit entries storage holds; None at construction = all that were passed in."""

    def __post_init__(self) -> None:
        if self.saved_audit is None:
            self.saved_audit = len(self.audit)

    def pending_audit(self) -> list[AuditEntry]:
        """Audit entries added since the request was loaded or last saved."""
        return self.audit[self.saved_audit or 0 :]

    def mark_audit_saved(self) -> None:
        """Storage now holds every entry: the repository wrote them all."""
        self.saved_audit = len(self.audit)

    def move(self, to: CRStatus, actor: str, at: datetime, **detail: Any) -> None:
        if to not in _ALLOWED.get(self.status, frozenset()):
            raise InvalidTransition(self.ref, self.status.value, f"move to {to.value}")
        old = self.status
        self.status = to
        self.audit.append(AuditEntry(at, actor, to.value, dict(detail)))
        self.events.append(
            ChangeRequestMoved(self.ref, self.order_ref, old.value, to.value, actor)
        )
        if to in (CRStatus.APPLIED, CRStatus.DENIED, CRStatus.CANCELLED):
            self.decided_by = actor
            self.decided_at = at

    def note(self, actor: str, action: str, at: datetime, **detail: Any) -> None:
        self.audit.append(AuditEntry(at, actor, action, dict(detail)))

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at
