"""`gongdan import FILE`: read a workbook (.xlsx, .xls, .ods) or a CSV into rows per kind.

The rules and the all-or-nothing write live in core/importing/; this module only
deals with files. A workbook holds one sheet per kind (orders, boms, routings,
work_centers, stock, purchase_orders, products; Chinese sheet names work too).
A CSV holds one kind, named by a `kind` column, by the file name
(orders.csv) or recognised from its header.

`python -m bot.cli.importfile --write-template PATH [--write-examples DIR]` writes
the template workbook and CSV examples from the same example rows, so the
shipped files always import cleanly into the demo database.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from core.importing import (
    COLUMNS,
    SHEET_ALIASES,
    ImportFileError,
    Kind,
    SourceRow,
    cell_text,
    kind_from_headers,
    normalise_rows,
    sheet_kind,
)

Sheets = dict[Kind, list[SourceRow]]

_README_SHEETS = {"readme", "说明", "instructions", "填写说明"}


# reading -----------------------------------------------------------------------------------

# Excel 97-2003, OpenDocument (LibreOffice, WPS "ods") and binary Excel, read by calamine
_CALAMINE_SUFFIXES = (".xls", ".ods", ".xlsb")


def read_file(path: Path) -> Sheets:
    """Rows per kind from a workbook (.xlsx, .xls, .ods ...) or a .csv file.

    ImportFileError if the file cannot be read.
    """
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in _CALAMINE_SUFFIXES:
        return read_calamine(path)
    if suffix == ".csv":
        return read_csv(path)
    raise ImportFileError(f"{path}: unsupported file type {suffix or '(none)'}; "
                          "use .xlsx, .xls, .ods or .csv")


def read_xlsx(path: Path) -> Sheets:
    from openpyxl import load_workbook  # only the import command needs it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot keep
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike
        try:  # some writers' .xlsx (older WPS, online sheets) only calamine takes
            return read_calamine(path)
        except ImportFileError:
            pass
        raise ImportFileError(f"{path}: not a readable .xlsx workbook ({_why(exc)})") from None
    try:
        return _sheets(path, ((str(ws.title), ws.iter_rows(values_only=True))
                              for ws in book.worksheets))
    finally:
        book.close()


def read_calamine(path: Path) -> Sheets:
    """A workbook of any format calamine reads; cells come as str, int, float, bool or dates.

    Empty cells are "" and empty leading rows are kept, so row numbers stay those
    the clerk sees.
    """
    from python_calamine import CalamineWorkbook

    kind = path.suffix.lower().lstrip(".") or "spreadsheet"
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own errors and zip/XML ones alike
        raise ImportFileError(f"{path}: not a readable .{kind} workbook ({_why(exc)})") from None
    try:
        named = [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                 for name in book.sheet_names]
    except Exception as exc:
        raise ImportFileError(f"{path}: not a readable .{kind} workbook ({_why(exc)})") from None
    finally:
        book.close()
    return _sheets(path, named)


def _sheets(path: Path, named: Iterable[tuple[str, Iterable[Sequence[object]]]]) -> Sheets:
    """Rows per kind from (sheet name, rows) pairs.

    A sheet's kind is told by its name, else by its header (a `Sheet1` holding
    `id, name, role` is people); a sheet that is neither, and not blank, is an error.
    """
    sheets: Sheets = {}
    for title, cells in named:
        if title.strip().lower() in _README_SHEETS:
            continue
        rows = list(enumerate(cells, start=1))
        header = _header_index(rows)
        if header is None:
            continue
        kind = sheet_kind(title) or kind_from_headers(
            cell_text(c) for c in rows[header][1] if c not in (None, ""))
        if kind is None:
            raise ImportFileError(f"{path}: sheet {title!r} is not one of {_kind_names()}, "
                                  "and its header does not say which")
        if kind in sheets:
            raise ImportFileError(f"{path}: two sheets hold {kind.value}")
        sheets[kind] = normalise_rows(kind, rows[header][1], rows[header + 1:])
    if not sheets:
        raise ImportFileError(f"{path}: no sheet to import; name sheets {_kind_names()}")
    return sheets


def _header_index(rows: Sequence[tuple[int, Sequence[object]]]) -> int | None:
    """The header is the first non-blank row; the rest keep their own row numbers."""
    return next((i for i, (_, cells) in enumerate(rows)
                 if any(c not in (None, "") for c in cells)), None)


def read_csv(path: Path) -> Sheets:
    text = _decode(path)
    try:
        records = [(n, row) for n, row in _numbered_csv(text)]
    except csv.Error as exc:
        raise ImportFileError(f"{path}: not a readable CSV file ({exc})") from None
    records = [(n, row) for n, row in records if any(c.strip() for c in row)]
    if not records:
        raise ImportFileError(f"{path}: the file is empty")
    (_, header), body = records[0], records[1:]
    return _csv_sheets(path, header, body)


def _decode(path: Path) -> str:
    """UTF-8 (with or without BOM) first; Excel in China saves CSV as GB18030/GBK."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{path}: not a text file in UTF-8 or GBK")


