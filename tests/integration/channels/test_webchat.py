"""GET / and POST /api/chat through the same handler; replies recorded in the outbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from bot.channels.web.routes import setup_webchat
from bot.settings import Settings
from core.messages import Channel
from core.outbox import OutboxStatus
from tests.integration.channels.fakes import REGISTER_HINT

PEOPLE: list[dict[str, Any]] = [{
    "id": "p1", "name": "张三</script>", "role": "sales", "wecom_userid": "zhangsan",
    "dingtalk_staff_id": None, "customers": [],
}]


class People:
    async def list_people(self) -> Sequence[Mapping[str, Any]]:
        return PEOPLE


@pytest.fixture
def web(aiohttp_client: Any, make_deps: Any) -> Any:
    async def build(settings: Settings) -> Any:
        from aiohttp import web as aioweb
        deps = make_deps(settings=settings)
        app = aioweb.Application()
        setup_webchat(app, deps, People())
        return await aiohttp_client(app), deps
    return build


DEMO = Settings(demo=True)
PROD = Settings(admin_token="t0ken")


async def test_text_is_answered_synchronously_and_recorded_as_sent(web: Any) -> None:
    client, deps = await web(DEMO)
    resp = await client.post("/api/chat", json={"user": "p1", "text": "SO-1 进度"})
    assert resp.status == 200
    assert [r["text"] for r in (await resp.json())["replies"]] == ["echo: SO-1 进度"]
    [call] = deps.handler.calls
    assert (call.channel, call.user_id, call.text) == (Channel.WEB, "p1", "SO-1 进度")
    [row] = deps.outbox.rows.values()
    assert (row.channel, row.status) == ("web", OutboxStatus.SENT)


async def test_card_has_buttons_and_a_click_reaches_the_handler(web: Any) -> None:
    client, deps = await web(DEMO)
    [card] = (await (await client.post("/api/chat", json={"user": "p1", "text": "card"})).json()
              )["replies"]
    assert card["kind"] == "card" and card["fallback_text"] == "回复 1 确认 / 2 取消"
    assert [b["key"] for b in card["buttons"]] == ["confirm:CR-12", "reject:CR-12"]
    resp = await client.post("/api/chat", json={"user": "p1", "button": "confirm:CR-12"})
    assert (await resp.json())["replies"][0]["text"] == "clicked confirm:CR-12"
    assert deps.handler.calls[-1].button_key == "confirm:CR-12"


async def test_unknown_person_is_passed_through(web: Any) -> None:
    client, deps = await web(DEMO)
    resp = await client.post("/api/chat", json={"user": "who-is-this", "text": "hi"})
    assert (await resp.json())["replies"][0]["text"] == REGISTER_HINT
    assert deps.handler.calls[0].user_id == "who-is-this"


async def test_client_msg_id_makes_a_retry_harmless(web: Any) -> None:
    client, deps = await web(DEMO)
    body = {"user": "p1", "text": "hi", "msg_id": "abc"}
    await client.post("/api/chat", json=body)
    again = await (await client.post("/api/chat", json=body)).json()
    # answered again from what the first run recorded, without a second run
    assert again["duplicate"] is True and len(deps.handler.calls) == 1
    assert [r["text"] for r in again["replies"]] == ["echo: hi"]


@pytest.mark.parametrize("headers,status", [
    ({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": "t0ken"}, 401),
    ({"Authorization": "Bearer t0ken"}, 200),
])
async def test_production_needs_the_admin_token(web: Any, headers: dict[str, str],
                                                status: int) -> None:
    client, deps = await web(PROD)
    resp = await client.post("/api/chat", json={"user": "p1", "text": "hi"}, headers=headers)
    assert resp.status == status
    assert len(deps.handler.calls) == (1 if status == 200 else 0)


async def test_no_token_configured_means_closed(web: Any) -> None:
    client, _ = await web(Settings())
    resp = await client.post("/api/chat", json={"user": "p1", "text": "hi"},
                             headers={"Authorization": "Bearer "})
    assert resp.status == 401


@pytest.mark.parametrize("body,status", [
    (b"{oops", 400), (b"[]", 400), (b'{"text": "hi"}', 400),
    (b'{"user": "p1", "text": "a", "button": "b"}', 400), (b'{"user": "p1"}', 400),
    (b'{"user": "p1", "text": 5}', 400), (b'{"user": "p1", "text": "   "}', 400),
    (b'{"user": "p1", "text": "' + b"x" * 20000 + b'"}', 413),
    (b'{"user": "p1", "text": "' + "长".encode() * 2500 + b'"}', 413),
])
async def test_bad_bodies(web: Any, body: bytes, status: int) -> None:
    client, deps = await web(DEMO)
    resp = await client.post("/api/chat", data=body,
                             headers={"Content-Type": "application/json"})
    assert resp.status == status
    assert deps.handler.calls == [] and deps.outbox.rows == {}


async def test_page_embeds_people_safely_in_demo(web: Any) -> None:
    client, _ = await web(DEMO)
    html = await (await client.get("/")).text()
    assert "工单助手" in html and "张三<\\/script>" in html and "</script>\"" not in html


async def test_page_outside_demo_holds_no_data(web: Any) -> None:
    client, _ = await web(PROD)
    resp = await client.get("/")
    html = await resp.text()
    assert resp.status == 200 and "张三" not in html and "const PRESET = null" in html


async def test_a_message_whose_handler_died_is_handled_by_the_recovery_sweep(
        make_deps: Any) -> None:
    """Claimed by a process that died (its lease ran out): a sweep handles it, once, and a
    retry from the client then gets the recorded replies."""
    from datetime import UTC, datetime

    from bot.channels.pipeline import Pipeline, Recovery, TaskTracker, message_to_dict
    from core.messages import ChatMessage
    from core.ports import Claim

    deps = make_deps(settings=Settings(demo=True, inbox_lease_seconds=10))
    message = ChatMessage(Channel.WEB, "p1", "web:c1", datetime(2026, 11, 22, 8, tzinfo=UTC),
                          "hi")
    now = deps.clock.now()
    assert await deps.inbox.claim("web", "web:c1", message_to_dict(message), now,
                                  10) is Claim.NEW  # ... and the process dies here
    tasks = TaskTracker()
    recovery = Recovery(Pipeline(deps, tasks))
    assert await recovery.sweep() == 0  # its lease still runs
    deps.clock.advance(11)
    assert await recovery.sweep() == 1
    await tasks.drain()
    assert await recovery.sweep() == 0
    assert [m.msg_id for m in deps.handler.calls] == ["web:c1"]
    [row] = deps.outbox.rows.values()
    assert row.status is OutboxStatus.PENDING and row.payload["text"] == "echo: hi"
    pipeline = Pipeline(deps, tasks)
    assert await pipeline.claim(message) is Claim.HANDLED
    assert [r.text for r in await pipeline.recorded(message, everything=True)] == ["echo: hi"]
