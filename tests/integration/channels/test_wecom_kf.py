"""微信客服 (kf) end to end: the real app on SQLite, the WeCom + kf stub, encrypted callbacks.

A customer outside the company writes in personal WeChat; WeCom calls
/wecom/callback with kf_msg_or_event; the app pulls with kf/sync_msg, answers
through the outbox with kf/send_msg, and keeps the cursor and the 48-hour /
5-message window in the database.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.app import create_app
from bot.channels.wecom_kf.links import KfLinks, LinkRefused
from bot.channels.wecom_kf.sender import kf_texts
from bot.cli.kflink import kf_link
from bot.cli.main import main
from bot.keys import container_key
from bot.settings import Settings
from core.kf import sign_scene, verify_scene
from core.messages import Button, Reply, reply_to_payload
from core.outbox import OutboxMessage, OutboxStatus
from tests.stubs.wecom import WeComEncryptor
from tests.stubs.wecom_kf import KfStub, kf_event_xml
from tests.waiting import wait_for

TOKEN = "QDG6eK"
AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
KFID = "wkAJ2GCAAAstub01"
LINK_SECRET = "kf-link-secret-for-tests-0123456789abcdef"
HUANG = "wmHuangMin000001"  # cust.huangmin, contact of C01 (sales.wangfang's customer)
REF = re.compile(r"SO-\d{4}-\d+")




class Kf:
    """One running app against one stub, with the steps the tests take."""

    def __init__(self, stub: KfStub, settings: Settings, client: Any) -> None:
        self.stub = stub
        self.settings = settings
        self.client = client
        self.enc = WeComEncryptor(TOKEN, AES, stub.corp_id)

    @property
    def uow_factory(self) -> Any:
        return self.client.app[container_key].uow_factory

    async def callback(self) -> None:
        """WeCom says "pull"; the answer is an empty 200 at once."""
        now = int(time.time())
        query, body = self.enc.envelope(
            kf_event_xml(self.stub.corp_id, self.stub.event_token(), KFID, now), str(now))
        resp = await self.client.post("/wecom/callback", params=query, data=body.encode())
        assert (resp.status, await resp.text()) == (200, "")

    async def bind(self, person_id: str, external_userid: str) -> None:
        async with self.uow_factory() as uow:
            person = await uow.parties.person(person_id)
            await uow.parties.save_person(replace(person, wecom_external_userid=external_userid))
            await uow.commit()

    async def ask(self, user: str, text: str) -> str:
        """The customer writes; returns everything kf sent them in answer."""
        before = len(self.stub.kf_sent)
        self.stub.customer_says(KFID, user, text)
        await self.callback()
        await wait_for(lambda: len(self.stub.kf_sent) > before)
        await asyncio.sleep(0.3)  # a second piece, if any
        return "\n".join(m["text"]["content"] for m in self.stub.kf_sent[before:]
                         if m["touser"] == user)

    async def orders_of(self, customer: str) -> set[str]:
        orders = await (await self.client.get("/api/orders")).json()
        return {o["ref"] for o in orders if o["customer"] == customer}

    async def rows(self) -> list[OutboxMessage]:
        async with self.uow_factory() as uow:
            rows: list[OutboxMessage] = await uow.outbox.all()
            return rows

    async def queue_notice(self, user: str, key: str, text: str) -> None:
        now = datetime.now(UTC)
        async with self.uow_factory() as uow:
            await uow.outbox.add([OutboxMessage(
                channel="wecom_kf", address=user, dedupe_key=key, created_at=now,
                payload=reply_to_payload(Reply(kind="text", text=text)), next_attempt_at=now)])
            await uow.commit()


@pytest.fixture
async def kf(aiohttp_server: Any, aiohttp_client: Any, tmp_path: Path) -> Any:
    # the server fixture first, so it is torn down last: the app stops while "WeCom" still answers
    stub = KfStub()
    server = await aiohttp_server(stub.app())
    settings = replace(
        Settings(), db_url=f"sqlite+aiosqlite:///{tmp_path}/kf.db", demo=True,
        plan_time_limit=1.0, outbox_poll_seconds=0.1,
        wecom_corp_id=stub.corp_id, wecom_token=TOKEN, wecom_aes_key=AES,
        wecom_secret=stub.secret, wecom_agent_id=str(stub.agent_id),
        wecom_api_base=str(server.make_url("")).rstrip("/"), wecom_kf_open_kfid=KFID,
        wecom_kf_link_secret=LINK_SECRET)

    async def start() -> Kf:
        client = await aiohttp_client(create_app(settings))
        people = await (await client.get("/api/people")).json()
        stub.users = {p["wecom_userid"] for p in people if p["wecom_userid"]}
        return Kf(stub, settings, client)

    return start


async def test_bound_customer_sees_only_their_own_orders(kf: Any) -> None:
    app = await kf()
    await app.bind("cust.huangmin", HUANG)
    own, others = await app.orders_of("C01"), await app.orders_of("C02")
    assert own and others

    answer = await app.ask(HUANG, "我的订单")
    assert set(REF.findall(answer)) <= own
    mine = sorted(own)[0]
    answer = await app.ask(HUANG, f"{mine} 到哪了")
    assert mine in answer and not set(REF.findall(answer)) - own
    theirs = sorted(others)[0]
    answer = await app.ask(HUANG, f"{theirs} 到哪了")
    assert "没有找到" in answer and "计划" not in answer  # not found, and no plan detail
    sent = [m for m in app.stub.kf_sent if m["touser"] == HUANG]
    assert all(m["open_kfid"] == KFID and m["msgtype"] == "text" for m in sent)


async def test_unknown_external_user_gets_the_unknown_sender_answer_and_no_order_data(
        kf: Any) -> None:
    app = await kf()
    answer = await app.ask("wmStranger000001", "我的订单")
    assert "登记" in answer
    assert not REF.findall(answer)


async def test_unknown_sender_is_shown_their_external_userid(kf: Any) -> None:
    app = await kf()
    assert "wmStranger000002" in await app.ask("wmStranger000002", "你好")


async def test_servicer_messages_are_ignored_and_a_reread_message_is_handled_once(
        kf: Any) -> None:
    app = await kf()
    await app.bind("cust.huangmin", HUANG)
    app.stub.servicer_says(KFID, HUANG, "人工客服：您好")
    await app.ask(HUANG, "帮助")
    assert len(app.stub.kf_sent) == 1  # the servicer's line got no answer
    # WeCom retries the callback, and the cursor is lost as if a crash came before saving it
    async with app.uow_factory() as uow:
        await uow.state.delete(f"wecom_kf.cursor.{KFID}")
        await uow.commit()
    await app.callback()
    await app.callback()
    await asyncio.sleep(1.0)
    assert len(app.stub.kf_sent) == 1
    assert app.stub.sync_requests[-1].get("token")  # every pull passes the event's token


async def test_a_message_whose_handler_died_is_handled_when_read_again(kf: Any) -> None:
    """kf messages go through claim -> handled: a message left `received` by a process that
    died mid-handling (its lease run out) is handled by the next pull that reads it."""
    from bot.channels.pipeline import message_to_dict
    from core.messages import Channel, ChatMessage
    from storage.message_services import SqlInboxService

    app = await kf()
    await app.bind("cust.huangmin", HUANG)
    msgid = app.stub.customer_says(KFID, HUANG, "帮助")
    key, now = f"kf:{msgid}", datetime.now(UTC)
    message = ChatMessage(Channel.WECOM_KF, HUANG, key, now, "帮助", chat_id=KFID)
    dead = SqlInboxService(app.uow_factory)  # the dead process claimed it, then died
    await dead.claim("wecom_kf", key, message_to_dict(message), now, lease_seconds=0)
    await app.callback()
    await wait_for(lambda: len(app.stub.kf_sent) == 1)
    await app.callback()  # read again (a retried callback): handled, so answered once
    await asyncio.sleep(0.5)
    assert len(app.stub.kf_sent) == 1
    async with app.uow_factory() as uow:
        replies = await uow.inbox.reply_keys("wecom_kf", key)
    assert replies  # the handled mark, with its replies' keys


async def test_the_cursor_survives_a_restart(kf: Any) -> None:
    app = await kf()
    await app.bind("cust.huangmin", HUANG)
    await app.ask(HUANG, "帮助")
    assert "cursor" not in app.stub.sync_requests[0]  # the very first pull starts at the top
    await app.client.close()

    pulls = len(app.stub.sync_requests)
    again = await kf()  # a new process on the same database
    await again.ask(HUANG, "help")
    assert again.stub.sync_requests[pulls]["cursor"] == "c-1"
    assert len(again.stub.kf_sent) == 2  # "帮助" was not answered a second time


async def test_enter_session_with_a_signed_link_binds_and_greets(kf: Any) -> None:
    app = await kf()
    async with aiohttp.ClientSession() as session:
        links = KfLinks.build(session, app.settings, app.uow_factory,
                              app.client.app[container_key].clock)
        url = await links.link_for("C03")
        with pytest.raises(LinkRefused):
            await links.link_for("NOPE")
    param = parse_qs(urlsplit(url).query)["scene_param"][0]
    assert app.stub.contact_ways == [{"open_kfid": KFID, "scene": "gongdan"}]

    app.stub.enter_session(KFID, "wmNewCustomer0001", param)
    await app.callback()
    await wait_for(lambda: app.stub.welcomes)
    assert "华兴" in app.stub.welcomes[0]["text"]["content"]
    async with app.uow_factory() as uow:
        person = await uow.parties.person_by_platform("wecom_kf", "wmNewCustomer0001")
    assert person is not None and person.customers == ("C03",)
    assert person.role.value == "customer"
    answer = await app.ask("wmNewCustomer0001", "我的订单")
    assert set(REF.findall(answer)) <= await app.orders_of("C03")


async def test_enter_session_with_a_forged_link_does_not_bind(kf: Any) -> None:
    app = await kf()
    forged = sign_scene(b"not the server's secret", "C01", datetime(2099, 1, 1, tzinfo=UTC))
    app.stub.enter_session(KFID, "wmForger00000001", forged)
    await app.callback()
    await wait_for(lambda: app.stub.welcomes)
    welcome = app.stub.welcomes[0]["text"]["content"]
    assert "登记" in welcome and not REF.findall(welcome)
    async with app.uow_factory() as uow:
        assert await uow.parties.person_by_platform("wecom_kf", "wmForger00000001") is None


async def test_notices_go_through_kf_inside_the_window_and_to_the_salesperson_outside(
        kf: Any) -> None:
    app = await kf()
    await app.bind("cust.huangmin", HUANG)
    await app.queue_notice(HUANG, "delay:SO-1:before", "订单 SO-1 预计延误一天")
    await wait_for(lambda: any("请转告客户" in str(d) for d in app.stub.delivered))
    relay = next(d for d in app.stub.delivered if "请转告客户" in str(d))
    assert relay["touser"] == "Wangfang" and "SO-1 预计延误一天" in relay["text"]["content"]
    assert not app.stub.kf_sent  # the customer never wrote: no window, nothing through kf

    await app.ask(HUANG, "帮助")  # opens the window; the answer uses 1 of 5
    for i in range(5):
        await app.queue_notice(HUANG, f"notice:{i}", f"通知 {i}")
    await wait_for(lambda: sum("请转告客户" in str(d) for d in app.stub.delivered) == 2)
    to_customer = [m["text"]["content"] for m in app.stub.kf_sent if m["touser"] == HUANG]
    assert to_customer[1:] == ["通知 0", "通知 1", "通知 2", "通知 3"]
    assert not app.stub.kf_refused  # the window was kept locally; WeCom never said 95018


async def test_95018_marks_the_notice_dead_without_retries_and_relays_it(kf: Any) -> None:
    app = await kf()
    await app.bind("cust.huangmin", HUANG)
    await app.ask(HUANG, "帮助")
    app.stub.fail_next_kf(95018)  # e.g. a human agent took the session over
    await app.queue_notice(HUANG, "delay:SO-2", "订单 SO-2 预计延误")

    async def dead() -> list[OutboxMessage]:
        # only this notice: the demo's own delay alerts may die meanwhile for their reasons
        return [r for r in await app.rows()
                if r.status is OutboxStatus.DEAD and r.dedupe_key == "delay:SO-2"]

    deadline = time.monotonic() + 20
    while not await dead() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    [row] = await dead()
    assert row.attempts == 1
    assert "95018" in (row.last_error or "") and "sales.wangfang" in (row.last_error or "")
    assert len(app.stub.kf_refused) == 1
    await wait_for(lambda: any("SO-2 预计延误" in str(d) for d in app.stub.delivered))


async def test_rate_limited_pull_and_send_are_retried(kf: Any) -> None:
    app = await kf()
    await app.bind("cust.huangmin", HUANG)
    # the pull is throttled, tries again after a cool-down and gets through; then the
    # answer's first send finds WeCom busy
    app.stub.script_kf(45009, 0, -1)
    app.stub.customer_says(KFID, HUANG, "帮助")
    await app.callback()
    await asyncio.sleep(0.5)
    assert not app.stub.kf_sent and not app.stub.sync_requests
    await wait_for(lambda: app.stub.kf_sent, timeout=30)
    [row] = [r for r in await app.rows() if r.channel == "wecom_kf"]
    assert row.status is OutboxStatus.SENT and row.attempts == 2


async def test_kf_link_command_prints_a_signed_link_and_salespeople_link_only_their_own(
        kf: Any) -> None:
    app = await kf()
    url = await kf_link(app.settings, "C01")
    assert url.startswith("https://work.weixin.qq.com/kfid/") and "&scene_param=" in url
    param = parse_qs(urlsplit(url).query)["scene_param"][0]
    assert verify_scene(LINK_SECRET.encode(), param, datetime.now(UTC)) == "C01"
    async with app.uow_factory() as uow:
        wangfang = await uow.parties.person("sales.wangfang")
        admin = await uow.parties.person("admin.tanbo")
    async with aiohttp.ClientSession() as session:
        links = KfLinks.build(session, app.settings, app.uow_factory,
                              app.client.app[container_key].clock)
        assert "scene_param=" in await links.link_for("C01", wangfang)
        assert "scene_param=" in await links.link_for("C02", admin)
        with pytest.raises(LinkRefused):
            await links.link_for("C02", wangfang)
    assert len(app.stub.contact_ways) == 1  # the account's link is fetched once and kept


def test_kf_link_command_without_kf_settings_is_one_line_and_creates_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in os.environ if k.startswith("GONGDAN_")]:
        monkeypatch.delenv(name)
    db = tmp_path / "none.db"
    assert main(["kf-link", "C01", "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "GONGDAN_WECOM_CORP_ID" in err
    assert not db.exists()


def test_kf_text_drops_markdown_markup_and_turns_cards_into_their_typed_fallback() -> None:
    alert = Reply("markdown", "### 交期预警\n\n**SO-1** 预计延误 2 天", title="交期预警")
    assert kf_texts(reply_to_payload(alert)) == ["交期预警\n\nSO-1 预计延误 2 天"]
    card = Reply("card", "SO-1 数量 8 -> 20件", title="变更确认 CR-1",
                 buttons=(Button("confirm:CR-1", "确认"), Button("reject:CR-1", "取消")),
                 fallback_text="回复 1 确认 / 2 取消")
    assert kf_texts(reply_to_payload(card)) == [
        "变更确认 CR-1\nSO-1 数量 8 -> 20件\n回复 1 确认 / 2 取消"]
    long = kf_texts(reply_to_payload(Reply("text", "进度" * 700)))
    assert len(long) == 3 and all(len(p.encode()) <= 2048 for p in long)
