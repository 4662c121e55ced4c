"""Asking the bot for a customer's 微信客服 binding link (the kf_link intent), through the chat.

The real app on SQLite with the WeCom + kf stub answering kf/add_contact_way;
messages go in through the web chat as the demo's people.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.app import create_app
from bot.settings import Settings
from core.kf import verify_scene
from tests.stubs.wecom_kf import KfStub

KFID = "wkAJ2GCAAAstub01"
LINK_SECRET = "kf-link-secret-for-tests-0123456789abcdef"
URL = re.compile(r"https?://\S+")


class Chat:
    def __init__(self, client: Any, stub: KfStub | None) -> None:
        self.client = client
        self.stub = stub

    async def say(self, user: str, text: str) -> str:
        resp = await self.client.post("/api/chat", json={"user": user, "text": text})
        assert resp.status == 200
        return "\n".join(r["text"] for r in (await resp.json())["replies"])


def _base(tmp_path: Path) -> Settings:
    return replace(Settings(), db_url=f"sqlite+aiosqlite:///{tmp_path}/link.db", demo=True,
                   plan_time_limit=0.5, outbox_poll_seconds=0.1)


@pytest.fixture
async def chat(aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path) -> Any:
    async def start(kf: bool = True) -> Chat:
        settings, stub = _base(tmp_path), None
        if kf:
            stub = KfStub()
            server = await aiohttp_server(stub.app())
            settings = replace(
                settings, wecom_corp_id=stub.corp_id, wecom_secret=stub.secret,
                wecom_agent_id=str(stub.agent_id),
                wecom_api_base=str(server.make_url("")).rstrip("/"),
                wecom_kf_open_kfid=KFID, wecom_kf_link_secret=LINK_SECRET)
        return Chat(await aiohttp_client(create_app(settings)), stub)
    return start


def _customer_in(url: str) -> str | None:
    param = parse_qs(urlsplit(url).query)["scene_param"][0]
    return verify_scene(LINK_SECRET.encode(), param, datetime.now(UTC))


async def test_a_salesperson_gets_a_signed_link_for_their_customer_by_name_or_code(
        chat: Any) -> None:
    app = await chat()
    answer = await app.say("sales.chenjing", "给华兴发个绑定链接")
    [url] = URL.findall(answer)
    assert _customer_in(url) == "C03"
    assert "华兴电气成套设备有限公司" in answer and "发给客户的联系人" in answer
    assert "微信里打开" in answer

    answer = await app.say("sales.chenjing", "binding link for C03")
    [url] = URL.findall(answer)
    assert _customer_in(url) == "C03" and "Send this link to the customer's contact" in answer
    assert app.stub is not None and len(app.stub.contact_ways) == 1  # fetched once, kept


async def test_someone_elses_unknown_or_unnamed_customer_gets_no_link(chat: Any) -> None:
    app = await chat()
    answer = await app.say("sales.chenjing", "C01 客服链接")  # C01 is 王芳's customer
    assert "不归您负责" in answer and not URL.findall(answer)
    answer = await app.say("sales.chenjing", "客户绑定二维码 天马行空公司")
    assert "没有找到客户" in answer and not URL.findall(answer)
    answer = await app.say("sales.chenjing", "发个绑定链接")
    assert "哪个客户" in answer and "C03 华兴电气成套设备有限公司" in answer
    assert "C01" not in answer  # only her own customers are offered
    assert app.stub is not None and not app.stub.contact_ways


async def test_a_supervisor_may_link_any_customer_but_customers_and_operators_may_not(
        chat: Any) -> None:
    app = await chat()
    answer = await app.say("sup.zhanggang", "C01 客服链接")
    [url] = URL.findall(answer)
    assert _customer_in(url) == "C01"
    answer = await app.say("cust.huangmin", "给宏景发个绑定链接")
    assert "已经绑定" in answer and not URL.findall(answer)
    answer = await app.say("op.zhangwei", "binding link for C01")
    assert "Only sales, supervisors" in answer and not URL.findall(answer)


async def test_without_kf_configured_the_answer_says_what_to_set(chat: Any) -> None:
    app = await chat(kf=False)
    answer = await app.say("sales.chenjing", "给华兴发个绑定链接")
    assert "微信客服还没有配置" in answer and "GONGDAN_WECOM_KF_OPEN_KFID" in answer
    assert not URL.findall(answer)
