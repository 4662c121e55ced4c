"""Requirements the catalogue lacks, and customers' order requests, through the real chat."""

from __future__ import annotations

from bot.pages.access import Viewer
from bot.pages.order import OrderPage, load
from core.commands import ConfirmRequirement
from core.model.work_order import OrderStatus
from core.ordering.model import RequirementStatus
from core.ordering.ports import ordering_uow
from core.ordering.results import OrderRefused
from tests.integration.change_control.conftest import Shop


async def _outbox_texts(shop: Shop, person: str) -> str:
    async with shop.container.uow_factory() as uow:
        rows = await uow.outbox.claim_due(shop.clock.now(), 500, 60)
    return " ".join(f"{r.payload.get('title', '')} {r.payload.get('text', '')}"  # type: ignore[union-attr]
                    for r in rows if r.meta.get("person") == person)


async def _held_order(shop: Shop) -> str:
    """宏景 asks for a colour not in the catalogue and a free-text note; sales confirms."""
    [card] = await shop.say("sales.wangfang",
                            "新单 宏景 L型办公桌 20张 粉红色 边角倒圆 12月30号交")
    assert card.kind == "card" and "需技术确认" in card.text
    assert "粉红色" in card.text and "边角倒圆" in card.text
    key = next(b.key for b in card.buttons if b.key.startswith("confirm:"))
    [done] = await shop.say("sales.wangfang", button=key)
    assert "待计划/工程确认" in done.text
    async with shop.container.uow_factory() as uow:
        request = await ordering_uow(uow).order_requests.get(key.split(":")[1])
        assert request is not None and request.order_ref
        return request.order_ref


async def _page(shop: Shop, ref: str) -> str:
    tz = shop.container.settings.tz
    facts = await load(shop.container.uow_factory, Viewer(None, "zh"), ref, shop.clock.now(), tz)
    assert facts is not None
    return OrderPage(Viewer(None, "zh"), tz, {}).render(facts)


async def _planned(shop: Shop, ref: str) -> bool:
    async with shop.container.uow_factory() as uow:
        number = await uow.plans.latest_number() or 0
        return ref in await uow.plans.etas_for(number, [ref])


async def test_unmatched_spec_is_held_out_of_the_plan_until_a_planner_confirms(
        shop: Shop) -> None:
    ref = await _held_order(shop)
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get(ref)
        assert order is not None and order.status is OrderStatus.AWAITING_TECH
        assert "color" not in order.specs  # the unknown colour is no variant of the BOM
        [v1] = await ordering_uow(uow).requirements.versions(ref)
        assert v1.status is RequirementStatus.PENDING and v1.written_by == "sales.wangfang"
        assert [(r.key, r.value) for r in v1.items] == [("color", "粉红色"), ("other", "边角倒圆")]
        assert await ordering_uow(uow).promises.promises_for(ref) == []
    assert not await _planned(shop, ref)
    assert "待技术确认" in await _outbox_texts(shop, "plan.hejun")
    page = await _page(shop, ref)
    assert 'id="requirements"' in page and "v1" in page and "特殊需求待计划/工程确认" in page
    [answer] = await shop.say("sales.wangfang", f"{ref} 数量改成30张")
    assert "等计划/工程确认" in answer.text  # no change while it is held
    bus = shop.container.bus
    assert await bus.handle(ConfirmRequirement("plan.hejun", "SO-2099-0001")) == OrderRefused(
        "unknown_order", {"ref": "SO-2099-0001"})
    assert await bus.handle(ConfirmRequirement("plan.hejun", "SO-31")) == OrderRefused(
        "no_requirement", {"ref": "SO-31"})

    [refused] = await shop.say("sales.wangfang", f"{ref} 技术确认")
    assert "只有计划员" in refused.text
    [done] = await shop.say("plan.hejun", f"{ref} 技术确认")
    assert "已排产" in done.text and "预计完工" in done.text
    assert await _planned(shop, ref)
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get(ref)
        assert order is not None and order.status is OrderStatus.RELEASED
        assert "粉红色" in order.note and "边角倒圆" in order.note
        [v1] = await ordering_uow(uow).requirements.versions(ref)
        assert (v1.status, v1.decided_by) == (RequirementStatus.CONFIRMED, "plan.hejun")
        [promise] = await ordering_uow(uow).promises.promises_for(ref)
        assert promise.promised_date.isoformat() == "2026-12-30"
    assert "技术确认" in await _outbox_texts(shop, "sales.wangfang")
    [again] = await shop.say("plan.hejun", f"tech confirm {ref}")
    assert "already confirmed" in again.text


async def test_an_amendment_writes_v2_with_catalogue_options_as_specs(shop: Shop) -> None:
    ref = await _held_order(shop)
    [done] = await shop.say("plan.hejun", f"{ref} 需求改为 颜色 胡桃木色, 边角倒圆")
    assert "v2" in done.text and "修改并确认" in done.text
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get(ref)
        assert order is not None and order.status is OrderStatus.RELEASED
        assert order.specs.get("color") == "胡桃木色" and order.note == "边角倒圆"
        v1, v2 = await ordering_uow(uow).requirements.versions(ref)
        assert (v1.version, v1.status) == (1, RequirementStatus.SUPERSEDED)
        assert (v2.version, v2.status, v2.written_by) == (
            2, RequirementStatus.CONFIRMED, "plan.hejun")
        assert [(r.key, r.value, r.known) for r in v2.items] == [
            ("color", "胡桃木色", True), ("other", "边角倒圆", False)]
    assert await _planned(shop, ref)
    page = await _page(shop, ref)
    assert page.index("v2") < page.index("v1") and "已被新版本取代" in page and "何军" in page


async def test_a_customer_order_goes_to_their_salesperson_who_confirms_it(shop: Shop) -> None:
    [passed] = await shop.say("cust.huangmin", "新单 L型办公桌 10张 胡桃木色 12月30号交")
    assert "王芳" in passed.text and "销售" in passed.text
    async with shop.container.uow_factory() as uow:
        [request] = await ordering_uow(uow).order_requests.open_for("sales.wangfang")
        assert request.asked_by == "cust.huangmin" and request.customer_code == "C01"
        assert await uow.orders.get(request.order_ref or "") is None  # not in the plan yet
    assert "客户下单请求" in await _outbox_texts(shop, "sales.wangfang")
    [refused] = await shop.say("cust.huangmin", button=f"confirm:{request.ref}")
    assert "不是由您确认" in refused.text  # the customer's own click cannot place it
    [done] = await shop.say("sales.wangfang", button=f"confirm:{request.ref}")
    assert "已建立" in done.text
    assert await _planned(shop, request.order_ref or "")
    told = await _outbox_texts(shop, "cust.huangmin")
    assert "已确认" in told and "2026-12-30" in told
