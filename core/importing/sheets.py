"""What an import file holds: kinds of sheet, their columns, rows keyed by column.

Readers (bot/cli/importfile.py) turn a workbook or a CSV into `SourceRow`s per
`Kind`; this module knows sheet names and headers, not what the values mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from core.errors import CoreError
from core.model.work_order import SPEC_KEYS


class ImportFileError(CoreError):
    """The file itself cannot be read (missing, not a spreadsheet, no known sheet)."""


class Kind(StrEnum):
    """What one sheet (or one CSV file) holds; the order is the order of validation."""

    WORK_CENTERS = "work_centers"
    CUSTOMERS = "customers"
    PEOPLE = "people"  # after customers and work centers, which people refer to
    STOCK = "stock"
    PURCHASE_ORDERS = "purchase_orders"
    PRODUCTS = "products"
    ROUTINGS = "routings"
    BOMS = "boms"
    ORDERS = "orders"


SHEET_ALIASES: dict[Kind, tuple[str, ...]] = {
    Kind.WORK_CENTERS: ("work_centers", "workcenters", "work centers", "工作中心", "工位", "设备"),
    Kind.CUSTOMERS: ("customers", "clients", "客户", "客户清单", "客户资料", "客户档案"),
    Kind.PEOPLE: ("people", "persons", "staff", "users", "employees", "contacts", "人员",
                  "员工", "用户", "通讯录", "成员", "人员名单"),
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
    Kind.CUSTOMERS: (
        _c("code", True, "客户编码 客户代码 编码", "unique customer code, e.g. C21"),
        _c("name", True, "客户名称 客户名 名称", "full name; orders may name the customer by it"),
        _c("tier", False, "等级 客户等级 级别", "A (strategic, 战略), B (key, 重点) or C "
           "(standard, 普通; the default for a new customer)"),
    ),
    Kind.PEOPLE: (
        _c("id", True, "工号 编号 员工编号 人员编号", "unique id, e.g. sales.wangfang; "
           "an id already in the database updates that person"),
        _c("name", True, "姓名 名字", "display name"),
        _c("role", True, "角色 岗位 职务", "sales, customer, supervisor, planner, operator, "
           "purchasing, warehouse, qc or admin "
           "(销售 客户 主管 计划 操作工 采购 仓库 质检 管理员)"),
        _c("wecom_userid", False, "企业微信账号 企业微信id 企微账号 wecom",
           "WeCom UserID (企业微信 通讯录 账号)"),
        _c("dingtalk_staff_id", False, "钉钉账号 钉钉id dingtalk_userid dingtalk",
           "DingTalk staffId (userid)"),
        _c("wecom_external_userid", False, "客服外部联系人 外部联系人 微信客服id external_userid",
           "a customer contact's external_userid on WeCom Customer Service (微信客服)"),
        _c("customers", False, "负责客户 所属客户 客户", "customer codes (or names) separated by "
           ", ， or 、: those a salesperson owns, the one a customer contact speaks for"),
        _c("lang", False, "语言", "zh (default) or en"),
        _c("work_center", False, "工作中心 工位", "an operator's or lead's work center code"),
        _c("active", False, "在职 启用", "yes/no, default yes; no stops the bot answering them"),
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


# On a tie the earlier kind wins: a bare `code, name` header is customers, not products.
_HEADER_ORDER = (Kind.PEOPLE, Kind.CUSTOMERS) + tuple(
    k for k in Kind if k not in (Kind.PEOPLE, Kind.CUSTOMERS))


def kind_from_headers(headers: Iterable[str]) -> Kind | None:
    """Guess a sheet's kind from its header set: the kind whose required columns fit best."""
    headers = list(headers)
    best: tuple[int, Kind] | None = None
    for kind in _HEADER_ORDER:
        cols = COLUMNS[kind]
        keys = {column_key(kind, h) for h in headers}
        required = {c.key for c in cols if c.required}
        if required <= keys:
            score = len(keys & {c.key for c in cols}) * 10 + len(required)
            if best is None or score > best[0]:
                best = (score, kind)
    return best[1] if best else None



def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()



def normalise_rows(kind: Kind, header: Sequence[object],
                   rows: Iterable[tuple[int, Sequence[object]]]) -> list[SourceRow]:
    """Rows of raw cells under a header -> SourceRows keyed by canonical column names.

    Blank rows are skipped (spreadsheets keep formatting far below the data);
    row numbers stay those of the source so errors point at the right line.
    """
    keys = [column_key(kind, cell_text(h)) if not is_blank(h) else "" for h in header]
    out: list[SourceRow] = []
    for number, cells in rows:
        values = {k: v for k, v in zip(keys, cells, strict=False)
                  if k and k not in _IGNORED_HEADERS}
        if all(is_blank(v) for v in values.values()):
            continue
        out.append(SourceRow(number, values))
    return out
