"""Turn spreadsheet rows into domain objects, reporting every bad row.

Factories keep orders, BOMs and routings in Excel. An import must either take
the whole file or nothing, and tell the clerk exactly which rows to fix, so
validation never stops at the first problem: each row is checked on its own
and against the rest of the file and what the database already holds.

This module is pure: readers (bot/importfile.py) hand in rows as dicts with
their 1-based source row number, storage hands in the existing keys as plain
sets and dicts, and the caller writes the resulting `ImportPlan`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar

from core.errors import CoreError
from core.model.capacity import Shift, WorkCalendar, WorkCenter
from core.model.materials import Item, ItemKind, PurchaseOrder
from core.model.products import Bom, BomLine, Product, Routing, RoutingStep
from core.model.work_order import SPEC_KEYS, OperationProgress, OrderStatus, Priority, WorkOrder

T = TypeVar("T")


class ImportFileError(CoreError):
    """The file itself cannot be read (missing, not a spreadsheet, no known sheet)."""


class Kind(StrEnum):
    """What one sheet (or one CSV file) holds; the order is the order of validation."""

    WORK_CENTERS = "work_centers"
    STOCK = "stock"
    PURCHASE_ORDERS = "purchase_orders"
    PRODUCTS = "products"
    ROUTINGS = "routings"
    BOMS = "boms"
    ORDERS = "orders"


SHEET_ALIASES: dict[Kind, tuple[str, ...]] = {
    Kind.WORK_CENTERS: ("work_centers", "workcenters", "work centers", "工作中心", "工位", "设备"),
    Kind.STOCK: ("stock", "items", "inventory", "库存", "物料", "物料库存"),
    Kind.PURCHASE_ORDERS: ("purchase_orders", "purchase orders", "pos", "采购", "采购订单",
                           "在途采购"),
    Kind.PRODUCTS: ("products", "产品"),
    Kind.ROUTINGS: ("routings", "routing", "工艺路线", "工艺"),
    Kind.BOMS: ("boms", "bom", "物料清单", "用料"),
    Kind.ORDERS: ("orders", "work_orders", "订单", "工单", "生产订单"),
}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    required: bool
    aliases: tuple[str, ...]  # Chinese headers accepted for the same column
    help: str


def _c(key: str, required: bool, aliases: str, help_text: str) -> Column:
    return Column(key, required, tuple(aliases.split()), help_text)


COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.WORK_CENTERS: (
        _c("code", True, "编码 工作中心编码", "unique code, e.g. CUT"),
        _c("name", True, "名称 工作中心", "display name, e.g. 开料"),
        _c("machines", True, "设备 机台", "machine names separated by , or 、 — or a count; "
           "0 for an outsourced step"),
        _c("shifts", False, "班次", "HH:MM-HH:MM list, default 08:00-12:00,13:00-17:00"),
        _c("weekdays", False, "工作日", "1-5 (Mon-Fri, default) or a list like 1,2,3,4,5,6"),
        _c("holidays", False, "节假日", "dates off, separated by ,"),
        _c("can_pause", False, "可中断", "yes/no (是/否): may an operation stop at a break"),
        _c("alternatives", False, "替代工作中心", "codes of work centers that can take the work"),
        _c("hourly_cost", False, "小时成本", "yuan per hour, default 60"),
    ),
    Kind.STOCK: (
        _c("item_code", True, "物料编码 编码", "unique item code"),
        _c("name", False, "物料名称 名称", "required for a new item"),
        _c("on_hand", True, "库存 现有库存 库存数量", "quantity in stock (>= 0)"),
        _c("unit", False, "单位", "unit, default pcs"),
        _c("unit_cost", False, "单价", "yuan per unit"),
        _c("lead_days", False, "采购周期 采购天数", "purchase lead time in days, default 7"),
        _c("color", False, "颜色", "colour, for colour-following BOM lines"),
        _c("material", False, "材质", "material, for material-following BOM lines"),
        _c("family", False, "物料族", "variants of one material share a family"),
    ),
    Kind.PURCHASE_ORDERS: (
        _c("ref", True, "采购单号 单号", "unique purchase order number"),
        _c("item_code", True, "物料编码", "an item of the stock sheet or the database"),
        _c("quantity", True, "数量", "quantity ordered (> 0)"),
        _c("supplier", True, "供应商", "supplier name"),
        _c("expected", True, "预计到货 到货日期", "expected arrival date, YYYY-MM-DD"),
        _c("received", False, "已到货", "yes/no, default no"),
    ),
    Kind.PRODUCTS: (
        _c("code", True, "产品编码 编码", "unique product code"),
        _c("name", True, "产品名称 名称", "display name"),
        _c("family", False, "类别", "furniture or sheet-metal"),
        _c("unit_price", False, "单价", "yuan per unit"),
    ) + tuple(_c(f"{key}_options", False, f"{zh}选项", f"allowed {key} values, separated by ,")
              for key, zh in (("color", "颜色"), ("material", "材质"), ("size", "尺寸"),
                              ("finish", "表面处理"), ("packaging", "包装方式"))),
    Kind.ROUTINGS: (
        _c("product_code", True, "产品编码", "a product of the products sheet or the database"),
        _c("version", False, "版本", "routing version; default: the next one"),
        _c("seq", True, "工序号 序号", "step number, unique within the routing"),
        _c("name", True, "工序 工序名称", "operation name, e.g. 喷涂"),
        _c("work_center", True, "工作中心", "work center code"),
        _c("setup_minutes", False, "准备时间 换线分钟", "setup minutes per batch"),
        _c("minutes_per_unit", False, "单件工时 单件分钟", "minutes per unit"),
        _c("outsourced", False, "外协", "yes/no: done by a subcontractor"),
        _c("lead_days", False, "外协天数", "subcontractor lead time in days (outsourced only)"),
    ),
    Kind.BOMS: (
        _c("product_code", True, "产品编码", "a product of the products sheet or the database"),
        _c("version", False, "版本", "BOM version; default: the next one"),
        _c("item_code", True, "物料编码", "an item of the stock sheet or the database"),
        _c("qty_per", True, "单件用量 用量", "quantity per unit of product (> 0)"),
        _c("scrap_rate", False, "损耗率", "scrap allowance, 0.05 or 5%"),
        _c("spec_key", False, "跟随规格", "the item follows the order's spec: "
           + ", ".join(SPEC_KEYS)),
    ),
    Kind.ORDERS: (
        _c("ref", True, "订单号 单号", "unique order reference, e.g. SO-2026-0101"),
        _c("customer", True, "客户 客户编码", "customer code or name"),
        _c("product", True, "产品 产品编码", "product code"),
        _c("quantity", True, "数量", "whole number > 0"),
        _c("due_date", True, "交期 交货日期", "YYYY-MM-DD"),
        _c("priority", False, "优先级", "normal or rush (加急)"),
        _c("status", False, "状态", "draft or released (default released)"),
    ) + tuple(_c(key, False, zh, f"{key} spec") for key, zh in (
        ("color", "颜色"), ("material", "材质"), ("size", "尺寸"), ("finish", "表面处理"),
        ("packaging", "包装"), ("other", "其他要求"))) + (_c("note", False, "备注", "free text"),),
}

_IGNORED_HEADERS = frozenset({"kind", "类型"})


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row as read: `number` is its 1-based row in the sheet or file."""

    number: int
    values: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class RowError:
    sheet: str
    row: int
    reason: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}"
        if self.column:
            return f"{where}, {self.column}: {self.reason}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Existing:
    """What the database already holds, as plain data, for cross-reference checks."""

    customers: Mapping[str, str] = field(default_factory=dict)  # code -> name
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
            "work_centers": len(self.work_centers),
            "items": len(self.new_items) + len(self.updated_items),
            "purchase_orders": len(self.purchase_orders),
            "products": len(self.new_products),
            "routings": len(self.routings),
            "boms": len(self.boms),
            "orders": len(self.orders),
        }


