"""Apply a confirmed (or approved) change: order, plan version, audit and notices in one commit.

The plan committed is the one the assessment computed (a repair of the latest
plan with the change, no search), so the sender hears "applied" within a
second. It is reused when the plan it was repaired from is still the latest,
the order is at the version assessed, and it is recent (ChangeSettings.
reuse_within). Otherwise the change is assessed again on the present, with one
repair, and applied. After the commit `PlanRevised` and `ChangeApplied` go to
the bus; `Polisher` then replans around the order in the
background, which becomes the next plan version.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core import idempotency
from core.change_control.assess import Assessment, assess_change, items_of
from core.change_control.deps import Deps
from core.change_control.request import request_change
from core.change_control.results import Applied, Refused, Result, Superseded
from core.commands import change_command_from_contract
from core.errors import CoreError, VersionConflict
from core.events import ChangeApplied
from core.faults import crash_point
from core.model.change_request import ChangeRequest, CRStatus
from core.model.parties import Person
from core.model.plan import PlanVersion
from core.model.work_order import WorkOrder
from core.ordering.ledger import record_due_change
from core.ports import Spawner, UnitOfWork, save_pending
from core.services.planning import Planner, plan_revised

log = logging.getLogger(__name__)

ATTEMPTS = 3
"""Assessments one apply may use while other plans keep being committed; the last holds
the planner's commit lock and the database's from assessment to commit, so nothing, in
this process or another, can overtake it."""


@dataclass(frozen=True, slots=True)
class _PlanMoved:
    """The assessed plan is no longer built on the latest plan version."""


@dataclass(frozen=True, slots=True)
class _Committed:
    cr_ref: str
    order_ref: str
    version: PlanVersion


@dataclass(frozen=True, slots=True)
class _Withdrawn:
    """The order changed (or closed) after the assessment; the request was superseded."""

    cr: ChangeRequest
    order_open: bool


_Outcome = Result | _PlanMoved | _Committed | _Withdrawn


async def apply_change(deps: Deps, cr_ref: str, actor: Person) -> Result:
    """Commit the change with its assessed plan, re-assessing (one repair) when that is stale."""
    assessment = deps.assessed.take(cr_ref)
    if assessment is not None and deps.clock.now() - assessment.at > deps.settings.reuse_within:
        assessment = None
    outcome: _Outcome = _PlanMoved()
    for attempt in range(1, ATTEMPTS + 1):
        if attempt == ATTEMPTS:
            async with deps.planner.committing():
                outcome = await _attempt_locked(deps, cr_ref, actor, assessment)
            break
        outcome = await _attempt(deps, cr_ref, actor, assessment)
        if not isinstance(outcome, _PlanMoved):
            break
        assessment = None
    return await _finish(deps, outcome)


async def _attempt(deps: Deps, cr_ref: str, actor: Person,
                   assessment: Assessment | None) -> _Outcome:
    """One try: withdrawn, invalid, committed, or the plan moved under it."""
    if assessment is None:
        async with deps.uow_factory() as uow:
            fresh = await _reassess(deps, uow, cr_ref)
        if not isinstance(fresh, Assessment):
            return fresh
        assessment = fresh
    async with deps.planner.committing(), deps.uow_factory() as uow:
        await uow.plans.lock_for_commit()
        return await _commit(deps, uow, cr_ref, actor, assessment)


async def _attempt_locked(deps: Deps, cr_ref: str, actor: Person,
                          assessment: Assessment | None) -> _Outcome:
    """The last try: assess and commit in one transaction that holds the database's plan
    commit lock throughout (the caller holds the planner's), so no process can overtake it.
    The lock is held for one repair, which is short."""
    async with deps.uow_factory() as uow:
        await uow.plans.lock_for_commit()
        if assessment is None or await uow.plans.latest_number() != assessment.plan.base:
            fresh = await _reassess(deps, uow, cr_ref)
            if not isinstance(fresh, Assessment):
                return fresh
            assessment = fresh
        return await _commit(deps, uow, cr_ref, actor, assessment)


async def _reassess(deps: Deps, uow: UnitOfWork, cr_ref: str) -> Assessment | _Outcome:
    """The stored change assessed on the order as it is now, with one repair."""
    cr, order = await _load(uow, cr_ref)
    if order.version != cr.order_version or not order.status.is_open:
        return await _withdraw(deps, uow, cr, order)
    command = change_command_from_contract(cr.command, cr.requested_by, cr.raw_text)
    try:
        return await assess_change(uow, deps.planner, deps.clock, order,
                                   items_of(command, order))
    except CoreError as exc:
        return Refused("invalid", {"ref": order.ref, "reason": str(exc)})


async def _commit(deps: Deps, uow: UnitOfWork, cr_ref: str, actor: Person,
                  assessment: Assessment) -> _Outcome:
    """Write order, routing, plan version, request and notices, and commit; `uow` holds the
    plan-commit lock, so the latest plan cannot move between the check and the commit."""
    cr, order = await _load(uow, cr_ref)
    if order.version != cr.order_version or not order.status.is_open:
        return await _withdraw(deps, uow, cr, order)
    if await uow.plans.latest_number() != assessment.plan.base:
        return _PlanMoved()
    applied = assessment.applied
    applied.order.version = order.version
    try:
        await uow.orders.save(applied.order)
    except VersionConflict:
        await uow.rollback()
        return await _withdraw(deps, uow, *await _load(uow, cr_ref))
    if applied.routing is not None:
        await uow.catalog.add_routing(applied.routing)
        await uow.catalog.lock_routing(order.product_code, applied.routing.version)
    version = deps.planner.version_of(assessment.plan, f"{cr.ref} {order.ref}")
    await uow.plans.add(version)
    now = deps.clock.now()
    cr.impact = assessment.stored_impact()
    cr.plan_version = version.number
    cr.move(CRStatus.APPLIED, actor.id, now, order_version=applied.order.version,
            plan_version=version.number)
    await save_pending(uow.change_requests, cr)
    await record_due_change(uow, order.ref, order.due_date, applied.order.due_date, actor.id,
                            now, cr.ref)
    await uow.outbox.add(await deps.fanout.applied(
        uow, cr, applied, assessment.impact, assessment.understood, version.etas, actor, now))
    await idempotency.record(uow, idempotency.DECISION, {"cr": cr.ref}, now)
    crash_point("mid_apply_before_commit")
    await uow.commit()
    crash_point("after_apply_commit")
    return _Committed(cr.ref, order.ref, version)


async def _withdraw(deps: Deps, uow: UnitOfWork, cr: ChangeRequest,
                    order: WorkOrder) -> _Withdrawn:
    """The order moved since the assessment: close this request (it is asked again after)."""
    now = deps.clock.now()
    cr.move(CRStatus.SUPERSEDED, "gongdan", now, found_version=order.version,
            assessed_version=cr.order_version)
    await save_pending(uow.change_requests, cr)
    await idempotency.record(uow, idempotency.DECISION, {"cr": cr.ref}, now)
    await uow.commit()
    return _Withdrawn(cr, order.status.is_open)


async def _finish(deps: Deps, outcome: _Outcome) -> Result:
    """After the commit: publish what was committed, or ask again on fresh facts."""
    if isinstance(outcome, _Committed):
        version = outcome.version
        await deps.events.publish(plan_revised(version, [outcome.order_ref]),
                                  ChangeApplied(outcome.cr_ref, outcome.order_ref, version.number))
        eta = version.etas.get(outcome.order_ref)
        return Applied(outcome.cr_ref, outcome.order_ref, version.number,
                       eta.eta if eta is not None else None)
    if isinstance(outcome, _Withdrawn):
        cr = outcome.cr
        then = None
        if outcome.order_open:
            command = change_command_from_contract(cr.command, cr.requested_by, cr.raw_text)
            then = await request_change(deps, command)
        return Superseded(cr.ref, cr.order_ref, then)
    assert not isinstance(outcome, _PlanMoved), "the last attempt holds the commit lock"
    return outcome


async def _load(uow: UnitOfWork, cr_ref: str) -> tuple[ChangeRequest, WorkOrder]:
    cr = await uow.change_requests.get(cr_ref)
    assert cr is not None, cr_ref
    order = await uow.orders.get(cr.order_ref)
    assert order is not None, cr.order_ref
    return cr, order


class Polisher:
    """An event handler for `ChangeApplied`: polish the plan around changed orders, in the
    background, one solve at a time.

    A confirmed change commits the repair its assessment made; the solver's search
    then improves on it as the next plan version. Changes committed while a polish
    runs are polished together by the next one, so a burst of confirms queues one
    solve, not one each. The solve uses `workers` threads (one by default), leaving
    the other cores to the conversation: a polish must not slow the next card.
    """

    def __init__(self, planner: Planner, spawner: Spawner, workers: int = 1) -> None:
        self._planner = planner
        self._spawner = spawner
        self._workers = workers
        self._pending: dict[str, str] = {}  # order ref -> the change request that changed it
        self._running = False

    async def __call__(self, event: ChangeApplied) -> None:
        self._pending[event.order_ref] = event.cr_ref
        if not self._running:
            self._running = True
            self._spawner.spawn(self._run())

    async def _run(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, {}
                reason = "polish " + ", ".join(f"{cr} {ref}" for ref, cr in batch.items())
                try:
                    await self._planner.replan(reason, list(batch), workers=self._workers)
                except Exception:  # the change is committed; only its polish is lost
                    log.exception("%s failed", reason)
        finally:
            self._running = False
