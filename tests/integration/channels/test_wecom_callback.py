"""/wecom/callback end to end: published vectors, WeCom-encrypted messages, bad input."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from bot.channels.render import task_id_for
from bot.channels.wecom.routes import setup_wecom
from bot.settings import Settings
from core.messages import Button, CardDelivery, Channel, Reply
from core.outbox import OutboxStatus
from tests.integration.channels.conftest import at
from tests.integration.channels.fakes import REGISTER_HINT, FakeClock, FakeHandler
from tests.integration.channels.vectors import (
    V1_AES,
    V1_BODY,
    V1_CORP,
    V1_NONCE,
    V1_SIG,
    V1_TOKEN,
    V1_TS,
    V2_ECHO,
    V2_ECHOSTR,
    V2_NONCE,
    V2_SIG,
    V2_TS,
    V3_AES,
    V3_CORP,
    V3_TOKEN,
    V3A_ECHO,
    V3A_ECHOSTR,
    V3A_NONCE,
    V3A_SIG,
    V3A_TS,
    V3B_BODY,
    V3B_NONCE,
    V3B_SIG,
    V3B_TS,
    V7_AES,
    V7_CORP,
    V7_ENCRYPT,
    V7_NONCE,
    V7_PLAIN,
    V7_SIG,
    V7_TOKEN,
    V7_TS,
)
from tests.stubs.wecom import WeComEncryptor, card_event_xml, text_xml
from tests.waiting import wait_for

V1 = Settings(wecom_corp_id=V1_CORP, wecom_token=V1_TOKEN, wecom_aes_key=V1_AES)
V3 = Settings(wecom_corp_id=V3_CORP, wecom_token=V3_TOKEN, wecom_aes_key=V3_AES)
NOW = 1_795_000_000


def _decrypt_reply(enc: WeComEncryptor, body: str) -> str:
    encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", body)
    signature = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]>", body)
    ts = re.search(r"<TimeStamp>(.*?)</TimeStamp>", body)
    nonce = re.search(r"<Nonce><!\[CDATA\[(.*?)\]\]>", body)
    assert encrypt and signature and ts and nonce, body
    assert enc.sign(ts.group(1), nonce.group(1), encrypt.group(1)) == signature.group(1)
    return enc.decrypt(encrypt.group(1))


@pytest.fixture
def wecom(aiohttp_client: Any, make_deps: Any, make_app: Any) -> Any:
    async def build(settings: Settings = V1, clock_ts: int = NOW, **kw: Any) -> Any:
        deps = make_deps(settings=settings, clock=FakeClock(at(clock_ts)),
                         handler=kw.pop("handler", None))
        client = await aiohttp_client(make_app(deps, setup_wecom, **kw))
        return client, deps
    return build


# --- published vectors ------------------------------------------------------------

@pytest.mark.parametrize("settings,sig,ts,nonce,echostr,echo", [
    (V1, V2_SIG, V2_TS, V2_NONCE, V2_ECHOSTR, V2_ECHO),
    (V3, V3A_SIG, V3A_TS, V3A_NONCE, V3A_ECHOSTR, V3A_ECHO),
])
async def test_url_verification_vectors(wecom: Any, settings: Settings, sig: str, ts: str,
                                        nonce: str, echostr: str, echo: str) -> None:
    client, _ = await wecom(settings, int(ts))
    resp = await client.get("/wecom/callback", params={
        "msg_signature": sig, "timestamp": ts, "nonce": nonce, "echostr": echostr})
    assert resp.status == 200
    assert await resp.text() == echo


async def test_url_verification_plus_sent_as_space(wecom: Any) -> None:
    client, _ = await wecom(V1, int(V2_TS))
    raw = (f"/wecom/callback?msg_signature={V2_SIG}&timestamp={V2_TS}&nonce={V2_NONCE}"
           f"&echostr={V2_ECHOSTR}")  # '+' unescaped: arrives as ' '
    resp = await client.get(raw)
    assert (resp.status, await resp.text()) == (200, V2_ECHO)


async def test_url_verification_stale_timestamp_rejected(wecom: Any) -> None:
    client, _ = await wecom(V1)  # clock in 2026, vector from 2014
    resp = await client.get("/wecom/callback", params={
        "msg_signature": V2_SIG, "timestamp": V2_TS, "nonce": V2_NONCE, "echostr": V2_ECHOSTR})
    assert resp.status == 403


@pytest.mark.parametrize("settings,sig,ts,nonce,body,user,text,msg_id", [
    (V1, V1_SIG, V1_TS, V1_NONCE, V1_BODY, "mycreate", "hello", "4561255354251345929"),
    (V3, V3B_SIG, V3B_TS, V3B_NONCE, V3B_BODY, "ChenJiaShun", "你好", "1456453720"),
])
async def test_message_vectors_get_passive_reply(
    wecom: Any, settings: Settings, sig: str, ts: str, nonce: str, body: str, user: str,
    text: str, msg_id: str,
) -> None:
    client, deps = await wecom(settings, int(ts))
    resp = await client.post("/wecom/callback", data=body.encode(),
                             params={"msg_signature": sig, "timestamp": ts, "nonce": nonce})
    assert resp.status == 200
    [message] = deps.handler.calls
    assert (message.channel, message.user_id, message.text) == (Channel.WECOM, user, text)
    assert message.msg_id == f"msg:{msg_id}"
    enc = WeComEncryptor(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    plain = _decrypt_reply(enc, await resp.text())
    assert f"<ToUserName><![CDATA[{user}]]></ToUserName>" in plain
    assert f"<Content><![CDATA[echo: {text}]]></Content>" in plain
    [row] = deps.outbox.rows.values()
    assert (row.status, row.channel, row.address) == (OutboxStatus.SENT, "wecom", user)


async def test_retry_of_a_handled_message_is_answered_again_not_handled_again(
        wecom: Any) -> None:
    """WeCom retries only when our answer did not reach it: the recorded reply goes again."""
    client, deps = await wecom(V1, int(V1_TS))
    params = {"msg_signature": V1_SIG, "timestamp": V1_TS, "nonce": V1_NONCE}
    first = await client.post("/wecom/callback", data=V1_BODY, params=params)
    again = await client.post("/wecom/callback", data=V1_BODY, params=params)
    assert first.status == again.status == 200
    assert await first.text() != ""
    enc = WeComEncryptor(V1_TOKEN, V1_AES, V1_CORP)
    content = re.compile(r"<Content><!\[CDATA\[(.*?)\]\]>")
    answers = [content.search(_decrypt_reply(enc, await r.text())) for r in (first, again)]
    assert answers[0] and answers[1] and answers[0][1] == answers[1][1]
    assert len(deps.handler.calls) == 1
    assert len(deps.outbox.rows) == 1


async def test_an_answer_ready_after_wecom_gave_up_is_queued_not_answered(wecom: Any) -> None:
    """WeCom waits 5 s; a passive reply to a caller that has gone would be recorded as
    answered and reach nobody, so it goes to the outbox instead."""
    from bot.channels.wecom.routes import wecom_callback_key

    client, deps = await wecom(V1, int(V1_TS))
    params = {"msg_signature": V1_SIG, "timestamp": V1_TS, "nonce": V1_NONCE}
    body = V1_BODY if isinstance(V1_BODY, bytes) else V1_BODY.encode()
    callback = client.app[wecom_callback_key]
    assert await callback.receive(params, body, caller_waits=lambda: False) == ""
    [row] = deps.outbox.rows.values()
    assert row.status is OutboxStatus.PENDING and not row.meta.get("answered")


# --- messages encrypted the way WeCom does -------------------------------------------

def test_stub_encryptor_reproduces_the_published_encrypt_vector() -> None:
    """V7: our independent WeCom-side encryptor is byte-identical to wechatpy's vector."""
    enc = WeComEncryptor(V7_TOKEN, V7_AES, V7_CORP)
    encrypt = enc.encrypt(V7_PLAIN, random16=b"1234567890123456")
    assert encrypt == V7_ENCRYPT
    assert enc.sign(V7_TS, V7_NONCE, encrypt) == V7_SIG
    assert enc.decrypt(encrypt) == V7_PLAIN


