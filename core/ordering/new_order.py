"""A new order from chat: card, confirm (-> supervisor approval), and one atomic creation.

request: check who orders for whom and what (core/ordering/draft.py; anything
missing is asked, one question at a time), quote it (quote.py), play it on the
live plan at the asked date with the planner's repair (`Planner.what_if`, as a
change is assessed), and store an order request NO-<n> awaiting confirmation,
with its audit. The order reference is reserved on the request, so the plan
assessed is the plan committed.

confirm: the requester confirms; a request late at its date, or that makes
another order late, or a customer whose contract asks for approval, goes to the
supervisors first (the change-control risk threshold). apply: under the
planner's commit lock, in one transaction: the order at the product's current
routing/BOM versions (locked), the assessed plan as the next plan version
(assessed again with one repair if the plan moved or the card is old), the
promise in the ledger, the request and its audit, and the notices to
purchasing, warehouse, the shop, the customer and the salespeople of orders it
pushes. After the commit `PlanRevised` and `ChangeApplied` go to the bus, so the
background polish replans around the new order as it does after a change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core import idempotency
from core.events import ChangeApplied
from core.model.parties import Person, Role
from core.model.work_order import OrderStatus, WorkOrder
from core.notices import (
    ApprovalAsked,
    ChangeDenied,
    NewOrderPlaced,
    OrderRequestDeclined,
    OrderRequestForSales,
    OtherOrderSlips,
    TechConfirmationAsked,
)
from core.ordering.commands import ConfirmOrder, DecideOrder, PlaceOrder, RejectOrder
from core.ordering.deps import OrderAssessment, OrderingDeps
from core.ordering.draft import Draft, Problem
from core.ordering.model import (
    OrderRequest,
    Promise,
    PromiseSource,
    RequestStatus,
    Requirement,
)
from core.ordering.ports import OrderingUnitOfWork, ordering_uow
from core.ordering.quote import check_draft, pushed, quote_facts
from core.ordering.requirements import first_version
from core.ordering.results import (
    OrderCancelled,
    OrderCard,
    OrderCreated,
    OrderDenied,
    OrderHeld,
    OrderingResult,
    OrderPassedToSales,
    OrderRefused,
    OrderSentForApproval,
)
from core.outbox import OutboxMessage
from core.ports import UnitOfWork
from core.services.planning import WhatIf, load_snapshot, plan_revised, with_overrides
from core.supply import allocate

APPROVAL_TIMEOUT_FACTOR = 8
ASK_ORDER = ("ask_customer", "ask_product", "ask_quantity")


async def request_order(deps: OrderingDeps, command: PlaceOrder) -> OrderingResult:
    """Check, quote and assess the new order; store it awaiting confirmation."""
    async with deps.uow_factory() as base:
        uow = ordering_uow(base)
        draft = await check_draft(uow, command.by, command.customer, command.product,
                                  command.quantity, command.specs, customer_required=True)
        if isinstance(draft, Problem):
            return OrderRefused(draft.reason, draft.params)
        today = _today(deps)
        if not command.due_date:
            return OrderRefused("ask_due_date")
        try:
            due = date.fromisoformat(command.due_date)
        except ValueError:
            return OrderRefused("ask_due_date")
        if due < today:
            return OrderRefused("past_date", {"date": due.isoformat()})
        draft = replace(draft, due_date=due)
        person = await uow.parties.person(command.by)
        sales: Person | None = None
        if person is not None and person.role is Role.CUSTOMER:
            # a customer contact never orders straight into the plan: their salesperson
            # gets the card and confirms it as theirs
            sales = await _salesperson(uow, _code(draft))
            if sales is None:
                return OrderRefused("no_salesperson")
        opened = await _opened_before(uow)  # this message handled again: show what it opened
        if opened is not None:
            assessment = await assess_order(uow, deps, replace(draft, due_date=opened.due_date),
                                            opened.order_ref or "", opened.due_date)
            card = _card(deps, opened, draft, assessment)
        else:
            opened, assessment, card = await _open(deps, uow, command, draft, due, today,
                                                   person, sales)
            await uow.commit()
    if opened.status.is_open:
        deps.kept.put(opened.ref, assessment)
    if sales is not None:
        return OrderPassedToSales(opened.ref, sales.name)
    return card


async def _opened_before(uow: OrderingUnitOfWork) -> OrderRequest | None:
    """The request this message opened in an earlier run (core/idempotency.py)."""
    done = await idempotency.recorded(uow, idempotency.ORDER_REQUEST)
    return await uow.order_requests.get(done["ref"]) if done else None


async def _open(deps: OrderingDeps, uow: OrderingUnitOfWork, command: PlaceOrder, draft: Draft,
                due: date, today: date, person: Person | None,
                sales: Person | None) -> tuple[OrderRequest, OrderAssessment, OrderCard]:
    """Store the request with its reserved order ref, assessment and audit (not committed);
    recorded as this message's effect in the same transaction. A customer contact's
    request is their salesperson's, who gets the card (with a longer time to answer)."""
    now = deps.clock.now()
    timeout = deps.settings.confirm_timeout * (APPROVAL_TIMEOUT_FACTOR if sales else 1)
    request = OrderRequest("", sales.id if sales else command.by, _code(draft),
                           draft.product.code, draft.quantity, dict(draft.specs), due,
                           RequestStatus.AWAITING_CONFIRMATION, now, now + timeout, today,
                           raw_text=command.raw_text, requirements=draft.requirements,
                           asked_by=command.by if sales else None)
    request = await uow.order_requests.add(request)
    request.order_ref = await _free_ref(uow, today.year)
    assessment = await assess_order(uow, deps, draft, request.order_ref, due)
    card = _card(deps, request, draft, assessment)
    request.earliest = assessment.facts.earliest
    request.risk = card.risk
    request.impact = _stored_impact(card)
    await uow.order_requests.save(request)
    await uow.order_requests.audit(request.ref, request.order_ref, now, command.by,
                                   "requested", {"text": command.raw_text,
                                                 "risk": card.risk,
                                                 "earliest": card.facts.earliest.isoformat(),
                                                 "requirements": _written(draft.requirements),
                                                 "asked_by": request.asked_by})
    if sales is not None and person is not None:
        await uow.outbox.add(deps.fanout.tell([sales], OrderRequestForSales(card, person.name),
                                              f"{request.ref}:sales", now))
    await idempotency.record(uow, idempotency.ORDER_REQUEST, {"ref": request.ref}, now)
    return request, assessment, card


