"""Delay-alert rules: a new plan against what was last announced, as pure data.

A supervisor should hear about a late order before the customer does, and
hear it once. The rules here compare the latest plan with the announced state
(a JSON-safe dict the caller keeps in `uow.state`) and return the alerts to
send plus the state to store with them, so that sending and remembering
commit together and nothing is said twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from core.i18n import render
from core.model.capacity import WorkCenter
from core.model.plan import PlannedOperation, PlanVersion
from core.model.work_order import Priority, WorkOrder
from core.supply import Availability, Shortage

STATE_KEY = "proactive.announced"


class AlertKind(StrEnum):
    NEW_LATE = "new_late"  # was on time (or never announced), now late
    LATER = "later"  # already announced late, now later by more than the threshold
    BACK_ON_TIME = "back_on_time"  # announced late, now on time again
    OVERDUE_OP = "overdue_op"  # planned end passed, operation not finished
    MATERIAL = "material"  # an incoming material arrives after it is needed


@dataclass(frozen=True, slots=True)
class Cause:
    """Why an order is late: kind is "material", "change" or "bottleneck"; subject names it."""

    kind: str
    subject: str
    refs: tuple[str, ...] = ()  # purchase orders covering a material
    on: date | None = None  # when the material arrives


@dataclass(frozen=True, slots=True)
class Remedy:
    """What could be done: kind is "overtime", "alternative", "rush", "expedite" or "buy"."""

    kind: str
    subject: str


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    order_ref: str
    customer_code: str
    key: str  # stable: the same finding always has the same key
    minutes: int  # lateness, overdue time or material slip in minutes
    cause: Cause | None = None
    remedies: tuple[Remedy, ...] = ()
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlertContext:
    """Everything the rules read; loaded by the caller in one transaction."""

    plan: PlanVersion
    orders: Mapping[str, WorkOrder]  # open orders by ref
    availability: Mapping[str, Availability]
    work_centers: Mapping[str, WorkCenter]
    now: datetime
    threshold_minutes: int
    causes: Mapping[str, str] = field(default_factory=dict)  # order ref -> change request ref


def empty_state() -> dict[str, Any]:
    return {"orders": {}, "overdue": {}, "materials": {}}


def evaluate(
    ctx: AlertContext, announced: Mapping[str, Any] | None
) -> tuple[list[Alert], dict[str, Any]]:
    """The alerts due now and the announced state to store once they are queued."""
    state = _normalise(announced)
    alerts = _lateness(ctx, state)
    alerts += _overdue(ctx, state)
    alerts += _materials(
        ctx, state, {a.order_ref for a in alerts if a.kind is not AlertKind.BACK_ON_TIME}
    )
    return alerts, state


def _normalise(announced: Mapping[str, Any] | None) -> dict[str, Any]:
    state = empty_state()
    for part in state:
        value = (announced or {}).get(part)
        if isinstance(value, dict):
            state[part] = dict(value)
    return state


def _lateness(ctx: AlertContext, state: dict[str, Any]) -> list[Alert]:
    alerts: list[Alert] = []
    known: dict[str, Any] = state["orders"]
    for ref in sorted(set(known) - set(ctx.plan.etas)):
        del known[ref]  # finished, shipped or cancelled: nothing more to say
    for ref, eta in sorted(ctx.plan.etas.items()):
        order = ctx.orders.get(ref)
        if order is None:
            known.pop(ref, None)
            continue
        before = int(known.get(ref, {}).get("late", 0))
        late = eta.lateness_minutes
        eta_key = eta.eta.isoformat(timespec="minutes")
        if late > 0 and (before <= 0 or late - before > ctx.threshold_minutes):
            kind = AlertKind.NEW_LATE if before <= 0 else AlertKind.LATER
            cause = explain(ref, ctx)
            alerts.append(
                Alert(
                    kind,
                    ref,
                    order.customer_code,
                    f"{kind.value}:{ref}:{eta_key}",
                    late,
                    cause,
                    remedies(order, cause, ctx),
                    {"eta": eta_key, "due": eta.due.isoformat(timespec="minutes")},
                )
            )
            known[ref] = {"late": late, "eta": eta_key}
        elif late <= 0 and before > 0:
            alerts.append(
                Alert(
                    AlertKind.BACK_ON_TIME,
                    ref,
                    order.customer_code,
                    f"back_on_time:{ref}:{eta_key}",
                    late,
                    detail={"eta": eta_key},
                )
            )
            del known[ref]
    return alerts


def _overdue(ctx: AlertContext, state: dict[str, Any]) -> list[Alert]:
    alerts: list[Alert] = []
    seen: dict[str, Any] = state["overdue"]
    current: dict[str, str] = {}
    for op in ctx.plan.operations:
        order = ctx.orders.get(op.order_ref)
        if order is None or op.end > ctx.now or _finished(order, op):
            continue
        key = f"{op.order_ref}/{op.seq}"
        end = op.end.isoformat(timespec="minutes")
        current[key] = end
        if seen.get(key) == end:
            continue
        minutes = int((ctx.now - op.end).total_seconds() // 60)
        cause = Cause("bottleneck", op.work_center)
        alerts.append(
            Alert(
                AlertKind.OVERDUE_OP,
                op.order_ref,
                order.customer_code,
                f"overdue:{key}:{end}",
                minutes,
                cause,
                tuple(_capacity_remedies(op.work_center, ctx)),
                {"operation": op.name, "machine": op.machine, "planned_end": end},
            )
        )
    state["overdue"] = current
    return alerts


def _finished(order: WorkOrder, op: PlannedOperation) -> bool:
    progress = next((p for p in order.operations if p.seq == op.seq), None)
    return progress is None or progress.finished


def _materials(ctx: AlertContext, state: dict[str, Any], told: set[str]) -> list[Alert]:
    """Incoming material arriving after the latest start that still meets the due date."""
    alerts: list[Alert] = []
    current: dict[str, str] = {}
    for ref, avail in sorted(ctx.availability.items()):
        order = ctx.orders.get(ref)
        need_on = need_date(ref, ctx)
        if order is None or need_on is None:
            continue
        for short in avail.shortages:
            if not short.covered_by or short.available_on <= need_on:
                continue
            key = f"{ref}|{short.item_code}"
            arrives = short.available_on.isoformat()
            current[key] = arrives
            if state["materials"].get(key) == arrives or ref in told:
                continue  # already said, or said with this order's late alert
            cause = Cause("material", short.item_code, short.covered_by, short.available_on)
            alerts.append(
                Alert(
                    AlertKind.MATERIAL,
                    ref,
                    order.customer_code,
                    f"material:{ref}:{short.item_code}:{arrives}",
                    (short.available_on - need_on).days * 24 * 60,
                    cause,
                    remedies(order, cause, ctx),
                    {"item": short.item_code, "needed": need_on.isoformat(), "arrives": arrives},
                )
            )
    state["materials"] = current
    return alerts


def need_date(ref: str, ctx: AlertContext) -> date | None:
    """The last day material can arrive and the order still meet its due date."""
    eta = ctx.plan.etas.get(ref)
    first = min((op.start for op in ctx.plan.operations if op.order_ref == ref), default=None)
    if eta is None or first is None:
        return None
    return (first - timedelta(minutes=eta.lateness_minutes)).date()


def explain(ref: str, ctx: AlertContext) -> Cause | None:
    """The most actionable reason first: a missing material, then a change, then capacity."""
    short = _late_material(ref, ctx)
    if short is not None:
        return Cause("material", short.item_code, short.covered_by, short.available_on)
    if ref in ctx.causes:
        return Cause("change", ctx.causes[ref])
    center = order_bottleneck(ref, ctx.plan)
    return Cause("bottleneck", center) if center else None


def _late_material(ref: str, ctx: AlertContext) -> Shortage | None:
    avail = ctx.availability.get(ref)
    need_on = need_date(ref, ctx)
    if avail is None or need_on is None:
        return None
    late = [s for s in avail.shortages if s.available_on > need_on]
    return max(late, key=lambda s: (s.available_on, s.item_code), default=None)


def order_bottleneck(ref: str, plan: PlanVersion) -> str | None:
    """The busiest work center on the order's route, the plan's bottleneck if it is on it."""
    centers = {op.work_center for op in plan.operations if op.order_ref == ref and op.work_center}
    if not centers:
        return None
    if plan.kpis.get("bottleneck") in centers:
        return str(plan.kpis["bottleneck"])
    util: Mapping[str, float] = plan.kpis.get("utilization") or {}
    return max(sorted(centers), key=lambda c: float(util.get(c, 0.0)))


def remedies(order: WorkOrder, cause: Cause | None, ctx: AlertContext) -> tuple[Remedy, ...]:
    out: list[Remedy] = []
    if cause is not None and cause.kind == "material":
        out += [Remedy("expedite", po) for po in cause.refs] or [Remedy("buy", cause.subject)]
    center = (
        cause.subject
        if cause is not None and cause.kind == "bottleneck"
        else order_bottleneck(order.ref, ctx.plan)
    )
    if center and (cause is None or cause.kind != "material"):
        out += _capacity_remedies(center, ctx)
    if order.priority is not Priority.RUSH:
        out.append(Remedy("rush", order.ref))
    return tuple(out)


def _capacity_remedies(center: str, ctx: AlertContext) -> list[Remedy]:
    out = [Remedy("overtime", center)]
    wc = ctx.work_centers.get(center)
    if wc is not None:
        out += [Remedy("alternative", alt) for alt in wc.alternatives]
    return out


# Rendering --------------------------------------------------------------------

TEXTS = {
    "title": {"zh": "交期预警", "en": "Delivery alerts"},
    "new_late": {
        "zh": "⚠ {ref}（{customer}）预计延期 {late}：预计完工 {eta}，交期 {due}。",
        "en": "⚠ {ref} ({customer}) will be {late} late: ETA {eta}, due {due}.",
    },
    "later": {
        "zh": "⚠ {ref}（{customer}）延期加重，现预计晚 {late}：预计完工 {eta}，交期 {due}。",
        "en": "⚠ {ref} ({customer}) is later still, now {late} late: ETA {eta}, due {due}.",
    },
    "back_on_time": {
        "zh": "✅ {ref}（{customer}）已恢复按期，预计完工 {eta}。",
        "en": "✅ {ref} ({customer}) is back on time, ETA {eta}.",
    },
    "overdue_op": {
        "zh": ("⏰ {ref} 的工序“{operation}”（{machine}）计划 {planned_end} 完成，"
               "已超时 {late}，尚未报完工。"),
        "en": '⏰ {ref} operation "{operation}" ({machine}) was due to finish {planned_end}; '
        "{late} overdue and not reported done.",
    },
    "material": {
        "zh": "📦 {ref} 的物料 {item} 预计 {arrives} 到货，晚于需要日期 {needed}。",
        "en": "📦 {ref}: material {item} arrives {arrives}, after it is needed on {needed}.",
    },
    "cause.material": {
        "zh": "原因：缺料 {subject}（{refs}，{on} 到货）",
        "en": "Reason: missing material {subject} ({refs}, arriving {on})",
    },
    "cause.change": {"zh": "原因：变更 {subject}", "en": "Reason: change {subject}"},
    "cause.bottleneck": {
        "zh": "原因：瓶颈工作中心 {subject}",
        "en": "Reason: bottleneck work center {subject}",
    },
    "remedies": {"zh": "可选措施：{items}", "en": "What could be done: {items}"},
    "remedy.overtime": {"zh": "{subject} 加班", "en": "overtime on {subject}"},
    "remedy.alternative": {
        "zh": "改用替代工作中心 {subject}",
        "en": "move work to the alternative center {subject}",
    },
    "remedy.rush": {"zh": "将 {subject} 设为加急", "en": "rush {subject}"},
    "remedy.expedite": {
        "zh": "催采购单 {subject} 提前到货",
        "en": "expedite purchase order {subject}",
    },
    "remedy.buy": {"zh": "紧急采购 {subject}", "en": "buy {subject} urgently"},
    "none": {"zh": "无", "en": "none"},
    "days_hours": {"zh": "{d}天{h}小时", "en": "{d}d {h}h"},
    "hours": {"zh": "{h}小时", "en": "{h}h"},
    "minutes": {"zh": "{m}分钟", "en": "{m} min"},
}


def duration(minutes: int, lang: str) -> str:
    minutes = abs(minutes)
    if minutes < 60:
        return render(TEXTS, "minutes", lang, m=minutes)
    days, rest = divmod(minutes // 60, 24)
    if days:
        return render(TEXTS, "days_hours", lang, d=days, h=rest)
    return render(TEXTS, "hours", lang, h=rest)


def short_time(iso: str) -> str:
    """'2026-11-23T14:30+08:00' -> '11-23 14:30': what a person reads in chat."""
    try:
        return datetime.fromisoformat(iso).strftime("%m-%d %H:%M")
    except ValueError:
        return iso


def render_cause(cause: Cause | None, lang: str) -> str:
    if cause is None:
        return ""
    return render(
        TEXTS,
        f"cause.{cause.kind}",
        lang,
        subject=cause.subject,
        refs="、".join(cause.refs) if lang == "zh" else ", ".join(cause.refs),
        on=cause.on.isoformat() if cause.on else "",
    )


def render_remedies(items: Sequence[Remedy], lang: str) -> str:
    if not items:
        return ""
    sep = "；" if lang == "zh" else "; "
    text = sep.join(render(TEXTS, f"remedy.{r.kind}", lang, subject=r.subject) for r in items)
    return render(TEXTS, "remedies", lang, items=text)


def render_alert(alert: Alert, lang: str, customer_name: str = "") -> str:
    d = alert.detail
    head = render(
        TEXTS,
        alert.kind.value,
        lang,
        ref=alert.order_ref,
        customer=customer_name or alert.customer_code,
        late=duration(alert.minutes, lang),
        eta=short_time(d.get("eta", "")),
        due=short_time(d.get("due", "")),
        operation=d.get("operation", ""),
        machine=d.get("machine", ""),
        planned_end=short_time(d.get("planned_end", "")),
        item=d.get("item", ""),
        arrives=d.get("arrives", ""),
        needed=d.get("needed", ""),
    )
    lines = [head]
    if alert.kind is not AlertKind.BACK_ON_TIME:
        lines += [
            t
            for t in (render_cause(alert.cause, lang), render_remedies(alert.remedies, lang))
            if t
        ]
    return "\n".join(lines)
