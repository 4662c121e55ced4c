"""Digest content per role, as pure functions over one loaded snapshot.

Supervisors see the shop at a glance each morning; sales see only their
customers' orders at risk; a customer who opted in gets a weekly progress
summary of their own orders. The text is markdown; the Gantt picture is made
outside the core (it needs matplotlib) and attached by the use case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.alerts import AlertContext, duration, explain, render_cause, short_time
from core.i18n import render
from core.model.change_request import ChangeRequest
from core.model.parties import Customer
from core.model.plan import PlanVersion
from core.model.work_order import WorkOrder
from core.planning.promise_kpis import PromiseSummary

ROLES = ("supervisor", "sales", "customer")
RISK_MARGIN_MINUTES = 24 * 60  # an ETA within a day of the due date is "at risk"
MAX_LINES = 15  # per section; a chat message is read on a phone

TEXTS = {
    "supervisor.title": {"zh": "生产日报 {day}", "en": "Shop digest {day}"},
    "sales.title": {
        "zh": "{name}：客户订单风险 {day}",
        "en": "{name}: customer orders at risk {day}",
    },
    "customer.title": {"zh": "{name} 订单周报 {day}", "en": "{name} weekly order summary {day}"},
    "due_today": {"zh": "今日到期（{n}）", "en": "Due today ({n})"},
    "due_week": {"zh": "本周到期（{n}）", "en": "Due this week ({n})"},
    "late": {"zh": "延期订单（{n}）", "en": "Late orders ({n})"},
    "changes": {"zh": "昨日已执行变更（{n}）", "en": "Changes applied yesterday ({n})"},
    "kpis": {
        "zh": "准时率 {rate}，延期 {late} 单，共 {orders} 单",
        "en": "On-time rate {rate}, {late} late of {orders} orders",
    },
    "utilization": {
        "zh": "产能利用：{items}；瓶颈：{bottleneck}",
        "en": "Utilization: {items}; bottleneck: {bottleneck}",
    },
    "promise": {
        "zh": "交期承诺兑现率 {kept}，交期变动 {moves} 次/单，平均交付周期 {lead} 天",
        "en": "Promise-kept rate {kept}, {moves} ETA moves per order, mean lead time {lead} days",
    },
    "plan_link": {"zh": "查看计划：{url}", "en": "Open the plan: {url}"},
    "gantt": {
        "zh": "附图：未来 {days} 天排产甘特图",
        "en": "Attached: Gantt of the next {days} days",
    },
    "order_line": {
        "zh": "{ref} {customer} {product}×{qty} 交期 {due} 预计 {eta}{flag}",
        "en": "{ref} {customer} {product}×{qty} due {due} ETA {eta}{flag}",
    },
    "late_line": {
        "zh": "{ref} {customer} 晚 {late}（交期 {due}）{cause}",
        "en": "{ref} {customer} {late} late (due {due}) {cause}",
    },
    "risk_line": {
        "zh": "{ref} {customer} 交期 {due} 预计 {eta}：{state}",
        "en": "{ref} {customer} due {due}, ETA {eta}: {state}",
    },
    "change_line": {"zh": "{ref} {order}：{what}（{who}）", "en": "{ref} {order}: {what} ({who})"},
    "flag_late": {"zh": " ⚠延期", "en": " ⚠late"},
    "state_late": {"zh": "将晚 {late}", "en": "{late} late"},
    "state_tight": {"zh": "余量不足 {slack}", "en": "only {slack} to spare"},
    "none": {"zh": "无", "en": "none"},
    "more": {"zh": "……另有 {n} 条", "en": "... and {n} more"},
    "no_plan": {"zh": "尚无排产计划。", "en": "No plan yet."},
    "no_risk": {
        "zh": "您负责的客户订单目前都按期。",
        "en": "All your customers' orders are on time.",
    },
    "progress_line": {
        "zh": "{ref} {product}×{qty}：完成 {done}/{total} 道工序，交期 {due}，{state}",
        "en": "{ref} {product}×{qty}: {done}/{total} operations done, due {due}, {state}",
    },
    "on_schedule": {"zh": "预计按期（{eta}）", "en": "on schedule ({eta})"},
    "expected": {"zh": "预计 {eta} 完成", "en": "expected {eta}"},
    "no_orders": {"zh": "目前没有在制订单。", "en": "No open orders at the moment."},
}


@dataclass(frozen=True, slots=True)
class DigestData:
    """One snapshot of the shop, in the factory's local calendar."""

    today: date
    now: datetime
    plan: PlanVersion | None
    orders: Sequence[WorkOrder]  # open orders
    customers: Mapping[str, Customer]
    applied_yesterday: Sequence[ChangeRequest] = ()
    alert_context: AlertContext | None = None  # for the reasons of lateness
    gantt_days: int = 5
    people_names: Mapping[str, str] = field(default_factory=dict)
    promise: PromiseSummary | None = None  # headline promise KPIs over recent plan versions


