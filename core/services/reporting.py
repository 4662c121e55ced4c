"""Shop-floor progress reports (报工): they keep the plan true."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import idempotency
from core.errors import CoreError
from core.faults import crash_point
from core.i18n import render
from core.model.parties import Person, Role
from core.model.work_order import OperationProgress
from core.ports import UnitOfWork

TEXTS = {
    "ok": {
        "zh": "已记录：{ref} {op} 完成 {qty} 件{scrap}，累计 {done}/{total}。",
        "en": "Recorded: {ref} {op} {qty} done{scrap}, {done}/{total} in all.",
    },
    "scrap": {"zh": "，报废 {n}", "en": ", {n} scrapped"},
    "finished": {"zh": "该工序已完工。", "en": "This operation is finished."},
    "no_order": {
        "zh": "请说明是哪张订单，例如：SO-31 开料 完成50件",
        "en": 'Which order? e.g. "SO-31 cutting done 50"',
    },
    "not_found": {"zh": "没有找到订单 {ref}。", "en": "No order {ref}."},
    "no_op": {
        "zh": "{ref} 没有“{op}”这道工序。可选：{ops}",
        "en": '{ref} has no operation "{op}". Known: {ops}',
    },
    "role": {
        "zh": "只有车间人员、计划员或主管可以报工。",
        "en": "Only shop-floor staff, planners or supervisors may report progress.",
    },
    "refused": {"zh": "未记录：{reason}", "en": "Not recorded: {reason}"},
}
REPORTERS = (Role.OPERATOR, Role.SUPERVISOR, Role.PLANNER, Role.ADMIN, Role.QC)


@dataclass(frozen=True, slots=True)
class ReportResult:
    text: str
    recorded: bool
    order_ref: str | None = None


async def report_progress(
    uow: UnitOfWork,
    person: Person,
    ref: str | None,
    operation: str,
    qty: int,
    scrap: int,
    at: datetime,
    lang: str,
) -> ReportResult:
    """Record the report and commit; the caller replans after."""
    if person.role not in REPORTERS:
        return ReportResult(render(TEXTS, "role", lang), False)
    if not ref:
        return ReportResult(render(TEXTS, "no_order", lang), False)
    done = await idempotency.recorded(uow, idempotency.REPORT)
    if done is not None:  # this message was handled before: it counts once
        return ReportResult(str(done["text"]), True, str(done["ref"]))
    order = await uow.orders.get(ref)
    if order is None:
        return ReportResult(render(TEXTS, "not_found", lang, ref=ref), False)
    op = order.operation(operation) or _fuzzy_op(order.operations, operation)
    if op is None:
        names = "、".join(o.name for o in order.operations)
        return ReportResult(render(TEXTS, "no_op", lang, ref=ref, op=operation, ops=names), False)
    try:
        order.report_progress(op.name, qty, scrap, at, person.id)
    except CoreError as exc:
        return ReportResult(render(TEXTS, "refused", lang, reason=str(exc)), False)
    await uow.orders.save(order)
    text = render(
        TEXTS,
        "ok",
        lang,
        ref=ref,
        op=op.name,
        qty=qty,
        done=op.qty_done,
        total=order.quantity,
        scrap=render(TEXTS, "scrap", lang, n=scrap) if scrap else "",
    )
    if op.finished:
        text += render(TEXTS, "finished", lang)
    await idempotency.record(uow, idempotency.REPORT, {"ref": ref, "text": text}, at)
    await uow.commit()
    crash_point("after_report_commit")
    return ReportResult(text, True, ref)


def _fuzzy_op(ops: list[OperationProgress], name: str) -> OperationProgress | None:
    """An operation whose name contains, or is contained in, what was typed (切割 ~ 激光切割)."""
    hits = [o for o in ops if name and (name in o.name or o.name in name)]
    return hits[0] if len(hits) == 1 else None