# sheet and header names --------------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().lower())


def sheet_kind(name: str) -> Kind | None:
    """The kind a sheet (or CSV file stem) name stands for, in English or Chinese."""
    key = _norm(name)
    for kind, aliases in SHEET_ALIASES.items():
        if key in {_norm(a) for a in aliases}:
            return kind
    return None


def column_key(kind: Kind, header: str) -> str:
    """The canonical key of a header, e.g. 交期 -> due_date; unknown headers pass through."""
    key = _norm(re.sub(r"[(（].*?[)）]|\*", "", header))
    for col in COLUMNS[kind]:
        if key == col.key or key in {_norm(a) for a in col.aliases}:
            return col.key
    return key


def kind_from_headers(headers: Iterable[str]) -> Kind | None:
    """Guess a CSV's kind from its header set: the kind whose required columns fit best."""
    best: tuple[int, Kind] | None = None
    for kind, cols in COLUMNS.items():
        keys = {column_key(kind, h) for h in headers}
        required = {c.key for c in cols if c.required}
        if required <= keys:
            score = len(keys & {c.key for c in cols}) * 10 + len(required)
            if best is None or score > best[0]:
                best = (score, kind)
    return best[1] if best else None


# cell parsing ------------------------------------------------------------------------------

class _BadCell(Exception):
    """A cell that does not parse; the message is the reason shown to the user."""


