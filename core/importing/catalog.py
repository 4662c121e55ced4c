"""Validation of the shop's master data and orders: one function per kind of sheet.

Each row is checked on its own and against the rest of the file and what the
database already holds (`State`), so a later sheet may use what an earlier one
adds; the results and every error found go into `state.plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.importing.cells import (
    RowReader,
    choice,
    duplicate,
    parse_date,
    parse_flag,
    parse_integer,
    parse_names,
    parse_number,
    parse_shifts,
    parse_weekdays,
    positive,
)
from core.importing.plan import State
from core.importing.sheets import Kind, SourceRow
from core.model.capacity import WorkCalendar, WorkCenter
from core.model.materials import Item, ItemKind, PurchaseOrder
from core.model.products import Bom, BomLine, Product, Routing, RoutingStep
from core.model.work_order import SPEC_KEYS, OperationProgress, OrderStatus, Priority, WorkOrder

_STATUS = {"draft": OrderStatus.DRAFT, "草稿": OrderStatus.DRAFT, "released": OrderStatus.RELEASED,
           "已下达": OrderStatus.RELEASED, "下达": OrderStatus.RELEASED}
_PRIORITY = {"normal": Priority.NORMAL, "普通": Priority.NORMAL, "正常": Priority.NORMAL,
             "rush": Priority.RUSH, "加急": Priority.RUSH, "急": Priority.RUSH,
             "急单": Priority.RUSH}



def work_centers(rows: Sequence[SourceRow], state: State) -> None:
    seen: dict[str, int] = {}
    pending: list[tuple[RowReader, WorkCenter]] = []
    for source in rows:
        row = RowReader(Kind.WORK_CENTERS, source, state.plan.errors)
        code, name = row.text("code", True), row.text("name", True)
        machines = row.get("machines", parse_names, required=True)
        if code is not None:
            duplicate(row, "code", code, seen, state.existing.work_centers, "work center")
        wc = _work_center(row, code or "", name or "", machines or ())
        if wc is not None and not row.bad:
            pending.append((row, wc))
            state.work_centers.add(wc.code)
    for row, wc in pending:  # alternatives may name a center further down the sheet
        unknown = [a for a in wc.alternatives if a not in state.work_centers]
        if unknown:
            row.error(f"unknown work center {', '.join(unknown)}", "alternatives")
            state.work_centers.discard(wc.code)
        else:
            state.plan.work_centers.append(wc)


def _work_center(row: RowReader, code: str, name: str,
                 machines: tuple[str, ...]) -> WorkCenter | None:
    if len(machines) == 1 and machines[0].isdigit():
        count = int(machines[0])
        machines = tuple(f"{code}-{i + 1}" for i in range(count))
    shifts = row.get("shifts", parse_shifts)
    weekdays = row.get("weekdays", parse_weekdays)
    holidays = row.get("holidays", lambda v: frozenset(parse_date(p) for p in parse_names(v)))
    can_pause = row.get("can_pause", parse_flag, True)
    no_names: tuple[str, ...] = ()
    alternatives = row.get("alternatives", parse_names, no_names)
    cost = positive(row, "hourly_cost", row.get("hourly_cost", parse_number, 60.0), True)
    if row.bad:
        return None
    calendar = WorkCalendar()
    if shifts:
        calendar.shifts = shifts
    if weekdays is not None:
        calendar.weekdays = weekdays
    if holidays:
        calendar.holidays = holidays
    return WorkCenter(code, name, machines, calendar, bool(can_pause), alternatives or (), None,
                      cost if cost is not None else 60.0)


def stock(rows: Sequence[SourceRow], state: State) -> None:
    seen: dict[str, int] = {}
    for source in rows:
        row = RowReader(Kind.STOCK, source, state.plan.errors)
        code = row.text("item_code", True)
        if code is not None:
            duplicate(row, "item_code", code, seen, (), "item")
        on_hand = positive(row, "on_hand", row.get("on_hand", parse_number, required=True), True)
        item = _item(row, code, state.existing.items.get(code or ""))
        if item is None or on_hand is None or row.bad:
            continue
        item.on_hand = on_hand
        state.items.add(item.code)
        if item.code in state.existing.items:
            state.plan.updated_items.append(item)
        else:
            state.plan.new_items.append(item)


def _item(row: RowReader, code: str | None, known: Item | None) -> Item | None:
    """A new item, or a copy of the stored one with the columns given overriding it."""
    name = row.text("name")
    if known is None and name is None and code is not None:
        row.error("missing value (needed for a new item)", "name")
    unit_cost = positive(row, "unit_cost", row.get("unit_cost", parse_number), allow_zero=True)
    lead_days = positive(row, "lead_days", row.get("lead_days", parse_integer), allow_zero=True)
    if code is None or row.bad:
        return None
    base = known or Item(code, name or code)
    attributes = dict(base.attributes or {})
    for key in ("color", "material", "family"):
        value = row.text(key)
        if value:
            attributes[key] = value
    return Item(code, name or base.name, ItemKind.MATERIAL if known is None else base.kind,
                row.text("unit") or base.unit, base.on_hand,
                unit_cost if unit_cost is not None else base.unit_cost,
                int(lead_days) if lead_days is not None else base.lead_days, attributes or None)


def purchase_orders(rows: Sequence[SourceRow], state: State) -> None:
    seen: dict[str, int] = {}
    for source in rows:
        row = RowReader(Kind.PURCHASE_ORDERS, source, state.plan.errors)
        ref = row.text("ref", True)
        if ref is not None:
            duplicate(row, "ref", ref, seen, state.existing.po_refs, "purchase order")
        item = row.text("item_code", True)
        if item is not None and item not in state.items:
            row.error(f"unknown item {item!r}", "item_code")
        quantity = positive(row, "quantity", row.get("quantity", parse_number, required=True))
        supplier = row.text("supplier", True)
        expected = row.get("expected", parse_date, required=True)
        received = row.get("received", parse_flag, False)
        if row.bad or ref is None or item is None or quantity is None or supplier is None \
                or expected is None:
            continue
        state.plan.purchase_orders.append(
            PurchaseOrder(ref, item, quantity, supplier, expected, bool(received)))


def products(rows: Sequence[SourceRow], state: State) -> None:
    seen: dict[str, int] = {}
    for source in rows:
        row = RowReader(Kind.PRODUCTS, source, state.plan.errors)
        code, name = row.text("code", True), row.text("name", True)
        if code is not None:
            duplicate(row, "code", code, seen, state.existing.products, "product")
        price = positive(row, "unit_price", row.get("unit_price", parse_number, 0.0), True)
        options: dict[str, list[str]] = {
            key: list(row.get(f"{key}_options", parse_names) or ())
            for key in ("color", "material", "size", "finish", "packaging")}
        if row.bad or code is None or name is None:
            continue
        product = Product(code, name, row.text("family") or "", price or 0.0, current_bom=0,
                          current_routing=0,
                          spec_options={k: v for k, v in options.items() if v})
        state.products[code] = product
        state.product_rows[code] = row.number
        state.plan.new_products.append(product)


def _group(kind: Kind, rows: Sequence[SourceRow], state: State,
           known_versions: Mapping[str, int]) -> dict[tuple[str, int], list[RowReader]]:
    """Rows of BOM or routing sheets grouped by (product, version), the version defaulted."""
    groups: dict[tuple[str, int], list[RowReader]] = {}
    for source in rows:
        row = RowReader(kind, source, state.plan.errors)
        product = row.text("product_code", True)
        version = row.get("version", parse_integer)
        if product is not None and product not in state.products:
            row.error(f"unknown product {product!r}", "product_code")
        if product is None or row.bad:
            continue
        latest = known_versions.get(product, 0)
        if version is None:
            version = latest + 1
        elif version <= latest:
            row.error(f"version {version} of {product} already exists (latest is {latest}); "
                      f"use {latest + 1} or leave it blank", "version")
            continue
        groups.setdefault((product, version), []).append(row)
    return groups


def routings(rows: Sequence[SourceRow], state: State) -> None:
    groups = _group(Kind.ROUTINGS, rows, state, state.existing.routing_versions)
    for (product, version), group in groups.items():
        steps: dict[int, RoutingStep] = {}
        seen: dict[str, int] = {}
        for row in group:
            step = _routing_step(row, state)
            if step is not None and not duplicate(row, "seq", str(step.seq), seen, (), "step"):
                steps[step.seq] = step
        if all(not r.bad for r in group) and steps:
            routing = Routing(product, version, tuple(steps[s] for s in sorted(steps)))
            _make_current(state, product, routing=routing)


def _routing_step(row: RowReader, state: State) -> RoutingStep | None:
    seq = positive(row, "seq", row.get("seq", parse_integer, required=True))
    name = row.text("name", True)
    wc = row.text("work_center", True)
    if wc is not None and wc not in state.work_centers:
        row.error(f"unknown work center {wc!r}", "work_center")
    setup = positive(row, "setup_minutes", row.get("setup_minutes", parse_integer, 0), True)
    per_unit = positive(row, "minutes_per_unit",
                        row.get("minutes_per_unit", parse_number, 0.0), True)
    outsourced = row.get("outsourced", parse_flag, False)
    lead = positive(row, "lead_days", row.get("lead_days", parse_integer, 0), True)
    if outsourced and not lead:
        row.error("an outsourced step needs lead_days > 0", "lead_days")
    if not outsourced and lead:
        row.error("lead_days is only for outsourced steps", "lead_days")
    if row.bad or seq is None or name is None or wc is None:
        return None
    return RoutingStep(int(seq), name, wc, int(setup or 0), per_unit or 0.0, bool(outsourced),
                       int(lead or 0))


def boms(rows: Sequence[SourceRow], state: State) -> None:
    groups = _group(Kind.BOMS, rows, state, state.existing.bom_versions)
    for (product, version), group in groups.items():
        lines: list[BomLine] = []
        seen: dict[str, int] = {}
        for row in group:
            line = _bom_line(row, state)
            if line is not None and not duplicate(row, "item_code", line.item_code, seen, (),
                                                   "BOM line for item"):
                lines.append(line)
        if all(not r.bad for r in group) and lines:
            _make_current(state, product, bom=Bom(product, version, tuple(lines)))


def _bom_line(row: RowReader, state: State) -> BomLine | None:
    item = row.text("item_code", True)
    if item is not None and item not in state.items:
        row.error(f"unknown item {item!r}", "item_code")
    qty = positive(row, "qty_per", row.get("qty_per", parse_number, required=True))
    scrap = row.get("scrap_rate", parse_number, 0.0)
    if scrap is not None and not 0 <= scrap < 1:
        row.error(f"scrap rate must be from 0 to under 1 (or 0% to 99%), got {scrap:g}",
                  "scrap_rate")
    spec_key = row.text("spec_key")
    if spec_key is not None and spec_key not in SPEC_KEYS:
        row.error(f"unknown spec key {spec_key!r}; use one of {', '.join(SPEC_KEYS)}", "spec_key")
    if row.bad or item is None or qty is None:
        return None
    return BomLine(item, qty, scrap or 0.0, spec_key)


def _make_current(state: State, code: str, bom: Bom | None = None,
                  routing: Routing | None = None) -> None:
    """A new version becomes the product's current one, as a revision does."""
    product = state.products[code]
    if bom is not None:
        state.plan.boms.append(bom)
        state.new_boms[code] = bom
        product.current_bom = max(product.current_bom, bom.version)
    if routing is not None:
        state.plan.routings.append(routing)
        state.new_routings[code] = routing
        product.current_routing = max(product.current_routing, routing.version)
    if code in state.existing.products and product not in state.plan.updated_products:
        state.plan.updated_products.append(product)


