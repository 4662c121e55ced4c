"""The risk level of a change and its reasons.

"blocked" means the contract forbids the change (the bot refuses it); "high"
sends it to a supervisor; "medium" asks the requester to confirm with the
numbers in front of them; "low" is applied on a plain confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from core.i18n import render
from core.impact.catalog import CATALOG
from core.impact.text import duration, kind_name, money
from core.impact.types import (
    CostEstimate,
    MaterialImpact,
    PlanImpact,
    PolicyImpact,
    ReworkImpact,
    Risk,
    RiskReason,
)

LEVELS = ("low", "medium", "high", "blocked")

OTHERS_SLIP_HIGH_MINUTES = 24 * 60
"""Another customer's order a day later is a promise broken elsewhere: a supervisor weighs it."""

OTHERS_SLIP_MEDIUM_MINUTES = 60
"""Under an hour is the plan's normal breathing; more is worth telling the requester."""

COST_MEDIUM_YUAN = 500.0
"""Extra spend a salesperson may accept alone: about one day of a worker's wage and overhead."""

COST_MEDIUM_SHARE = 0.05
"""...or 5% of the order's value, whichever is smaller: the usual margin of a custom order is
15-25%.
"""


def judge(
    plan: PlanImpact | None,
    materials: MaterialImpact,
    rework: ReworkImpact,
    policy: PolicyImpact,
    cost: CostEstimate,
    due: date,
    order_value: float,
) -> Risk:
    """Collect every reason with its level; the risk is the worst of them."""
    found: list[tuple[str, RiskReason]] = []
    found += _policy(policy)
    found += _plan(plan)
    found += _materials(materials, due)
    found += _rework(rework)
    found += _cost(cost, order_value)
    if not found:
        return Risk("low", (_reason("none"),))
    level = max((lvl for lvl, _ in found), key=LEVELS.index)
    ordered = sorted(found, key=lambda f: -LEVELS.index(f[0]))
    return Risk(level, tuple(r for _, r in ordered))


def _reason(code: str, **values: object) -> RiskReason:
    key = f"risk.{code}"
    return RiskReason(
        code,
        render(CATALOG, key, "zh", **_each(values, "zh")),
        render(CATALOG, key, "en", **_each(values, "en")),
    )


def _each(values: dict[str, object], lang: str) -> dict[str, object]:
    """Values may be per-language callables (durations, kind names)."""
    return {k: v(lang) if callable(v) else v for k, v in values.items()}


def _policy(policy: PolicyImpact) -> list[tuple[str, RiskReason]]:
    out: list[tuple[str, RiskReason]] = []
    if policy.limit_reached:
        out.append(
            ("blocked", _reason("change_limit", used=policy.changes_used, max=policy.changes_max))
        )
    for hit in policy.frozen:
        out.append(("blocked", _reason("frozen", op=hit.after_operation, kind=_kind(hit.kind))))
    return out


def _kind(kind: str) -> Callable[[str], str]:
    return lambda lang: kind_name(kind, lang)


def _plan(plan: PlanImpact | None) -> list[tuple[str, RiskReason]]:
    if plan is None:
        return []
    out: list[tuple[str, RiskReason]] = []
    late = plan.new_lateness or 0
    if plan.becomes_late:
        out.append(("high", _reason("late", late=lambda lang: duration(late, lang))))
    elif late > 0:
        out.append(("medium", _reason("still_late", late=lambda lang: duration(late, lang))))
    worst, n = plan.worst_other_slip, len(plan.others_slipped)
    if worst > OTHERS_SLIP_HIGH_MINUTES:
        out.append(
            ("high", _reason("others_slip_day", n=n, worst=lambda lang: duration(worst, lang)))
        )
    elif worst > OTHERS_SLIP_MEDIUM_MINUTES:
        out.append(
            ("medium", _reason("others_slip", n=n, worst=lambda lang: duration(worst, lang)))
        )
    return out


def _materials(materials: MaterialImpact, due: date) -> list[tuple[str, RiskReason]]:
    out: list[tuple[str, RiskReason]] = []
    new = [ln.name for ln in materials.lines if ln.new_item]
    if new:
        out.append(("medium", _reason("new_material", items=_names(new))))
    short = materials.shortages
    if not short:
        return out
    names = _names([ln.name for ln in short])
    ready = materials.ready_on
    if ready is not None and ready > due:
        out.append(("high", _reason("short_past_due", items=names)))
    elif ready is not None and ready > materials.need_by:
        out.append(("medium", _reason("short_late_start", items=names)))
    else:
        out.append(("medium", _reason("short", items=names)))
    return out


def _names(names: list[str]) -> Callable[[str], str]:
    """The first two names, joined the way each language lists things."""

    def joined(lang: str) -> str:
        text = (", " if lang == "en" else "、").join(names[:2])
        return text + ("…" if len(names) > 2 else "")

    return joined


def _rework(rework: ReworkImpact) -> list[tuple[str, RiskReason]]:
    if rework.scrap_quantity > 0:
        return [("high", _reason("scrap", qty=rework.scrap_quantity))]
    if rework.minutes > 0:
        return [("medium", _reason("rework", minutes=rework.minutes))]
    return []


def _cost(cost: CostEstimate, order_value: float) -> list[tuple[str, RiskReason]]:
    extra = max(0.0, cost.material_delta) + cost.rework + cost.expediting
    limit = (
        min(COST_MEDIUM_YUAN, COST_MEDIUM_SHARE * order_value)
        if order_value > 0
        else COST_MEDIUM_YUAN
    )
    if extra > limit:
        return [("medium", _reason("cost", cost=money(extra)))]
    return []
