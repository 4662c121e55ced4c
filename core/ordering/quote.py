"""Quote (capable-to-promise): the earliest date the live plan can keep for a prospective order.

The prospective order is a hypothetical work order with the product's current
routing and BOM for the specs asked. Its materials are what stock and open
purchase orders leave after every open order has taken its share, else the
purchase lead time (core/supply.py): a quote never robs a confirmed order, and
the order cannot start before its materials are there. It is inserted into the
latest plan, repaired to the present, by the planner's own repair (no solver
search) with its customer's tier weight; `core.ordering.ctp.earliest` finds the
least due date it keeps with the safety guard to spare. If a rush would help (rush
orders take materials first and weigh three times as much), the rush date and its
fee are given too. Only the question and its answer are saved (the quotes table).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.model.work_order import Priority, WorkOrder
from core.ordering import ctp
from core.ordering.commands import QuoteOrder
from core.ordering.deps import OrderingDeps
from core.ordering.draft import (
    Draft,
    Problem,
    check_quantity,
    find_customer,
    find_product,
    match_specs,
    scope_customer,
)
from core.ordering.model import QuoteRecord
from core.ordering.ports import ordering_uow
from core.ordering.results import OrderRefused, Pushed, Quoted, QuoteFacts, ToBuy
from core.plan_building import ShopSnapshot, build_input, due_minutes
from core.planning.types import PlanResult
from core.ports import Clock, UnitOfWork
from core.services.planning import Planner, load_snapshot, with_overrides
from core.supply import Availability, allocate

QUOTE_REF = "QUOTE"
BUILD_DAYS = 120  # the prospective order is built due this far out: the calendars reach past it


@dataclass(frozen=True, slots=True)
class Playing:
    """A shop with the prospective order in it, ready for the search."""

    snapshot: ShopSnapshot
    order: WorkOrder
    availability: Availability


async def quote(deps: OrderingDeps, command: QuoteOrder) -> Quoted | OrderRefused:
    """Answer "how soon can we deliver"; logs the question, changes nothing else."""
    async with deps.uow_factory() as uow:
        checked = await check_draft(uow, command.by, command.customer, command.product,
                                    command.quantity, command.specs, customer_required=False)
        if isinstance(checked, Problem):  # a bad question is answered, not saved
            return OrderRefused(checked.reason, checked.params)
        facts = await quote_facts(uow, deps.planner, deps.clock, checked)
        await _log(uow, deps.clock, command, facts, "quoted")
    return Quoted(facts, checked.requirements)


async def check_draft(uow: UnitOfWork, by: str, customer: str | None, product: str | None,
                      quantity: int | None, specs: tuple[tuple[str, str], ...],
                      customer_required: bool) -> Draft | Problem:
    """Who asks, for whom, what and how many: a checked draft or the first problem."""
    person = await uow.parties.person(by)
    if person is None:
        return Problem("role_cannot_order")
    customers = await uow.parties.customers()
    products = await uow.catalog.products()
    if (customer is None and product and find_product(product, products) is None
            and find_customer(product, list(customers.values())) is not None):
        customer, product = product, None  # "新单 宏景 20张": the name before the count
    scoped = scope_customer(person, customer, customers, customer_required)
    if isinstance(scoped, Problem):
        return scoped
    if not product:
        return Problem("ask_product")
    found = find_product(product, products)
    if found is None:
        return Problem("unknown_product", {"product": product})
    routing = (await uow.catalog.routings()).get((found.code, found.current_routing))
    if routing is None or not routing.steps:
        return Problem("no_routing", {"product": found.name})
    largest = max((o.quantity for o in await uow.orders.list()), default=0)
    bad = check_quantity(quantity, largest)
    if bad is not None:
        return bad
    assert quantity is not None
    matched, unmatched = match_specs(found, specs)
    return Draft(scoped, found, routing, quantity, matched, requirements=unmatched)


async def quote_facts(uow: UnitOfWork, planner: Planner, clock: Clock, draft: Draft,
                      ref: str = QUOTE_REF, with_rush: bool = True) -> QuoteFacts:
    """The earliest date for `draft` on the live plan, what it pushes, materials, rush."""
    t0 = time.monotonic()
    today = clock.now().astimezone(ZoneInfo(planner.tz)).date()
    snap = await load_snapshot(uow, today)
    latest = await uow.plans.latest()
    epoch, before = await planner.baseline(snap, latest)
    normal = playing(snap, draft, ref, today, Priority.NORMAL)
    promise = await _search(planner, normal, before, epoch, today, ref)
    rush_date: date | None = None
    rush_fee: float | None = None
    earliest = today + timedelta(days=promise.day)
    if with_rush and promise.day > 1:
        rushed = playing(snap, draft, ref, today, Priority.RUSH)
        rush = await _search(planner, rushed, before, epoch, today, ref)
        if rush.day < promise.day:
            rush_date = today + timedelta(days=rush.day)
            policy = draft.customer.policy if draft.customer else None
            rush_fee = (policy.rush_fee_rate if policy else 0.0) * draft.product.unit_price \
                * draft.quantity
    items = snap.items
    return QuoteFacts(
        product_code=draft.product.code, product_name=draft.product.name,
        quantity=draft.quantity, specs=dict(draft.specs),
        customer_code=draft.customer.code if draft.customer else None,
        customer_name=draft.customer.name if draft.customer else None,
        earliest=earliest, eta=epoch + timedelta(minutes=promise.eta),
        pushed=pushed(before, promise.after, ref),
        materials=tuple(ToBuy(s.item_code, items[s.item_code].name if s.item_code in items
                              else s.item_code, s.missing, s.uncovered, s.available_on,
                              s.covered_by) for s in normal.availability.shortages),
        materials_ready=normal.availability.ready_on,
        rush_date=rush_date, rush_fee=rush_fee, seconds=time.monotonic() - t0)


def playing(snap: ShopSnapshot, draft: Draft, ref: str, today: date,
            priority: Priority) -> Playing:
    """The shop with the prospective order; its materials come after every open order's
    (a rush order's first, as allocation ranks it), and the others' shares follow."""
    order = draft.work_order(ref, today + timedelta(days=BUILD_DAYS), priority)
    rank = order if priority is Priority.RUSH else replace(order, due_date=date.max)
    availability = allocate((*snap.orders, rank), snap.boms, snap.items, snap.purchase_orders,
                            today)
    hypothetical = with_overrides(snap, {ref: order})
    if priority is Priority.RUSH:
        hypothetical = replace(hypothetical, availability=availability)
    else:
        hypothetical = replace(hypothetical,
                               availability={**snap.availability, ref: availability[ref]})
    customers = dict(hypothetical.customers)
    if draft.customer is not None:
        customers.setdefault(draft.customer.code, draft.customer)
    return Playing(replace(hypothetical, customers=customers), order, availability[ref])


async def _search(planner: Planner, play: Playing, before: PlanResult, epoch: datetime,
                  today: date, ref: str) -> ctp.Promise:
    inp_all = build_input(play.snapshot, epoch)
    job = next(j for j in inp_all.jobs if j.ref == ref)
    inp = replace(inp_all, jobs=tuple(j for j in inp_all.jobs if j.ref != ref))
    due0 = due_minutes(epoch, today)
    return await asyncio.to_thread(ctp.earliest, inp, before, job, planner.what_if_params, due0)


def pushed(before: PlanResult, after: PlanResult, ref: str) -> tuple[Pushed, ...]:
    out: list[Pushed] = []
    for other, old in before.jobs.items():
        new = after.jobs.get(other)
        if other == ref or new is None or new.end <= old.end:
            continue
        out.append(Pushed(other, new.end - old.end, old.lateness <= 0 < new.lateness))
    return tuple(sorted(out, key=lambda p: (-p.minutes, p.ref)))


async def _log(uow: UnitOfWork, clock: Clock, command: QuoteOrder, facts: QuoteFacts,
               outcome: str) -> None:
    record = QuoteRecord(
        asked_by=command.by, product_code=facts.product_code, quantity=facts.quantity,
        specs=dict(facts.specs), customer_code=facts.customer_code, at=clock.now(),
        earliest=facts.earliest, outcome=outcome, rush_date=facts.rush_date,
        raw_text=command.raw_text)
    await ordering_uow(uow).quotes.add(record)
    await uow.commit()