def orders(rows: Sequence[SourceRow], state: State) -> None:
    seen: dict[str, int] = {}
    by_name = {name: code for code, name in state.customers.items()}
    for source in rows:
        row = RowReader(Kind.ORDERS, source, state.plan.errors)
        ref = row.text("ref", True)
        if ref is not None:
            ref = ref.upper().replace(" ", "")
            duplicate(row, "ref", ref, seen, state.existing.order_refs, "order")
        customer = _customer(row, state.customers, by_name)
        product = _order_product(row, state)
        quantity = positive(row, "quantity", row.get("quantity", parse_integer, required=True))
        due = row.get("due_date", parse_date, required=True)
        priority = row.get("priority", choice(_PRIORITY, "priority"), Priority.NORMAL)
        status = row.get("status", choice(_STATUS, "status (draft or released)"),
                         OrderStatus.RELEASED)
        specs = {key: v for key in SPEC_KEYS if (v := row.text(key))}
        if row.bad or not (ref and customer and product and quantity and due):
            continue
        routing = state.new_routings.get(product.code) or state.existing.routings[product.code]
        state.plan.orders.append(WorkOrder(
            ref, customer, product.code, int(quantity), due, priority or Priority.NORMAL, specs,
            row.text("note") or "", status or OrderStatus.RELEASED, product.current_bom,
            routing.version,
            operations=[OperationProgress(s.seq, s.name, s.work_center) for s in routing.steps]))


def _customer(row: RowReader, codes: Mapping[str, str], by_name: Mapping[str, str]) -> str | None:
    value = row.text("customer", True)
    if value is None:
        return None
    code = value if value in codes else by_name.get(value)
    if code is None:
        row.error(f"unknown customer {value!r}", "customer")
    return code


def _order_product(row: RowReader, state: State) -> Product | None:
    code = row.text("product", True)
    if code is None:
        return None
    product = state.products.get(code)
    if product is None:
        row.error(f"unknown product {code!r}", "product")
        return None
    has_bom = code in state.new_boms or code in state.existing.bom_versions
    has_routing = code in state.new_routings or code in state.existing.routings
    missing = [what for what, ok in (("BOM", has_bom), ("routing", has_routing)) if not ok]
    if missing:
        row.error(f"product {code!r} has no valid {' or '.join(missing)}", "product")
        return None
    return product