def _numbered_csv(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    line = 1
    for row in reader:
        out.append((line, row))
        line = reader.line_num + 1
    return out


def _csv_sheets(path: Path, header: list[str], body: list[tuple[int, list[str]]]) -> Sheets:
    lowered = [h.strip().lower() for h in header]
    kind_col = next((i for i, h in enumerate(lowered) if h in ("kind", "类型")), None)
    if kind_col is None:
        kind = sheet_kind(re.sub(r"^\d+[_\-. ]*", "", path.stem)) or kind_from_headers(header)
        if kind is None:
            raise ImportFileError(
                f"{path}: cannot tell what the file holds; add a kind column ({_kind_names()}) "
                "or name the file after it, e.g. orders.csv")
        return {kind: normalise_rows(kind, header, body)}
    grouped: dict[Kind, list[tuple[int, list[str]]]] = {}
    for number, row in body:
        value = row[kind_col].strip() if kind_col < len(row) else ""
        row_kind = sheet_kind(value)
        if row_kind is None:
            raise ImportFileError(f"{path}: row {number}: unknown kind {value!r}; "
                                  f"use one of {_kind_names()}")
        grouped.setdefault(row_kind, []).append((number, row))
    return {k: normalise_rows(k, header, rows) for k, rows in grouped.items()}


def _kind_names() -> str:
    return ", ".join(k.value for k in Kind)


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# template and examples ---------------------------------------------------------------------

# Example rows, valid against the demo factory (customers C01.., products, items, work centers).
EXAMPLES: dict[Kind, list[dict[str, object]]] = {
    Kind.CUSTOMERS: [
        {"code": "C21", "name": "海岳酒店管理有限公司", "tier": "B"},
        {"code": "C22", "name": "Northwind Office Supplies", "tier": "C"},
    ],
    Kind.PEOPLE: [
        {"id": "sales.sunhao", "name": "孙浩", "role": "sales", "wecom_userid": "SunHao",
         "dingtalk_staff_id": "020001100", "customers": "C21,C22", "lang": "zh"},
        {"id": "cust.zhaomin", "name": "赵敏(海岳)", "role": "customer",
         "wecom_external_userid": "wmHaiYue0001", "customers": "C21", "lang": "zh"},
        {"id": "cust.annalee", "name": "Anna Lee (Northwind)", "role": "customer",
         "wecom_external_userid": "wmNorthwind01", "customers": "C22", "lang": "en"},
        {"id": "op.qianfeng", "name": "钱峰", "role": "operator", "wecom_userid": "QianFeng",
         "dingtalk_staff_id": "020001101", "work_center": "EDGE"},
    ],
    Kind.WORK_CENTERS: [
        {"code": "SILK", "name": "丝印", "machines": "丝印机1号,丝印机2号",
         "shifts": "08:00-12:00,13:00-17:00", "weekdays": "1-5", "can_pause": "yes",
         "alternatives": "", "hourly_cost": 65},
        {"code": "ENGRAVE", "name": "激光雕刻", "machines": "1",
         "shifts": "08:00-12:00,13:00-17:00", "weekdays": "1-6", "can_pause": "yes",
         "alternatives": "SILK", "hourly_cost": 90},
    ],
    Kind.STOCK: [
        {"item_code": "ACR-3", "name": "3mm亚克力板", "unit": "张", "on_hand": 120,
         "unit_cost": 85, "lead_days": 10},
        {"item_code": "INK-UV", "name": "UV丝印油墨", "unit": "kg", "on_hand": 18.5,
         "unit_cost": 160, "lead_days": 7},
        {"item_code": "HW-HINGE", "on_hand": 5200},
    ],
    Kind.PURCHASE_ORDERS: [
        {"ref": "PO-IMP-0001", "item_code": "ACR-3", "quantity": 300,
         "supplier": "东莞亚克力制品厂", "expected": "2027-01-08", "received": "no"},
        {"ref": "PO-IMP-0002", "item_code": "HW-HINGE", "quantity": 2000,
         "supplier": "广东东泰五金", "expected": "2027-01-12", "received": "no"},
    ],
    Kind.PRODUCTS: [
        {"code": "M-DISP", "name": "钣金展示架", "family": "sheet-metal", "unit_price": 680,
         "color_options": "浅灰,黑色,白色", "material_options": "冷轧板,不锈钢304",
         "finish_options": "喷粉", "packaging_options": "纸箱,木托盘"},
    ],
    Kind.ROUTINGS: [
        {"product_code": "M-DISP", "seq": 10, "name": "激光切割", "work_center": "LASER",
         "setup_minutes": 20, "minutes_per_unit": 1.2},
        {"product_code": "M-DISP", "seq": 20, "name": "折弯", "work_center": "BEND",
         "setup_minutes": 30, "minutes_per_unit": 1.8},
        {"product_code": "M-DISP", "seq": 30, "name": "焊接", "work_center": "WELD",
         "setup_minutes": 20, "minutes_per_unit": 2.5},
        {"product_code": "M-DISP", "seq": 40, "name": "喷粉", "work_center": "POWDER",
         "setup_minutes": 40, "minutes_per_unit": 1.0},
        {"product_code": "M-DISP", "seq": 50, "name": "丝印", "work_center": "SILK",
         "setup_minutes": 15, "minutes_per_unit": 0.8},
        {"product_code": "M-DISP", "seq": 60, "name": "包装", "work_center": "PACK",
         "setup_minutes": 10, "minutes_per_unit": 0.6},
        # a new routing version for a product the database already has: logo engraving added
        {"product_code": "F-SHOE", "seq": 10, "name": "开料", "work_center": "CUT",
         "setup_minutes": 25, "minutes_per_unit": 1.6},
        {"product_code": "F-SHOE", "seq": 20, "name": "封边", "work_center": "EDGE",
         "setup_minutes": 20, "minutes_per_unit": 1.4},
        {"product_code": "F-SHOE", "seq": 30, "name": "数控钻孔", "work_center": "CNC-DRILL",
         "setup_minutes": 15, "minutes_per_unit": 1.2},
        {"product_code": "F-SHOE", "seq": 40, "name": "激光雕刻", "work_center": "ENGRAVE",
         "setup_minutes": 10, "minutes_per_unit": 0.5},
        {"product_code": "F-SHOE", "seq": 50, "name": "组装", "work_center": "ASSY",
         "setup_minutes": 10, "minutes_per_unit": 4.0},
        {"product_code": "F-SHOE", "seq": 60, "name": "质检", "work_center": "QC",
         "setup_minutes": 5, "minutes_per_unit": 0.6},
        {"product_code": "F-SHOE", "seq": 70, "name": "包装", "work_center": "PACK",
         "setup_minutes": 10, "minutes_per_unit": 0.8},
    ],
    Kind.BOMS: [
        {"product_code": "M-DISP", "item_code": "SHT-CR-1.2", "qty_per": 2.5, "scrap_rate": "8%",
         "spec_key": "material"},
        {"product_code": "M-DISP", "item_code": "PWD-7035", "qty_per": 0.6, "scrap_rate": 0.12,
         "spec_key": "color"},
        {"product_code": "M-DISP", "item_code": "ACR-3", "qty_per": 0.5, "scrap_rate": 0.05},
        {"product_code": "M-DISP", "item_code": "INK-UV", "qty_per": 0.02},
        {"product_code": "M-DISP", "item_code": "FST-M6", "qty_per": 1},
    ],
    Kind.ORDERS: [
        {"ref": "SO-IMP-0001", "customer": "C01", "product": "M-DISP", "quantity": 40,
         "due_date": "2027-01-20", "priority": "normal", "status": "released", "color": "黑色",
         "material": "冷轧板", "finish": "喷粉", "note": "展厅用,注意包装"},
        {"ref": "SO-IMP-0002", "customer": "悦居家居连锁有限公司", "product": "F-BOOK-5",
         "quantity": 24, "due_date": "2027-01-15", "priority": "加急", "status": "released",
         "color": "白橡木", "material": "颗粒板", "size": "900×400×1800"},
        {"ref": "SO-IMP-0004", "customer": "C13", "product": "F-SHOE", "quantity": 15,
         "due_date": "2027-01-22", "priority": "normal", "status": "released",
         "color": "胡桃木色", "other": "门板雕刻店铺logo"},
        {"ref": "SO-IMP-0003", "customer": "C16", "product": "M-CHS-1U", "quantity": 200,
         "due_date": "2027-02-05", "priority": "", "status": "draft", "color": "黑色",
         "material": "冷轧板", "finish": "喷粉", "size": "19英寸标准"},
        {"ref": "SO-IMP-0005", "customer": "C21", "product": "F-BOOK-5", "quantity": 30,
         "due_date": "2027-01-25", "status": "released", "color": "胡桃木色"},
    ],
}


def _headers(kind: Kind) -> list[str]:
    return [c.key for c in COLUMNS[kind]]


def write_template(path: Path) -> None:
    """The import template: a 说明 sheet, then one sheet per kind with example rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    readme = book.active
    readme.title = "说明"
    readme.append(["sheet", "column", "required", "also accepted as", "meaning"])
    for kind in Kind:
        for col in COLUMNS[kind]:
            readme.append([kind.value, col.key, "yes" if col.required else "",
                           " ".join(col.aliases), col.help])
    readme.append([])
    chinese = {k: " / ".join(a for a in SHEET_ALIASES[k] if not a.isascii()) for k in Kind}
    readme.append(["Sheets may also be named: "
                   + "; ".join(f"{k.value} = {names}" for k, names in chinese.items())])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for kind in Kind:
        ws = book.create_sheet(kind.value)
        headers = _headers(kind)
        ws.append(headers)
        for i, col in enumerate(COLUMNS[kind], start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = bold
            if col.required:
                cell.fill = fill
            ws.column_dimensions[cell.column_letter].width = max(12, len(col.key) + 4)
        for example in EXAMPLES[kind]:
            ws.append([_cell(h, example.get(h, "")) for h in headers])
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _cell(key: str, value: object) -> object:
    """Dates go into the workbook as real date cells, as a clerk's Excel would have them."""
    if key in ("due_date", "expected") and isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value


# A new product must arrive with its BOM and routing, so its rows share one CSV
# with a `kind` column; the other examples are one kind per file.
_CATALOG_KINDS = (Kind.PRODUCTS, Kind.ROUTINGS, Kind.BOMS)
_NEW_PRODUCT = "M-DISP"


def write_examples(directory: Path) -> list[Path]:
    """CSV examples in import order, UTF-8 with BOM so Excel opens the Chinese correctly."""
    directory.mkdir(parents=True, exist_ok=True)
    catalog = [(k, {"kind": k.value, **e}) for k in _CATALOG_KINDS for e in EXAMPLES[k]
               if e.get("code", e.get("product_code")) == _NEW_PRODUCT]
    files: list[tuple[str, list[str], list[dict[str, object]]]] = [
        ("1_customers.csv", _headers(Kind.CUSTOMERS), EXAMPLES[Kind.CUSTOMERS]),
        ("2_people.csv", _headers(Kind.PEOPLE), EXAMPLES[Kind.PEOPLE]),
        ("3_work_centers.csv", _headers(Kind.WORK_CENTERS), EXAMPLES[Kind.WORK_CENTERS]),
        ("4_stock.csv", _headers(Kind.STOCK), EXAMPLES[Kind.STOCK]),
        ("5_purchase_orders.csv", _headers(Kind.PURCHASE_ORDERS), EXAMPLES[Kind.PURCHASE_ORDERS]),
        ("6_catalog.csv", ["kind"] + _unique(h for k in _CATALOG_KINDS for h in _headers(k)),
         [row for _, row in catalog]),
        ("7_routings.csv", _headers(Kind.ROUTINGS),
         [e for e in EXAMPLES[Kind.ROUTINGS] if e["product_code"] != _NEW_PRODUCT]),
        ("8_orders.csv", _headers(Kind.ORDERS), EXAMPLES[Kind.ORDERS]),
    ]
    return [_write_csv(directory / name, headers, rows) for name, headers, rows in files]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _write_csv(path: Path, headers: list[str], rows: list[dict[str, object]]) -> Path:
    used = [h for h in headers if any(h in row for row in rows)]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(used)
        for row in rows:
            writer.writerow([row.get(h, "") for h in used])
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli.importfile",
                                     description="write the import template and CSV examples")
    parser.add_argument("--write-template", type=Path, metavar="PATH")
    parser.add_argument("--write-examples", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    if args.write_template is None and args.write_examples is None:
        parser.error("give --write-template PATH and/or --write-examples DIR")
    if args.write_template is not None:
        write_template(args.write_template)
        print(f"wrote {args.write_template}")
    if args.write_examples is not None:
        for path in write_examples(args.write_examples):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
