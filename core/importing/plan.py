"""What validation checks against (`Existing`) and what it produces (`ImportPlan`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.importing.sheets import RowError
from core.model.capacity import WorkCenter
from core.model.materials import Item, PurchaseOrder
from core.model.parties import Customer, Person
from core.model.products import Bom, Product, Routing
from core.model.work_order import WorkOrder


@dataclass(frozen=True, slots=True)
class Existing:
    """What the database already holds, as plain data, for cross-reference checks."""

    customers: Mapping[str, Customer] = field(default_factory=dict)
    people: Mapping[str, Person] = field(default_factory=dict)
    products: Mapping[str, Product] = field(default_factory=dict)
    bom_versions: Mapping[str, int] = field(default_factory=dict)  # product -> highest version
    routings: Mapping[str, Routing] = field(default_factory=dict)  # product -> current routing
    routing_versions: Mapping[str, int] = field(default_factory=dict)
    items: Mapping[str, Item] = field(default_factory=dict)
    work_centers: frozenset[str] = frozenset()
    order_refs: frozenset[str] = frozenset()
    po_refs: frozenset[str] = frozenset()


@dataclass(slots=True)
class ImportPlan:
    """Everything a valid file adds or updates; write it only when `errors` is empty."""

    work_centers: list[WorkCenter] = field(default_factory=list)
    new_customers: list[Customer] = field(default_factory=list)
    updated_customers: list[Customer] = field(default_factory=list)
    new_people: list[Person] = field(default_factory=list)
    updated_people: list[Person] = field(default_factory=list)
    # people whose platform ids move: written first without them, so that a swap of ids
    # between two people never holds one id twice, even for a statement
    released_people: list[Person] = field(default_factory=list)
    new_items: list[Item] = field(default_factory=list)
    updated_items: list[Item] = field(default_factory=list)
    purchase_orders: list[PurchaseOrder] = field(default_factory=list)
    new_products: list[Product] = field(default_factory=list)
    updated_products: list[Product] = field(default_factory=list)
    routings: list[Routing] = field(default_factory=list)
    boms: list[Bom] = field(default_factory=list)
    orders: list[WorkOrder] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "customers": len(self.new_customers) + len(self.updated_customers),
            "people": len(self.new_people) + len(self.updated_people),
            "work_centers": len(self.work_centers),
            "items": len(self.new_items) + len(self.updated_items),
            "purchase_orders": len(self.purchase_orders),
            "products": len(self.new_products),
            "routings": len(self.routings),
            "boms": len(self.boms),
            "orders": len(self.orders),
        }

@dataclass(slots=True)
class State:
    """The file's own contents so far, merged with the database's, for cross-references."""

    existing: Existing
    plan: ImportPlan
    work_centers: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    customers: dict[str, str] = field(default_factory=dict)  # code -> name, file and database
    products: dict[str, Product] = field(default_factory=dict)
    new_routings: dict[str, Routing] = field(default_factory=dict)
    new_boms: dict[str, Bom] = field(default_factory=dict)
    product_rows: dict[str, int] = field(default_factory=dict)

