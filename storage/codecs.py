"""JSON forms of the value objects kept in JSON columns."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from core.model.capacity import Shift, WorkCalendar
from core.model.parties import ContractPolicy, FreezePoint


def calendar_to_json(cal: WorkCalendar) -> dict[str, Any]:
    return {
        "shifts": [[s.start.strftime("%H:%M"), s.end.strftime("%H:%M")] for s in cal.shifts],
        "weekdays": sorted(cal.weekdays),
        "holidays": sorted(d.isoformat() for d in cal.holidays),
        "extra_days": sorted(d.isoformat() for d in cal.extra_days),
    }


def calendar_from_json(data: dict[str, Any]) -> WorkCalendar:
    return WorkCalendar(
        shifts=tuple(
            Shift(time.fromisoformat(a), time.fromisoformat(b)) for a, b in data["shifts"]
        ),
        weekdays=frozenset(data["weekdays"]),
        holidays=frozenset(date.fromisoformat(d) for d in data.get("holidays", [])),
        extra_days=frozenset(date.fromisoformat(d) for d in data.get("extra_days", [])),
    )


def policy_to_json(policy: ContractPolicy) -> dict[str, Any]:
    return {
        "max_changes_per_order": policy.max_changes_per_order,
        "freeze_points": [[f.kind, f.after_operation] for f in policy.freeze_points],
        "change_fee": policy.change_fee,
        "rush_fee_rate": policy.rush_fee_rate,
        "approval_always": policy.approval_always,
    }


def policy_from_json(data: dict[str, Any]) -> ContractPolicy:
    return ContractPolicy(
        max_changes_per_order=int(data.get("max_changes_per_order", 3)),
        freeze_points=tuple(FreezePoint(k, op) for k, op in data.get("freeze_points", [])),
        change_fee=float(data.get("change_fee", 0.0)),
        rush_fee_rate=float(data.get("rush_fee_rate", 0.0)),
        approval_always=bool(data.get("approval_always", False)),
    )
