"""A supervisor approves (then the change is applied) or denies a change awaiting approval."""

from __future__ import annotations

from core import idempotency
from core.change_control.again import decided_before
from core.change_control.apply import apply_change
from core.change_control.confirm import expire_if_due
from core.change_control.deps import Deps
from core.change_control.results import Denied, Refused, Result
from core.commands import Decide
from core.model.change_request import ChangeRequest, CRStatus
from core.model.parties import Person, Role
from core.notices import ChangeDenied
from core.ports import UnitOfWork, save_pending


async def decide(deps: Deps, command: Decide) -> Result:
    """Approve and apply, or deny and tell the requester; only supervisors and admins decide."""
    if (again := await decided_before(deps)) is not None:
        return again
    async with deps.uow_factory() as uow:
        person = await uow.parties.person(command.by)
        if person is None or person.role not in (Role.SUPERVISOR, Role.ADMIN):
            return Refused("only_supervisors")
        found = await _awaiting(uow, command.cr_ref)
        if isinstance(found, Refused):
            return found
        cr = found
        if await expire_if_due(deps, uow, cr):
            return Refused("expired", {"cr": cr.ref})
        if not command.approve:
            await _deny(deps, uow, cr, person)
            await uow.commit()
            return Denied(cr.ref)
        cr.note(person.id, "approved", deps.clock.now())
        await save_pending(uow.change_requests, cr)
        await uow.commit()
    return await apply_change(deps, cr.ref, person)


async def _awaiting(uow: UnitOfWork, cr_ref: str | None) -> ChangeRequest | Refused:
    """The named request, or the only one awaiting approval; else why not."""
    cr = await uow.change_requests.get(cr_ref.upper()) if cr_ref else None
    if cr is None and not cr_ref:
        waiting = [c for c in await uow.change_requests.open_all()
                   if c.status is CRStatus.AWAITING_APPROVAL]
        if len(waiting) > 1:
            return Refused("which_cr", {"crs": ", ".join(c.ref for c in waiting)})
        cr = waiting[0] if waiting else None
    if cr is None or cr.status is not CRStatus.AWAITING_APPROVAL:
        return Refused("no_approval_pending", {"cr": cr_ref or "-"})
    return cr


async def _deny(deps: Deps, uow: UnitOfWork, cr: ChangeRequest, person: Person) -> None:
    now = deps.clock.now()
    cr.move(CRStatus.DENIED, person.id, now)
    await save_pending(uow.change_requests, cr)
    await idempotency.record(uow, idempotency.DECISION, {"cr": cr.ref}, now)
    requester = await uow.parties.person(cr.requested_by)
    if requester is not None:
        notice = ChangeDenied(cr.ref, cr.order_ref, person.name)
        await uow.outbox.add(deps.fanout.tell([requester], notice, f"{cr.ref}:denied", now))
