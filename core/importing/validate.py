"""Validate a whole file: every sheet in dependency order, every bad row reported."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from core.importing.catalog import (
    boms,
    orders,
    products,
    purchase_orders,
    routings,
    stock,
    work_centers,
)
from core.importing.parties import customers, people
from core.importing.plan import Existing, ImportPlan, State
from core.importing.sheets import COLUMNS, Kind, RowError, SourceRow


def validate(sheets: Mapping[Kind, Sequence[SourceRow]], existing: Existing) -> ImportPlan:
    """Check every row of every sheet; the plan carries the objects and all errors found."""
    plan = ImportPlan()
    state = State(existing, plan, set(existing.work_centers), set(existing.items),
                  {code: c.name for code, c in existing.customers.items()},
                  {code: replace(p) for code, p in existing.products.items()})
    for kind in Kind:
        if kind is Kind.ORDERS:
            check_new_products(state)
        rows = sheets.get(kind)
        if not rows or not has_columns(kind, rows, plan.errors):  # a blank sheet adds nothing
            continue
        VALIDATORS[kind](rows, state)
    return plan


def check_new_products(state: State) -> None:
    """A new product is only usable with a BOM and a routing, so the file must bring both."""
    for product in list(state.plan.new_products):
        missing = [what for what, table in (("BOM", state.new_boms),
                                            ("routing", state.new_routings))
                   if product.code not in table]
        if missing:
            state.plan.errors.append(RowError(
                Kind.PRODUCTS.value, state.product_rows[product.code],
                f"new product {product.code!r} has no valid {' or '.join(missing)} in this file",
                "code"))
            state.plan.new_products.remove(product)


def has_columns(kind: Kind, rows: Sequence[SourceRow], errors: list[RowError]) -> bool:
    """A required column absent from the header is one error on the header row (row 1)."""
    present: set[str] = set()
    for row in rows:
        present.update(row.values)
    header_row = min((r.number for r in rows), default=2) - 1
    missing = [c.key for c in COLUMNS[kind] if c.required and c.key not in present]
    for key in missing:
        errors.append(RowError(kind.value, max(header_row, 1), "missing column", key))
    return not missing

VALIDATORS: dict[Kind, Callable[[Sequence[SourceRow], State], None]] = {
    Kind.WORK_CENTERS: work_centers,
    Kind.CUSTOMERS: customers,
    Kind.PEOPLE: people,
    Kind.STOCK: stock,
    Kind.PURCHASE_ORDERS: purchase_orders,
    Kind.PRODUCTS: products,
    Kind.ROUTINGS: routings,
    Kind.BOMS: boms,
    Kind.ORDERS: orders,
}