def week_end(day: date) -> date:
    """Sunday of the week (weeks start on Monday)."""
    return day + timedelta(days=6 - day.weekday())


def supervisor_text(data: DigestData, lang: str) -> str:
    lines = [f"### {render(TEXTS, 'supervisor.title', lang, day=data.today.isoformat())}"]
    due_today = [o for o in data.orders if o.due_date == data.today]
    due_week = [o for o in data.orders if data.today < o.due_date <= week_end(data.today)]
    lines += _section(
        render(TEXTS, "due_today", lang, n=len(due_today)),
        [_order_line(o, data, lang) for o in due_today],
        lang,
    )
    lines += _section(
        render(TEXTS, "due_week", lang, n=len(due_week)),
        [_order_line(o, data, lang) for o in due_week],
        lang,
    )
    late = _late_orders(data)
    lines += _section(
        render(TEXTS, "late", lang, n=len(late)),
        [_late_line(o, minutes, data, lang) for o, minutes in late],
        lang,
    )
    lines += _section(
        render(TEXTS, "changes", lang, n=len(data.applied_yesterday)),
        [_change_line(cr, data, lang) for cr in data.applied_yesterday],
        lang,
    )
    lines += [""] + _kpi_lines(data, lang)
    return "\n".join(lines)


def sales_text(data: DigestData, name: str, customer_codes: Sequence[str], lang: str) -> str:
    lines = [f"### {render(TEXTS, 'sales.title', lang, name=name, day=data.today.isoformat())}"]
    risky = at_risk(data, customer_codes)
    if not risky:
        return "\n".join(lines + [render(TEXTS, "no_risk", lang)])
    return "\n".join(lines + _bullets([_risk_line(o, m, data, lang) for o, m in risky], lang))


def customer_text(data: DigestData, customer: Customer, lang: str) -> str:
    title = render(TEXTS, "customer.title", lang, name=customer.name, day=data.today.isoformat())
    lines = [f"### {title}"]
    own = sorted(
        (o for o in data.orders if o.customer_code == customer.code),
        key=lambda o: (o.due_date, o.ref),
    )
    if not own:
        return "\n".join(lines + [render(TEXTS, "no_orders", lang)])
    return "\n".join(lines + _bullets([_progress_line(o, data, lang) for o in own], lang))


def at_risk(data: DigestData, customer_codes: Sequence[str]) -> list[tuple[WorkOrder, int]]:
    """(order, lateness minutes) for orders late or within a day of late, worst first."""
    if data.plan is None:
        return []
    out = []
    for order in data.orders:
        eta = data.plan.etas.get(order.ref)
        if (
            order.customer_code in customer_codes
            and eta is not None
            and eta.lateness_minutes > -RISK_MARGIN_MINUTES
        ):
            out.append((order, eta.lateness_minutes))
    return sorted(out, key=lambda p: (-p[1], p[0].ref))


# lines ------------------------------------------------------------------------


def _section(title: str, items: list[str], lang: str) -> list[str]:
    return ["", f"**{title}**"] + (
        _bullets(items, lang) if items else [render(TEXTS, "none", lang)]
    )


def _bullets(items: list[str], lang: str) -> list[str]:
    shown = [f"- {t}" for t in items[:MAX_LINES]]
    if len(items) > MAX_LINES:
        shown.append(render(TEXTS, "more", lang, n=len(items) - MAX_LINES))
    return shown


def _customer(order: WorkOrder, data: DigestData) -> str:
    c = data.customers.get(order.customer_code)
    return c.name if c else order.customer_code


def _eta(order: WorkOrder, data: DigestData) -> tuple[str, int]:
    eta = data.plan.etas.get(order.ref) if data.plan else None
    if eta is None:
        return "-", 0
    return short_time(eta.eta.isoformat()), eta.lateness_minutes


