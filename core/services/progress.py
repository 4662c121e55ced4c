"""Answers to "where is my order": from the live plan, operation by operation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.i18n import render
from core.impact.text import duration
from core.model.parties import Person
from core.model.plan import OrderEta, PlannedOperation
from core.model.work_order import WorkOrder
from core.ports import UnitOfWork
from core.services.visibility import may_see

TEXTS = {
    "not_found": {
        "zh": "没有找到您可以查看的订单 {ref}。请核对单号。",
        "en": "No order {ref} that you can view. Please check the reference.",
    },
    "header": {
        "zh": "订单 {ref}（{product} × {qty}）：{status}",
        "en": "Order {ref} ({product} × {qty}): {status}",
    },
    "eta_on_time": {
        "zh": "预计完工 {eta}，交期 {due}，按期 ✅",
        "en": "ETA {eta}, due {due}: on time ✅",
    },
    "eta_late": {
        "zh": "预计完工 {eta}，交期 {due}，预计延误 {late} ⚠️",
        "en": "ETA {eta}, due {due}: {late} late ⚠️",
    },
    "no_plan": {"zh": "计划尚未排出，稍后再试。", "en": "No plan yet; please try again shortly."},
    "op_done": {"zh": "✔ {name} 已完成 {done}/{qty}", "en": "✔ {name} done {done}/{qty}"},
    "op_running": {
        "zh": "▶ {name} 进行中 {done}/{qty}",
        "en": "▶ {name} in progress {done}/{qty}",
    },
    "op_next": {
        "zh": "• {name} 计划 {start} – {end}（{machine}）",
        "en": "• {name} planned {start} – {end} ({machine})",
    },
    "op_unplanned": {"zh": "• {name} 待排", "en": "• {name} not yet scheduled"},
    "closed": {"zh": "订单已{status}。", "en": "The order is {status}."},
    "held": {"zh": "特殊需求待计划/工程确认，确认后才排产。",
             "en": "Special requirements await a planner's or engineer's confirmation; "
                   "it is scheduled once they are confirmed."},
    "link": {"zh": "详情：{url}", "en": "Details: {url}"},
}

STATUS_TEXT = {
    "zh": {
        "draft": "草稿",
        "released": "已下达",
        "in_progress": "生产中",
        "done": "已完工",
        "shipped": "已发货",
        "cancelled": "已取消",
        "awaiting_tech": "待技术确认",
    },
    "en": {
        "draft": "draft",
        "released": "released",
        "in_progress": "in production",
        "done": "done",
        "shipped": "shipped",
        "cancelled": "cancelled",
        "awaiting_tech": "awaiting technical confirmation",
    },
}


@dataclass(frozen=True, slots=True)
class Answer:
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _fmt(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")


OrderLink = Callable[[Person, str], str]  # (person, order ref) -> signed /orders/{ref} URL


async def order_progress(
    uow: UnitOfWork, person: Person, ref: str, lang: str, tz: str, link: OrderLink | None = None
) -> Answer:
    """The answer; with `link`, its last line is the person's own link to the order page."""
    order = await uow.orders.get(ref)
    if order is None or not may_see(person, order):
        return Answer([render(TEXTS, "not_found", lang, ref=ref)])
    number = await uow.plans.latest_number()
    if number is None:
        lines = describe(order, None, None, lang, tz)
    else:
        ops, eta = await uow.plans.order_view(number, order.ref)
        lines = describe(order, ops, eta, lang, tz)
    if link is not None:
        lines.append(render(TEXTS, "link", lang, url=link(person, order.ref)))
    return Answer(lines)


def describe(
    order: WorkOrder,
    planned_ops: list[PlannedOperation] | None,
    eta: OrderEta | None,
    lang: str,
    tz: str,
) -> list[str]:
    """The order's steps from the plan (done, running, planned) and the ETA against the due."""
    status = STATUS_TEXT[lang if lang in STATUS_TEXT else "zh"][order.status.value]
    lines = [
        render(
            TEXTS,
            "header",
            lang,
            ref=order.ref,
            product=order.product_code,
            qty=order.quantity,
            status=status,
        )
    ]
    if not order.status.is_open:
        lines.append(render(TEXTS, "closed", lang, status=status))
        return lines
    if not order.status.in_plan:
        lines.append(render(TEXTS, "held", lang))
        return lines
    if planned_ops is None:
        lines.append(render(TEXTS, "no_plan", lang))
        return lines
    planned = {op.seq: op for op in planned_ops}
    for op in order.operations:
        if op.finished:
            lines.append(
                render(TEXTS, "op_done", lang, name=op.name, done=op.qty_done, qty=order.quantity)
            )
        elif op.started:
            lines.append(
                render(
                    TEXTS, "op_running", lang, name=op.name, done=op.qty_done, qty=order.quantity
                )
            )
        elif op.seq in planned:
            p = planned[op.seq]
            lines.append(
                render(
                    TEXTS,
                    "op_next",
                    lang,
                    name=op.name,
                    start=_fmt(p.start, tz),
                    end=_fmt(p.end, tz),
                    machine=p.machine or "外协" if lang == "zh" else p.machine or "outsourced",
                )
            )
        else:
            lines.append(render(TEXTS, "op_unplanned", lang, name=op.name))
    if eta is not None:
        key = "eta_late" if eta.late else "eta_on_time"
        lines.insert(
            1,
            render(
                TEXTS,
                key,
                lang,
                eta=_fmt(eta.eta, tz),
                due=order.due_date.isoformat(),
                late=duration(eta.lateness_minutes, lang),
            ),
        )
    return lines
