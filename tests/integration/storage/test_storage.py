"""Storage on a real SQLite file and on PostgreSQL: round trips, atomicity, locking, outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from core.errors import VersionConflict
from core.model.capacity import WorkCenter
from core.model.change_request import ChangeRequest, CRStatus
from core.model.materials import Item, PurchaseOrder
from core.model.parties import ContractPolicy, Customer, FreezePoint, Person, Role, Tier
from core.model.plan import OrderEta, PlannedOperation, PlanVersion
from core.model.products import Bom, BomLine, Product, Routing, RoutingStep
from core.model.work_order import OperationProgress, OrderStatus, WorkOrder
from core.outbox import OutboxMessage, OutboxStatus
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 18, 1, 30, tzinfo=UTC)


async def _seed_master(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.parties.add_customer(
            Customer(
                "C01",
                "华美家居",
                Tier.STRATEGIC,
                ContractPolicy(2, (FreezePoint("spec", "开料"),), 200.0),
            )
        )
        await uow.parties.add_person(
            Person("s1", "王销售", Role.SALES, "wang", "ding-wang", ("C01",))
        )
        await uow.catalog.add_item(Item("BOARD-W", "胡桃木板", on_hand=10, unit_cost=80))
        await uow.catalog.add_purchase_order(
            PurchaseOrder("PO-1", "BOARD-W", 50, "林木供应", date(2026, 11, 25))
        )
        await uow.catalog.add_work_center(WorkCenter("CUT", "开料", ("CUT-1", "CUT-2")))
        await uow.catalog.add_product(Product("P-WARD", "衣柜", "furniture", 3000.0))
        await uow.catalog.add_bom(Bom("P-WARD", 1, (BomLine("BOARD-W", 2.5, 0.05, "color"),)))
        await uow.catalog.add_routing(
            Routing("P-WARD", 1, (RoutingStep(10, "开料", "CUT", 30, 2.0),))
        )
        await uow.commit()


def _order(ref: str = "SO-1") -> WorkOrder:
    return WorkOrder(
        ref=ref,
        customer_code="C01",
        product_code="P-WARD",
        quantity=100,
        due_date=date(2026, 12, 5),
        specs={"color": "胡桃木色"},
        status=OrderStatus.RELEASED,
        created_at=NOW,
        operations=[OperationProgress(10, "开料", "CUT")],
    )


async def test_master_data_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    await _seed_master(uow_factory)
    async with uow_factory() as uow:
        customer = await uow.parties.customer("C01")
        assert customer is not None and customer.tier is Tier.STRATEGIC
        assert customer.policy.freeze_points == (FreezePoint("spec", "开料"),)
        person = await uow.parties.person_by_platform("wecom", "wang")
        assert person is not None and person.customers == ("C01",)
        assert (await uow.parties.person_by_platform("dingtalk", "nobody")) is None
        wcs = await uow.catalog.work_centers()
        assert wcs["CUT"].machines == ("CUT-1", "CUT-2")
        assert wcs["CUT"].calendar.minutes_per_day() == 480
        boms = await uow.catalog.boms()
        assert boms[("P-WARD", 1)].requirement(10) == {"BOARD-W": pytest.approx(26.25)}
        routings = await uow.catalog.routings()
        assert routings[("P-WARD", 1)].steps[0].minutes_for(100) == 230
        pos = await uow.catalog.purchase_orders()
        assert [p.ref for p in pos] == ["PO-1"]


async def test_order_round_trip_and_rollback(uow_factory: SqlUnitOfWorkFactory) -> None:
    await _seed_master(uow_factory)
    async with uow_factory() as uow:
        await uow.orders.add(_order())
        # no commit: leaving the block rolls back
    async with uow_factory() as uow:
        assert await uow.orders.get("SO-1") is None
        await uow.orders.add(_order())
        await uow.commit()
    async with uow_factory() as uow:
        order = await uow.orders.get("SO-1")
        assert order is not None
        assert order.specs == {"color": "胡桃木色"}
        assert order.operations[0].name == "开料"
        assert order.created_at == NOW
        assert order.version == 1


async def test_save_bumps_version_and_stale_write_conflicts(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _seed_master(uow_factory)
    async with uow_factory() as uow:
        await uow.orders.add(_order())
        await uow.commit()
    async with uow_factory() as first, uow_factory() as second:
        a = await first.orders.get("SO-1")
        b = await second.orders.get("SO-1")
        assert a is not None and b is not None
        a.change_quantity(200, "s1")
        await first.orders.save(a)
        await first.commit()
        b.change_quantity(300, "s2")
        with pytest.raises(VersionConflict) as err:
            await second.orders.save(b)
        assert err.value.ref == "SO-1"
    async with uow_factory() as uow:
        order = await uow.orders.get("SO-1")
        assert order is not None and order.quantity == 200 and order.version == 2


async def test_concurrent_writers_exactly_one_wins(uow_factory: SqlUnitOfWorkFactory) -> None:
    await _seed_master(uow_factory)
    async with uow_factory() as uow:
        await uow.orders.add(_order())
        await uow.commit()
    loaded = asyncio.Event()
    readers = 0

    async def change(qty: int) -> str:
        nonlocal readers
        async with uow_factory() as uow:
            order = await uow.orders.get("SO-1")
            assert order is not None
            readers += 1
            if readers == 2:
                loaded.set()
            await loaded.wait()  # both have read version 1 before either writes
            order.change_quantity(qty, "s")
            try:
                await uow.orders.save(order)
                await uow.commit()
            except VersionConflict:
                return "conflict"
            return "won"

    results = await asyncio.gather(change(150), change(250))
    assert sorted(results) == ["conflict", "won"]
    async with uow_factory() as uow:
        order = await uow.orders.get("SO-1")
        assert order is not None and order.version == 2 and order.quantity in (150, 250)


async def test_outbox_commits_with_the_change_or_not_at_all(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _seed_master(uow_factory)
    msg = OutboxMessage("wecom", "wang", {"kind": "text", "text": "hi"}, "k1", NOW)
    async with uow_factory() as uow:
        await uow.orders.add(_order())
        await uow.outbox.add([msg])
        # failure before commit
    async with uow_factory() as uow:
        assert await uow.outbox.all() == []
        await uow.orders.add(_order())
        await uow.outbox.add(
            [msg, OutboxMessage("wecom", "wang", {"kind": "text", "text": "x"}, "k1", NOW)]
        )
        await uow.commit()
    async with uow_factory() as uow:
        rows = await uow.outbox.all()
        assert [r.payload["text"] for r in rows] == ["hi"]  # duplicate dedupe_key skipped


async def test_outbox_lease_retry_and_dead_letters(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.outbox.add(
            [
                OutboxMessage("wecom", f"u{i}", {"kind": "text", "text": str(i)}, f"k{i}", NOW)
                for i in range(3)
            ]
        )
        await uow.commit()
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim_due(NOW, 2, lease_seconds=30)
        await uow.commit()
    assert [m.address for m in claimed] == ["u0", "u1"]
    async with uow_factory() as uow:
        # leased rows are not claimed again until the lease runs out (a crashed dispatcher)
        again = await uow.outbox.claim_due(NOW + timedelta(seconds=5), 10, 30)
        assert [m.address for m in again] == ["u2"]
        later = await uow.outbox.claim_due(NOW + timedelta(seconds=31), 10, 30)
        assert sorted(m.address for m in later) == ["u0", "u1"]
        await uow.outbox.mark_sent(claimed[0].id or 0, NOW)
        await uow.outbox.mark_retry(
            claimed[1].id or 0, NOW + timedelta(minutes=5), "45009 rate limited"
        )
        await uow.outbox.mark_dead(again[0].id or 0, "81013 invalid user")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.claim_due(NOW + timedelta(minutes=1), 10, 30) == []
        due = await uow.outbox.claim_due(NOW + timedelta(minutes=6), 10, 30)
        assert [m.address for m in due] == ["u1"] and due[0].attempts == 1
        dead = await uow.outbox.dead_letters()
        assert [(m.address, m.status, m.last_error) for m in dead] == [
            ("u2", OutboxStatus.DEAD, "81013 invalid user")
        ]


async def test_inbox_dedupes(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.inbox.first_seen("wecom", "123", NOW) is True
        assert await uow.inbox.first_seen("wecom", "123", NOW) is False
        assert await uow.inbox.first_seen("dingtalk", "123", NOW) is True
        await uow.commit()


async def test_change_request_audit_and_plan_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    await _seed_master(uow_factory)
    async with uow_factory() as uow:
        await uow.orders.add(_order())
        cr = ChangeRequest(
            "",
            "SO-1",
            "s1",
            "change",
            "SO-1 数量改成500",
            {"intent": "change", "changes": [{"field": "quantity", "value": 500}]},
            CRStatus.AWAITING_CONFIRMATION,
            NOW,
            1,
            impact={"risk": "low"},
        )
        cr.note("s1", "requested", NOW, text="SO-1 数量改成500")
        cr = await uow.change_requests.add(cr)
        assert cr.ref == f"CR-{cr.id}"
        before = len(cr.audit)
        cr.move(CRStatus.APPLIED, "s1", NOW + timedelta(minutes=1), plan=1)
        await uow.change_requests.save(cr, cr.audit[before:])
        plan = PlanVersion(
            1,
            NOW,
            NOW,
            "OPTIMAL",
            "cpsat",
            0,
            0,
            {"orders_late": 0},
            "test",
            [PlannedOperation("SO-1", 10, "开料", "CUT", "CUT-1", NOW, NOW + timedelta(hours=4))],
            {"SO-1": OrderEta("SO-1", NOW + timedelta(hours=4), NOW + timedelta(days=10), -100)},
        )
        await uow.plans.add(plan)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.change_requests.get(cr.ref)
        assert loaded is not None and loaded.status is CRStatus.APPLIED
        assert [a.action for a in loaded.audit] == ["requested", "applied"]
        assert loaded.decided_by == "s1"
        latest = await uow.plans.latest()
        assert latest is not None and latest.number == 1
        assert latest.operations[0].end - latest.operations[0].start == timedelta(hours=4)
        assert not latest.etas["SO-1"].late
        assert await uow.plans.next_number() == 2


async def test_concurrent_plans_get_distinct_numbers(uow_factory: SqlUnitOfWorkFactory) -> None:
    def version() -> PlanVersion:
        return PlanVersion(0, NOW, NOW, "HEURISTIC", "edd", 0, 0, {}, "race")

    started = asyncio.Event()

    async def plan(slow: bool) -> PlanVersion:
        v = version()
        async with uow_factory() as uow:
            if not slow:
                await started.wait()
            await uow.plans.add(v)
            if slow:
                started.set()
                await asyncio.sleep(0.2)  # the other writer inserts before this one commits
            await uow.commit()
        return v

    first, second = await asyncio.gather(plan(True), plan(False))
    assert sorted([first.number, second.number]) == [1, 2]


async def test_inbox_service_group_commit_answers_each_caller(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    from storage.message_services import SqlInboxService, SqlOutboxService

    inbox = SqlInboxService(uow_factory)
    keys = [f"m{i % 40}" for i in range(120)]  # every key three times, all at once
    answers = await asyncio.gather(*[inbox.first_seen("wecom", k, NOW) for k in keys])
    firsts = {k for k, new in zip(keys, answers, strict=True) if new}
    assert firsts == set(keys) and sum(answers) == 40
    assert await inbox.first_seen("wecom", "m1", NOW) is False

    outbox = SqlOutboxService(uow_factory)
    await asyncio.gather(
        *[
            outbox.add([OutboxMessage("web", "u", {"kind": "text", "text": str(i)}, f"o{i}", NOW)])
            for i in range(30)
        ]
    )
    async with uow_factory() as uow:
        assert len(await uow.outbox.all()) == 30


async def test_inbox_claim_lifecycle(uow_factory: SqlUnitOfWorkFactory) -> None:
    """received (leased) -> handled with its replies; a dead handler's message is taken over."""
    from core.ports import Claim
    from storage.message_services import SqlInboxService

    inbox = SqlInboxService(uow_factory)
    message = {"channel": "wecom", "user_id": "u", "msg_id": "m1", "at": NOW.isoformat()}
    assert await inbox.claim("wecom", "m1", message, NOW, 10) is Claim.NEW
    assert await inbox.claim("wecom", "m1", message, NOW + timedelta(seconds=5), 10) is Claim.BUSY
    assert await inbox.claim_unhandled(NOW + timedelta(seconds=5), 10, 10) == []
    later = NOW + timedelta(seconds=11)  # the handler died: its lease ran out
    [taken] = await inbox.claim_unhandled(later, 10, 10)
    assert (taken.key, taken.message) == ("m1", message)
    assert await inbox.claim("wecom", "m1", message, later, 10) is Claim.BUSY  # the sweep has it
    assert await inbox.claim("wecom", "m1", message, later + timedelta(seconds=11),
                             10) is Claim.RETRY
    reply = OutboxMessage("wecom", "u", {"kind": "text", "text": "ok"}, "wecom:reply:m1:0", NOW,
                          status=OutboxStatus.SENT, meta={"answered": True})
    assert await inbox.handled("wecom", "m1", [reply], later) is True
    # the run whose lease ran out finishes too: its replies are not recorded, nor answered
    late = OutboxMessage("wecom", "u", {"kind": "text", "text": "late"}, "wecom:reply:m1:0",
                         NOW, meta={"answered": True})
    extra = OutboxMessage("wecom", "u", {"kind": "text", "text": "more"}, "wecom:reply:m1:1",
                          NOW)
    assert await inbox.handled("wecom", "m1", [late, extra], later) is False
    async with uow_factory() as uow:
        assert [m.dedupe_key for m in await uow.outbox.all()] == ["wecom:reply:m1:0"]
    assert await inbox.claim("wecom", "m1", message, later + timedelta(hours=1),
                             10) is Claim.HANDLED
    assert await inbox.claim_unhandled(later + timedelta(hours=1), 10, 10) == []
    [again] = await inbox.replies("wecom", "m1")
    assert again.payload["text"] == "ok" and again.meta == {"answered": True}


async def test_message_effects_are_recorded_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    from core.errors import WriteConflict

    async with uow_factory() as uow:
        assert await uow.inbox.effect("wecom", "m1", "request") is None
        await uow.inbox.record_effect("wecom", "m1", "request", {"cr": "CR-1"}, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.effect("wecom", "m1", "request") == {"cr": "CR-1"}
    with pytest.raises(WriteConflict):
        async with uow_factory() as uow:
            await uow.inbox.record_effect("wecom", "m1", "request", {"cr": "CR-2"}, NOW)
            await uow.commit()