_TRUE = {"yes", "y", "true", "1", "是", "对", "√", "x"}
_FALSE = {"no", "n", "false", "0", "否", "不", ""}
_SPLIT = re.compile(r"[,，、;；/|]+")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise _BadCell(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = _text(value).replace(",", "").replace("，", "")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%"))
    except ValueError:
        raise _BadCell(f"not a number: {_text(value)!r}") from None
    return number / 100 if percent else number


def _integer(value: object) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _BadCell(f"not a whole number: {_text(value)!r}")
    return int(number)


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                         r"(?:[ T]00:00(?::00)?)?", text)
    if not match:
        raise _BadCell(f"not a date (use YYYY-MM-DD): {text!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _BadCell(f"no such date: {text!r}") from None


def _flag(value: object) -> bool:
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _BadCell(f"not yes/no: {_text(value)!r}")


def _names(value: object) -> tuple[str, ...]:
    return tuple(part.strip() for part in _SPLIT.split(_text(value)) if part.strip())


_NO_NAMES: tuple[str, ...] = ()  # typed, so `row.get(..., _names, _NO_NAMES)` is a name tuple


def _shifts(value: object) -> tuple[Shift, ...]:
    shifts: list[Shift] = []
    for part in re.split(r"[,，;；、]+", _text(value)):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-~～至]\s*(\d{1,2}):(\d{2})\s*", part)
        if not match:
            raise _BadCell(f"not a shift like 08:00-12:00: {part.strip()!r}")
        a, b, c, d = (int(x) for x in match.groups())
        if a > 23 or c > 24 or b > 59 or d > 59:
            raise _BadCell(f"no such time in {part.strip()!r}")
        shifts.append(Shift(time(a, b), time(c % 24, d)))
    return tuple(shifts)


def _weekdays(value: object) -> frozenset[int]:
    text = _text(value)
    span = re.fullmatch(r"([1-7])\s*[-~～至]\s*([1-7])", text)
    if span:
        lo, hi = int(span[1]), int(span[2])
        if lo > hi:
            raise _BadCell(f"weekday range runs backwards: {text!r}")
        return frozenset(range(lo - 1, hi))
    days = _names(text)
    if not days or any(d not in "1234567" or len(d) != 1 for d in days):
        raise _BadCell(f"weekdays must be 1-7 (Monday = 1), got {text!r}")
    return frozenset(int(d) - 1 for d in days)


_STATUS = {"draft": OrderStatus.DRAFT, "草稿": OrderStatus.DRAFT, "released": OrderStatus.RELEASED,
           "已下达": OrderStatus.RELEASED, "下达": OrderStatus.RELEASED}
_PRIORITY = {"normal": Priority.NORMAL, "普通": Priority.NORMAL, "正常": Priority.NORMAL,
             "rush": Priority.RUSH, "加急": Priority.RUSH, "急": Priority.RUSH,
             "急单": Priority.RUSH}


class _Row:
    """Reads one row's cells, collecting a specific error per bad cell instead of raising."""

    def __init__(self, kind: Kind, row: SourceRow, errors: list[RowError]) -> None:
        self.kind = kind
        self.number = row.number
        self.values = row.values
        self._errors = errors
        self.bad = False

    def error(self, reason: str, column: str | None = None) -> None:
        self.bad = True
        self._errors.append(RowError(self.kind.value, self.number, reason, column))

    def get(self, key: str, parse: Callable[[object], T], default: T | None = None,
               required: bool = False) -> T | None:
        value = self.values.get(key)
        if _blank(value):
            if required:
                self.error("missing value", key)
            return default
        try:
            return parse(value)
        except _BadCell as exc:
            self.error(str(exc), key)
            return default

    def text(self, key: str, required: bool = False) -> str | None:
        return self.get(key, _text, None, required)


