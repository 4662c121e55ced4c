"""Request a change (or a cancel, or a what-if): authorise, assess, open a change request.

A what-if stops at the assessment. A blocked change is stored as refused, so
the audit shows what was asked; a customer's request waits for their
salesperson. The assessment is kept for the confirm (see assess.AssessedPlans).
"""

from __future__ import annotations

from core import idempotency
from core.change_control.assess import Assessment, assess_change, items_of
from core.change_control.deps import Deps
from core.change_control.relative import direction_unclear
from core.change_control.results import (
    Blocked,
    CardShown,
    Refused,
    Result,
    SentToSales,
    WhatIfShown,
)
from core.commands import CancelOrder, ChangeCommand
from core.errors import CoreError
from core.faults import crash_point
from core.model.change_request import ChangeRequest, CRStatus
from core.model.parties import Person, Role
from core.model.work_order import WorkOrder
from core.notices import CustomerAsks
from core.ports import UnitOfWork, save_pending
from core.services.visibility import may_change, may_see


async def request_change(deps: Deps, command: ChangeCommand) -> Result:
    """Assess the change and, unless it is a what-if, open a request awaiting confirmation."""
    ref = command.order_ref
    if not ref:
        return Refused("which_order")
    async with deps.uow_factory() as uow:
        person = await uow.parties.person(command.by)
        order = await uow.orders.get(ref)
        if person is None or order is None or not may_see(person, order):
            return Refused("not_found", {"ref": ref})
        allowed, reason = may_change(person, order)
        if not allowed and not command.what_if:
            return Refused(f"refuse_{reason}", {"ref": ref})
        if not order.status.is_open:
            return Refused("closed", {"ref": ref, "status": order.status.value})
        if not order.status.in_plan:  # held: its requirements are confirmed or amended first
            return Refused("awaiting_tech", {"ref": ref})
        if (unclear := direction_unclear(order, getattr(command, "items", ()))) is not None:
            return unclear  # "提前到" a later date: asked back, nothing stored
        try:
            items = items_of(command, order)
            assessment = await assess_change(uow, deps.planner, deps.clock, order, items)
        except CoreError as exc:
            return Refused("invalid", {"ref": ref, "reason": str(exc)})
        if command.what_if:
            return WhatIfShown(ref, assessment.impact, assessment.understood)
        cr = await _opened_before(uow)  # this message handled again: show what it opened
        if cr is None:
            cr = await _open_request(deps, uow, person, order, command, assessment)
            await uow.commit()
            crash_point("after_request_commit")
    return _shown(deps, cr, assessment)


async def _opened_before(uow: UnitOfWork) -> ChangeRequest | None:
    """The request this message opened in an earlier run (core/idempotency.py)."""
    done = await idempotency.recorded(uow, idempotency.REQUEST)
    return await uow.change_requests.get(done["cr"]) if done else None


async def _open_request(
    deps: Deps,
    uow: UnitOfWork,
    person: Person,
    order: WorkOrder,
    command: ChangeCommand,
    assessment: Assessment,
) -> ChangeRequest:
    now = deps.clock.now()
    risk = assessment.impact.risk
    customer = person.role is Role.CUSTOMER
    status = CRStatus.AWAITING_SALES if customer else CRStatus.AWAITING_CONFIRMATION
    kind = "cancel" if isinstance(command, CancelOrder) else "change"
    contract = command.contract_dict()
    cr = ChangeRequest(
        "",
        order.ref,
        person.id,
        kind,
        command.raw_text,
        contract,
        status,
        now,
        order.version,
        assessment.stored_impact(),
        risk.level,
        expires_at=now + deps.settings.confirm_timeout,
    )
    cr.note(person.id, "requested", now, text=command.raw_text)
    cr.note("gongdan", "parsed", now, command=dict(contract))
    cr.note(
        "gongdan",
        "assessed",
        now,
        risk=risk.level,
        reasons=[r.code for r in risk.reasons],
        order_version=order.version,
    )
    cr = await uow.change_requests.add(cr)
    cr.mark_audit_saved()
    await idempotency.record(uow, idempotency.REQUEST, {"cr": cr.ref}, now)
    if risk.level == "blocked":
        cr.move(CRStatus.REFUSED, "gongdan", now, reasons=[r.code for r in risk.reasons])
        await save_pending(uow.change_requests, cr)
    elif status is CRStatus.AWAITING_SALES:
        sales = [
            p
            for p in await uow.parties.by_role(Role.SALES)
            if p.owns_customer(order.customer_code)
        ]
        notice = CustomerAsks(cr.ref, order.ref, assessment.impact, assessment.understood)
        await uow.outbox.add(deps.fanout.tell(sales, notice, f"{cr.ref}:ask-sales", now))
    return cr


def _shown(deps: Deps, cr: ChangeRequest, assessment: Assessment) -> Result:
    """What the sender sees; an open request's assessment is kept for its confirm."""
    if cr.status is CRStatus.REFUSED:
        return Blocked(cr.ref, cr.order_ref, assessment.impact, assessment.understood)
    deps.assessed.put(cr.ref, assessment)
    if cr.status is CRStatus.AWAITING_SALES:
        return SentToSales(cr.ref, cr.order_ref)
    return CardShown(cr.ref, cr.order_ref, assessment.impact, assessment.understood)
