"""/dingtalk/callback end to end, and the DingTalk sender against the stub."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from bot.channels.dingtalk.client import DingTalkClient
from bot.channels.dingtalk.routes import setup_dingtalk
from bot.channels.dingtalk.sender import DingTalkSender
from bot.channels.dingtalk.verify import sign
from bot.channels.render import dingtalk_send_link, reply_to_payload
from bot.delivery.dispatcher import OutboxDispatcher
from bot.delivery.senders import RetryLater
from bot.settings import Settings
from core.messages import Button, Channel, Reply
from core.outbox import OutboxMessage, OutboxStatus
from tests.integration.channels.fakes import REGISTER_HINT, FakeClock
from tests.stubs.dingtalk import DingTalkStub, robot_message, signed_headers


def test_sign_matches_published_third_party_vectors() -> None:
    assert sign("1577262236757", "this is a secret") == (
        "DJrE6qdyVGCQz9z5r2MDuNcNAhwYnuAkyj13cx169CA=")
    from urllib.parse import quote_plus
    assert quote_plus(sign("1577262236757", "this is secret")) == (
        "hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D")


@pytest.fixture
async def ding(aiohttp_server: Any, aiohttp_client: Any, make_deps: Any, make_app: Any) -> Any:
    stub = DingTalkStub()
    server = await aiohttp_server(stub.app())
    base = str(server.make_url("")).rstrip("/")
    settings = Settings(dingtalk_app_secret=stub.app_secret, dingtalk_robot_code=stub.app_key,
                        dingtalk_api_base=base, dingtalk_oapi_base=base)
    clock = FakeClock()
    deps = make_deps(settings=settings, clock=clock)
    client = await aiohttp_client(make_app(deps, setup_dingtalk))
    session = aiohttp.ClientSession()
    sender = DingTalkSender(DingTalkClient(session, base, stub.app_key, stub.app_secret), clock)
    dispatcher = OutboxDispatcher(deps.outbox, {"dingtalk": sender}, clock, jitter=lambda: 0.0)
    yield client, deps, stub, base, dispatcher, sender
    await session.close()


def _now_ms(deps: Any) -> int:
    return int(deps.clock.now().timestamp() * 1000)


async def _post(client: Any, deps: Any, body: Any, headers: dict[str, str] | None = None) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    h = signed_headers(deps.settings.dingtalk_app_secret, _now_ms(deps)) if headers is None \
        else {"Content-Type": "application/json", **headers}
    return await client.post("/dingtalk/callback", data=data, headers=h)


async def _settle(deps: Any) -> None:
    await asyncio.wait_for(deps.outbox.added.wait(), 2)


async def test_message_is_acked_and_answered_through_the_session_webhook(ding: Any) -> None:
    client, deps, stub, base, dispatcher, _ = ding
    webhook = f"{base}/robot/sendBySession?session=s1"
    resp = await _post(client, deps, robot_message("m1", "staff-1", "SO-1 进度", webhook,
                                                    _now_ms(deps)))
    assert resp.status == 200 and await resp.json() == {}
    await _settle(deps)
    [call] = deps.handler.calls
    assert (call.channel, call.user_id, call.text) == (Channel.DINGTALK, "staff-1", "SO-1 进度")
    assert call.reply_hint == webhook
    assert await dispatcher.run_once() == 1
    assert stub.session_posts == [("s1", {"msgtype": "text",
                                          "text": {"content": "echo: SO-1 进度"}})]
    assert deps.outbox.with_status(OutboxStatus.SENT)


async def test_unknown_staff_id_passes_through_and_gets_the_hint(ding: Any) -> None:
    client, deps, stub, base, dispatcher, _ = ding
    webhook = f"{base}/robot/sendBySession?session=s2"
    await _post(client, deps, robot_message("m2", "nobody", "hi", webhook, _now_ms(deps)))
    await _settle(deps)
    assert deps.handler.calls[0].user_id == "nobody"
    await dispatcher.run_once()
    assert stub.session_posts[0][1]["text"]["content"] == REGISTER_HINT


async def test_repeated_msg_id_is_handled_once(ding: Any) -> None:
    client, deps, _, base, _, _ = ding
    msg = robot_message("m3", "staff-1", "hi", f"{base}/robot/sendBySession?session=s", 1)
    first = await _post(client, deps, msg)
    again = await _post(client, deps, msg)
    assert first.status == again.status == 200
    await _settle(deps)
    await asyncio.sleep(0.01)
    assert len(deps.handler.calls) == 1 and len(deps.outbox.rows) == 1


async def test_foreign_session_webhook_is_not_trusted(ding: Any) -> None:
    client, deps, stub, _, dispatcher, _ = ding
    msg = robot_message("m4", "staff-1", "hi", "http://evil.example/steal?session=x",
                        _now_ms(deps))
    await _post(client, deps, msg)
    await _settle(deps)
    assert deps.handler.calls[0].reply_hint is None
    await dispatcher.run_once()  # falls back to the robot API
    assert stub.session_posts == [] and stub.sent[0]["msgKey"] == "sampleText"


@pytest.mark.parametrize("headers", [
    {},
    {"timestamp": "1"},
    {"sign": "abc"},
    "forged",
    "stale",
    "future",
])
async def test_bad_headers_are_403_and_change_nothing(ding: Any, headers: Any) -> None:
    client, deps, _, base, _, _ = ding
    secret = deps.settings.dingtalk_app_secret
    now = _now_ms(deps)
    if headers == "forged":
        headers = {"timestamp": str(now), "sign": sign(str(now), "not-the-secret")}
    elif headers == "stale":
        headers = signed_headers(secret, now - 3600 * 1000 - 1)
    elif headers == "future":
        headers = signed_headers(secret, now + 3600 * 1000 + 1)
    resp = await _post(client, deps, robot_message("m5", "staff-1", "hi", base, now), headers)
    assert resp.status == 403
    assert deps.inbox.seen == {} and deps.outbox.rows == {} and deps.handler.calls == []


@pytest.mark.parametrize("body,status", [
    (b"{not json", 400), (b"[1, 2]", 400), (b'{"msgtype": "text"}', 400),
    (b"{" + b'"a":"' + b"x" * (300 * 1024) + b'"}', 413),
])
async def test_bad_bodies_are_rejected(ding: Any, body: bytes, status: int) -> None:
    client, deps, _, _, _, _ = ding
    resp = await _post(client, deps, body)
    assert resp.status == status
    assert deps.inbox.seen == {} and deps.outbox.rows == {} and deps.handler.calls == []


async def test_non_text_message_is_acked_not_handled(ding: Any) -> None:
    client, deps, _, base, _, _ = ding
    msg = robot_message("m6", "staff-1", "x", base, _now_ms(deps)) | {"msgtype": "picture"}
    resp = await _post(client, deps, msg)
    assert resp.status == 200 and deps.handler.calls == []


# --- sender ---------------------------------------------------------------------------

def _row(reply: Reply, address: str = "staff-1", hint: str | None = None,
         created: Any = None, key: str = "k1") -> OutboxMessage:
    return OutboxMessage(channel="dingtalk", address=address, payload=reply_to_payload(reply),
                         dedupe_key=key, created_at=created or FakeClock().now(), id=1,
                         reply_hint=hint)


CARD = Reply(kind="card", title="变更确认", text="SO-1 数量 500",
             fallback_text="回复 1 确认 / 2 取消",
             buttons=(Button("confirm:CR-1", "确认"), Button("reject:CR-1", "取消")))


async def test_card_via_session_webhook_is_an_action_card(ding: Any) -> None:
    _, _, stub, base, _, sender = ding
    await sender.send(_row(CARD, hint=f"{base}/robot/sendBySession?session=c"))
    [(_, body)] = stub.session_posts
    card = body["actionCard"]
    assert body["msgtype"] == "actionCard" and "回复 1 确认 / 2 取消" in card["text"]
    assert [b["title"] for b in card["btns"]] == ["确认", "取消"]
    # the link types the command with the card's own request, never a bare "1"
    assert [b["actionURL"] for b in card["btns"]] == [
        "dtmd://dingtalkclient/sendMessage?content=%E7%A1%AE%E8%AE%A4%20CR-1",  # 确认 CR-1
        "dtmd://dingtalkclient/sendMessage?content=%E5%8F%96%E6%B6%88%20CR-1",  # 取消 CR-1
    ]


async def test_expired_session_falls_back_to_robot_api(ding: Any) -> None:
    _, _, stub, base, _, sender = ding
    stub.expired_sessions.add("old")
    await sender.send(_row(Reply(kind="markdown", text="**周报**", title="日报"),
                           hint=f"{base}/robot/sendBySession?session=old"))
    [sent] = stub.sent
    assert sent["msgKey"] == "sampleMarkdown" and sent["userIds"] == ["staff-1"]
    assert sent["msgParam"]["title"] == "日报"


async def test_old_row_skips_the_webhook(ding: Any) -> None:
    _, _, stub, base, _, sender = ding
    old = FakeClock().now().replace(hour=1)
    await sender.send(_row(Reply(kind="text", text="alert"), created=old,
                           hint=f"{base}/robot/sendBySession?session=s"))
    assert stub.session_posts == [] and stub.sent[0]["msgParam"] == {"content": "alert"}


async def test_single_button_card_uses_sample_action_card(ding: Any) -> None:
    _, _, stub, _, _, sender = ding
    one = Reply(kind="card", title="审批", text="CR-9", buttons=(Button("approve:CR-9", "批准"),))
    await sender.send(_row(one))
    assert stub.sent[0]["msgKey"] == "sampleActionCard"
    assert stub.sent[0]["msgParam"]["singleTitle"] == "批准"
    assert stub.sent[0]["msgParam"]["singleURL"] == dingtalk_send_link("批准 CR-9")


async def test_token_expiry_refetches_once(ding: Any) -> None:
    _, _, stub, _, _, sender = ding
    await sender.send(_row(Reply(kind="text", text="a")))
    stub.expire_tokens()
    await sender.send(_row(Reply(kind="text", text="b")))
    assert stub.token_calls == 2 and len(stub.sent) == 2


async def test_qps_limit_is_retry_later(ding: Any) -> None:
    _, _, stub, _, _, sender = ding
    stub.qps = 1
    await sender.send(_row(Reply(kind="text", text="a")))
    with pytest.raises(RetryLater):
        await sender.send(_row(Reply(kind="text", text="b")))
    assert stub.throttled == 1


async def test_digest_picture_is_uploaded_and_sent_as_an_image(ding: Any) -> None:
    _, _, stub, _, _, sender = ding
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    await sender.send(_row(Reply(kind="markdown", text="**日报**", title="日报", image_png=png)))
    assert [s["msgKey"] for s in stub.sent] == ["sampleMarkdown", "sampleImageMsg"]
    media_id = stub.sent[1]["msgParam"]["photoURL"]
    assert stub.media[media_id] == png


async def test_picture_upload_refetches_an_expired_token(ding: Any) -> None:
    _, _, stub, _, _, sender = ding
    await sender.client.access_token()
    stub.expire_tokens()
    media_id = await sender.client.upload_image(b"\xff\xd8\xff" + b"\x00" * 16)
    assert media_id in stub.media and stub.token_calls == 2
