"""Change control through the conversation service, on the seeded demo factory."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.model.change_request import CRStatus
from core.outbox import OutboxMessage
from core.planning.types import SolveParams
from core.services.planning import Planner
from tests.integration.change_control.conftest import Shop, make_shop

SALES_C13 = "sales.wangfang"  # owns C13, the customer of SO-31
SALES_OTHER = "sales.liuyang"
PLANNER = "plan.hejun"
SUPERVISOR = "sup.zhanggang"


def _cr_ref(replies: list) -> str:  # type: ignore[type-arg]
    for r in replies:
        for b in r.buttons:
            if b.key.startswith(("confirm:", "approve:")):
                return b.key.split(":", 1)[1]
    raise AssertionError(f"no card in {replies}")


async def _outbox(shop: Shop) -> list[OutboxMessage]:
    async with shop.container.uow_factory() as uow:
        return await uow.outbox.all()


async def test_quantity_change_shows_impact_then_applies_with_audit(shop: Shop) -> None:
    replies = await shop.say(SALES_C13, "SO-31 数量改成150件")
    card = replies[0]
    assert card.kind == "card" and "SO-31" in card.title
    assert "回复 1 确认 / 2 取消" in card.fallback_text
    assert "风险" in card.text
    cr_ref = _cr_ref(replies)
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get("SO-31")
        assert order is not None and order.quantity == 120  # nothing applied before confirming
        plan_before = (await uow.plans.latest()).number  # type: ignore[union-attr]

    done = await shop.say(SALES_C13, button=f"confirm:{cr_ref}")
    approval_needed = "主管审批" in done[0].text
    if approval_needed:  # more stock to buy and others slipping: a supervisor decides
        done = await shop.say(SUPERVISOR, button=f"approve:{cr_ref}")
    assert "已生效" in done[0].text, done[0].text
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get("SO-31")
        assert order is not None and order.quantity == 150 and order.change_count == 1
        cr = await uow.change_requests.get(cr_ref)
        applied_plan = await uow.plans.get(plan_before + 1)
    assert cr is not None and cr.status is CRStatus.APPLIED
    # the change commits the plan it was assessed with as the next version; a polish may follow
    assert applied_plan is not None and cr.plan_version == applied_plan.number
    assert applied_plan.reason == f"{cr_ref} SO-31" and applied_plan.etas["SO-31"].eta is not None
    middle = ["awaiting_approval", "approved"] if approval_needed else []
    assert [a.action for a in cr.audit] == ["requested", "parsed", "assessed", *middle, "applied"]
    assert cr.audit[0].detail["text"] == "SO-31 数量改成150件"
    assert cr.audit[1].detail["command"]["changes"][0] == {
        "field": "quantity",
        "value": 150,
        "unit": "件",
    }
    assert cr.audit[-1].detail["plan_version"] == applied_plan.number
    assert "plan" in cr.impact and "materials" in cr.impact
    topics = {m.meta["topic"] for m in await _outbox(shop)}
    assert f"{cr_ref}:shop" in topics and f"{cr_ref}:warehouse" in topics
    assert f"{cr_ref}:qc" not in topics  # no spec changed: QC is not bothered


async def test_what_if_changes_nothing(shop: Shop) -> None:
    replies = await shop.say(SALES_C13, "如果SO-31加急会怎样")
    assert "假设评估" in replies[0].text
    async with shop.container.uow_factory() as uow:
        assert await uow.change_requests.for_order("SO-31") == []
        order = await uow.orders.get("SO-31")
        assert order is not None and order.priority.value == "normal"


async def test_other_salesperson_is_refused_with_reason(shop: Shop) -> None:
    replies = await shop.say(SALES_OTHER, "SO-31 数量改成150件")
    assert "不归您负责" in replies[0].text


async def test_closed_orders_are_refused(shop: Shop) -> None:
    for ref, word in (("SO-2026-0079", "已发货"), ("SO-2026-0082", "已取消")):
        replies = await shop.say(SUPERVISOR, f"{ref} 数量改成10件")
        assert word in replies[0].text and "不能再变更" in replies[0].text


async def test_change_limit_and_freeze_point_block(shop: Shop) -> None:
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get("SO-31")
        assert order is not None
        order.change_count = 2  # C13 allows two changes per order
        await uow.orders.save(order)
        await uow.commit()
    replies = await shop.say(SALES_C13, "SO-31 交期推迟一周")
    assert "拒绝" in replies[0].text
    async with shop.container.uow_factory() as uow:
        crs = await uow.change_requests.for_order("SO-31")
    assert [c.status for c in crs] == [CRStatus.REFUSED]

    # SO-77 is in progress with laser cutting started; C02 freezes quantity after 激光切割
    replies = await shop.say(SUPERVISOR, "SO-77 数量改成20件")
    text = replies[0].text
    assert "拒绝" in text and "激光切割" in text, text


async def test_pending_confirmation_expires(shop: Shop) -> None:
    cr_ref = _cr_ref(await shop.say(SALES_C13, "SO-31 交期推迟一周"))
    shop.clock.advance(minutes=31)
    replies = await shop.say(SALES_C13, "1")
    assert "已过期" in replies[0].text
    async with shop.container.uow_factory() as uow:
        cr = await uow.change_requests.get(cr_ref)
    assert cr is not None and cr.status is CRStatus.EXPIRED


async def test_approval_and_denial(shop: Shop) -> None:
    # C03 (SO-12) has a contract that sends every change to a supervisor
    cr_ref = _cr_ref(await shop.say("sales.chenjing", "SO-12 交期推迟三天"))
    replies = await shop.say("sales.chenjing", button=f"confirm:{cr_ref}")
    assert "主管审批" in replies[0].text
    approval_cards = [
        m for m in await _outbox(shop) if m.meta.get("topic") == f"{cr_ref}:approval"
    ]
    assert {m.meta["person"] for m in approval_cards} == {"sup.zhanggang", "sup.yangxue"}
    assert any(b["key"] == f"approve:{cr_ref}" for b in approval_cards[0].payload["buttons"])
    assert "只有主管" in (await shop.say("sales.chenjing", f"批准 {cr_ref}"))[0].text
    done = await shop.say(SUPERVISOR, button=f"approve:{cr_ref}")
    assert "已生效" in done[0].text
    assert (done[0].settles_card, done[0].settled_by) == (f"{cr_ref}-approve", "张刚")
    async with shop.container.uow_factory() as uow:
        cr = await uow.change_requests.get(cr_ref)
    assert cr is not None and cr.status is CRStatus.APPLIED and cr.decided_by == SUPERVISOR
    # the other supervisor's late click: refused, and its copy is to say who decided first
    late = await shop.say("sup.yangxue", button=f"approve:{cr_ref}")
    assert "已生效" not in late[0].text
    assert (late[0].settles_card, late[0].settled_by) == (f"{cr_ref}-approve", "")

    second = _cr_ref(await shop.say("sales.chenjing", "SO-12 数量改成40件"))
    await shop.say("sales.chenjing", button=f"confirm:{second}")
    denied = await shop.say(SUPERVISOR, f"驳回 {second}")
    assert "已驳回" in denied[0].text
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get("SO-12")
        cr = await uow.change_requests.get(second)
    assert order is not None and order.quantity == 30
    assert cr is not None and cr.status is CRStatus.DENIED
    assert any(m.meta.get("topic") == f"{second}:denied" for m in await _outbox(shop))


async def test_customer_request_goes_to_their_salesperson(shop: Shop) -> None:
    replies = await shop.say("cust.lijia", "SO-31 交期推迟一周")
    assert "负责销售确认" in replies[0].text
    asks = [m for m in await _outbox(shop) if m.meta.get("topic", "").endswith(":ask-sales")]
    assert [m.meta["person"] for m in asks] == [SALES_C13]
    cr_ref = asks[0].payload["buttons"][0]["key"].split(":", 1)[1]
    assert "不是由您确认" in (await shop.say("cust.lijia", button=f"confirm:{cr_ref}"))[0].text
    done = await shop.say(SALES_C13, button=f"confirm:{cr_ref}")
    assert "已生效" in done[0].text


async def test_customer_sees_only_own_orders_and_cannot_probe(shop: Shop) -> None:
    own = await shop.say("cust.lijia", "SO-31 到哪一步了")
    assert "SO-31" in own[0].text and "预计完工" in own[0].text
    other = await shop.say("cust.lijia", "SO-77 到哪一步了")
    missing = await shop.say("cust.lijia", "SO-99999 到哪一步了")
    assert other[0].text.replace("SO-77", "X") == missing[0].text.replace("SO-99999", "X")
    other_change = await shop.say("cust.lijia", "SO-77 数量改成5件")
    shop.clock.advance(minutes=20)  # let the pending question lapse
    missing_change = await shop.say("cust.lijia", "SO-99999 数量改成5件")
    assert other_change[0].text.replace("SO-77", "X") == missing_change[0].text.replace(
        "SO-99999", "X"
    )
    assert "SO-2026-0002" not in other_change[0].text  # only the contact's own orders are offered


async def test_unknown_user_gets_only_a_registration_hint(shop: Shop) -> None:
    replies = await shop.say("stranger", "SO-31 到哪一步了")
    assert len(replies) == 1 and "登记" in replies[0].text and "SO-31" not in replies[0].text


async def test_progress_report_records_and_replans(shop: Shop) -> None:
    replies = await shop.say("op.zhangwei", "SO-31 开料 完成50件 报废2")
    assert "已记录" in replies[0].text, replies[0].text
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get("SO-31")
    assert order is not None
    op = order.operation("开料")
    assert op is not None and (op.qty_done, op.qty_scrap) == (50, 2) and op.started
    assert "只有车间" in (await shop.say(SALES_C13, "SO-31 开料 完成5件"))[0].text
    # the replan runs in the background on the tracker the caller handed in (the
    # server drains it at shutdown), even though that tracker started empty
    assert len(shop.tasks) == 1
    await shop.tasks.drain()
    async with shop.container.uow_factory() as uow:
        latest = await uow.plans.latest()
    assert latest is not None and latest.reason == "report SO-31"


async def _conflicting_confirms(db_url: str) -> None:
    shop = await make_shop(db_url)
    try:
        async with shop.container.uow_factory() as uow:
            original = (await uow.orders.get("SO-31")).due_date  # type: ignore[union-attr]
        first = _cr_ref(await shop.say(SALES_C13, "SO-31 交期推迟一周"))
        second = _cr_ref(await shop.say(PLANNER, "SO-31 交期推迟两周"))
        a, b = await asyncio.gather(
            shop.say(SALES_C13, button=f"confirm:{first}"),
            shop.say(PLANNER, button=f"confirm:{second}"),
        )
        async with shop.container.uow_factory() as uow:
            crs = {c.ref: c for c in await uow.change_requests.for_order("SO-31")}
            order = await uow.orders.get("SO-31")
        statuses = sorted(crs[r].status.value for r in (first, second))
        assert statuses == ["applied", "superseded"]
        loser_replies = b if crs[second].status is CRStatus.SUPERSEDED else a
        assert "重新评估" in loser_replies[0].text
        assert any(r.kind == "card" for r in loser_replies[1:])  # asked again on fresh facts
        fresh = [c for c in crs.values() if c.ref not in (first, second)]
        assert len(fresh) == 1 and fresh[0].status is CRStatus.AWAITING_CONFIRMATION
        assert order is not None and order.change_count == 1
        assert (order.due_date - original).days in (7, 14)
    finally:
        await shop.close()


async def test_conflicting_confirms_exactly_one_applies(db_url: str) -> None:
    await _conflicting_confirms(db_url)


async def test_missing_piece_is_asked_and_the_answer_completes_it(shop: Shop) -> None:
    question = await shop.say(SALES_C13, "SO-31 交期改一下")
    assert question[0].kind == "text" and ("?" in question[0].text or "？" in question[0].text)
    replies = await shop.say(SALES_C13, "推迟一周")
    assert replies[0].kind == "card" and "SO-31" in replies[0].title


async def test_pending_question_expires(shop: Shop) -> None:
    await shop.say(SALES_C13, "SO-31 交期改一下")
    shop.clock.advance(minutes=16)
    replies = await shop.say(SALES_C13, "推迟一周")
    assert replies[0].kind != "card"


async def test_my_orders_is_one_short_list(shop: Shop) -> None:
    replies = await shop.say(SUPERVISOR, "我的订单")
    assert len(replies) == 1
    lines = replies[0].text.splitlines()
    assert len(lines) <= 10 and "SO-" in replies[0].text
    picked = await shop.say(SUPERVISOR, "1")
    assert "预计完工" in picked[0].text or "ETA" in picked[0].text


async def test_english_message_gets_english_reply(shop: Shop) -> None:
    replies = await shop.say(SALES_C13, "where is SO-31")
    assert "ETA" in replies[0].text and "预计" not in replies[0].text


async def test_the_card_restates_what_was_understood_first(shop: Shop) -> None:
    async with shop.container.uow_factory() as uow:
        order = await uow.orders.get("SO-31")
    assert order is not None
    card = (await shop.say(SALES_C13, "SO-31 数量改成150件 加急"))[0]
    assert card.text.splitlines()[:2] == [f"数量 {order.quantity} → 150件", "加急"]
    due = order.due_date
    english = (await shop.say(SALES_C13, "change SO-31 due date to 2026-12-31"))[0]
    assert english.text.splitlines()[0] == f"Due date {due:%m-%d} → 12-31"


async def test_confirm_commits_the_assessed_plan_then_a_polish_follows(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    cr_ref = _cr_ref(await shop.say(SALES_C13, "SO-31 交期推迟一周"))
    solves: list[object] = []
    real = Planner._solve

    def spy(inp: Any, previous: Any, changed: Any, params: SolveParams) -> Any:
        solves.append(changed)
        return real(inp, previous, changed, params)

    monkeypatch.setattr(Planner, "_solve", staticmethod(spy))
    done = await shop.say(SALES_C13, button=f"confirm:{cr_ref}")
    assert "已生效" in done[0].text and solves == []  # no solver run before the reply
    await shop.container.tasks.drain(grace=30)
    assert solves == [["SO-31"]]
    async with shop.container.uow_factory() as uow:
        cr = await uow.change_requests.get(cr_ref)
        assert cr is not None and cr.plan_version is not None
        applied = await uow.plans.get(cr.plan_version)
        polished = await uow.plans.latest()
    assert applied is not None and applied.method.startswith("repair")
    assert polished is not None and polished.number == applied.number + 1
    assert polished.reason == f"polish {cr_ref} SO-31"


async def test_confirm_after_the_plan_moved_assesses_again_and_applies(shop: Shop) -> None:
    cr_ref = _cr_ref(await shop.say(SALES_C13, "SO-31 交期推迟一周"))
    other = await shop.container.planner.replan("someone else's change")
    done = await shop.say(SALES_C13, button=f"confirm:{cr_ref}")
    assert "已生效" in done[0].text
    async with shop.container.uow_factory() as uow:
        cr = await uow.change_requests.get(cr_ref)
        applied = await uow.plans.get(other.version.number + 1)
    assert cr is not None and cr.plan_version == other.version.number + 1
    assert applied is not None and applied.reason == f"{cr_ref} SO-31"


async def test_a_message_handled_again_acts_once_and_answers_the_same(shop: Shop) -> None:
    """As after a kill -9 between an effect's commit and the handled mark: the same message
    (same inbox key) runs again; the request, the apply and the report each happen once."""
    from core.idempotency import Source, handling
    from core.messages import Reply

    async def twice(key: str, user: str, text: str = "", button: str | None = None
                    ) -> tuple[list[Reply], list[Reply]]:
        with handling(Source("web", key)):
            first = await shop.say(user, text, button)
            return first, await shop.say(user, text, button)

    card, card_again = await twice("k-request", PLANNER, "SO-31 交期推迟一周")
    cr_ref = _cr_ref(card)
    assert _cr_ref(card_again) == cr_ref
    done, done_again = await twice("k-confirm", PLANNER, "确认")
    assert "已生效" in done[0].text and done_again[0].text == done[0].text
    report, report_again = await twice("k-report", "op.zhangwei", "SO-31 开料 完成5件")
    assert "已记录" in report[0].text and report_again[0].text == report[0].text
    async with shop.container.uow_factory() as uow:
        crs = await uow.change_requests.for_order("SO-31")
        order = await uow.orders.get("SO-31")
    assert [c.ref for c in crs] == [cr_ref] and crs[0].status is CRStatus.APPLIED
    assert order is not None and order.change_count == 1
    op = order.operation("开料")
    assert op is not None and op.qty_done == 5