def _positive(row: _Row, key: str, value: float | None, allow_zero: bool = False) -> float | None:
    if value is not None and (value < 0 or (value == 0 and not allow_zero)):
        bound = "zero or more" if allow_zero else "greater than zero"
        row.error(f"must be {bound}, got {value:g}", key)
        return None
    return value


# validation --------------------------------------------------------------------------------

@dataclass(slots=True)
class _State:
    """The file's own contents so far, merged with the database's, for cross-references."""

    existing: Existing
    plan: ImportPlan
    work_centers: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    products: dict[str, Product] = field(default_factory=dict)
    new_routings: dict[str, Routing] = field(default_factory=dict)
    new_boms: dict[str, Bom] = field(default_factory=dict)
    product_rows: dict[str, int] = field(default_factory=dict)


def validate(sheets: Mapping[Kind, Sequence[SourceRow]], existing: Existing) -> ImportPlan:
    """Check every row of every sheet; the plan carries the objects and all errors found."""
    plan = ImportPlan()
    state = _State(existing, plan, set(existing.work_centers), set(existing.items),
                   {code: replace(p) for code, p in existing.products.items()})
    for kind in Kind:
        if kind is Kind.ORDERS:
            _check_new_products(state)
        rows = sheets.get(kind)
        if rows is None or not _has_columns(kind, rows, plan.errors):
            continue
        _VALIDATORS[kind](rows, state)
    return plan


def _check_new_products(state: _State) -> None:
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


def _has_columns(kind: Kind, rows: Sequence[SourceRow], errors: list[RowError]) -> bool:
    """A required column absent from the header is one error on the header row (row 1)."""
    present: set[str] = set()
    for row in rows:
        present.update(row.values)
    header_row = min((r.number for r in rows), default=2) - 1
    missing = [c.key for c in COLUMNS[kind] if c.required and c.key not in present]
    for key in missing:
        errors.append(RowError(kind.value, max(header_row, 1), "missing column", key))
    return not missing


def _duplicate(row: _Row, key: str, value: str, seen: dict[str, int], in_db: Container[str],
               what: str) -> bool:
    if value in seen:
        row.error(f"duplicate {what} {value!r} (also on row {seen[value]})", key)
        return True
    seen[value] = row.number
    if value in in_db:
        row.error(f"{what} {value!r} already exists in the database", key)
        return True
    return False


def _work_centers(rows: Sequence[SourceRow], state: _State) -> None:
    seen: dict[str, int] = {}
    pending: list[tuple[_Row, WorkCenter]] = []
    for source in rows:
        row = _Row(Kind.WORK_CENTERS, source, state.plan.errors)
        code, name = row.text("code", True), row.text("name", True)
        machines = row.get("machines", _names, required=True)
        if code is not None:
            _duplicate(row, "code", code, seen, state.existing.work_centers, "work center")
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


def _work_center(row: _Row, code: str, name: str, machines: tuple[str, ...]) -> WorkCenter | None:
    if len(machines) == 1 and machines[0].isdigit():
        count = int(machines[0])
        machines = tuple(f"{code}-{i + 1}" for i in range(count))
    shifts = row.get("shifts", _shifts)
    weekdays = row.get("weekdays", _weekdays)
    holidays = row.get("holidays", lambda v: frozenset(_date(p) for p in _names(v)))
    can_pause = row.get("can_pause", _flag, True)
    alternatives = row.get("alternatives", _names, _NO_NAMES)
    cost = _positive(row, "hourly_cost", row.get("hourly_cost", _number, 60.0), allow_zero=True)
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


def _stock(rows: Sequence[SourceRow], state: _State) -> None:
    seen: dict[str, int] = {}
    for source in rows:
        row = _Row(Kind.STOCK, source, state.plan.errors)
        code = row.text("item_code", True)
        if code is not None:
            _duplicate(row, "item_code", code, seen, (), "item")
        on_hand = _positive(row, "on_hand", row.get("on_hand", _number, required=True), True)
        item = _item(row, code, state.existing.items.get(code or ""))
        if item is None or on_hand is None or row.bad:
            continue
        item.on_hand = on_hand
        state.items.add(item.code)
        if item.code in state.existing.items:
            state.plan.updated_items.append(item)
        else:
            state.plan.new_items.append(item)


