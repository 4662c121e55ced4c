"""A confirm, reject or decision handled a second time answers from what the first run did.

The first run recorded the request it moved (core/idempotency.py DECISION) in
the transaction that moved it; the answer is worded from the request's state
now, so an applied change is reported applied again and never applied twice.
"""

from __future__ import annotations

from core import idempotency
from core.change_control.deps import Deps
from core.change_control.request import request_change
from core.change_control.results import (
    Applied,
    Cancelled,
    Denied,
    Refused,
    Result,
    SentForApproval,
    SentToSales,
    Superseded,
)
from core.commands import change_command_from_contract
from core.model.change_request import CRStatus


async def decided_before(deps: Deps) -> Result | None:
    """The answer of an earlier run of this message, if it moved a change request; else None."""
    async with deps.uow_factory() as uow:
        done = await idempotency.recorded(uow, idempotency.DECISION)
        cr = await uow.change_requests.get(done["cr"]) if done else None
        if cr is None:
            return None
        order = await uow.orders.get(cr.order_ref)
        eta = None
        if cr.status is CRStatus.APPLIED and cr.plan_version is not None:
            found = await uow.plans.etas_for(cr.plan_version, [cr.order_ref])
            eta = found[cr.order_ref].eta if cr.order_ref in found else None
    match cr.status:
        case CRStatus.APPLIED:
            return Applied(cr.ref, cr.order_ref, cr.plan_version or 0, eta)
        case CRStatus.AWAITING_APPROVAL:
            return SentForApproval(cr.ref)
        case CRStatus.AWAITING_SALES:
            return SentToSales(cr.ref, cr.order_ref)
        case CRStatus.CANCELLED:
            return Cancelled(cr.ref)
        case CRStatus.DENIED:
            return Denied(cr.ref)
        case CRStatus.EXPIRED:
            return Refused("expired", {"cr": cr.ref})
        case CRStatus.SUPERSEDED:
            then = None
            if order is not None and order.status.is_open:  # asked again, once (REQUEST)
                command = change_command_from_contract(cr.command, cr.requested_by, cr.raw_text)
                then = await request_change(deps, command)
            return Superseded(cr.ref, cr.order_ref, then)
        case _:
            return Refused("nothing_pending")
