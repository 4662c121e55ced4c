"""DingTalk Stream mode against the stub gateway: frames in, ACKs out, replies via the API."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from bot.channels.dingtalk.client import DingTalkClient
from bot.channels.dingtalk.sender import DingTalkSender
from bot.channels.dingtalk.stream import DingTalkStream, dingtalk_stream_key, setup_dingtalk_stream
from bot.delivery.dispatcher import OutboxDispatcher
from bot.settings import Settings
from core.errors import ConfigError
from core.messages import Channel
from tests.integration.channels.fakes import FakeClock
from tests.stubs.dingtalk import DingTalkStub, robot_message
from tests.stubs.dingtalk_stream import CARD_TOPIC, ROBOT_TOPIC, StreamGateway, card_callback


@pytest.fixture
async def stream(aiohttp_server: Any, aiohttp_client: Any, make_deps: Any,
                 make_app: Any) -> Any:
    api, gateway = DingTalkStub(), StreamGateway()
    server_app = api.app()
    gateway.add_routes(server_app)
    server = await aiohttp_server(server_app)
    base = str(server.make_url("")).rstrip("/")
    settings = Settings(dingtalk_app_secret=api.app_secret, dingtalk_robot_code=api.app_key,
                        dingtalk_api_base=base, dingtalk_oapi_base=base)
    clock = FakeClock()
    deps = make_deps(settings=settings, clock=clock)
    app = make_app(deps, setup_dingtalk_stream, min_backoff=0.01, max_backoff=0.05)
    client = await aiohttp_client(app)
    await gateway.wait_connected()
    session = aiohttp.ClientSession()
    sender = DingTalkSender(DingTalkClient(session, base, api.app_key, api.app_secret), clock,
                            interactive_cards=True)
    dispatcher = OutboxDispatcher(deps.outbox, {"dingtalk": sender}, clock, jitter=lambda: 0.0)
    yield gateway, api, deps, dispatcher, base, client
    await session.close()


async def _until(check: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


async def test_connections_open_uses_the_configured_base_and_subscribes(stream: Any) -> None:
    gateway, api, *_ = stream
    [opened] = gateway.opens
    assert (opened["clientId"], opened["clientSecret"]) == (api.app_key, api.app_secret)
    assert {s["topic"] for s in opened["subscriptions"]} == {ROBOT_TOPIC, CARD_TOPIC}
    assert all(s["type"] == "CALLBACK" for s in opened["subscriptions"])


async def test_message_over_the_stream_is_acked_and_answered_through_the_api(
        stream: Any) -> None:
    gateway, api, deps, dispatcher, base, _ = stream
    webhook = f"{base}/robot/sendBySession?session=s1"
    frame = await gateway.send("CALLBACK", ROBOT_TOPIC,
                               robot_message("m1", "staff-1", "SO-1 进度", webhook, 1))
    ack = await gateway.wait_ack(frame)
    assert ack["code"] == 200 and ack["headers"]["messageId"] == frame
    assert ack["headers"]["contentType"] == "application/json" and ack["message"] == "OK"
    assert json.loads(ack["data"]) == {"response": None}
    await asyncio.wait_for(deps.outbox.added.wait(), 5)
    [call] = deps.handler.calls
    assert (call.channel, call.user_id, call.text) == (Channel.DINGTALK, "staff-1", "SO-1 进度")
    assert await dispatcher.run_once() == 1
    assert api.session_posts == [("s1", {"msgtype": "text",
                                         "text": {"content": "echo: SO-1 进度"}})]


async def test_redelivered_frame_is_acked_again_and_handled_once(stream: Any) -> None:
    gateway, _, deps, _, base, _ = stream
    msg = robot_message("m2", "staff-1", "hi", f"{base}/robot/sendBySession?session=s", 1)
    first = await gateway.send("CALLBACK", ROBOT_TOPIC, msg)
    await gateway.wait_ack(first)
    # the gateway did not get (or lost) the ACK: the same message again, same connection
    again = await gateway.send("CALLBACK", ROBOT_TOPIC, msg, message_id=first + "-retry")
    assert (await gateway.wait_ack(again))["code"] == 200
    # and once more on a new connection after the socket broke
    await gateway.drop()
    await gateway.wait_connected(2)
    third = await gateway.send("CALLBACK", ROBOT_TOPIC, msg, message_id=first + "-new-conn")
    await gateway.wait_ack(third)
    await asyncio.sleep(0.05)
    assert len(deps.handler.calls) == 1 and len(deps.outbox.rows) == 1


async def test_ping_is_echoed(stream: Any) -> None:
    gateway, *_ = stream
    frame = await gateway.send("SYSTEM", "ping", {"opaque": "c0ffee"})
    ack = await gateway.wait_ack(frame)
    assert ack["code"] == 200 and json.loads(ack["data"]) == {"opaque": "c0ffee"}


async def test_disconnect_makes_the_client_reconnect_with_a_new_ticket(stream: Any) -> None:
    gateway, api, deps, _, base, client = stream
    frame = await gateway.send("SYSTEM", "disconnect", {"reason": "server restart"})
    await gateway.wait_ack(frame)
    await gateway.wait_connected(2)
    assert len(gateway.opens) == 2 and gateway.refused_tickets == 0
    await _until(lambda: client.app[dingtalk_stream_key].connections == 2)
    frame = await gateway.send("CALLBACK", ROBOT_TOPIC, robot_message(
        "m3", "staff-1", "after", f"{base}/robot/sendBySession?session=s", 1))
    await gateway.wait_ack(frame)
    await _until(lambda: len(deps.handler.calls) == 1)


async def test_card_callback_is_a_click_on_its_own_request(stream: Any) -> None:
    gateway, api, deps, dispatcher, _, _ = stream
    frame = await gateway.send("CALLBACK", CARD_TOPIC,
                               card_callback("staff-1", "approve:CR-12", "CR-12-approve-abc"))
    assert (await gateway.wait_ack(frame))["code"] == 200
    await asyncio.wait_for(deps.outbox.added.wait(), 5)
    [click] = deps.handler.calls
    assert (click.user_id, click.button_key, click.text) == ("staff-1", "approve:CR-12", "")
    await dispatcher.run_once()  # no sessionWebhook for a click: the robot API answers
    assert api.sent[0]["userIds"] == ["staff-1"]
    assert api.sent[0]["msgParam"] == {"content": "clicked approve:CR-12"}


async def test_bad_frames_are_acked_without_handling(stream: Any) -> None:
    gateway, _, deps, _, _, _ = stream
    bad = await gateway.send("CALLBACK", ROBOT_TOPIC, {"msgtype": "text"})
    assert (await gateway.wait_ack(bad))["code"] == 400
    other = await gateway.send("CALLBACK", "/v1.0/unknown", {})
    assert (await gateway.wait_ack(other))["code"] == 404
    no_key = await gateway.send("CALLBACK", CARD_TOPIC, card_callback("staff-1", "", "t"))
    assert (await gateway.wait_ack(no_key))["code"] == 200
    assert deps.handler.calls == []


async def test_failed_open_backs_off_and_retries(aiohttp_server: Any) -> None:
    gateway = StreamGateway(client_secret="other")
    app = aiohttp.web.Application()
    gateway.add_routes(app)
    server = await aiohttp_server(app)
    seen: list[str] = []

    async def on_callback(topic: str, data: dict[str, Any], message_id: str) -> int:
        seen.append(message_id)
        return 200

    async with aiohttp.ClientSession() as session:
        client = DingTalkStream(session, str(server.make_url("")), "dingstubkey", "wrong",
                                on_callback, min_backoff=0.01, max_backoff=0.02)
        task = asyncio.create_task(client.run())
        await _until(lambda: len(gateway.opens) >= 3)
        task.cancel()  # the app's shutdown stops it
        with pytest.raises(asyncio.CancelledError):
            await task
    assert gateway.connects == 0 and client.connections == 0


def test_stream_mode_needs_the_app_key(make_deps: Any) -> None:
    from aiohttp import web
    with pytest.raises(ConfigError, match="ROBOT_CODE"):
        setup_dingtalk_stream(web.Application(),
                              make_deps(settings=Settings(dingtalk_app_secret="s")))