ENC = WeComEncryptor(V1_TOKEN, V1_AES, V1_CORP)


async def _post(client: Any, plaintext: str, ts: int = NOW, enc: WeComEncryptor = ENC) -> Any:
    query, body = enc.envelope(plaintext, str(ts))
    return await client.post("/wecom/callback", data=body.encode(), params=query)


async def test_unknown_user_is_passed_through_and_told_to_register(wecom: Any) -> None:
    client, deps = await wecom()
    resp = await _post(client, text_xml(V1_CORP, "stranger-42", "SO-1 进度", NOW, 7))
    assert resp.status == 200
    assert deps.handler.calls[0].user_id == "stranger-42"
    assert REGISTER_HINT in _decrypt_reply(ENC, await resp.text())


async def test_slow_handler_gets_empty_200_and_reply_is_queued(wecom: Any) -> None:
    handler = FakeHandler(delay=0.4)
    client, deps = await wecom(passive_window=0.05, handler=handler)
    loop = asyncio.get_running_loop()
    started = loop.time()
    resp = await _post(client, text_xml(V1_CORP, "zhangsan", "where is SO-1", NOW, 8))
    assert resp.status == 200 and await resp.text() == ""
    assert loop.time() - started < 0.3
    await asyncio.wait_for(deps.outbox.added.wait(), 2)
    [row] = deps.outbox.rows.values()
    assert row.status is OutboxStatus.PENDING
    assert row.payload["text"] == "echo: where is SO-1"
    assert row.dedupe_key == "wecom:reply:msg:8:0"


