"""The demo server from the outside: seeded once, planned, serving the contract's endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.settings import Settings


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return replace(
        Settings(), db_url=f"sqlite+aiosqlite:///{tmp_path}/demo.db", plan_time_limit=1.0, **kw
    )  # type: ignore[arg-type]


@pytest.fixture
async def demo_client(aiohttp_client, tmp_path: Path) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = _settings(tmp_path, demo=True)
    yield await aiohttp_client(create_app(settings))


async def test_healthz_and_seeded_orders(demo_client: TestClient) -> None:
    health = await demo_client.get("/healthz")
    assert health.status == 200 and await health.text() == "ok"
    orders = await (await demo_client.get("/api/orders")).json()
    open_orders = [o for o in orders if o["status"] in ("draft", "released", "in_progress")]
    assert len(open_orders) >= 80
    assert set(orders[0]) == {"ref", "customer", "salesperson", "product", "quantity", "due_date",
                              "eta", "status"}
    assert all(o["eta"] for o in open_orders if o["status"] != "draft")  # every one is planned
    people = await (await demo_client.get("/api/people")).json()
    roles = {p["role"] for p in people}
    assert {
        "sales",
        "customer",
        "supervisor",
        "planner",
        "operator",
        "purchasing",
        "warehouse",
        "qc",
        "admin",
    } <= roles
    assert all(p["wecom_userid"] and p["dingtalk_staff_id"] for p in people)


async def test_api_needs_the_admin_token_outside_demo(aiohttp_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(_settings(tmp_path, admin_token="s3cret")))
    assert (await client.get("/api/orders")).status == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert (await client.get("/api/orders", headers=wrong)).status == 401
    ok = await client.get("/api/orders", headers={"Authorization": "Bearer s3cret"})
    assert ok.status == 200 and await ok.json() == []
    assert (await client.get("/healthz")).status == 200


async def test_chat_cards_restate_the_change_and_double_the_current_quantity(
        demo_client: TestClient) -> None:
    from datetime import date, timedelta

    orders = await (await demo_client.get("/api/orders")).json()
    so31 = next(o for o in orders if o["ref"] == "SO-31")
    qty, due = so31["quantity"], date.fromisoformat(so31["due_date"])

    async def say(text: str) -> dict[str, object]:
        resp = await demo_client.post("/api/chat", json={"user": "sales.wangfang", "text": text})
        assert resp.status == 200
        replies: list[dict[str, object]] = (await resp.json())["replies"]
        return replies[0]

    doubled = await say("SO-31 数量翻倍")
    assert doubled["kind"] == "card"
    assert str(doubled["text"]).splitlines()[0] == f"数量 {qty} → {qty * 2}件（×2）"
    later = await say("SO-31 交期推迟2天")
    first = str(later["text"]).splitlines()[0]
    assert first == f"交期 {due:%m-%d} → {due + timedelta(days=2):%m-%d}"
