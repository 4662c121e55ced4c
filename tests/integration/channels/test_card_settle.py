"""Approval cards to several supervisors: one copy each, and a decision closes the others."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.channels.dingtalk.client import DingTalkClient
from bot.channels.dingtalk.sender import DingTalkSender
from bot.channels.render import reply_to_payload
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.sender import WeComSender
from bot.delivery.cards import CardSettler, MemoryCardDeliveries
from bot.delivery.dispatcher import OutboxDispatcher
from core.messages import Button, Reply
from core.outbox import OutboxMessage
from tests.integration.channels.fakes import FakeClock, FakeOutbox
from tests.stubs.dingtalk import DingTalkStub
from tests.stubs.wecom import TASK_ID, WeComStub

APPROVAL = Reply(kind="card", title="审批 SO-1 CR-12", text="风险: 高", card_id="CR-12-approve",
                 buttons=(Button("approve:CR-12", "批准"), Button("deny:CR-12", "驳回", 2)))
DECIDED = Reply(kind="text", text="已批准 CR-12", settles_card="CR-12-approve",
                settled_by="王主管")


def _row(channel: str, address: str, reply: Reply, key: str) -> OutboxMessage:
    return OutboxMessage(channel=channel, address=address, payload=reply_to_payload(reply),
                         dedupe_key=key, created_at=FakeClock().now())


@pytest.fixture
async def apis(aiohttp_server: Any) -> Any:
    wecom, ding = WeComStub(), DingTalkStub()
    wecom_server = await aiohttp_server(wecom.app())
    ding_server = await aiohttp_server(ding.app())
    session = aiohttp.ClientSession()
    cards = MemoryCardDeliveries()
    clock = FakeClock()
    senders: dict[str, Any] = {
        "wecom": WeComSender(WeComClient(session, str(wecom_server.make_url("")), wecom.corp_id,
                                         wecom.secret, wecom.agent_id), clock, cards),
        "dingtalk": DingTalkSender(DingTalkClient(
            session, str(ding_server.make_url("")), ding.app_key, ding.app_secret), clock,
            interactive_cards=True, cards=cards),
    }
    settler = CardSettler(cards, senders, clock)
    outbox = FakeOutbox()
    dispatcher = OutboxDispatcher(outbox, senders, clock, jitter=lambda: 0.0,
                                  on_sent=settler.after_sent)
    yield wecom, ding, cards, settler, outbox, dispatcher
    await session.close()


async def test_each_supervisor_gets_an_own_task_id_and_response_code(apis: Any) -> None:
    wecom, _, cards, _, outbox, dispatcher = apis
    await outbox.add([_row("wecom", u, APPROVAL, f"CR-12:approval:{u}")
                      for u in ("zhangsan", "lisi")])
    await dispatcher.run_once()
    task_ids = [d["template_card"]["task_id"] for d in wecom.delivered]
    assert len(task_ids) == 2 and len(set(task_ids)) == 2
    assert all(TASK_ID.match(t) for t in task_ids)
    copies = await cards.open_copies("CR-12-approve")
    assert [(c.channel, c.recipient) for c in copies] == [("wecom", "lisi"), ("wecom", "zhangsan")]
    assert all(c.handle.startswith("rc-") for c in copies)


async def test_decision_reply_closes_every_other_copy_once(apis: Any) -> None:
    wecom, ding, cards, settler, outbox, dispatcher = apis
    await outbox.add([_row("wecom", u, APPROVAL, f"CR-12:approval:{u}")
                      for u in ("zhangsan", "lisi")])
    await outbox.add([_row("dingtalk", "staff-2", APPROVAL, "CR-12:approval:staff-2")])
    await dispatcher.run_once()
    codes = {c.recipient: c.handle for c in await cards.open_copies("CR-12-approve")}
    # zhangsan clicked 批准 on WeCom: the click spent his copy's code and brought its own
    wecom._response_codes.discard(codes["zhangsan"])
    wecom.allow_response_code("rc-click-zhangsan")
    assert await cards.clicked("wecom", "CR-12-approve", "zhangsan", "rc-click-zhangsan")
    # the use case's reply to him names the card
    await outbox.add([_row("wecom", "zhangsan", DECIDED, "wecom:reply:click:0")])
    await dispatcher.run_once()
    # lisi's copy with the code from sending, zhangsan's with his click's: both say who decided
    assert sorted(wecom.card_updates, key=lambda u: u["userids"]) == [
        {"userids": ["lisi"], "agentid": wecom.agent_id, "response_code": codes["lisi"],
         "button": {"replace_name": "已由 王主管 处理"}},
        {"userids": ["zhangsan"], "agentid": wecom.agent_id,
         "response_code": "rc-click-zhangsan", "button": {"replace_name": "已由 王主管 处理"}}]
    assert all(c.handle == "" for c in cards.rows.values() if c.channel == "wecom")  # spent
    [update] = ding.card_updates
    assert update["cardBizId"] in ding.cards
    assert "已由 王主管 处理" in update["cardData"]["contents"][0]["text"]
    assert all(c["type"] != "action" for c in update["cardData"]["contents"])
    assert await cards.open_copies("CR-12-approve") == []
    assert await settler.decided_by("CR-12-approve") == "王主管"
    assert await settler.settle("CR-12-approve", "李主管") == 0  # a second decision: nothing


async def test_dingtalk_card_in_stream_mode_is_interactive_with_its_keys(apis: Any) -> None:
    _, ding, cards, _, outbox, dispatcher = apis
    await outbox.add([_row("dingtalk", "staff-1", APPROVAL, "k-ding")])
    await dispatcher.run_once()
    [(biz_id, sent)] = ding.cards.items()
    actions = [c for c in sent["cardData"]["contents"] if c["type"] == "action"][0]["actions"]
    assert [a["id"] for a in actions] == ["approve:CR-12", "deny:CR-12"]
    assert sent["singleChatReceiver"] == '{"userId": "staff-1"}'
    [copy] = await cards.open_copies("CR-12-approve")
    assert copy.handle == biz_id and TASK_ID.match(biz_id)


async def test_an_expired_response_code_does_not_stop_the_others(apis: Any) -> None:
    wecom, _, cards, settler, outbox, dispatcher = apis
    await outbox.add([_row("wecom", u, APPROVAL, f"k-{u}") for u in ("zhangsan", "lisi",
                                                                     "mycreate")])
    await dispatcher.run_once()
    wecom._response_codes.discard(next(c.handle for c in await cards.open_copies(
        "CR-12-approve") if c.recipient == "lisi"))  # used up or past 72 h
    assert await settler.settle("CR-12-approve", "王主管", ("web", "p1")) == 2
    assert sorted(u["userids"][0] for u in wecom.card_updates) == ["mycreate", "zhangsan"]


async def test_a_late_click_updates_the_clickers_copy_with_the_clicks_code(apis: Any) -> None:
    wecom, _, cards, _, outbox, dispatcher = apis
    await outbox.add([_row("wecom", u, APPROVAL, f"CR-12:approval:{u}")
                      for u in ("zhangsan", "lisi")])
    await dispatcher.run_once()
    lisi_code = (await cards.copy("wecom", "CR-12-approve", "lisi")).handle
    wecom._response_codes.discard(lisi_code)  # past 72 h: lisi's copy cannot be closed
    await outbox.add([_row("wecom", "zhangsan", DECIDED, "wecom:reply:click:0")])
    await dispatcher.run_once()
    assert [u["userids"] for u in wecom.card_updates] == [["zhangsan"]]
    # lisi still sees the buttons and clicks 批准; the click brings a fresh code
    wecom.allow_response_code("rc-click-lisi")
    assert await cards.clicked("wecom", "CR-12-approve", "lisi", "rc-click-lisi")
    late = Reply(kind="text", text="CR-12 没有待审批的变更", settles_card="CR-12-approve")
    await outbox.add([_row("wecom", "lisi", late, "wecom:reply:click:1")])
    await dispatcher.run_once()
    assert wecom.card_updates[-1] == {
        "userids": ["lisi"], "agentid": wecom.agent_id, "response_code": "rc-click-lisi",
        "button": {"replace_name": "已由 王主管 处理"}}  # who decided first, not the clicker
    assert len(wecom.card_updates) == 2
    await outbox.add([_row("wecom", "lisi", late, "wecom:reply:click:2")])  # a second late click
    await dispatcher.run_once()
    assert len(wecom.card_updates) == 2  # its code was spent: nothing is sent with it again