async def test_a_burst_is_acknowledged_at_once_and_answered_through_the_outbox(
        wecom: Any) -> None:
    """With every handler slot busy, a callback is acked without waiting for its handler
    (WeCom would otherwise time out and send it again); its reply is queued, and no more
    than the slots' number of handlers ever run at once."""
    from bot.channels.pipeline import MAX_RUNNING_HANDLERS

    release = asyncio.Event()
    running = peak = 0

    async def held(message: Any) -> list[Any]:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1
        return [Reply(kind="text", text=f"echo: {message.text}")]

    client, deps = await wecom(passive_window=3.0, handler=held)
    first = [asyncio.create_task(_post(client, text_xml(V1_CORP, "zhangsan", f"m{i}", NOW,
                                                        100 + i)))
             for i in range(MAX_RUNNING_HANDLERS)]
    while running < MAX_RUNNING_HANDLERS:  # every slot taken, their callbacks still waiting
        await asyncio.sleep(0.01)
    loop = asyncio.get_running_loop()
    started = loop.time()
    burst = [await _post(client, text_xml(V1_CORP, "zhangsan", f"b{i}", NOW, 200 + i))
             for i in range(3)]
    assert loop.time() - started < 1.0
    assert [(r.status, await r.text()) for r in burst] == [(200, "")] * 3
    release.set()
    assert [(await t).status for t in first] == [200] * MAX_RUNNING_HANDLERS
    await wait_for(lambda: len(deps.outbox.rows) >= 3, what="the burst's replies")
    queued = sorted(r.payload["text"] for r in deps.outbox.rows.values()
                    if r.status is OutboxStatus.PENDING)
    assert queued == ["echo: b0", "echo: b1", "echo: b2"]
    assert peak == MAX_RUNNING_HANDLERS


async def test_card_reply_is_queued_for_the_send_api(wecom: Any) -> None:
    client, deps = await wecom()
    resp = await _post(client, text_xml(V1_CORP, "zhangsan", "card", NOW, 9))
    assert await resp.text() == ""
    [row] = deps.outbox.rows.values()
    assert row.status is OutboxStatus.PENDING and row.payload["kind"] == "card"


async def test_card_click_updates_button_and_reaches_handler_once(wecom: Any) -> None:
    client, deps = await wecom()
    event = card_event_xml(V1_CORP, "zhangsan", NOW, "confirm:CR-12", "CR-12", "rc-77")
    resp = await _post(client, event)
    await _post(client, event)  # a retry at once (busy or handled): never a second run
    plain = _decrypt_reply(ENC, await resp.text())
    assert "<MsgType><![CDATA[update_button]]></MsgType>" in plain
    assert "<ReplaceName><![CDATA[已处理]]></ReplaceName>" in plain
    await asyncio.wait_for(deps.outbox.added.wait(), 2)
    again = await _post(client, event)  # handled by now: the card is greyed out again
    assert "update_button" in _decrypt_reply(ENC, await again.text())
    [call] = deps.handler.calls
    assert call.button_key == "confirm:CR-12" and call.text == ""
    assert call.msg_id == f"evt:zhangsan:{NOW}:template_card_event:confirm:CR-12:CR-12"
    [row] = deps.outbox.rows.values()
    assert row.payload["text"] == "clicked confirm:CR-12"


async def test_two_clicks_in_one_second_on_different_buttons_both_count(wecom: Any) -> None:
    client, deps = await wecom()
    await _post(client, card_event_xml(V1_CORP, "zhangsan", NOW, "confirm:CR-1", "CR-1"))
    await _post(client, card_event_xml(V1_CORP, "zhangsan", NOW, "confirm:CR-2", "CR-2"))
    await asyncio.sleep(0.05)
    assert [c.button_key for c in deps.handler.calls] == ["confirm:CR-1", "confirm:CR-2"]


