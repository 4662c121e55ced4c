"""Two supervisors get the approval card; once one decides, the other's copy is closed.

Through WeCom end to end: the change is sent, confirmed by the salesperson's
click, routed to both supervisors (approval forced by the threshold), approved
by one click, and the stub then sees the other supervisor's card updated to
"已由 … 处理" with the response code WeCom gave for that copy, and the clicked
copy updated the same way with the click's own ResponseCode.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.settings import Settings
from tests.stubs.wecom import WeComEncryptor, WeComStub, card_event_xml, text_xml
from tests.waiting import wait_for

TOKEN = "QDG6eK"
AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"




async def test_a_decision_closes_the_other_supervisors_card(
        aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path) -> None:
    stub = WeComStub()
    server = await aiohttp_server(stub.app())
    settings = replace(
        Settings(), db_url=f"sqlite+aiosqlite:///{tmp_path}/cards.db", demo=True,
        plan_time_limit=1.0, approval_risk_threshold="low",
        wecom_corp_id=stub.corp_id, wecom_token=TOKEN, wecom_aes_key=AES,
        wecom_secret=stub.secret, wecom_agent_id=str(stub.agent_id),
        wecom_api_base=str(server.make_url("")).rstrip("/"),
    )
    client = await aiohttp_client(create_app(settings))
    people = await (await client.get("/api/people")).json()
    stub.users = {p["wecom_userid"] for p in people}
    wecom = {p["id"]: p["wecom_userid"] for p in people}
    sales, boss, other = wecom["sales.wangfang"], wecom["sup.zhanggang"], wecom["sup.yangxue"]
    enc = WeComEncryptor(TOKEN, AES, stub.corp_id)

    def cards_to(user: str) -> list[dict[str, Any]]:
        return [d["template_card"] for d in stub.delivered
                if d["touser"] == user and d.get("msgtype") == "template_card"]

    async def post(xml: str, at: int) -> None:
        query, body = enc.envelope(xml, str(at))
        assert (await client.post("/wecom/callback", params=query, data=body)).status == 200

    now = int(time.time())
    await post(text_xml(stub.corp_id, sales, "SO-31 交期推迟三天", now, 7001), now)
    await wait_for(lambda: cards_to(sales))
    card = cards_to(sales)[0]
    confirm = next(b["key"] for b in card["button_list"] if b["key"].startswith("confirm:"))
    await post(card_event_xml(stub.corp_id, sales, now + 1, confirm, card["task_id"]), now + 1)
    await wait_for(lambda: cards_to(boss) and cards_to(other))
    boss_card, other_card = cards_to(boss)[0], cards_to(other)[0]
    assert boss_card["task_id"] != other_card["task_id"]  # unique per recipient, as WeCom asks

    approve = next(b["key"] for b in boss_card["button_list"] if b["key"].startswith("approve:"))
    stub.allow_response_code("rc-boss-click")  # the click's own, single-use code
    await post(card_event_xml(stub.corp_id, boss, now + 2, approve, boss_card["task_id"],
                              "rc-boss-click"), now + 2)
    await wait_for(lambda: any(other in u.get("userids", []) for u in stub.card_updates))
    update = next(u for u in stub.card_updates if other in u.get("userids", []))
    assert "张刚" in str(update)  # "已由 张刚 处理" on the copy nobody clicked
    # the clicked copy, greyed passively at once, then says who decided, with the click's code
    await wait_for(lambda: any(boss in u.get("userids", []) for u in stub.card_updates))
    [mine] = [u for u in stub.card_updates if boss in u.get("userids", [])]
    assert mine["response_code"] == "rc-boss-click" and "张刚" in str(mine["button"])
