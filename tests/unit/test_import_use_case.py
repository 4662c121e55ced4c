"""The import use case on the in-memory unit of work: all or nothing, every bad row named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import WriteConflict
from core.importing import Kind, SourceRow
from core.importing.service import import_rows
from core.model.capacity import WorkCenter
from core.model.materials import Item
from core.model.parties import Customer
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
