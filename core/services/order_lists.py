"""Answers to list questions ("哪些订单会延误", "今天要交哪些", "rush orders"), as data.

Read from the live plan: each order's ETA and lateness come from the latest
plan version. Late orders come first, most late first; then by due date. The
bot words the list; "2" after it picks the second order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.model.parties import Person
from core.model.work_order import Priority, WorkOrder
from core.ports import UnitOfWork
from core.services.scope import match_customer, open_orders_in_scope, visible_customers

FILTERS = ("late", "due_today", "due_this_week", "rush")


@dataclass(frozen=True, slots=True)
class ListedOrder:
    """One order of a list; `eta` None when the plan does not hold it yet."""

    ref: str
    customer_code: str
    product_code: str
    quantity: int
    due_date: date
    eta: datetime | None
    lateness_minutes: int
    rush: bool


@dataclass(frozen=True, slots=True)
class OrderList:
    """The ranked answer. `customer` is the visible customer the written name matched;
    `customer_unknown` is set when a name was written and none matched."""

    filter: str
    orders: tuple[ListedOrder, ...]
    total: int
    customer: str | None = None
    customer_written: str | None = None
    customer_unknown: bool = False
    planned: bool = True


async def list_orders(uow: UnitOfWork, person: Person, filter_: str | None,
                      customer_written: str | None, now: datetime, tz: str,
                      limit: int = 5) -> OrderList:
    """Open orders `person` may see that match `filter_` (late when None), ranked."""
    kind = filter_ if filter_ in FILTERS else "late"
    customer_name: str | None = None
    codes: list[str] | None = None
    if customer_written:
        match = match_customer(customer_written, await visible_customers(uow, person))
        if match is None:
            return OrderList(kind, (), 0, None, customer_written, customer_unknown=True)
        customer_name, codes = match.name, [match.code]
    orders = await open_orders_in_scope(uow, person, codes)
    number = await uow.plans.latest_number()
    etas = await uow.plans.etas_for(number, [o.ref for o in orders]) if number else {}
    today = now.astimezone(ZoneInfo(tz)).date()
    listed = []
    for order in orders:
        eta = etas.get(order.ref)
        item = ListedOrder(order.ref, order.customer_code, order.product_code, order.quantity,
                           order.due_date, eta.eta if eta else None,
                           eta.lateness_minutes if eta else 0,
                           order.priority is Priority.RUSH)
        if _wanted(kind, order, item, today):
            listed.append(item)
    listed.sort(key=lambda o: (-max(o.lateness_minutes, 0), o.due_date, o.ref))
    return OrderList(kind, tuple(listed[:limit]), len(listed), customer_name, customer_written,
                     planned=number is not None)


def _wanted(kind: str, order: WorkOrder, item: ListedOrder, today: date) -> bool:
    if kind == "late":
        return item.lateness_minutes > 0
    if kind == "due_today":
        return order.due_date == today
    if kind == "due_this_week":
        return today <= order.due_date <= today + timedelta(days=6 - today.weekday())
    return item.rush
