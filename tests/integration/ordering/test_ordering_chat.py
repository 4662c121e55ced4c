"""Quotes and new orders through the real conversation service on the demo factory."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from core.ordering.ports import ordering_uow
from storage.ordering_tables import order_requests, promises, quotes
from storage.uow import SqlUnitOfWork
from tests.integration.change_control.conftest import Shop


async def _count(shop: Shop, table: Any) -> int:
    async with shop.container.uow_factory() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        conn = uow.orders._conn
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def _saved(shop: Shop) -> tuple[int, int, int, int]:
    async with shop.container.uow_factory() as uow:
        n_orders = len(await uow.orders.all_refs())
    return (n_orders, await _count(shop, quotes), await _count(shop, order_requests),
            await _count(shop, promises))


async def test_quote_answers_the_earliest_date_and_logs_only_the_question(shop: Shop) -> None:
    before = await _saved(shop)
    [reply] = await shop.say("sales.wangfang", "L型办公桌 300张最早什么时候能交")
    assert "最早可交：2026-" in reply.text and "安全余量" in reply.text
    [en] = await shop.say("sales.wangfang", "how soon can we make 50 F-DESK-L")
    assert "Earliest we can promise: 2026-" in en.text
    after = await _saved(shop)
    assert after[0] == before[0] and after[2:] == before[2:]  # no order, request or promise
    assert after[1] == before[1] + 2


@pytest.mark.parametrize(("text", "expect"), [
    ("新单 宏景 20张 12月30号交", "什么产品"),
    ("新单 宏景 L型办公桌 12月30号交", "多少"),
    ("新单 宏景 L型办公桌 20张", "哪天交货"),
    ("新单 L型办公桌 20张 12月30号交", "哪个客户"),
])
async def test_missing_fields_are_asked_one_at_a_time(shop: Shop, text: str, expect: str) -> None:
    before = await _saved(shop)
    [reply] = await shop.say("sales.wangfang", text)
    assert expect in reply.text
    assert await _saved(shop) == before


@pytest.mark.parametrize(("user", "text", "expect"), [
    ("sales.wangfang", "新单 宏景 不存在的产品XYZ 20张 12月30号交", "没有找到产品"),
    ("sales.wangfang", "L型办公桌 0张最早什么时候能交", "正数"),
    ("sales.wangfang", "L型办公桌 20000张最早什么时候能交", "合理范围"),
    ("sales.wangfang", "新单 宏景 L型办公桌 20张 2026-11-01交", "已经过去"),
    ("cust.xuli", "宏景 L型办公桌 5张 最早什么时候能交", "不能为客户"),
    ("cust.xuli", "新单 宏景 L型办公桌 5张 12月30号交", "不能为客户"),
    ("sales.wangfang", "新单 华兴 L型办公桌 5张 12月30号交", "不能为客户"),
])
async def test_bad_input_and_scope_are_answered_and_nothing_is_saved(
        shop: Shop, user: str, text: str, expect: str) -> None:
    before = await _saved(shop)
    [reply] = await shop.say(user, text)
    assert expect in reply.text
    assert await _saved(shop) == before


async def test_a_customer_quotes_and_orders_for_their_own_customer(shop: Shop) -> None:
    [reply] = await shop.say("cust.xuli", "L型办公桌 5张最早什么时候能交")
    assert "华兴" in reply.text and "最早可交" in reply.text


async def test_new_order_card_confirm_creates_order_plan_promise_and_notices(shop: Shop) -> None:
    [card] = await shop.say("sales.wangfang", "新单 宏景 L型办公桌 20张 胡桃木色 12月30号交")
    assert card.kind == "card" and "宏景" in card.text and "胡桃木色" in card.text
    assert "2026-12-30" in card.text and "合同条款" in card.text
    key = next(b.key for b in card.buttons if b.key.startswith("confirm:"))
    [done] = await shop.say("sales.wangfang", button=key)
    assert "已建立" in done.text
    async with shop.container.uow_factory() as uow:
        request = await ordering_uow(uow).order_requests.get(key.split(":")[1])
        assert request is not None and request.order_ref
        order = await uow.orders.get(request.order_ref)
        assert order is not None and order.due_date == date(2026, 12, 30)
        assert order.specs == {"color": "胡桃木色"} and order.customer_code == "C01"
        eta = (await uow.plans.etas_for(await uow.plans.latest_number() or 0, [order.ref]))
        assert eta[order.ref].lateness_minutes <= 0
        ledger = await ordering_uow(uow).promises.promises_for(order.ref)
        assert [p.promised_date for p in ledger] == [date(2026, 12, 30)]
        routing = (await uow.catalog.routings())[(order.product_code, order.routing_version)]
        assert routing.locked
        rows = await uow.outbox.claim_due(shop.clock.now(), 500, 60)
        texts = " ".join(r.payload.get("text", "") for r in rows)  # type: ignore[union-attr]
        assert "【仓库】新订单" in texts and "【采购】新订单" in texts


async def test_approval_customer_goes_to_a_supervisor_then_the_order_is_created(
        shop: Shop) -> None:
    [card] = await shop.say("sales.chenjing", "新单 华兴 L型办公桌 20张 胡桃木色 12月30号交")
    ref = next(b.key for b in card.buttons if b.key.startswith("confirm:")).split(":")[1]
    [sent] = await shop.say("sales.chenjing", "确认")
    assert "主管审批" in sent.text
    [done] = await shop.say("sup.zhanggang", button=f"approve:{ref}")
    assert "已建立" in done.text


async def test_a_supervisor_decides_a_new_order_by_typing_its_ref(shop: Shop) -> None:
    async def awaiting() -> str:
        [card] = await shop.say("sales.chenjing", "新单 华兴 L型办公桌 20张 胡桃木色 12月30号交")
        ref = next(b.key for b in card.buttons if b.key.startswith("confirm:")).split(":")[1]
        [sent] = await shop.say("sales.chenjing", f"确认 {ref}")
        assert "主管审批" in sent.text and ref.startswith("NO-")
        return ref

    first = await awaiting()
    [refused] = await shop.say("sales.chenjing", f"批准 {first}")
    assert "只有主管" in refused.text
    [denied] = await shop.say("sup.zhanggang", f"驳回 {first}")
    assert first in denied.text and "已建立" not in denied.text
    # once sent, the decision closes every supervisor's copy of the approval card
    assert (denied.settles_card, denied.settled_by) == (f"{first}-approve", "张刚")
    second = await awaiting()
    [done] = await shop.say("sup.zhanggang", f"approve {second.lower()}")
    assert "created" in done.text.lower() or "已建立" in done.text, done.text
    assert done.settles_card == f"{second}-approve"
    [late] = await shop.say("sup.yangxue", f"批准 {second}")
    assert "已建立" not in late.text and late.settles_card == f"{second}-approve"
    async with shop.container.uow_factory() as uow:
        requests = ordering_uow(uow).order_requests
        denied_request, approved = await requests.get(first), await requests.get(second)
    assert denied_request is not None and denied_request.status.value == "denied"
    assert approved is not None and approved.status.value == "applied" and approved.order_ref


async def test_a_failure_mid_creation_leaves_nothing(shop: Shop,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    [card] = await shop.say("sales.wangfang", "新单 宏景 L型办公桌 20张 胡桃木色 12月30号交")
    before = await _saved(shop)
    from storage.repositories.promises import SqlPromiseLedger

    async def boom(self: object, promise: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlPromiseLedger, "record", boom)
    with pytest.raises(RuntimeError):
        await shop.container.bus.handle(_confirm("sales.wangfang"))
    assert await _saved(shop) == before
    async with shop.container.uow_factory() as uow:
        assert await uow.plans.latest_number() == 1
        open_ = await ordering_uow(uow).order_requests.open_for("sales.wangfang")
        assert len(open_) == 1


def _confirm(by: str) -> Any:
    from core.ordering.commands import ConfirmOrder

    return ConfirmOrder(by)


async def test_a_change_that_moves_the_due_date_is_recorded_in_the_ledger(shop: Shop) -> None:
    [card] = await shop.say("sales.wangfang", "SO-31 交期推迟三天")
    key = next(b.key for b in card.buttons if b.key.startswith("confirm:"))
    await shop.say("sales.wangfang", button=key)
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get("SO-31")
        ledger = await ordering_uow(uow).promises.promises_for("SO-31")
    assert order is not None
    assert [(p.promised_date, p.source.value, p.cr_ref) for p in ledger] == [
        (order.due_date, "change", key.split(":")[1])]


async def test_a_new_order_message_handled_again_opens_one_request(shop: Shop) -> None:
    """As after a kill -9 between the request's commit and the handled mark: the same
    message (same inbox key) runs again and shows the card of the request it opened."""
    from core.idempotency import Source, handling

    text = "新单 宏景 L型办公桌 20张 胡桃木色 12月30号交"
    with handling(Source("web", "k-new-order")):
        [card] = await shop.say("sales.wangfang", text)
        [again] = await shop.say("sales.wangfang", text)
    keys = [next(b.key for b in c.buttons if b.key.startswith("confirm:")) for c in (card, again)]
    assert keys[0] == keys[1] and again.text == card.text
    assert await _count(shop, order_requests) == 1
    [other] = await shop.say("sales.wangfang", text)  # another message is another request
    assert next(b.key for b in other.buttons if b.key.startswith("confirm:")) != keys[0]


async def test_a_confirm_handled_again_creates_one_order_and_answers_the_same(
        shop: Shop) -> None:
    from core.idempotency import Source, handling

    [card] = await shop.say("sales.wangfang", "新单 宏景 L型办公桌 20张 胡桃木色 12月30号交")
    key = next(b.key for b in card.buttons if b.key.startswith("confirm:"))
    before = await _saved(shop)
    with handling(Source("web", "k-confirm-order")):
        [done] = await shop.say("sales.wangfang", button=key)
        [again] = await shop.say("sales.wangfang", button=key)
    assert "已建立" in done.text and again.text == done.text
    after = await _saved(shop)
    assert after[0] == before[0] + 1 and after[3] == before[3] + 1  # one order, one promise