async def _salesperson(uow: UnitOfWork, customer_code: str) -> Person | None:
    """The salesperson whose customers include `customer_code` (the first by id)."""
    owners = [p for p in await uow.parties.by_role(Role.SALES)
              if p.active and p.owns_customer(customer_code)]
    return min(owners, key=lambda p: p.id) if owners else None


def _written(items: tuple[Requirement, ...]) -> list[list[str]]:
    return [[r.key, r.value] for r in items]


async def assess_order(uow: UnitOfWork, deps: OrderingDeps, draft: Draft, ref: str,
                       due: date) -> OrderAssessment:
    """The quote for `draft` and the live plan with it ordered for `due` (one repair)."""
    facts = await quote_facts(uow, deps.planner, deps.clock, draft, ref)
    today = _today(deps)
    snap = await load_snapshot(uow, today)
    order = draft.work_order(ref, due)
    order.status = OrderStatus.RELEASED
    availability = allocate((*snap.orders, order), snap.boms, snap.items, snap.purchase_orders,
                            today)
    hypothetical = replace(with_overrides(snap, {ref: order}), availability=availability)
    what_if = await deps.planner.what_if(snap, hypothetical, await uow.plans.latest(), [ref])
    return OrderAssessment(order, facts, what_if, deps.clock.now())


