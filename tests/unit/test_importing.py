"""Import validation: every bad row is reported with its number and a specific reason."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.cli.importfile import read_file
from core.importing import (
    Existing,
    ImportFileError,
    Kind,
    RowError,
    SourceRow,
    column_key,
    kind_from_headers,
    normalise_rows,
    sheet_kind,
    validate,
)
from core.model.materials import Item
from core.model.parties import Customer
from core.model.products import Product, Routing, RoutingStep
from core.model.work_order import OrderStatus, Priority
from tests.ods import write_ods

ROUTING = Routing("F-DESK", 1, (RoutingStep(10, "开料", "CUT", 20, 1.0),
                                RoutingStep(20, "包装", "PACK", 5, 0.5)))
EXISTING = Existing(
    customers={"C01": Customer("C01", "宏景装饰工程有限公司"),
               "C02": Customer("C02", "金拓数据科技有限公司")},
    products={"F-DESK": Product("F-DESK", "办公桌"), "F-BARE": Product("F-BARE", "样品")},
    bom_versions={"F-DESK": 1},
    routings={"F-DESK": ROUTING},
    routing_versions={"F-DESK": 1},
    items={"BRD-1": Item("BRD-1", "多层板", unit="张", on_hand=10)},
    work_centers=frozenset({"CUT", "PACK"}),
    order_refs=frozenset({"SO-1"}),
    po_refs=frozenset({"PO-1"}),
)

ORDER = {"ref": "SO-2", "customer": "C01", "product": "F-DESK", "quantity": "10",
         "due_date": "2026-12-05"}


def rows(*values: dict[str, object]) -> list[SourceRow]:
    return [SourceRow(i + 2, v) for i, v in enumerate(values)]


def errors_of(kind: Kind, *values: dict[str, object]) -> list[RowError]:
    return validate({kind: rows(*values)}, EXISTING).errors


def only_error(kind: Kind, values: dict[str, object]) -> RowError:
    errs = errors_of(kind, values)
    assert len(errs) == 1, errs
    return errs[0]


def test_a_valid_order_becomes_a_work_order_with_operations() -> None:
    plan = validate({Kind.ORDERS: rows(
        {**ORDER, "priority": "加急", "status": "草稿", "color": "胡桃木色", "note": "急"},
        {**ORDER, "ref": "so-3", "customer": "金拓数据科技有限公司",
         "due_date": datetime(2026, 12, 9)},
    )}, EXISTING)
    assert plan.ok, plan.errors
    first, second = plan.orders
    assert (first.priority, first.status, first.specs) == (Priority.RUSH, OrderStatus.DRAFT,
                                                            {"color": "胡桃木色"})
    assert [op.name for op in first.operations] == ["开料", "包装"]
    assert (second.ref, second.customer_code) == ("SO-3", "C02")
    assert second.due_date == date(2026, 12, 9)
    assert second.status is OrderStatus.RELEASED


@pytest.mark.parametrize(("change", "column", "reason"), [
    ({"quantity": "十"}, "quantity", "not a number: '十'"),
    ({"quantity": "2.5"}, "quantity", "not a whole number: '2.5'"),
    ({"quantity": "0"}, "quantity", "must be greater than zero, got 0"),
    ({"due_date": "12/05"}, "due_date", "not a date (use YYYY-MM-DD): '12/05'"),
    ({"due_date": "2026-02-30"}, "due_date", "no such date: '2026-02-30'"),
    ({"due_date": ""}, "due_date", "missing value"),
    ({"status": "shipped"}, "status", "bad status (draft or released): 'shipped'"),
    ({"priority": "very"}, "priority", "bad priority: 'very'"),
    ({"customer": "C99"}, "customer", "unknown customer 'C99'"),
    ({"product": "F-NONE"}, "product", "unknown product 'F-NONE'"),
    ({"product": "F-BARE"}, "product", "product 'F-BARE' has no valid BOM or routing"),
    ({"ref": "SO-1"}, "ref", "order 'SO-1' already exists in the database"),
])
def test_bad_order_rows(change: dict[str, object], column: str, reason: str) -> None:
    err = only_error(Kind.ORDERS, {**ORDER, **change})
    assert (err.sheet, err.row, err.column, err.reason) == ("orders", 2, column, reason)


def test_duplicate_ref_in_the_file_names_the_first_row() -> None:
    errs = errors_of(Kind.ORDERS, ORDER, {**ORDER, "ref": "so-2"})
    assert [(e.row, e.reason) for e in errs] == [(3, "duplicate order 'SO-2' (also on row 2)")]


def test_missing_column_is_reported_on_the_header_row() -> None:
    values = {k: v for k, v in ORDER.items() if k != "due_date"}
    err = only_error(Kind.ORDERS, values)
    assert (err.row, err.column, err.reason) == (1, "due_date", "missing column")


def test_every_bad_row_is_reported_and_nothing_is_planned_for_it() -> None:
    plan = validate({Kind.ORDERS: rows(ORDER, {**ORDER, "ref": "SO-5", "quantity": "x"},
                                       {**ORDER, "ref": "SO-6", "customer": "nobody",
                                        "due_date": "soon"})}, EXISTING)
    assert not plan.ok
    assert [(e.row, e.column) for e in plan.errors] == [(3, "quantity"), (4, "customer"),
                                                        (4, "due_date")]
    assert [o.ref for o in plan.orders] == ["SO-2"]  # the caller writes nothing when not ok
    assert str(plan.errors[0]) == "orders row 3, quantity: not a number: 'x'"


def test_work_centers() -> None:
    plan = validate({Kind.WORK_CENTERS: rows(
        {"code": "SILK", "name": "丝印", "machines": "2", "shifts": "08:00-12:00,13:00-17:00",
         "weekdays": "1-6", "can_pause": "否", "alternatives": "ENG"},
        {"code": "ENG", "name": "雕刻", "machines": "雕刻机A、雕刻机B"},
    )}, EXISTING)
    assert plan.ok, plan.errors
    silk, eng = plan.work_centers
    assert silk.machines == ("SILK-1", "SILK-2") and silk.can_pause is False
    assert silk.calendar.weekdays == frozenset(range(6)) and eng.machines == ("雕刻机A", "雕刻机B")


@pytest.mark.parametrize(("change", "column", "reason"), [
    ({"code": "CUT"}, "code", "work center 'CUT' already exists in the database"),
    ({"shifts": "8-12"}, "shifts", "not a shift like 08:00-12:00: '8-12'"),
    ({"weekdays": "0-9"}, "weekdays", "weekdays must be 1-7 (Monday = 1), got '0-9'"),
    ({"can_pause": "maybe"}, "can_pause", "not yes/no: 'maybe'"),
    ({"alternatives": "NOPE"}, "alternatives", "unknown work center NOPE"),
    ({"hourly_cost": "-5"}, "hourly_cost", "must be zero or more, got -5"),
])
def test_bad_work_center_rows(change: dict[str, object], column: str, reason: str) -> None:
    err = only_error(Kind.WORK_CENTERS, {"code": "NEW", "name": "新", "machines": "1", **change})
    assert (err.column, err.reason) == (column, reason)


def test_stock_updates_known_items_and_adds_new_ones() -> None:
    plan = validate({Kind.STOCK: rows({"item_code": "BRD-1", "on_hand": "1,200"},
                                      {"item_code": "ACR", "name": "亚克力", "on_hand": 3,
                                       "color": "透明"})}, EXISTING)
    assert plan.ok, plan.errors
    assert [(i.code, i.on_hand, i.unit) for i in plan.updated_items] == [("BRD-1", 1200.0, "张")]
    assert plan.new_items[0].attributes == {"color": "透明"}
    err = only_error(Kind.STOCK, {"item_code": "NEW", "on_hand": 1})
    assert (err.column, err.reason) == ("name", "missing value (needed for a new item)")


@pytest.mark.parametrize(("change", "column", "reason"), [
    ({"ref": "PO-1"}, "ref", "purchase order 'PO-1' already exists in the database"),
    ({"item_code": "X"}, "item_code", "unknown item 'X'"),
    ({"expected": "next week"}, "expected", "not a date (use YYYY-MM-DD): 'next week'"),
    ({"quantity": "-1"}, "quantity", "must be greater than zero, got -1"),
    ({"supplier": " "}, "supplier", "missing value"),
])
def test_bad_purchase_order_rows(change: dict[str, object], column: str, reason: str) -> None:
    po = {"ref": "PO-2", "item_code": "BRD-1", "quantity": 5, "supplier": "兔宝宝",
          "expected": "2026/12/01"}
    err = only_error(Kind.PURCHASE_ORDERS, {**po, **change})
    assert (err.column, err.reason) == (column, reason)


def test_new_product_with_routing_and_bom_is_usable_by_orders_in_the_same_file() -> None:
    plan = validate({
        Kind.PRODUCTS: rows({"code": "M-NEW", "name": "新支架", "color_options": "黑色,白色"}),
        Kind.ROUTINGS: rows({"product_code": "M-NEW", "seq": 20, "name": "包装",
                             "work_center": "PACK"},
                            {"product_code": "M-NEW", "seq": 10, "name": "外协电镀",
                             "work_center": "CUT", "outsourced": "是", "lead_days": 3}),
        Kind.BOMS: rows({"product_code": "M-NEW", "item_code": "BRD-1", "qty_per": 0.5,
                         "scrap_rate": "5%", "spec_key": "color"}),
        Kind.ORDERS: rows({**ORDER, "product": "M-NEW"}),
    }, EXISTING)
    assert plan.ok, plan.errors
    (product,) = plan.new_products
    assert (product.current_bom, product.current_routing) == (1, 1)
    assert product.spec_options == {"color": ["黑色", "白色"]}
    assert [s.seq for s in plan.routings[0].steps] == [10, 20]
    assert plan.routings[0].steps[0].outsourced and plan.boms[0].lines[0].scrap_rate == 0.05
    assert [op.seq for op in plan.orders[0].operations] == [10, 20]


def test_a_new_version_for_an_existing_product_becomes_current() -> None:
    plan = validate({Kind.BOMS: rows({"product_code": "F-DESK", "item_code": "BRD-1",
                                      "qty_per": 2})}, EXISTING)
    assert plan.ok and plan.boms[0].version == 2
    assert [p.current_bom for p in plan.updated_products] == [2]
    assert EXISTING.products["F-DESK"].current_bom == 1  # the caller's data is left alone


def test_new_product_without_bom_is_refused() -> None:
    errs = validate({Kind.PRODUCTS: rows({"code": "M-NEW", "name": "新"})}, EXISTING).errors
    assert [(e.row, e.reason) for e in errs] == [
        (2, "new product 'M-NEW' has no valid BOM or routing in this file")]


@pytest.mark.parametrize(("kind", "values", "column", "reason"), [
    (Kind.ROUTINGS, {"product_code": "F-DESK", "version": 1, "seq": 10, "name": "开料",
                     "work_center": "CUT"}, "version",
     "version 1 of F-DESK already exists (latest is 1); use 2 or leave it blank"),
    (Kind.ROUTINGS, {"product_code": "F-DESK", "seq": 10, "name": "开料", "work_center": "LASER"},
     "work_center", "unknown work center 'LASER'"),
    (Kind.ROUTINGS, {"product_code": "F-X", "seq": 10, "name": "开料", "work_center": "CUT"},
     "product_code", "unknown product 'F-X'"),
    (Kind.ROUTINGS, {"product_code": "F-DESK", "seq": 10, "name": "电镀", "work_center": "CUT",
                     "outsourced": "yes"}, "lead_days", "an outsourced step needs lead_days > 0"),
    (Kind.BOMS, {"product_code": "F-DESK", "item_code": "NOPE", "qty_per": 1}, "item_code",
     "unknown item 'NOPE'"),
    (Kind.BOMS, {"product_code": "F-DESK", "item_code": "BRD-1", "qty_per": 1, "scrap_rate": 1.5},
     "scrap_rate", "scrap rate must be from 0 to under 1 (or 0% to 99%), got 1.5"),
    (Kind.BOMS, {"product_code": "F-DESK", "item_code": "BRD-1", "qty_per": 1,
                 "spec_key": "colour"},
     "spec_key", "unknown spec key 'colour'; use one of color, material, size, finish, packaging, "
     "other"),
])
def test_bad_bom_and_routing_rows(kind: Kind, values: dict[str, object], column: str,
                                  reason: str) -> None:
    err = only_error(kind, values)
    assert (err.column, err.reason) == (column, reason)


def test_duplicate_step_drops_the_whole_routing() -> None:
    step = {"product_code": "F-DESK", "seq": 10, "name": "开料", "work_center": "CUT"}
    plan = validate({Kind.ROUTINGS: rows(step, step)}, EXISTING)
    assert [(e.row, e.reason) for e in plan.errors] == [(3, "duplicate step '10' (also on row 2)")]
    assert plan.routings == []


def test_names_in_chinese() -> None:
    assert sheet_kind("订单") is Kind.ORDERS
    assert sheet_kind("Purchase Orders") is Kind.PURCHASE_ORDERS
    assert column_key(Kind.ORDERS, "交期") == "due_date"
    assert column_key(Kind.ORDERS, "数量(件)*") == "quantity"
    assert kind_from_headers(["订单号", "客户", "产品", "数量", "交期"]) is Kind.ORDERS
    assert kind_from_headers(["a", "b"]) is None
    (row,) = normalise_rows(Kind.ORDERS, ["订单号", "数量", None],
                            [(2, ["SO-9", 5, "x"]), (3, [None, "", None])])
    assert row == SourceRow(2, {"ref": "SO-9", "quantity": 5})


# file reading ------------------------------------------------------------------------------

def test_csv_in_gbk_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("订单号,客户,产品,数量,交期\r\nSO-8,C01,F-DESK,3,2026-12-01\r\n\r\n"
                     .encode("gbk"))
    sheets = read_file(path)
    assert list(sheets) == [Kind.ORDERS]
    assert sheets[Kind.ORDERS] == [SourceRow(2, {"ref": "SO-8", "customer": "C01",
                                                 "product": "F-DESK", "quantity": "3",
                                                 "due_date": "2026-12-01"})]


def test_csv_kind_column_splits_rows(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("kind,item_code,on_hand,ref,quantity,supplier,expected\n"
                    "库存,BRD-1,5,,,,\npurchase_orders,,,PO-9,3,某厂,2026-12-01\n",
                    encoding="utf-8")
    sheets = read_file(path)
    assert [r.number for r in sheets[Kind.STOCK]] == [2]
    assert [r.number for r in sheets[Kind.PURCHASE_ORDERS]] == [3]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.xlsx", None, "no such file"),
    ("broken.xlsx", b"not a zip", "not a readable .xlsx workbook"),
    ("broken.xls", b"not a workbook", "not a readable .xls workbook"),
    ("broken.ods", b"PK not really", "not a readable .ods workbook"),
    ("data.txt", b"x", "unsupported file type .txt"),
    ("empty.csv", b"\n\n", "the file is empty"),
    ("what.csv", b"a,b\n1,2\n", "cannot tell what the file holds"),
    ("k.csv", b"kind,x\nnonsense,1\n", "row 2: unknown kind 'nonsense'"),
])
def test_unreadable_files(tmp_path: Path, name: str, content: bytes | None,
                          message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        read_file(path)


def test_xlsx_with_unknown_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["x"])
    path = tmp_path / "a.xlsx"
    book.save(path)
    with pytest.raises(ImportFileError, match="sheet 'Sheet1' is not one of"):
        read_file(path)


def test_ods_sheets_by_name_or_by_header(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "导出.ods", {
        "订单": [["订单号", "客户", "产品", "数量", "交期"],
                 ["SO-2", "C01", "F-DESK", 10, date(2026, 12, 5)], [],
                 ["SO-3", "C02", "F-DESK", 4, "2026-12-09"]],
        "Sheet1": [[], ["工号", "姓名", "角色", "负责客户"], ["sales.li", "李", "销售", "C01"]],
        "Sheet2": [],  # a blank sheet a spreadsheet program adds by itself
    })
    sheets = read_file(path)
    assert sorted(sheets) == [Kind.ORDERS, Kind.PEOPLE]
    assert [r.number for r in sheets[Kind.ORDERS]] == [2, 4]
    assert [r.number for r in sheets[Kind.PEOPLE]] == [3]
    plan = validate(sheets, EXISTING)
    assert plan.ok, plan.errors
    assert [(o.ref, o.quantity, o.due_date) for o in plan.orders] == [
        ("SO-2", 10, date(2026, 12, 5)), ("SO-3", 4, date(2026, 12, 9))]
    assert [(p.id, p.role.value, p.customers) for p in plan.new_people] == [
        ("sales.li", "sales", ("C01",))]
