"""Technical confirmation: a planner or engineer settles a held order's requirements in chat.

"SO-2026-0031 技术确认" confirms the latest version of the order's requirement
specification; "SO-2026-0031 需求改为 颜色 胡桃木色, 边角倒圆" writes version
n+1 (confirmed by its writer). Either releases the order to the plan, like a new
order is placed: under the planner's commit lock and in one transaction, the
order (its settled catalogue options as specs, the rest as its note), the plan
repaired with it as the next plan version, the promise of the date the request
asked for, the versions, the audit, and the notices (the salesperson, then
purchasing, warehouse, shop, the customer's contacts and the salespeople of
orders it pushes). After the commit `PlanRevised` and `ChangeApplied` go to the
bus so the background polish replans around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from core.commands import AmendRequirement, ConfirmRequirement
from core.events import ChangeApplied
from core.model.parties import Person, Role
from core.model.plan import PlanVersion
from core.model.work_order import OrderStatus, WorkOrder
from core.notices import RequirementsSettled
from core.ordering import requirements as rules
from core.ordering.deps import OrderingDeps
from core.ordering.model import Promise, PromiseSource, Requirement, RequirementVersion
from core.ordering.new_order import Placed, placed_notices
from core.ordering.ports import OrderingUnitOfWork, ordering_uow
from core.ordering.results import OrderingResult, OrderRefused, RequirementSettled
from core.outbox import OutboxMessage
from core.services.planning import WhatIf, load_snapshot, plan_revised, with_overrides
from core.supply import Availability, allocate


async def confirm_requirement(deps: OrderingDeps,
                              command: ConfirmRequirement) -> OrderingResult:
    """The latest version as written is confirmed; the order goes into the plan."""
    return await _settle(deps, command.by, command.order_ref, None, "")


async def amend_requirement(deps: OrderingDeps, command: AmendRequirement) -> OrderingResult:
    """Version n+1 written (and confirmed) by the sender; the order goes into the plan."""
    if not command.items:
        return OrderRefused("ask_requirement", {"ref": command.order_ref or "-"})
    return await _settle(deps, command.by, command.order_ref, command.items, command.raw_text)


async def _settle(deps: OrderingDeps, by: str, ref: str | None,
                  items: tuple[tuple[str, str], ...] | None, text: str) -> OrderingResult:
    async with deps.planner.committing():
        async with deps.uow_factory() as base:
            uow = ordering_uow(base)
            person = await uow.parties.person(by)
            if not rules.may_settle(person):
                return OrderRefused("not_tech_role")
            assert person is not None
            order = await uow.orders.get(ref.upper()) if ref else None
            if order is None:
                return OrderRefused("unknown_order", {"ref": ref or "-"})
            versions = await uow.requirements.versions(order.ref)
            reason = rules.refusal(versions)
            if reason is None and order.status is not OrderStatus.AWAITING_TECH:
                reason = "already_confirmed"
            if reason is not None:
                return OrderRefused(reason, {"ref": order.ref})
            now = deps.clock.now()
            settled = await _write_versions(uow, order, versions, items, person, now, text)
            released = await _release(deps, uow, order, settled, person, now, items is not None)
    version, eta = released
    await deps.events.publish(plan_revised(version, [order.ref]),
                              ChangeApplied(settled.request_ref or order.ref, order.ref,
                                            version.number))
    return RequirementSettled(order.ref, settled.version, items is not None, version.number,
                              eta, order.due_date)


async def _write_versions(uow: OrderingUnitOfWork, order: WorkOrder,
                          versions: list[RequirementVersion],
                          items: tuple[tuple[str, str], ...] | None, person: Person,
                          now: datetime, text: str) -> RequirementVersion:
    """The confirmed latest version, or the superseded latest and the amendment after it."""
    if items is None:
        settled = rules.confirm(versions, person.id, now)
        await uow.requirements.save(settled)
        action = "requirement_confirmed"
    else:
        product = (await uow.catalog.products()).get(order.product_code)
        written = rules.classify(product, items) if product is not None else tuple(
            Requirement(k, v) for k, v in items)
        old, settled = rules.amend(versions, written, person.id, now, text)
        await uow.requirements.save(old)
        await uow.requirements.add(settled)
        action = "requirement_amended"
    await uow.order_requests.audit(settled.request_ref or order.ref, order.ref, now, person.id,
                                   action, {"version": settled.version,
                                            "requirements": [[r.key, r.value]
                                                             for r in settled.items]})
    return settled


async def _release(deps: OrderingDeps, uow: OrderingUnitOfWork, order: WorkOrder,
                   settled: RequirementVersion, person: Person, now: datetime,
                   amended: bool) -> tuple[PlanVersion, datetime | None]:
    """The order into the plan with one repair, its promise, its notices; then commit."""
    today = now.astimezone(ZoneInfo(deps.planner.tz)).date()
    snap = await load_snapshot(uow, today)  # the order is still held here: not in it
    specs, note = rules.specs_and_note(settled.items)
    order.specs.update(specs)
    order.note = note
    order.release(person.id)
    availability = allocate((*snap.orders, order), snap.boms, snap.items, snap.purchase_orders,
                            today)
    hypothetical = replace(with_overrides(snap, {order.ref: order}), availability=availability)
    what_if = await deps.planner.what_if(snap, hypothetical, await uow.plans.latest(),
                                         [order.ref])
    version = deps.planner.version_of(what_if, f"{settled.request_ref or ''} {order.ref} tech")
    await uow.orders.save(order)
    await uow.plans.add(version)
    request = await uow.order_requests.get(settled.request_ref) if settled.request_ref else None
    requested_by = request.requested_by if request is not None else person.id
    await uow.promises.record(Promise(order.ref, order.due_date, PromiseSource.NEW_ORDER,
                                      requested_by, now, settled.request_ref))
    eta_row = version.etas.get(order.ref)
    eta = eta_row.eta if eta_row else None
    await uow.order_requests.audit(settled.request_ref or order.ref, order.ref, now, person.id,
                                   "released", {"plan_version": version.number,
                                                "promised": order.due_date.isoformat()})
    await uow.outbox.add(await _notices(deps, uow, order, settled, what_if, requested_by,
                                        person, eta, availability, amended, now))
    await uow.commit()
    return version, eta


async def _notices(deps: OrderingDeps, uow: OrderingUnitOfWork, order: WorkOrder,
                   settled: RequirementVersion, what_if: WhatIf, requested_by: str,
                   person: Person, eta: datetime | None,
                   availability: Mapping[str, Availability], amended: bool,
                   now: datetime) -> list[OutboxMessage]:
    topic = f"{order.ref}:tech:v{settled.version}"
    sales = await uow.parties.person(requested_by)
    rows = deps.fanout.tell([sales] if sales is not None and sales.role is not Role.CUSTOMER
                            else [], RequirementsSettled(order.ref, settled.version, amended,
                                                         settled.items, person.name,
                                                         order.due_date, eta),
                            f"{topic}:sales", now)
    customer = await uow.parties.customer(order.customer_code)
    product = (await uow.catalog.products()).get(order.product_code)
    items = await uow.catalog.items()
    found = availability.get(order.ref)
    shortages = found.shortages if found is not None else ()
    to_buy = tuple((items[s.item_code].name if s.item_code in items else s.item_code,
                    s.uncovered, s.available_on) for s in shortages if s.uncovered > 0)
    placed = Placed(settled.request_ref or topic, requested_by, order,
                    customer.name if customer else order.customer_code,
                    product.name if product else order.product_code, to_buy, order.due_date, eta)
    return rows + await placed_notices(deps, uow, placed, what_if, now)
