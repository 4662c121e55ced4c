"""The import use case on the in-memory unit of work: all or nothing, every bad row named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from core.errors import WriteConflict
from core.importing import Kind, SourceRow
from core.importing.service import import_rows
from core.model.capacity import WorkCenter
from core.model.materials import Item
from core.model.parties import Customer, Person, Role, Tier
from core.model.products import Bom, BomLine, Product, Routing, RoutingStep
from core.model.work_order import WorkOrder
from tests.fakes import FakeCatalogRepository, FakeStore, FakeUnitOfWorkFactory, FixedClock

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def shop() -> FakeUnitOfWorkFactory:
    store = FakeStore(
        customers={"C01": Customer("C01", "宏景装饰工程有限公司")},
        products={"F-DESK": Product("F-DESK", "办公桌")},
        boms={("F-DESK", 1): Bom("F-DESK", 1, (BomLine("BRD-1", 2.0),))},
        routings={("F-DESK", 1): Routing("F-DESK", 1, (RoutingStep(10, "开料", "CUT", 20, 1.0),
                                                       RoutingStep(20, "包装", "PACK", 5, 0.5)))},
        items={"BRD-1": Item("BRD-1", "多层板", unit="张", on_hand=10)},
        work_centers={c: WorkCenter(c, c, (f"{c}-1",)) for c in ("CUT", "PACK")},
    )
    return FakeUnitOfWorkFactory(store)


def rows(*values: dict[str, object]) -> list[SourceRow]:
    return [SourceRow(i + 2, v) for i, v in enumerate(values)]


ORDER = {"ref": "so-9", "customer": "C01", "product": "F-DESK", "quantity": 10,
         "due_date": "2026-12-05"}


async def test_a_good_file_is_written_in_one_commit() -> None:
    factory = shop()
    report = await import_rows("orders.csv", {
        Kind.STOCK: rows({"item_code": "BRD-1", "on_hand": 42}),
        Kind.ORDERS: rows(ORDER),
    }, factory, FixedClock(NOW))
    assert report.ok, report.errors
    assert report.summary() == "orders.csv: imported 1 items, 1 orders"
    assert factory.commits == 1
    order = factory.store.orders["SO-9"]
    assert order.created_at == NOW and [op.seq for op in order.operations] == [10, 20]
    assert factory.store.items["BRD-1"].on_hand == 42
    assert factory.store.boms[("F-DESK", 1)].locked
    assert factory.store.routings[("F-DESK", 1)].locked


async def test_one_bad_row_writes_nothing_and_every_bad_row_is_named() -> None:
    factory = shop()
    before = FakeStore(**{f: getattr(factory.store, f) for f in FakeStore.__slots__})
    report = await import_rows("book.xlsx", {
        Kind.STOCK: rows({"item_code": "BRD-1", "on_hand": 42}),
        Kind.ORDERS: rows(ORDER, {**ORDER, "ref": "SO-10", "customer": "C99"},
                          {**ORDER, "ref": "SO-11", "quantity": "十"}),
    }, factory, FixedClock(NOW))
    assert [str(e) for e in report.errors] == [
        "orders row 3, customer: unknown customer 'C99'",
        "orders row 4, quantity: not a number: '十'",
    ]
    assert report.summary() == "book.xlsx: 2 bad row(s); nothing was imported"
    assert factory.commits == 0
    assert factory.store == before


async def test_a_key_taken_while_importing_fails_the_whole_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    factory = shop()

    async def taken(self: FakeCatalogRepository, item: Item) -> None:
        raise WriteConflict(f"item {item.code!r} already exists")

    monkeypatch.setattr(FakeCatalogRepository, "add_item", taken)
    report = await import_rows("/tmp/stock.csv", {
        Kind.STOCK: rows({"item_code": "NEW-1", "name": "新料", "on_hand": 1}),
        Kind.ORDERS: rows(ORDER),
    }, factory, FixedClock(NOW))
    assert [(e.sheet, e.row) for e in report.errors] == [("stock.csv", 1)]
    assert "the database changed during the import" in report.errors[0].reason
    assert factory.store.orders == {} and "NEW-1" not in factory.store.items


async def test_the_fake_refuses_a_duplicate_key_like_the_database() -> None:
    factory = shop()
    order = WorkOrder("SO-1", "C01", "F-DESK", 1, NOW.date())
    async with factory() as uow:
        await uow.orders.add(order)
        with pytest.raises(WriteConflict):
            await uow.orders.add(order)
    assert factory.store.orders == {}  # never committed


# onboarding: customers and people ------------------------------------------------------------

def team() -> FakeUnitOfWorkFactory:
    factory = shop()
    factory.store.people = {
        "sales.wang": Person("sales.wang", "王芳", Role.SALES, "WangFang", "0133", ("C01",)),
        "cust.huang": Person("cust.huang", "黄敏", Role.CUSTOMER, "HuangMin", None, ("C01",),
                             wecom_external_userid="wmEXT-huang"),
    }
    return factory


async def test_people_and_customers_are_added_and_updated_by_id() -> None:
    factory = team()
    report = await import_rows("people.xlsx", {
        Kind.CUSTOMERS: rows({"code": "C21", "name": "海岳酒店管理有限公司", "tier": "重点"},
                             {"code": "C01", "name": "宏景装饰", "tier": "A"}),
        Kind.PEOPLE: rows(
            {"id": "sales.wang", "name": "王芳", "role": "销售", "customers": "C01，C21",
             "lang": "en"},
            {"id": "cust.hai", "name": "海岳采购部", "role": "customer",
             "wecom_external_userid": "wmEXT-hai", "customers": "海岳酒店管理有限公司"},
            {"id": "op.new", "name": "新工", "role": "操作工", "work_center": "CUT",
             "wecom_userid": "XinGong", "dingtalk_staff_id": "0999"}),
        Kind.ORDERS: rows({**ORDER, "customer": "C21"}),
    }, factory, FixedClock(NOW))
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["customers"] == 2 and report.counts["people"] == 3
    store = factory.store
    assert store.customers["C21"].tier is Tier.KEY
    c01 = store.customers["C01"]
    assert (c01.name, c01.tier) == ("宏景装饰", Tier.STRATEGIC)
    wang = store.people["sales.wang"]
    assert (wang.customers, wang.lang, wang.wecom_userid) == (("C01", "C21"), "en", "WangFang")
    assert store.people["cust.hai"].customers == ("C21",)
    assert store.orders["SO-9"].customer_code == "C21"
    async with factory() as uow:
        contact = await uow.parties.person_by_platform("wecom_kf", "wmEXT-hai")
    assert contact is not None and contact.id == "cust.hai"

    again = await import_rows("people.xlsx", {Kind.PEOPLE: rows(
        {"id": "cust.hai", "name": "海岳采购部", "role": "customer"})}, factory, FixedClock(NOW))
    assert again.ok and len(factory.store.people) == 4
    assert factory.store.people["cust.hai"].wecom_external_userid == "wmEXT-hai"  # blank keeps


async def test_every_bad_person_row_is_named_and_nothing_is_written() -> None:
    factory = team()
    before = {k: replace(p) for k, p in factory.store.people.items()}
    report = await import_rows("people.csv", {Kind.PEOPLE: rows(
        {"id": "a", "name": "甲", "role": "boss"},
        {"id": "b", "name": "乙", "role": "sales", "customers": "C01、C77"},
        {"id": "c", "name": "丙", "role": "qc", "lang": "fr"},
        {"id": "c", "name": "丙二", "role": "qc"},
        {"id": "d", "name": "丁", "role": "sales", "wecom_userid": "WangFang"},
        {"id": "e", "name": "戊", "role": "customer", "wecom_external_userid": "wmX"},
        {"id": "f", "name": "己", "role": "customer", "wecom_external_userid": "wmX"},
        {"id": "g", "name": "庚", "role": "operator", "work_center": "PAINT"},
    )}, factory, FixedClock(NOW))
    assert [str(e) for e in report.errors] == [
        "people row 2, role: unknown role 'boss'; use one of sales, customer, supervisor, "
        "planner, operator, purchasing, warehouse, qc, admin",
        "people row 3, customers: unknown customer 'C77'",
        "people row 4, lang: bad lang (zh or en): 'fr'",
        "people row 5, id: duplicate person 'c' (also on row 4)",
        "people row 9, work_center: unknown work center 'PAINT'",
        "people row 6, wecom_userid: wecom_userid 'WangFang' is already used by sales.wang (王芳)",
        "people row 8, wecom_external_userid: wecom_external_userid 'wmX' is also on row 7",
    ]
    assert factory.commits == 0 and factory.store.people == before


async def test_platform_ids_may_swap_between_people_in_one_file() -> None:
    factory = team()
    report = await import_rows("people.csv", {Kind.PEOPLE: rows(
        {"id": "sales.wang", "name": "王芳", "role": "sales", "wecom_userid": "HuangMin"},
        {"id": "cust.huang", "name": "黄敏", "role": "customer", "wecom_userid": "WangFang"},
    )}, factory, FixedClock(NOW))
    assert report.ok, [str(e) for e in report.errors]
    people = factory.store.people
    assert (people["sales.wang"].wecom_userid, people["cust.huang"].wecom_userid) == (
        "HuangMin", "WangFang")


async def test_bad_customer_rows() -> None:
    report = await import_rows("customers.csv", {Kind.CUSTOMERS: rows(
        {"code": "C30", "name": "甲公司", "tier": "D"},
        {"code": "C31", "name": ""},
        {"code": "C30", "name": "乙公司"},
    )}, shop(), FixedClock(NOW))
    assert [str(e) for e in report.errors] == [
        "customers row 2, tier: bad tier (A, B or C): 'D'",
        "customers row 3, name: missing value",
        "customers row 4, code: duplicate customer 'C30' (also on row 2)",
    ]