async def test_unhandled_event_is_acknowledged(wecom: Any) -> None:
    client, deps = await wecom()
    event = ("<xml><ToUserName><![CDATA[c]]></ToUserName><FromUserName><![CDATA[zhangsan]]>"
             f"</FromUserName><CreateTime>{NOW}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
             "<Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey>"
             "<AgentID>1</AgentID></xml>")
    resp = await _post(client, event)
    assert (resp.status, await resp.text()) == (200, "")
    assert deps.handler.calls == []


# --- bad input: right status, nothing changes -----------------------------------------

def _untouched(deps: Any) -> None:
    assert deps.handler.calls == []
    assert deps.inbox.seen == {}
    assert deps.outbox.rows == {}


async def test_forged_signature_is_403(wecom: Any) -> None:
    client, deps = await wecom(V1, int(V1_TS))
    forged = "0" * 40
    resp = await client.post("/wecom/callback", data=V1_BODY, params={
        "msg_signature": forged, "timestamp": V1_TS, "nonce": V1_NONCE})
    assert resp.status == 403
    _untouched(deps)


@pytest.mark.parametrize("drop", ["msg_signature", "timestamp", "nonce"])
async def test_missing_signed_parameter_is_403(wecom: Any, drop: str) -> None:
    client, deps = await wecom(V1, int(V1_TS))
    params = {"msg_signature": V1_SIG, "timestamp": V1_TS, "nonce": V1_NONCE}
    del params[drop]
    resp = await client.post("/wecom/callback", data=V1_BODY, params=params)
    assert resp.status == 403
    _untouched(deps)


async def test_wrong_corp_id_is_403(wecom: Any) -> None:
    client, deps = await wecom()
    other = WeComEncryptor(V1_TOKEN, V1_AES, "wwsomeoneelse")  # same keys, other corp
    resp = await _post(client, text_xml("wwsomeoneelse", "zhangsan", "hi", NOW, 10), enc=other)
    assert resp.status == 403
    _untouched(deps)


@pytest.mark.parametrize("offset", [-301, 301, -3600])
async def test_timestamp_outside_five_minutes_is_403(wecom: Any, offset: int) -> None:
    client, deps = await wecom()
    resp = await _post(client, text_xml(V1_CORP, "zhangsan", "hi", NOW, 11), ts=NOW + offset)
    assert resp.status == 403
    _untouched(deps)


async def test_timestamp_within_window_is_accepted(wecom: Any) -> None:
    client, deps = await wecom()
    resp = await _post(client, text_xml(V1_CORP, "zhangsan", "hi", NOW, 12), ts=NOW - 299)
    assert resp.status == 200 and len(deps.handler.calls) == 1


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><Encrypt>&lol3;</Encrypt></xml>"
)
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            "<xml><Encrypt>&e;</Encrypt></xml>")


@pytest.mark.parametrize("body", [
    b"not xml at all", b"<xml><Encrypt>abc", b"<xml><Nope/></xml>", b"",
    BILLION_LAUGHS.encode(), EXTERNAL.encode(),
])
async def test_malformed_or_entity_xml_is_400(wecom: Any, body: bytes) -> None:
    client, deps = await wecom()
    resp = await client.post("/wecom/callback", data=body, params={
        "msg_signature": "a" * 40, "timestamp": str(NOW), "nonce": "1"})
    assert resp.status == 400
    _untouched(deps)


async def test_entities_inside_the_encrypted_plaintext_are_400(wecom: Any) -> None:
    client, deps = await wecom()
    resp = await _post(client, BILLION_LAUGHS)
    assert resp.status == 400
    _untouched(deps)


async def test_oversized_body_is_413(wecom: Any) -> None:
    client, deps = await wecom()
    big = b"<xml><Encrypt>" + b"A" * (70 * 1024) + b"</Encrypt></xml>"
    resp = await client.post("/wecom/callback", data=big, params={
        "msg_signature": "a" * 40, "timestamp": str(NOW), "nonce": "1"})
    assert resp.status == 413
    _untouched(deps)


async def test_oversized_chunked_body_is_413(wecom: Any) -> None:
    client, deps = await wecom()

    async def chunks() -> Any:
        for _ in range(80):
            yield b"A" * 1024
    resp = await client.post("/wecom/callback", data=chunks(), params={
        "msg_signature": "a" * 40, "timestamp": str(NOW), "nonce": "1"})
    assert resp.status == 413
    _untouched(deps)


