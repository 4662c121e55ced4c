"""The whole product through WeCom: an encrypted message in, the impact card out through
the outbox to the WeCom stub, a card click, and the change applied in the database."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.keys import container_key
from bot.settings import Settings
from core.change_control.deps import RISK_ORDER
from tests.stubs.wecom import WeComEncryptor, WeComStub, card_event_xml, text_xml
from tests.waiting import wait_for

TOKEN = "QDG6eK"
AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"




def _reply_text(enc: WeComEncryptor, body: str) -> str:
    if not body:
        return ""
    encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", body)
    assert encrypt is not None, body
    return enc.decrypt(encrypt.group(1))


async def test_change_by_wecom_end_to_end(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path
) -> None:
    stub = WeComStub()
    server = await aiohttp_server(stub.app())
    settings = replace(
        Settings(),
        db_url=f"sqlite+aiosqlite:///{tmp_path}/e2e.db",
        demo=True,
        plan_time_limit=1.0,
        wecom_corp_id=stub.corp_id,
        wecom_token=TOKEN,
        wecom_aes_key=AES,
        wecom_secret=stub.secret,
        wecom_agent_id=str(stub.agent_id),
        wecom_api_base=str(server.make_url("")).rstrip("/"),
    )
    client = await aiohttp_client(create_app(settings))
    people = await (await client.get("/api/people")).json()
    stub.users = {p["wecom_userid"] for p in people}
    sales = next(p for p in people if p["id"] == "sales.wangfang")["wecom_userid"]
    enc = WeComEncryptor(TOKEN, AES, stub.corp_id)
    before = next(o for o in await (await client.get("/api/orders")).json() if o["ref"] == "SO-31")

    now = int(time.time())
    query, body = enc.envelope(
        text_xml(stub.corp_id, sales, "SO-31 交期推迟一周", now, 9001), str(now)
    )
    resp = await client.post("/wecom/callback", params=query, data=body)
    assert resp.status == 200
    passive = _reply_text(enc, await resp.text())
    # the impact card is a template card: it goes through the send API, never passively
    await wait_for(lambda: any(d.get("msgtype") == "template_card" for d in stub.delivered))
    card = next(d for d in stub.delivered if d.get("msgtype") == "template_card")["template_card"]
    assert card["card_type"] == "button_interaction" and "SO-31" in str(card)
    key = next(b["key"] for b in card["button_list"] if b["key"].startswith("confirm:"))
    assert passive == ""  # nothing passive: the card went through the send API alone

    # WeCom retries the same message: nothing is handled twice
    again = await client.post("/wecom/callback", params=query, data=body)
    assert again.status == 200 and await again.text() == ""

    async def click(user: str, button: str, task_id: str, at: int) -> None:
        query, body = enc.envelope(
            card_event_xml(stub.corp_id, user, at, button, task_id), str(at)
        )
        resp = await client.post("/wecom/callback", params=query, data=body)
        assert resp.status == 200
        assert "update_button" in _reply_text(enc, await resp.text())  # the card greys out

    def said_to(user: str, words: str) -> bool:
        return any(d["touser"] == user and words in str(d) for d in stub.delivered)

    # whether a supervisor must approve follows from the stored risk and the contract
    container = client.app[container_key]
    cr_ref = key.split(":", 1)[1]
    async with container.uow_factory() as uow:
        cr = await uow.change_requests.get(cr_ref)
        order = await uow.orders.get("SO-31")
        assert cr is not None and order is not None
        customer = await uow.parties.customer(order.customer_code)
    assert customer is not None
    needs_approval = (
        RISK_ORDER[cr.risk] >= RISK_ORDER[settings.approval_risk_threshold]
        or customer.policy.approval_always
    )

    await click(sales, key, card["task_id"], now + 1)
    if needs_approval:  # high impact: the sales click routes it, a supervisor approves
        await wait_for(lambda: said_to(sales, "主管审批"))
        assert not said_to(sales, "已生效")
        sup = next(p for p in people if p["id"] == "sup.zhanggang")["wecom_userid"]
        approval = next(
            d for d in stub.delivered if d["touser"] == sup and d.get("msgtype") == "template_card"
        )["template_card"]
        approve = next(
            b["key"] for b in approval["button_list"] if b["key"].startswith("approve:")
        )
        await click(sup, approve, approval["task_id"], now + 2)
        await wait_for(lambda: said_to(sup, "已生效"))
    else:
        await wait_for(lambda: said_to(sales, "已生效"))
        assert not said_to(sales, "主管审批")
    orders = await (await client.get("/api/orders")).json()
    so31 = next(o for o in orders if o["ref"] == "SO-31")
    assert so31["eta"] is not None
    assert (
        date.fromisoformat(so31["due_date"]) - date.fromisoformat(before["due_date"])
    ).days == 7

    # a forged signature changes nothing
    query, body = enc.envelope(
        text_xml(stub.corp_id, sales, "SO-31 取消", now + 2, 9002), str(now + 2)
    )
    query["msg_signature"] = "0" * 40
    assert (await client.post("/wecom/callback", params=query, data=body)).status == 403
