"""Confirm or reject a pending change request.

The requester confirms their own request; a customer's request is confirmed by
one of that customer's salespeople. A confirmed change goes to the supervisors
when its risk or the customer's contract says so, else it is applied at once.
"""

from __future__ import annotations

from core import idempotency
from core.change_control.again import decided_before
from core.change_control.apply import apply_change
from core.change_control.deps import Deps
from core.change_control.results import Cancelled, Refused, Result, SentForApproval
from core.commands import Confirm, Reject
from core.model.change_request import ChangeRequest, CRStatus
from core.model.parties import Person, Role
from core.notices import ApprovalAsked, BeforeAfter
from core.ports import UnitOfWork, save_pending

APPROVAL_TIMEOUT_FACTOR = 8  # a supervisor gets this many confirm timeouts to decide


async def confirm(deps: Deps, command: Confirm) -> Result:
    """Apply the sender's pending change, or send it for approval first."""
    if (again := await decided_before(deps)) is not None:
        return again
    async with deps.uow_factory() as uow:
        person = await uow.parties.person(command.by)
        cr = await pending_for(uow, person, command.cr_ref) if person else None
        if person is None or cr is None:
            return await closed_refusal(uow, person, command.cr_ref)
        problem = await check_confirmer(uow, person, cr)
        if problem is not None:
            return problem
        if await expire_if_due(deps, uow, cr):
            return Refused("expired", {"cr": cr.ref})
        order = await uow.orders.get(cr.order_ref)
        customer = await uow.parties.customer(order.customer_code) if order else None
        if deps.needs_approval(cr.risk, customer is not None and customer.policy.approval_always):
            await _route_to_supervisors(deps, uow, cr, person)
            await uow.commit()
            return SentForApproval(cr.ref)
    return await apply_change(deps, cr.ref, person)


async def reject(deps: Deps, command: Reject) -> Result:
    """The requester (or the customer's salesperson) drops the pending change."""
    if (again := await decided_before(deps)) is not None:
        return again
    async with deps.uow_factory() as uow:
        person = await uow.parties.person(command.by)
        cr = await pending_for(uow, person, command.cr_ref) if person else None
        if person is None or cr is None:
            return await closed_refusal(uow, person, command.cr_ref)
        if cr.status is CRStatus.AWAITING_APPROVAL:
            return Refused("nothing_pending")
        problem = await check_confirmer(uow, person, cr)
        if problem is not None:
            return problem
        cr.move(CRStatus.CANCELLED, person.id, deps.clock.now())
        await save_pending(uow.change_requests, cr)
        await idempotency.record(uow, idempotency.DECISION, {"cr": cr.ref}, deps.clock.now())
        await uow.commit()
    return Cancelled(cr.ref)


async def pending_for(uow: UnitOfWork, person: Person, cr_ref: str | None) -> ChangeRequest | None:
    """The named open request, else the sender's own awaiting one, else (sales) a customer's."""
    if cr_ref:
        cr = await uow.change_requests.get(cr_ref.upper())
        return cr if cr is not None and cr.status.is_open else None
    mine = [c for c in await uow.change_requests.open_for(person.id)
            if c.status is CRStatus.AWAITING_CONFIRMATION]
    if mine:
        return mine[0]
    if person.role is Role.SALES:  # a customer's request waiting for this salesperson
        for cr in await uow.change_requests.open_all():
            if cr.status is CRStatus.AWAITING_SALES:
                order = await uow.orders.get(cr.order_ref)
                if order is not None and person.owns_customer(order.customer_code):
                    return cr
    return None


async def closed_refusal(uow: UnitOfWork, person: Person | None, cr_ref: str | None) -> Refused:
    """Why a named request cannot be answered any more (already applied, cancelled,
    expired ...), told only to someone it concerns; else "nothing pending"."""
    cr = await uow.change_requests.get(cr_ref.upper()) if cr_ref and person else None
    if cr is None or person is None or cr.status.is_open:
        return Refused("nothing_pending")
    concerns = cr.requested_by == person.id or person.role is not Role.CUSTOMER
    if not concerns:
        return Refused("nothing_pending")
    if cr.status is CRStatus.EXPIRED:
        return Refused("expired", {"cr": cr.ref})
    return Refused("already_closed", {"cr": cr.ref, "status": cr.status.value})


async def check_confirmer(uow: UnitOfWork, person: Person, cr: ChangeRequest) -> Refused | None:
    """Why `person` may not answer `cr`, or None when they may."""
    if cr.status is CRStatus.AWAITING_CONFIRMATION and cr.requested_by != person.id:
        return Refused("not_yours", {"cr": cr.ref})
    if cr.status is CRStatus.AWAITING_SALES:
        order = await uow.orders.get(cr.order_ref)
        if order is None or not (person.role is Role.SALES
                                 and person.owns_customer(order.customer_code)):
            return Refused("not_yours", {"cr": cr.ref})
    if cr.status is CRStatus.AWAITING_APPROVAL:
        return Refused("already_with_supervisor", {"cr": cr.ref})
    return None


async def expire_if_due(deps: Deps, uow: UnitOfWork, cr: ChangeRequest) -> bool:
    """Mark `cr` expired (and commit) when its time is up."""
    now = deps.clock.now()
    if not cr.is_expired(now):
        return False
    cr.move(CRStatus.EXPIRED, "gongdan", now)
    await save_pending(uow.change_requests, cr)
    await idempotency.record(uow, idempotency.DECISION, {"cr": cr.ref}, now)
    await uow.commit()
    return True


async def _route_to_supervisors(deps: Deps, uow: UnitOfWork, cr: ChangeRequest,
                                person: Person) -> None:
    now = deps.clock.now()
    cr.move(CRStatus.AWAITING_APPROVAL, person.id, now, risk=cr.risk)
    cr.expires_at = now + deps.settings.confirm_timeout * APPROVAL_TIMEOUT_FACTOR
    await save_pending(uow.change_requests, cr)
    await idempotency.record(uow, idempotency.DECISION, {"cr": cr.ref}, now)
    understood = tuple(BeforeAfter.from_dict(u) for u in cr.impact.get("understood") or ())
    notice = ApprovalAsked(cr.ref, cr.order_ref, person.name, cr.risk, cr.impact, understood)
    supervisors = await uow.parties.by_role(Role.SUPERVISOR)
    await uow.outbox.add(deps.fanout.tell(supervisors, notice, f"{cr.ref}:approval", now))
