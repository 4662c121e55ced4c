"""Quote, new order and confirm through /api/chat on the demo app; the order is in /api/orders."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import create_app
from bot.settings import Settings


async def test_quote_then_order_then_confirm_through_the_chat_api(aiohttp_client,  # type: ignore[no-untyped-def]
                                                                   tmp_path: Path) -> None:
    settings = replace(Settings(), db_url=f"sqlite+aiosqlite:///{tmp_path}/demo.db",
                       plan_time_limit=1.0, demo=True)
    client = await aiohttp_client(create_app(settings))

    async def say(**body: str) -> list[dict[str, object]]:
        resp = await client.post("/api/chat", json={"user": "sales.wangfang", **body})
        assert resp.status == 200
        data = await resp.json()
        return list(data["replies"] if isinstance(data, dict) else data)

    [quote] = await say(text="L型办公桌 30张最早什么时候能交")
    assert "最早可交" in str(quote["text"])
    due = (datetime.now(ZoneInfo(settings.tz)).date() + timedelta(days=60)).isoformat()
    [card] = await say(text=f"新单 宏景 L型办公桌 30张 胡桃木色 {due}交")
    buttons = card["buttons"]
    assert isinstance(buttons, list)
    key = next(b["key"] for b in buttons if str(b["key"]).startswith("confirm:"))
    [done] = await say(button=key)
    assert "已建立" in str(done["text"])
    orders = await (await client.get("/api/orders")).json()
    mine = [o for o in orders if o["customer"] == "C01" and o["due_date"] == due
            and o["product"] == "F-DESK-L" and o["quantity"] == 30]
    assert len(mine) == 1 and mine[0]["eta"] is not None
    eta = datetime.fromisoformat(mine[0]["eta"]).astimezone(ZoneInfo(settings.tz))
    assert eta.date().isoformat() <= due