def _item(row: _Row, code: str | None, known: Item | None) -> Item | None:
    """A new item, or a copy of the stored one with the columns given overriding it."""
    name = row.text("name")
    if known is None and name is None and code is not None:
        row.error("missing value (needed for a new item)", "name")
    unit_cost = _positive(row, "unit_cost", row.get("unit_cost", _number), allow_zero=True)
    lead_days = _positive(row, "lead_days", row.get("lead_days", _integer), allow_zero=True)
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


def _purchase_orders(rows: Sequence[SourceRow], state: _State) -> None:
    seen: dict[str, int] = {}
    for source in rows:
        row = _Row(Kind.PURCHASE_ORDERS, source, state.plan.errors)
        ref = row.text("ref", True)
        if ref is not None:
            _duplicate(row, "ref", ref, seen, state.existing.po_refs, "purchase order")
        item = row.text("item_code", True)
        if item is not None and item not in state.items:
            row.error(f"unknown item {item!r}", "item_code")
        quantity = _positive(row, "quantity", row.get("quantity", _number, required=True))
        supplier = row.text("supplier", True)
        expected = row.get("expected", _date, required=True)
        received = row.get("received", _flag, False)
        if row.bad or ref is None or item is None or quantity is None or supplier is None \
                or expected is None:
            continue
        state.plan.purchase_orders.append(
            PurchaseOrder(ref, item, quantity, supplier, expected, bool(received)))


def _products(rows: Sequence[SourceRow], state: _State) -> None:
    seen: dict[str, int] = {}
    for source in rows:
        row = _Row(Kind.PRODUCTS, source, state.plan.errors)
        code, name = row.text("code", True), row.text("name", True)
        if code is not None:
            _duplicate(row, "code", code, seen, state.existing.products, "product")
        price = _positive(row, "unit_price", row.get("unit_price", _number, 0.0), allow_zero=True)
        options = {key: list(row.get(f"{key}_options", _names, _NO_NAMES) or ())
                   for key in ("color", "material", "size", "finish", "packaging")}
        if row.bad or code is None or name is None:
            continue
        product = Product(code, name, row.text("family") or "", price or 0.0, current_bom=0,
                          current_routing=0,
                          spec_options={k: v for k, v in options.items() if v})
        state.products[code] = product
        state.product_rows[code] = row.number
        state.plan.new_products.append(product)


def _group(kind: Kind, rows: Sequence[SourceRow], state: _State,
           known_versions: Mapping[str, int]) -> dict[tuple[str, int], list[_Row]]:
    """Rows of BOM or routing sheets grouped by (product, version), the version defaulted."""
    groups: dict[tuple[str, int], list[_Row]] = {}
    for source in rows:
        row = _Row(kind, source, state.plan.errors)
        product = row.text("product_code", True)
        version = row.get("version", _integer)
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


def _routings(rows: Sequence[SourceRow], state: _State) -> None:
    groups = _group(Kind.ROUTINGS, rows, state, state.existing.routing_versions)
    for (product, version), group in groups.items():
        steps: dict[int, RoutingStep] = {}
        seen: dict[str, int] = {}
        for row in group:
            step = _routing_step(row, state)
            if step is not None and not _duplicate(row, "seq", str(step.seq), seen, (), "step"):
                steps[step.seq] = step
        if all(not r.bad for r in group) and steps:
            routing = Routing(product, version, tuple(steps[s] for s in sorted(steps)))
            _make_current(state, product, routing=routing)


def _routing_step(row: _Row, state: _State) -> RoutingStep | None:
    seq = _positive(row, "seq", row.get("seq", _integer, required=True))
    name = row.text("name", True)
    wc = row.text("work_center", True)
    if wc is not None and wc not in state.work_centers:
        row.error(f"unknown work center {wc!r}", "work_center")
    setup = _positive(row, "setup_minutes", row.get("setup_minutes", _integer, 0), True)
    per_unit = _positive(row, "minutes_per_unit", row.get("minutes_per_unit", _number, 0.0), True)
    outsourced = row.get("outsourced", _flag, False)
    lead = _positive(row, "lead_days", row.get("lead_days", _integer, 0), True)
    if outsourced and not lead:
        row.error("an outsourced step needs lead_days > 0", "lead_days")
    if not outsourced and lead:
        row.error("lead_days is only for outsourced steps", "lead_days")
    if row.bad or seq is None or name is None or wc is None:
        return None
    return RoutingStep(int(seq), name, wc, int(setup or 0), per_unit or 0.0, bool(outsourced),
                       int(lead or 0))