def _order_line(order: WorkOrder, data: DigestData, lang: str) -> str:
    eta, late = _eta(order, data)
    return render(
        TEXTS,
        "order_line",
        lang,
        ref=order.ref,
        customer=_customer(order, data),
        product=order.product_code,
        qty=order.quantity,
        due=order.due_date.isoformat(),
        eta=eta,
        flag=render(TEXTS, "flag_late", lang) if late > 0 else "",
    )


def _late_orders(data: DigestData) -> list[tuple[WorkOrder, int]]:
    if data.plan is None:
        return []
    late = [
        (o, e.lateness_minutes)
        for o in data.orders
        if (e := data.plan.etas.get(o.ref)) is not None and e.late
    ]
    return sorted(late, key=lambda p: (-p[1], p[0].ref))


def _late_line(order: WorkOrder, minutes: int, data: DigestData, lang: str) -> str:
    cause = explain(order.ref, data.alert_context) if data.alert_context else None
    return render(
        TEXTS,
        "late_line",
        lang,
        ref=order.ref,
        customer=_customer(order, data),
        late=duration(minutes, lang),
        due=order.due_date.isoformat(),
        cause=render_cause(cause, lang),
    ).rstrip()


def _risk_line(order: WorkOrder, minutes: int, data: DigestData, lang: str) -> str:
    eta, _ = _eta(order, data)
    state = (
        render(TEXTS, "state_late", lang, late=duration(minutes, lang))
        if minutes > 0
        else render(TEXTS, "state_tight", lang, slack=duration(-minutes, lang))
    )
    cause = explain(order.ref, data.alert_context) if data.alert_context and minutes > 0 else None
    text = render(
        TEXTS,
        "risk_line",
        lang,
        ref=order.ref,
        customer=_customer(order, data),
        due=order.due_date.isoformat(),
        eta=eta,
        state=state,
    )
    return f"{text} {render_cause(cause, lang)}".rstrip()


def _change_line(cr: ChangeRequest, data: DigestData, lang: str) -> str:
    items = cr.command.get("changes") or []
    what = (
        ", ".join(
            f"{c.get('field')}={c.get('value', c.get('delta', c.get('delta_days', '')))}"
            for c in items
            if isinstance(c, dict)
        )
        or cr.kind
    )
    who = data.people_names.get(cr.requested_by, cr.requested_by)
    return render(TEXTS, "change_line", lang, ref=cr.ref, order=cr.order_ref, what=what, who=who)


def _kpi_lines(data: DigestData, lang: str) -> list[str]:
    if data.plan is None:
        return [render(TEXTS, "no_plan", lang)]
    k = data.plan.kpis
    util: Mapping[str, float] = k.get("utilization") or {}
    top = sorted(util.items(), key=lambda p: -p[1])[:5]
    items = ", ".join(f"{wc} {share:.0%}" for wc, share in top) or render(TEXTS, "none", lang)
    return [
        render(
            TEXTS,
            "kpis",
            lang,
            rate=f"{float(k.get('on_time_rate', 0)):.1%}",
            late=k.get("orders_late", 0),
            orders=k.get("orders", len(data.plan.etas)),
        ),
        render(
            TEXTS,
            "utilization",
            lang,
            items=items,
            bottleneck=k.get("bottleneck") or render(TEXTS, "none", lang),
        ),
    ] + _promise_lines(data, lang) + [render(TEXTS, "gantt", lang, days=data.gantt_days)]


def _promise_lines(data: DigestData, lang: str) -> list[str]:
    p = data.promise
    if p is None or p.promise_kept_rate is None:
        return []
    lead = "-" if p.lead_days is None else f"{p.lead_days:.1f}"
    return [render(TEXTS, "promise", lang, kept=f"{p.promise_kept_rate:.0%}",
                   moves=f"{p.eta_moves_per_order:.2f}", lead=lead)]


def plan_link_line(url: str, lang: str) -> str:
    """The last line of a supervisor's digest: their signed link to /plan."""
    return render(TEXTS, "plan_link", lang, url=url)


def _progress_line(order: WorkOrder, data: DigestData, lang: str) -> str:
    eta, late = _eta(order, data)
    state = (
        render(TEXTS, "expected", lang, eta=eta)
        if late > 0
        else render(TEXTS, "on_schedule", lang, eta=eta)
    )
    done = sum(1 for op in order.operations if op.finished)
    return render(
        TEXTS,
        "progress_line",
        lang,
        ref=order.ref,
        product=order.product_code,
        qty=order.quantity,
        done=done,
        total=len(order.operations),
        due=order.due_date.isoformat(),
        state=state,
    )
