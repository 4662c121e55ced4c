"""Who may see and who may change which order.

A customer contact sees only their own customer's orders, and an unknown
order gets the same answer as someone else's, so references cannot be probed.
"""

from __future__ import annotations

from core.model.parties import Person, Role
from core.model.work_order import WorkOrder


def may_see(person: Person, order: WorkOrder) -> bool:
    if person.role is Role.CUSTOMER:
        return order.customer_code in person.customers
    return True  # staff need to see the whole shop


def may_change(person: Person, order: WorkOrder) -> tuple[bool, str]:
    """(allowed, reason code); a customer's request goes to their salesperson to confirm."""
    if person.role in (Role.SUPERVISOR, Role.PLANNER, Role.ADMIN):
        return True, "staff"
    if person.role is Role.SALES:
        if order.customer_code in person.customers:
            return True, "own_customer"
        return False, "not_your_customer"
    if person.role is Role.CUSTOMER:
        if order.customer_code in person.customers:
            return True, "customer_request"
        return False, "not_visible"
    return False, "role_cannot_change"
