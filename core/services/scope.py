"""Which orders and customers a list or load answer may show a person.

Like progress queries, and as CONTRACT section 4 says for list questions: a
customer contact sees only their own customer's orders, a salesperson their
own customers', supervisors, planners and admins the whole shop. Other staff
(operators, purchasing, warehouse, QC) see the shop as `may_see` lets them.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from core.model.parties import Customer, Person, Role
from core.model.work_order import WorkOrder
from core.ports import UnitOfWork


def customer_scope(person: Person) -> tuple[str, ...] | None:
    """The customer codes whose orders `person` may list; None means every customer."""
    if person.role in (Role.CUSTOMER, Role.SALES):
        return person.customers
    return None


async def open_orders_in_scope(uow: UnitOfWork, person: Person,
                               customers: Sequence[str] | None = None) -> list[WorkOrder]:
    """Open orders `person` may list, narrowed to `customers` when given."""
    scope = customer_scope(person)
    wanted: list[str] | None = None
    if scope is not None:
        wanted = [c for c in scope if customers is None or c in customers]
        if not wanted:
            return []
    elif customers is not None:
        wanted = list(customers)
    return await uow.orders.list(open_only=True, customers=wanted)


def match_customer(written: str, customers: Sequence[Customer]) -> Customer | None:
    """The visible customer `written` names: its code, a name containing it (or
    contained in it), else the closest name by similarity (at least 0.6)."""
    text = written.strip().lower()
    if not text:
        return None
    for c in customers:
        if c.code.lower() == text or c.name.lower() == text:
            return c
    contained = [c for c in customers if text in c.name.lower() or c.name.lower() in text]
    if contained:
        return min(contained, key=lambda c: abs(len(c.name) - len(text)))
    scored = [(SequenceMatcher(None, text, c.name.lower()).ratio(), c) for c in customers]
    best = max(scored, key=lambda s: s[0], default=None)
    return best[1] if best is not None and best[0] >= 0.6 else None


async def visible_customers(uow: UnitOfWork, person: Person) -> list[Customer]:
    everyone = await uow.parties.customers()
    scope = customer_scope(person)
    return [c for code, c in sorted(everyone.items()) if scope is None or code in scope]