def _boms(rows: Sequence[SourceRow], state: _State) -> None:
    groups = _group(Kind.BOMS, rows, state, state.existing.bom_versions)
    for (product, version), group in groups.items():
        lines: list[BomLine] = []
        seen: dict[str, int] = {}
        for row in group:
            line = _bom_line(row, state)
            if line is not None and not _duplicate(row, "item_code", line.item_code, seen, (),
                                                   "BOM line for item"):
                lines.append(line)
        if all(not r.bad for r in group) and lines:
            _make_current(state, product, bom=Bom(product, version, tuple(lines)))


def _bom_line(row: _Row, state: _State) -> BomLine | None:
    item = row.text("item_code", True)
    if item is not None and item not in state.items:
        row.error(f"unknown item {item!r}", "item_code")
    qty = _positive(row, "qty_per", row.get("qty_per", _number, required=True))
    scrap = row.get("scrap_rate", _number, 0.0)
    if scrap is not None and not 0 <= scrap < 1:
        row.error(f"scrap rate must be from 0 to under 1 (or 0% to 99%), got {scrap:g}",
                  "scrap_rate")
    spec_key = row.text("spec_key")
    if spec_key is not None and spec_key not in SPEC_KEYS:
        row.error(f"unknown spec key {spec_key!r}; use one of {', '.join(SPEC_KEYS)}", "spec_key")
    if row.bad or item is None or qty is None:
        return None
    return BomLine(item, qty, scrap or 0.0, spec_key)


def _make_current(state: _State, code: str, bom: Bom | None = None,
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


def _orders(rows: Sequence[SourceRow], state: _State) -> None:
    seen: dict[str, int] = {}
    by_name = {name: code for code, name in state.existing.customers.items()}
    for source in rows:
        row = _Row(Kind.ORDERS, source, state.plan.errors)
        ref = row.text("ref", True)
        if ref is not None:
            ref = ref.upper().replace(" ", "")
            _duplicate(row, "ref", ref, seen, state.existing.order_refs, "order")
        customer = _customer(row, state.existing.customers, by_name)
        product = _order_product(row, state)
        quantity = _positive(row, "quantity", row.get("quantity", _integer, required=True))
        due = row.get("due_date", _date, required=True)
        priority = row.get("priority", _choice(_PRIORITY, "priority"), Priority.NORMAL)
        status = row.get("status", _choice(_STATUS, "status (draft or released)"),
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


def _customer(row: _Row, codes: Mapping[str, str], by_name: Mapping[str, str]) -> str | None:
    value = row.text("customer", True)
    if value is None:
        return None
    code = value if value in codes else by_name.get(value)
    if code is None:
        row.error(f"unknown customer {value!r}", "customer")
    return code


def _order_product(row: _Row, state: _State) -> Product | None:
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


def _choice(table: Mapping[str, T], what: str) -> Callable[[object], T]:
    def parse(value: object) -> T:
        text = _text(value).lower()
        if text not in table:
            raise _BadCell(f"bad {what}: {_text(value)!r}")
        return table[text]
    return parse


_VALIDATORS: dict[Kind, Callable[[Sequence[SourceRow], _State], None]] = {
    Kind.WORK_CENTERS: _work_centers,
    Kind.STOCK: _stock,
    Kind.PURCHASE_ORDERS: _purchase_orders,
    Kind.PRODUCTS: _products,
    Kind.ROUTINGS: _routings,
    Kind.BOMS: _boms,
    Kind.ORDERS: _orders,
}


def normalise_rows(kind: Kind, header: Sequence[object],
                   rows: Iterable[tuple[int, Sequence[object]]]) -> list[SourceRow]:
    """Rows of raw cells under a header -> SourceRows keyed by canonical column names.

    Blank rows are skipped (spreadsheets keep formatting far below the data);
    row numbers stay those of the source so errors point at the right line.
    """
    keys = [column_key(kind, _text(h)) if not _blank(h) else "" for h in header]
    out: list[SourceRow] = []
    for number, cells in rows:
        values = {k: v for k, v in zip(keys, cells, strict=False)
                  if k and k not in _IGNORED_HEADERS}
        if all(_blank(v) for v in values.values()):
            continue
        out.append(SourceRow(number, values))
    return out