def _card(deps: OrderingDeps, request: OrderRequest, draft: Draft,
          assessment: OrderAssessment) -> OrderCard:
    after = assessment.plan.after.jobs[request.order_ref or ""]
    epoch = assessment.plan.epoch
    others = pushed(assessment.plan.before, assessment.plan.after, request.order_ref or "")
    on_time = after.lateness <= 0
    risk = "high" if not on_time or any(p.becomes_late for p in others) else (
        "medium" if others else "low")
    customer = draft.customer
    policy = customer.policy if customer else None
    terms = {
        "max_changes": str(policy.max_changes_per_order) if policy else "-",
        "change_fee": f"{policy.change_fee:g}" if policy else "0",
        "rush_fee_rate": f"{policy.rush_fee_rate:.0%}" if policy else "0%",
        "freeze": "、".join(f"{p.kind}@{p.after_operation}" for p in policy.freeze_points)
        if policy and policy.freeze_points else "-",
    }
    approval = deps.needs_approval(risk, bool(policy and policy.approval_always))
    return OrderCard(request.ref, request.order_ref or "", assessment.facts, request.due_date,
                     epoch + timedelta(minutes=after.end), on_time, others, risk, terms, approval,
                     draft.requirements)


def _stored_impact(card: OrderCard) -> dict[str, Any]:
    """What the requester saw, in the shape approval cards read (cards.stored_card_lines)."""
    late = max(0, int((card.eta - _due_at(card)).total_seconds() // 60))
    return {
        "plan": {"new_eta": card.eta.isoformat(), "new_lateness": late,
                 "others_slipped": [{"ref": p.ref, "minutes": p.minutes} for p in card.pushed]},
        "risk": {"reasons": []},
        "order": {"customer": card.facts.customer_name, "product": card.facts.product_name,
                  "quantity": card.facts.quantity, "specs": dict(card.facts.specs),
                  "due_date": card.due_date.isoformat(),
                  "earliest": card.facts.earliest.isoformat()},
        "to_buy": [[m.item_name, m.uncovered, m.available_on.isoformat()]
                   for m in card.facts.materials if m.uncovered > 0],
    }


def _due_at(card: OrderCard) -> datetime:
    from core.plan_building import DUE_TIME

    return datetime.combine(card.due_date, DUE_TIME, card.eta.tzinfo)


async def confirm_order(deps: OrderingDeps, command: ConfirmOrder) -> OrderingResult:
    """The requester confirms: apply, or send it to the supervisors first."""
    if (again := await decided_before(deps)) is not None:
        return again
    async with deps.uow_factory() as base:
        uow = ordering_uow(base)
        request = await _pending(uow, command.by, command.request_ref)
        if request is None:
            return OrderRefused("nothing_pending")
        if request.status is RequestStatus.AWAITING_APPROVAL:
            return OrderRefused("already_with_supervisor", {"ref": request.ref})
        if request.requested_by != command.by:
            return OrderRefused("not_yours", {"ref": request.ref})
        if await _expire_if_due(deps, uow, request):
            return OrderRefused("expired", {"ref": request.ref})
        person = await uow.parties.person(command.by)
        assert person is not None
        customer = await uow.parties.customer(request.customer_code)
        always = customer is not None and customer.policy.approval_always
        if deps.needs_approval(request.risk, always):
            await _to_supervisors(deps, uow, request, person)
            await uow.commit()
            return OrderSentForApproval(request.ref)
    return await apply_order(deps, request.ref, person)


async def reject_order(deps: OrderingDeps, command: RejectOrder) -> OrderingResult:
    if (again := await decided_before(deps)) is not None:
        return again
    async with deps.uow_factory() as base:
        uow = ordering_uow(base)
        request = await _pending(uow, command.by, command.request_ref)
        if request is None or request.status is not RequestStatus.AWAITING_CONFIRMATION:
            return OrderRefused("nothing_pending")
        if request.requested_by != command.by:
            return OrderRefused("not_yours", {"ref": request.ref})
        await _move(deps, uow, request, RequestStatus.CANCELLED, command.by)
        if request.asked_by:
            contact = await uow.parties.person(request.asked_by)
            product = (await uow.catalog.products()).get(request.product_code)
            notice = OrderRequestDeclined(request.ref, product.name if product else
                                          request.product_code, request.quantity)
            await uow.outbox.add(deps.fanout.tell([contact] if contact else [], notice,
                                                  f"{request.ref}:declined", deps.clock.now()))
        await uow.commit()
    deps.kept.take(request.ref)
    return OrderCancelled(request.ref)


async def decide_order(deps: OrderingDeps, command: DecideOrder) -> OrderingResult:
    """A supervisor approves (the order is created) or denies (the requester is told)."""
    if (again := await decided_before(deps)) is not None:
        return again
    async with deps.uow_factory() as base:
        uow = ordering_uow(base)
        person = await uow.parties.person(command.by)
        if person is None or person.role not in (Role.SUPERVISOR, Role.ADMIN):
            return OrderRefused("only_supervisors")
        request = await uow.order_requests.get(command.request_ref.upper()) \
            if command.request_ref else None
        if request is None and not command.request_ref:
            waiting = await uow.order_requests.awaiting_approval()
            request = waiting[0] if len(waiting) == 1 else None
        if request is None or request.status is not RequestStatus.AWAITING_APPROVAL:
            return OrderRefused("no_approval_pending", {"ref": command.request_ref or "-"})
        if await _expire_if_due(deps, uow, request):
            return OrderRefused("expired", {"ref": request.ref})
        if not command.approve:
            await _move(deps, uow, request, RequestStatus.DENIED, person.id)
            requester = await uow.parties.person(request.requested_by)
            if requester is not None:
                notice = ChangeDenied(request.ref, request.order_ref or "", person.name)
                await uow.outbox.add(deps.fanout.tell([requester], notice,
                                                      f"{request.ref}:denied", deps.clock.now()))
            await uow.commit()
            return OrderDenied(request.ref)
        await uow.order_requests.audit(request.ref, request.order_ref, deps.clock.now(),
                                       person.id, "approved", {})
        await uow.commit()
    return await apply_order(deps, request.ref, person)


async def apply_order(deps: OrderingDeps, ref: str, actor: Person) -> OrderingResult:
    """Create the order, commit its plan, promise, audit and notices in one transaction."""
    kept = deps.kept.take(ref)
    if kept is not None and deps.clock.now() - kept.at > deps.settings.reuse_within:
        kept = None
    async with deps.planner.committing():
        async with deps.uow_factory() as base:
            uow = ordering_uow(base)
            await uow.plans.lock_for_commit()  # other processes' plans wait for this one
            request = await uow.order_requests.get(ref)
            assert request is not None and request.order_ref is not None, ref
            if not request.status.is_open:
                return OrderRefused("nothing_pending")
            latest = await uow.plans.latest_number()
            assessment: OrderAssessment | OrderRefused | None = kept
            if (kept is None or kept.plan.base != latest
                    or await uow.orders.get(request.order_ref) is not None):
                assessment = await _reassess(deps, uow, request)
            if isinstance(assessment, OrderRefused):
                return assessment
            assert assessment is not None
            created = await _commit(deps, uow, request, assessment, actor)
    order_ref, version = created
    if version is None:
        return OrderHeld(ref, order_ref, request.due_date, request.requirements)
    await deps.events.publish(plan_revised(version, [order_ref]),
                              ChangeApplied(ref, order_ref, version.number))
    eta = version.etas.get(order_ref)
    return OrderCreated(ref, order_ref, version.number, eta.eta if eta else None,
                        request.due_date)


async def _reassess(deps: OrderingDeps, uow: OrderingUnitOfWork,
                    request: OrderRequest) -> OrderAssessment | OrderRefused:
    """The request on the shop as it is now (another process, a restart, a moved plan)."""
    draft = await check_draft(uow, request.requested_by, request.customer_code,
                              request.product_code, request.quantity,
                              tuple(request.specs.items()), customer_required=True)
    if isinstance(draft, Problem):
        return OrderRefused(draft.reason, draft.params)
    if await uow.orders.get(request.order_ref or "") is not None:
        request.order_ref = await _free_ref(uow, _today(deps).year)
    return await assess_order(uow, deps, replace(draft, due_date=request.due_date),
                              request.order_ref or "", request.due_date)


async def _commit(deps: OrderingDeps, uow: OrderingUnitOfWork, request: OrderRequest,
                  assessment: OrderAssessment, actor: Person) -> tuple[str, Any]:
    now = deps.clock.now()
    order = assessment.order
    order.created_at = now
    order.ref = request.order_ref or order.ref
    if request.requirements:
        order.status = OrderStatus.AWAITING_TECH
    await uow.orders.add(order)
    await uow.catalog.lock_routing(order.product_code, order.routing_version)
    await uow.catalog.lock_bom(order.product_code, order.bom_version)
    if request.requirements:
        await _hold(deps, uow, request, assessment, actor, now)
        return order.ref, None
    version = deps.planner.version_of(assessment.plan, f"{request.ref} {order.ref}")
    await uow.plans.add(version)
    source = (PromiseSource.QUOTE if request.due_date == assessment.facts.earliest
              else PromiseSource.NEW_ORDER)
    await uow.promises.record(Promise(order.ref, request.due_date, source, actor.id, now,
                                      request.ref))
    request.status = RequestStatus.APPLIED
    request.decided_by, request.decided_at = actor.id, now
    request.plan_version = version.number
    await uow.order_requests.save(request)
    await uow.order_requests.audit(request.ref, order.ref, now, actor.id, "applied",
                                   {"plan_version": version.number,
                                    "promised": request.due_date.isoformat(),
                                    "source": source.value})
    eta = version.etas.get(order.ref)
    facts = assessment.facts
    to_buy = tuple((m.item_name, m.uncovered, m.available_on) for m in facts.materials
                   if m.uncovered > 0)
    placed = Placed(request.ref, request.requested_by, order, facts.customer_name or "",
                    facts.product_name, to_buy, request.due_date, eta.eta if eta else None)
    await uow.outbox.add(await placed_notices(deps, uow, placed, assessment.plan, now))
    await idempotency.record(uow, idempotency.ORDER_DECISION, {"ref": request.ref}, now)
    await uow.commit()
    return order.ref, version


async def _hold(deps: OrderingDeps, uow: OrderingUnitOfWork, request: OrderRequest,
                assessment: OrderAssessment, actor: Person, now: datetime) -> None:
    """The order is created but held: version 1 of its requirements, pending; planners told.

    No plan version and no promise yet: both come when the requirements are settled.
    """
    order = assessment.order
    writer = request.asked_by or request.requested_by
    await uow.requirements.add(first_version(order.ref, request.requirements, writer, now,
                                             request.ref, request.raw_text))
    request.status = RequestStatus.APPLIED
    request.decided_by, request.decided_at = actor.id, now
    await uow.order_requests.save(request)
    await uow.order_requests.audit(request.ref, order.ref, now, actor.id, "applied",
                                   {"held": True, "promised": request.due_date.isoformat(),
                                    "requirements": _written(request.requirements)})
    requester = await uow.parties.person(request.requested_by)
    facts = assessment.facts
    notice = TechConfirmationAsked(request.ref, order.ref, facts.customer_name or "",
                                   facts.product_name, order.quantity, request.due_date,
                                   request.requirements,
                                   requester.name if requester else request.requested_by)
    planners = await uow.parties.by_role(Role.PLANNER) or await uow.parties.by_role(
        Role.SUPERVISOR)
    await uow.outbox.add(deps.fanout.tell(planners, notice, f"{request.ref}:tech", now))
    await idempotency.record(uow, idempotency.ORDER_DECISION, {"ref": request.ref}, now)
    await uow.commit()


@dataclass(frozen=True, slots=True)
class Placed:
    """A new order going into the plan, as the notices about it need it."""

    request_ref: str
    requested_by: str
    order: WorkOrder
    customer_name: str
    product_name: str
    to_buy: tuple[tuple[str, float, date], ...]
    due: date
    eta: datetime | None


async def placed_notices(deps: OrderingDeps, uow: UnitOfWork, placed: Placed, plan: WhatIf,
                         now: datetime) -> list[OutboxMessage]:
    """Purchasing (what to buy), warehouse (what to pick), the shop, the customer's
    contacts, and the salespeople of orders it pushes."""
    people = await uow.parties.people()
    order = placed.order
    ref = placed.request_ref

    def notice(audience: str) -> NewOrderPlaced:
        return NewOrderPlaced(ref, order.ref, audience, placed.customer_name,
                              placed.product_name, order.quantity, tuple(order.specs.items()),
                              placed.due, placed.eta, placed.to_buy)

    def role(r: Role) -> list[Person]:
        return [p for p in people if p.role is r]

    centers = {op.work_center for op in order.operations}
    rows: list[OutboxMessage] = []
    rows += deps.fanout.tell(role(Role.PURCHASING), notice("purchasing"),
                             f"{ref}:purchasing", now)
    rows += deps.fanout.tell(role(Role.WAREHOUSE), notice("warehouse"), f"{ref}:warehouse", now)
    rows += deps.fanout.tell([p for p in role(Role.OPERATOR) if p.work_center in centers],
                             notice("shop"), f"{ref}:shop", now)
    rows += deps.fanout.tell([p for p in role(Role.CUSTOMER)
                              if p.owns_customer(order.customer_code)
                              and p.id != placed.requested_by],
                             notice("customer"), f"{ref}:customer", now)
    for slip in pushed(plan.before, plan.after, order.ref):
        other = await uow.orders.get(slip.ref)
        if other is None:
            continue
        owners = [p for p in role(Role.SALES) if p.owns_customer(other.customer_code)]
        rows += deps.fanout.tell(owners, OtherOrderSlips(ref, order.ref, slip.ref, slip.minutes),
                                 f"{ref}:slip:{slip.ref}", now)
    return rows


async def _pending(uow: OrderingUnitOfWork, by: str, ref: str | None) -> OrderRequest | None:
    if ref:
        found = await uow.order_requests.get(ref.upper())
        return found if found is not None and found.status.is_open else None
    mine = await uow.order_requests.open_for(by)
    return mine[0] if mine else None


async def decided_before(deps: OrderingDeps) -> OrderingResult | None:
    """The answer of an earlier run of this message, if it moved a new-order request (it
    recorded ORDER_DECISION in that transaction); worded from the request's state now, so
    an order created is reported created again and never created twice."""
    async with deps.uow_factory() as base:
        uow = ordering_uow(base)
        done = await idempotency.recorded(uow, idempotency.ORDER_DECISION)
        request = await uow.order_requests.get(done["ref"]) if done else None
        if request is None:
            return None
        eta = None
        if request.status is RequestStatus.APPLIED and request.plan_version and request.order_ref:
            found = await uow.plans.etas_for(request.plan_version, [request.order_ref])
            eta = found[request.order_ref].eta if request.order_ref in found else None
    match request.status:
        case RequestStatus.APPLIED if request.plan_version is None and request.requirements:
            return OrderHeld(request.ref, request.order_ref or "", request.due_date,
                             request.requirements)
        case RequestStatus.APPLIED:
            return OrderCreated(request.ref, request.order_ref or "", request.plan_version or 0,
                                eta, request.due_date)
        case RequestStatus.AWAITING_APPROVAL:
            return OrderSentForApproval(request.ref)
        case RequestStatus.CANCELLED:
            return OrderCancelled(request.ref)
        case RequestStatus.DENIED:
            return OrderDenied(request.ref)
        case RequestStatus.EXPIRED:
            return OrderRefused("expired", {"ref": request.ref})
        case _:
            return None


async def has_pending(uow: UnitOfWork, by: str) -> bool:
    """Whether `by` has a new order awaiting their confirmation."""
    return bool(await ordering_uow(uow).order_requests.open_for(by))


async def has_awaiting_approval(uow: UnitOfWork) -> bool:
    return bool(await ordering_uow(uow).order_requests.awaiting_approval())


async def _expire_if_due(deps: OrderingDeps, uow: OrderingUnitOfWork,
                         request: OrderRequest) -> bool:
    if not request.is_expired(deps.clock.now()):
        return False
    await _move(deps, uow, request, RequestStatus.EXPIRED, "gongdan")
    await uow.commit()
    deps.kept.take(request.ref)
    return True


async def _move(deps: OrderingDeps, uow: OrderingUnitOfWork, request: OrderRequest,
                status: RequestStatus, by: str) -> None:
    now = deps.clock.now()
    request.status = status
    request.decided_by, request.decided_at = by, now
    await uow.order_requests.save(request)
    await uow.order_requests.audit(request.ref, request.order_ref, now, by, status.value, {})
    await idempotency.record(uow, idempotency.ORDER_DECISION, {"ref": request.ref}, now)


async def _to_supervisors(deps: OrderingDeps, uow: OrderingUnitOfWork, request: OrderRequest,
                          person: Person) -> None:
    now = deps.clock.now()
    request.status = RequestStatus.AWAITING_APPROVAL
    request.expires_at = now + deps.settings.confirm_timeout * APPROVAL_TIMEOUT_FACTOR
    await uow.order_requests.save(request)
    await uow.order_requests.audit(request.ref, request.order_ref, now, person.id,
                                   "sent_for_approval", {"risk": request.risk})
    await idempotency.record(uow, idempotency.ORDER_DECISION, {"ref": request.ref}, now)
    notice = ApprovalAsked(request.ref, request.order_ref or "", person.name, request.risk,
                           request.impact)
    supervisors = await uow.parties.by_role(Role.SUPERVISOR)
    await uow.outbox.add(deps.fanout.tell(supervisors, notice, f"{request.ref}:approval", now))


async def _free_ref(uow: UnitOfWork, year: int) -> str:
    """The next SO-<year>-<nnnn> that no order and no open request holds."""
    taken = set(await uow.orders.all_refs())
    base = ordering_uow(uow)
    taken |= {r.order_ref for r in await base.order_requests.awaiting_approval() if r.order_ref}
    prefix = f"SO-{year}-"
    numbers = [int(r[len(prefix):]) for r in taken
               if r.startswith(prefix) and r[len(prefix):].isdigit()]
    n = max(numbers, default=0) + 1
    while f"{prefix}{n:04d}" in taken or await base.order_requests.holds(f"{prefix}{n:04d}"):
        n += 1
    return f"{prefix}{n:04d}"


def _today(deps: OrderingDeps) -> date:
    return deps.clock.now().astimezone(ZoneInfo(deps.planner.tz)).date()


def _code(draft: Draft) -> str:
    assert draft.customer is not None
    return draft.customer.code


__all__ = ["ASK_ORDER", "Placed", "apply_order", "assess_order", "confirm_order", "decide_order",
           "has_awaiting_approval", "has_pending", "placed_notices", "reject_order",
           "request_order"]
