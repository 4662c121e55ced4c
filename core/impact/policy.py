"""The customer's contract against a change: how many are left, which are frozen, the fee.

Freeze points are checked for every kind the change touches: a spec change is
kind "spec" and also its key ("color", "material" ...), so a contract can
freeze colour after painting while sizes stay open until cutting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.impact.types import FrozenHit, PolicyImpact
from core.model.parties import ContractPolicy
from core.model.work_order import WorkOrder


def change_kinds(changes: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The freeze-point kinds of contract change items, in order, without repeats."""
    kinds: list[str] = []
    for item in changes:
        field = str(item.get("field", ""))
        kinds.append(field)
        if field == "spec" and item.get("key"):
            kinds.append(str(item["key"]))
    return tuple(dict.fromkeys(k for k in kinds if k))


def assess_policy(order: WorkOrder, policy: ContractPolicy, kinds: Iterable[str]) -> PolicyImpact:
    """Limit and freeze points as the contract states them; a cancellation is no change.

    The limit counts changes already applied (order.change_count): with the
    maximum used, one more is forbidden.
    """
    kinds = tuple(kinds)
    started = order.started_operations()
    hits = tuple(
        dict.fromkeys(
            FrozenHit(point.kind, point.after_operation)
            for kind in kinds
            if (point := policy.frozen_by(kind, started)) is not None
        )
    )
    counted = any(k != "cancel" for k in kinds)
    limit = counted and order.change_count >= policy.max_changes_per_order
    return PolicyImpact(
        changes_used=order.change_count,
        changes_max=policy.max_changes_per_order,
        limit_reached=limit,
        frozen=hits,
        fee=policy.change_fee if counted else 0.0,
        approval_always=policy.approval_always,
    )