async def test_shutdown_lets_a_running_handler_queue_its_reply(wecom: Any) -> None:
    client, deps = await wecom(passive_window=0.05, handler=FakeHandler(delay=0.3))
    resp = await _post(client, text_xml(V1_CORP, "zhangsan", "SO-1", NOW, 13))
    assert await resp.text() == ""
    await client.close()  # cleanup_ctx drains the handler task before the app stops
    [row] = deps.outbox.rows.values()
    assert row.payload["text"] == "echo: SO-1" and row.status is OutboxStatus.PENDING


async def test_url_verification_forged_or_incomplete(wecom: Any) -> None:
    client, _ = await wecom(V1, int(V2_TS))
    base = {"msg_signature": V2_SIG, "timestamp": V2_TS, "nonce": V2_NONCE,
            "echostr": V2_ECHOSTR}
    forged = await client.get("/wecom/callback", params={**base, "msg_signature": "f" * 40})
    no_echo = await client.get("/wecom/callback", params={k: v for k, v in base.items()
                                                          if k != "echostr"})
    assert (forged.status, await forged.text()) == (403, "")
    assert no_echo.status == 400


async def test_rejections_are_logged(wecom: Any, caplog: pytest.LogCaptureFixture) -> None:
    client, _ = await wecom(V1, int(V1_TS))
    with caplog.at_level("WARNING", logger="bot.channels.wecom.routes"):
        await client.post("/wecom/callback", data=V1_BODY, params={
            "msg_signature": "0" * 40, "timestamp": V1_TS, "nonce": V1_NONCE})
    assert any("rejected 403" in r.getMessage() and "bad msg_signature" in r.getMessage()
               for r in caplog.records)


async def test_a_failing_outbox_is_retried_for_late_replies(wecom: Any) -> None:
    client, deps = await wecom(passive_window=0.01, handler=FakeHandler(delay=0.05))
    real_add = deps.outbox.add
    failures = [RuntimeError("database is locked")]

    async def flaky_add(messages: Any) -> None:
        if failures:
            raise failures.pop()
        await real_add(messages)

    deps.outbox.add = flaky_add
    await _post(client, text_xml(V1_CORP, "zhangsan", "SO-2", NOW, 14))
    await asyncio.wait_for(deps.outbox.added.wait(), 3)
    [row] = deps.outbox.rows.values()
    assert row.payload["text"] == "echo: SO-2"


async def test_long_button_keys_give_bounded_dedupe_keys(wecom: Any) -> None:
    client, deps = await wecom()
    key = "confirm:" + "x" * 1000
    await _post(client, card_event_xml(V1_CORP, "zhangsan", NOW, key, "CR-1"))
    await asyncio.wait_for(deps.outbox.added.wait(), 2)
    [call] = deps.handler.calls
    assert call.button_key == key  # the handler still gets the full key
    [(_, inbox_key)] = deps.inbox.seen
    assert len(inbox_key) <= 160
    assert all(len(r.dedupe_key) <= 200 for r in deps.outbox.rows.values())


async def test_card_click_keeps_its_response_code_for_the_clicked_copy(wecom: Any) -> None:
    client, deps = await wecom()
    approval = Reply("card", "风险: 高", title="审批 CR-12", card_id="CR-12-approve",
                     buttons=(Button("approve:CR-12", "批准"),))
    sent = at(NOW)
    for user in ("zhangsan", "lisi"):
        await deps.cards.record(CardDelivery("wecom", "CR-12-approve", user, f"rc-send-{user}",
                                             sent))
    task_id = task_id_for(approval, "CR-12:approval:zhangsan", "zhangsan")
    await _post(client, card_event_xml(V1_CORP, "zhangsan", NOW, "approve:CR-12", task_id,
                                       "rc-click-9"))
    mine = await deps.cards.copy("wecom", "CR-12-approve", "zhangsan")
    other = await deps.cards.copy("wecom", "CR-12-approve", "lisi")
    assert mine.handle == "rc-click-9" and other.handle == "rc-send-lisi"
    # a TaskId this code did not make (no card id in it) stores nothing
    await _post(client, card_event_xml(V1_CORP, "lisi", NOW + 1, "approve:CR-12", "CR-12",
                                       "rc-click-10"))
    assert (await deps.cards.copy("wecom", "CR-12-approve", "lisi")).handle == "rc-send-lisi"
