"""Seeding and importing against a real SQLite file, through the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.cli.importfile import EXAMPLES, read_file, write_template
from core.importing import Kind
from core.importing.service import ImportReport, import_rows
from storage.demo_factory import build_demo_factory
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.seed import seed_demo
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes import FixedClock
from tests.ods import write_ods

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture
async def factory(tmp_path: Path) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine("sqlite+aiosqlite:///" + str(tmp_path / "gongdan.db"))
    await upgrade(engine)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


async def test_seed_writes_the_demo_once(factory: SqlUnitOfWorkFactory) -> None:
    demo = build_demo_factory(TODAY)
    assert await seed_demo(factory, TODAY, NOW) is True
    async with factory() as uow:
        assert await uow.orders.count() == len(demo.orders)
        assert len(await uow.catalog.work_centers()) == len(demo.work_centers)
        assert len(await uow.parties.people()) == len(demo.people)
        assert len(await uow.catalog.purchase_orders()) == len(demo.purchase_orders)
        so77 = await uow.orders.get("SO-77")
        assert so77 is not None and any(op.started for op in so77.operations)
        boms = await uow.catalog.boms()
        routings = await uow.catalog.routings()
    released = [o for o in demo.orders if o.status.value in ("released", "in_progress")]
    assert all(boms[(o.product_code, o.bom_version)].locked for o in released)
    assert all(routings[(o.product_code, o.routing_version)].locked for o in released)
    assert not all(b.locked for b in boms.values())  # unused revisions stay editable

    assert await seed_demo(factory, TODAY, NOW) is False  # a second start reuses the database
    async with factory() as uow:
        assert await uow.orders.count() == len(demo.orders)


# importing ---------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]


async def import_file(path: Path, factory: SqlUnitOfWorkFactory, now: datetime) -> ImportReport:
    return await import_rows(str(path), read_file(path), factory, FixedClock(now))


@pytest.fixture
async def seeded(factory: SqlUnitOfWorkFactory) -> SqlUnitOfWorkFactory:
    await seed_demo(factory, TODAY, NOW)
    return factory


async def _counts(factory: SqlUnitOfWorkFactory) -> tuple[int, ...]:
    async with factory() as uow:
        return (await uow.orders.count(), len(await uow.catalog.items()),
                len(await uow.catalog.work_centers()), len(await uow.catalog.products()),
                len(await uow.catalog.boms()), len(await uow.catalog.routings()),
                len(await uow.catalog.purchase_orders(open_only=False)))


async def test_the_shipped_template_imports_into_the_demo(seeded: SqlUnitOfWorkFactory) -> None:
    report = await import_file(ROOT / "bot" / "templates" / "import_template.xlsx", seeded, NOW)
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["orders"] == len(EXAMPLES[Kind.ORDERS])
    async with seeded() as uow:
        order = await uow.orders.get("SO-IMP-0001")
        products = await uow.catalog.products()
        routings = await uow.catalog.routings()
        boms = await uow.catalog.boms()
        hinge = (await uow.catalog.items())["HW-HINGE"]
    assert order is not None and order.created_at == NOW
    assert [op.work_center for op in order.operations][-2:] == ["SILK", "PACK"]
    assert products["F-SHOE"].current_routing == 2 and routings[("F-SHOE", 2)].locked
    assert boms[("M-DISP", 1)].locked and hinge.on_hand == 5200
    again = await import_file(ROOT / "bot" / "templates" / "import_template.xlsx", seeded, NOW)
    assert not again.ok and "already exists" in str(again.errors[0])


async def test_the_csv_examples_import_in_order(seeded: SqlUnitOfWorkFactory) -> None:
    paths = sorted((ROOT / "docs" / "examples").glob("*.csv"))
    assert len(paths) >= 5
    for path in paths:
        report = await import_file(path, seeded, NOW)
        assert report.ok, [str(e) for e in report.errors]
    async with seeded() as uow:
        assert await uow.orders.get("SO-IMP-0004") is not None


async def test_one_bad_row_imports_nothing(seeded: SqlUnitOfWorkFactory, tmp_path: Path) -> None:
    template = tmp_path / "one_bad_row.xlsx"
    write_template(template)
    book = load_workbook(template)
    ws = book["orders"]
    ws.cell(row=ws.max_row, column=5, value="下周三")  # due_date of the last order
    book.save(template)
    before = await _counts(seeded)
    report = await import_file(template, seeded, NOW)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("orders", len(EXAMPLES[Kind.ORDERS]) + 1, "due_date")]
    assert report.summary().endswith("nothing was imported")
    assert await _counts(seeded) == before


async def test_chinese_sheet_and_column_names(seeded: SqlUnitOfWorkFactory,
                                              tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "订单"
    ws.append(["订单号", "客户", "产品", "数量", "交期", "优先级", "颜色"])
    ws.append(["SO-CN-1", "宏景装饰工程有限公司", "F-WARD-2D", 12, datetime(2027, 1, 8), "加急",
               "象牙白"])
    ws.append([])
    ws.append(["SO-CN-2", "C01", "F-WARD-2D", "十二", "2027-01-09", "", ""])
    path = tmp_path / "订单导入.xlsx"
    book.save(path)
    report = await import_file(path, seeded, NOW)
    assert [str(e) for e in report.errors] == ["orders row 4, quantity: not a number: '十二'"]
    ws.delete_rows(4)
    book.save(path)
    report = await import_file(path, seeded, NOW)
    assert report.ok and report.counts["orders"] == 1
    async with seeded() as uow:
        order = await uow.orders.get("SO-CN-1")
    assert order is not None and order.customer_code == "C01"
    assert order.specs == {"color": "象牙白"}


async def test_people_and_customers_in_chinese_are_upserted(seeded: SqlUnitOfWorkFactory,
                                                            tmp_path: Path) -> None:
    customers = tmp_path / "客户.csv"
    customers.write_text("客户编码,客户名称,等级\nC21,海岳酒店管理有限公司,重点\n"
                         "C20,诚信机械维修部(新),A\n", encoding="gb18030")
    people = tmp_path / "onboarding.csv"  # neither name says people: the header does
    people.write_text(
        "工号,姓名,角色,企业微信账号,钉钉账号,客服外部联系人,负责客户,语言\n"
        "cust.haiyue,赵敏,客户,,,wmHaiYue0001,海岳酒店管理有限公司,中文\n"
        "sales.wangfang,王芳,销售,,,,\"C01，C21、C20\",en\n", encoding="utf-8-sig")
    before = await _counts(seeded)
    for path in (customers, people):
        report = await import_file(path, seeded, NOW)
        assert report.ok, [str(e) for e in report.errors]
    report = await import_file(people, seeded, NOW)  # a second import updates, never duplicates
    assert report.ok and report.counts["people"] == 2
    async with seeded() as uow:
        contact = await uow.parties.person_by_platform("wecom_kf", "wmHaiYue0001")
        wang = await uow.parties.person("sales.wangfang")
        c20 = await uow.parties.customer("C20")
        everyone = await uow.parties.people()
    assert contact is not None and (contact.id, contact.customers) == ("cust.haiyue", ("C21",))
    assert wang is not None and (wang.customers, wang.lang) == (("C01", "C21", "C20"), "en")
    assert wang.wecom_userid == "Wangfang"  # a blank cell keeps what was stored
    assert c20 is not None and (c20.name, c20.tier.value) == ("诚信机械维修部(新)", "A")
    assert c20.policy.max_changes_per_order == 2  # the contract terms are not the sheet's
    assert len([p for p in everyone if p.id == "cust.haiyue"]) == 1
    assert await _counts(seeded) == before


async def test_a_platform_id_taken_by_someone_else_imports_nothing(
        seeded: SqlUnitOfWorkFactory, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,name,role,wecom_userid,lang\n"
                      "sales.new,新销售,sales,Wangfang,zh\n"
                      "qc.new,新质检,inspector,,de\n", encoding="utf-8")
    report = await import_file(people, seeded, NOW)
    assert [(e.row, e.column) for e in report.errors] == [(3, "role"), (3, "lang"),
                                                          (2, "wecom_userid")]
    async with seeded() as uow:
        assert await uow.parties.person("sales.new") is None


async def test_an_ods_workbook_imports(seeded: SqlUnitOfWorkFactory, tmp_path: Path) -> None:
    path = write_ods(tmp_path / "wps导出.ods", {
        "客户": [["客户编码", "客户名称", "等级"], ["C31", "东方文旅集团", "A"]],
        "人员": [["工号", "姓名", "角色", "客服外部联系人", "负责客户"],
                 ["cust.df", "东方采购", "客户", "wmDF01", "C31"]],
        "订单": [["订单号", "客户", "产品", "数量", "交期"],
                 ["SO-ODS-1", "东方文旅集团", "F-WARD-2D", 6, date(2027, 1, 18)]],
    })
    report = await import_file(path, seeded, NOW)
    assert report.ok, [str(e) for e in report.errors]
    assert report.summary() == f"{path}: imported 1 customers, 1 people, 1 orders"
    async with seeded() as uow:
        order = await uow.orders.get("SO-ODS-1")
        contact = await uow.parties.person_by_platform("wecom_kf", "wmDF01")
    assert order is not None and (order.customer_code, order.quantity) == ("C31", 6)
    assert contact is not None and contact.customers == ("C31",)
