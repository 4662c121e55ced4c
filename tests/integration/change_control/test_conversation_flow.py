"""What the service does with the parser's newer readings, on the seeded demo factory:
multiples of the current quantity, a due date against its verb, answers to the last
card or list shown, list and load questions, help by role, chit-chat, strangers."""

from __future__ import annotations

from core.model.change_request import CRStatus
from tests.integration.change_control.conftest import Shop

SALES = "sales.wangfang"  # owns C01, C04, C07, C13 (SO-31), C19
CUSTOMER = "cust.lijia"  # the contact of C13
SUPERVISOR = "sup.zhanggang"
OPERATOR = "op.zhangwei"


def _crs(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [b.key.split(":", 1)[1] for r in replies for b in r.buttons
            if b.key.startswith("confirm:")]


async def _status(shop: Shop, cr_ref: str) -> CRStatus:
    async with shop.container.uow_factory() as uow:
        cr = await uow.change_requests.get(cr_ref)
    assert cr is not None
    return cr.status


async def test_a_multiple_is_of_the_current_quantity_on_cards_and_what_ifs(shop: Shop) -> None:
    card = (await shop.say(SALES, "SO-31 数量翻倍"))[0]  # SO-31 is 120 pieces
    assert card.kind == "card"
    assert card.text.splitlines()[0] == "数量 120 → 240件（×2）"  # restated before anything else
    what_if = (await shop.say(SALES, "如果SO-31数量加到两倍会怎样"))[0]
    lines = what_if.text.splitlines()
    assert "假设评估" in lines[0] and lines[1] == "数量 120 → 240件（×2）"
    assert "→ 2件" not in what_if.text and "→ 2\n" not in what_if.text
    english = (await shop.say(SALES, "SO-31 double the quantity"))[0]
    assert english.text.splitlines()[0] == "Quantity 120 → 240 pcs (×2)"
    async with shop.container.uow_factory() as uow:
        cr = await uow.change_requests.get(_crs([card])[0])
    assert cr is not None and cr.command["relative"][0]["factor"] == 2.0
    assert cr.impact["understood"][0]["after"] == 240


async def test_a_date_against_its_verb_is_asked_back_and_a_yes_goes_on(shop: Shop) -> None:
    asked = await shop.say(SALES, "SO-31 提前到12月25号")  # due 12-06: 12-25 is later
    assert asked[0].kind == "text" and not _crs(asked)
    assert "SO-31 现在交期是12-06，提前到12-25其实是推迟了" in asked[0].text
    card = await shop.say(SALES, "是")
    assert card[0].kind == "card" and card[0].text.splitlines()[0] == "交期 12-06 → 12-25"

    await shop.say(SALES, "SO-31 推迟到12月1号")
    dropped = await shop.say(SALES, "不用了")
    assert "不做了" in dropped[0].text
    async with shop.container.uow_factory() as uow:
        assert len(await uow.change_requests.for_order("SO-31")) == 1  # only the one said yes to


async def test_a_vague_shift_answered_with_a_number_reads_as_days(shop: Shop) -> None:
    question = await shop.say(SALES, "SO-31 推迟几天")
    assert "推迟多少天" in question[0].text
    card = await shop.say(SALES, "3")
    assert card[0].kind == "card" and card[0].text.splitlines()[0] == "交期 12-06 → 12-09"


async def test_confirm_answers_the_last_card_shown_not_an_older_one(shop: Shop) -> None:
    older = _crs(await shop.say(SALES, "SO-31 交期推迟2天"))[0]
    newer = _crs(await shop.say(SALES, "SO-31 颜色改成白色"))[0]
    listed = await shop.say(SUPERVISOR, "哪些订单会延误")  # someone else's list changes nothing
    assert listed
    assert "已生效" in (await shop.say(SALES, "确认"))[0].text
    assert await _status(shop, newer) is CRStatus.APPLIED
    assert await _status(shop, older) is CRStatus.AWAITING_CONFIRMATION
    again = await shop.say(SALES, "确认")
    assert again[0].text == f"变更 {newer} 已生效，无需再确认。"
    named = await shop.say(SALES, f"取消 {older}")
    assert older in named[0].text and await _status(shop, older) is CRStatus.CANCELLED


async def test_a_number_after_a_list_picks_that_item_and_the_card_stays_known(shop: Shop) -> None:
    cr = _crs(await shop.say(SUPERVISOR, "SO-31 交期推迟2天"))[0]
    listed = (await shop.say(SUPERVISOR, "哪些订单会延误"))[0].text
    second = listed.splitlines()[2].split()[1]
    picked = await shop.say(SUPERVISOR, "2")
    assert picked[0].text.startswith(f"订单 {second}")
    assert "已生效" in (await shop.say(SUPERVISOR, "确认"))[0].text
    assert await _status(shop, cr) is CRStatus.APPLIED


async def test_lists_are_ranked_from_the_plan_and_scoped_to_the_person(shop: Shop) -> None:
    late = (await shop.say(SUPERVISOR, "哪些订单会延误"))[0].text.splitlines()
    assert late[0].startswith("预计延误的订单共") and "晚" in late[1] and "⚠️" in late[1]
    hours = [line for line in late if line[:1].isdigit()]
    assert len(hours) >= 2
    rush = (await shop.say(CUSTOMER, "加急的订单"))[0].text
    async with shop.container.uow_factory() as uow:
        theirs = {o.ref for o in await uow.orders.list(customers=["C13"])}
        every = {o.ref for o in await uow.orders.list()}
    shown = {w for w in rush.replace("\n", " ").split() if w in every}
    assert shown <= theirs
    named = (await shop.say(SALES, "李记的订单哪些本周到期"))[0].text
    assert "李记" in named or "本周没有" in named
    stranger = (await shop.say(CUSTOMER, "宏景的订单有哪些延误"))[0].text
    assert "没有找到您可以查看的客户" in stranger
    english = (await shop.say(SUPERVISOR, "late orders"))[0].text
    assert english.startswith("") and "late" in english.splitlines()[0]


async def test_the_bottleneck_its_week_and_the_orders_it_delays(shop: Shop) -> None:
    text = (await shop.say(SUPERVISOR, "瓶颈在哪"))[0].text
    first = text.splitlines()[0]
    assert first.startswith("瓶颈：") and "未来7天" in first and "负荷" in first
    assert "11-18 09:30" in first  # the factory's time, not UTC
    english = (await shop.say(SUPERVISOR, "where is the bottleneck"))[0].text
    assert english.startswith("Bottleneck: ")


async def test_help_fits_the_role(shop: Shop) -> None:
    customer = (await shop.say(CUSTOMER, "帮助"))[0].text
    operator = (await shop.say(OPERATOR, "帮助"))[0].text
    supervisor = (await shop.say(SUPERVISOR, "帮助"))[0].text
    for text in (customer, operator, supervisor):
        assert len([line for line in text.splitlines() if line.startswith("• ")]) == 3
    assert "报工" not in customer and "报废" not in customer and "批准" not in customer
    assert "报废" in operator or "完成" in operator
    assert "哪些订单会延误" in supervisor and "批准 CR-" in supervisor


async def test_chit_chat_gets_a_short_friendly_answer(shop: Shop) -> None:
    assert (await shop.say(SALES, "谢谢"))[0].text.startswith("不客气")
    assert (await shop.say(SALES, "早上好"))[0].text.startswith("早上好！")
    assert (await shop.say(SALES, "在吗"))[0].text == "在的，请说。"
    assert (await shop.say(SALES, "thanks"))[0].text.startswith("You're welcome")


async def test_a_stranger_is_told_how_to_register_and_their_own_id(shop: Shop) -> None:
    [reply] = await shop.say("wx-stranger-42", "SO-31 进度")
    assert "管理员" in reply.text and "wx-stranger-42" in reply.text and "网页聊天" in reply.text
    assert "SO-31" not in reply.text
