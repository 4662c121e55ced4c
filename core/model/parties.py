"""Customers, their contracts, and the people who work with Gongdan."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Tier(StrEnum):
    """Customer tier; a higher tier's lateness costs more in the planner's objective."""

    STRATEGIC = "A"
    KEY = "B"
    STANDARD = "C"

    @property
    def weight(self) -> int:
        return {"A": 4, "B": 2, "C": 1}[self.value]


@dataclass(frozen=True, slots=True)
class FreezePoint:
    """Once the named operation has started on an order, changes of `kind` are refused.

    kind is a change field: "spec", "quantity", "add_operation", ... or "*" for any.
    """

    kind: str
    after_operation: str


@dataclass(frozen=True, slots=True)
class ContractPolicy:
    """What the customer's contract allows: how often, until when, and at what fee."""

    max_changes_per_order: int = 3
    freeze_points: tuple[FreezePoint, ...] = ()
    change_fee: float = 0.0  # flat fee per applied change, in yuan
    rush_fee_rate: float = 0.0  # share of order value charged for expediting
    approval_always: bool = False  # every change of this customer needs a supervisor

    def frozen_by(self, kind: str, started_operations: set[str]) -> FreezePoint | None:
        for point in self.freeze_points:
            if point.kind in (kind, "*") and point.after_operation in started_operations:
                return point
        return None


@dataclass(slots=True)
class Customer:
    code: str
    name: str
    tier: Tier = Tier.STANDARD
    policy: ContractPolicy = field(default_factory=ContractPolicy)
    weekly_summary: bool = False  # opted in to a weekly progress summary


class Role(StrEnum):
    SALES = "sales"
    CUSTOMER = "customer"  # a customer's contact person
    SUPERVISOR = "supervisor"
    PLANNER = "planner"
    OPERATOR = "operator"
    PURCHASING = "purchasing"
    WAREHOUSE = "warehouse"
    QC = "qc"
    ADMIN = "admin"


@dataclass(slots=True)
class Person:
    """Someone the bot talks to, with their ids on each platform.

    `customers` are the customer codes a salesperson owns, or the one customer
    a contact speaks for. `work_center` is set for operators and leads.
    `wecom_external_userid` is a customer contact's id on WeCom Customer
    Service (微信客服), for contacts outside the company.
    """

    id: str
    name: str
    role: Role
    wecom_userid: str | None = None
    dingtalk_staff_id: str | None = None
    customers: tuple[str, ...] = ()
    work_center: str | None = None
    lang: str = "zh"
    active: bool = True
    wecom_external_userid: str | None = None

    def owns_customer(self, customer_code: str) -> bool:
        return customer_code in self.customers

    @property
    def sees_every_order(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)
