"""WeComClient and WeComSender against the WeCom stub."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from bot.channels.render import reply_to_payload
from bot.channels.wecom.client import WeComApiError, WeComClient
from bot.channels.wecom.sender import WeComSender
from bot.delivery.senders import RetryLater, Undeliverable
from core.messages import Button, Reply
from core.outbox import OutboxMessage
from tests.integration.channels.fakes import FakeClock
from tests.stubs.wecom import WeComStub


class Mono:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def wecom_api(aiohttp_server: Any) -> Any:
    stub = WeComStub()
    server = await aiohttp_server(stub.app())
    base = str(server.make_url("")).rstrip("/")
    session = aiohttp.ClientSession()
    mono = Mono()

    def client(**kw: Any) -> WeComClient:
        return WeComClient(session, base, stub.corp_id, stub.secret, stub.agent_id,
                           monotonic=kw.pop("monotonic", mono), **kw)
    yield stub, client, mono
    await session.close()


def row(reply: Reply, address: str = "zhangsan", key: str = "k1") -> OutboxMessage:
    return OutboxMessage(channel="wecom", address=address, payload=reply_to_payload(reply),
                         dedupe_key=key, created_at=FakeClock().now(), id=1)


async def test_text_is_sent_with_duplicate_check(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    await WeComSender(client()).send(row(Reply(kind="text", text="你好")))
    [sent] = stub.delivered
    assert sent["touser"] == "zhangsan" and sent["agentid"] == stub.agent_id
    assert sent["text"] == {"content": "你好"} and sent["enable_duplicate_check"] == 1


async def test_token_is_cached_and_fetched_once_under_concurrency(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    c = client()
    tokens = await asyncio.gather(*(c.access_token() for _ in range(10)))
    assert len(set(tokens)) == 1 and stub.gettoken_calls == 1
    await WeComSender(c).send(row(Reply(kind="text", text="a")))
    assert stub.gettoken_calls == 1


async def test_token_is_refreshed_before_expiry(wecom_api: Any) -> None:
    stub, client, mono = wecom_api
    c = client()
    first = await c.access_token()
    mono.t += 7200 - 299  # inside the 5-minute margin: refresh, no error round trip
    stub.invalidate_tokens()  # WeCom issues a new one after expiry
    second = await c.access_token()
    assert first != second and stub.gettoken_calls == 2


@pytest.mark.parametrize("code", [42001, 40014])
async def test_expired_token_is_refetched_and_call_retried_once(wecom_api: Any,
                                                                code: int) -> None:
    stub, client, _ = wecom_api
    stub.token_ttl = 0.2
    stub.expired_code = code
    c = client()  # its monotonic clock stands still, so it believes the token fresh
    await WeComSender(c).send(row(Reply(kind="text", text="a")))
    await asyncio.sleep(0.3)
    await WeComSender(c).send(row(Reply(kind="text", text="b")))
    assert stub.gettoken_calls == 2
    assert [d["text"]["content"] for d in stub.delivered] == ["a", "b"]


async def test_invalidated_token_40014_refetches_once(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    c = client()
    await c.access_token()
    stub.invalidate_tokens()
    await WeComSender(c).send(row(Reply(kind="text", text="a")))
    assert stub.gettoken_calls == 2 and len(stub.delivered) == 1


async def test_persistent_40014_is_retried_exactly_once(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    stub.fail_next(40014, times=5)
    with pytest.raises(RetryLater):
        await WeComSender(client()).send(row(Reply(kind="text", text="a")))
    assert len(stub.requests) == 2 and stub.gettoken_calls == 2


async def test_45009_backs_off_and_holds_later_calls(wecom_api: Any) -> None:
    stub, client, mono = wecom_api
    sender = WeComSender(client())
    stub.fail_next(45009)
    with pytest.raises(RetryLater) as first:
        await sender.send(row(Reply(kind="text", text="a")))
    assert first.value.after is not None and first.value.after >= 2
    with pytest.raises(RetryLater):  # cool-down: WeCom is not even asked
        await sender.send(row(Reply(kind="text", text="b")))
    assert len(stub.requests) == 1
    mono.t += first.value.after
    await sender.send(row(Reply(kind="text", text="b")))
    assert len(stub.delivered) == 1


async def test_system_busy_is_retry_later(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    stub.fail_next(-1)
    with pytest.raises(RetryLater):
        await WeComSender(client()).send(row(Reply(kind="text", text="a")))


async def test_unknown_user_81013_is_undeliverable(wecom_api: Any) -> None:
    _, client, _ = wecom_api
    with pytest.raises(Undeliverable, match="81013"):
        await WeComSender(client()).send(row(Reply(kind="text", text="a"), address="ghost"))


async def test_long_text_is_split_on_utf8_boundaries_within_2048_bytes(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    text = "\n".join(f"第{i}行：工单 SO-{i} 已排产，预计交期不变。" for i in range(300))
    await WeComSender(client()).send(row(Reply(kind="text", text=text)))
    parts = [d["text"]["content"] for d in stub.delivered]
    assert len(parts) > 1
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "".join(parts) == text


async def test_member_limit_30_per_minute_is_never_exceeded(wecom_api: Any) -> None:
    stub, client, mono = wecom_api
    stub.clock = mono
    sender = WeComSender(client())
    for i in range(30):
        await sender.send(row(Reply(kind="text", text=f"m{i}")))
    with pytest.raises(RetryLater) as held:
        await sender.send(row(Reply(kind="text", text="m30")))
    assert 0 < (held.value.after or 0) <= 60
    assert stub.dropped == [] and len(stub.delivered) == 30
    await sender.send(row(Reply(kind="text", text="other"), address="lisi"))  # per member
    mono.t += 60
    await sender.send(row(Reply(kind="text", text="m30")))
    assert len(stub.delivered) == 32


async def test_card_and_update_template_card(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    c = client()
    card = Reply(kind="card", title="变更确认 CR-12", text="SO-1 数量改为 500 件", card_id="CR-12",
                 buttons=(Button("confirm:CR-12", "确认"), Button("reject:CR-12", "取消", 2)))
    [result] = await c.send("zhangsan", [
        {"msgtype": "template_card", "template_card": {
            "card_type": "button_interaction", "main_title": {"title": card.title},
            "task_id": "CR-12", "button_list": [
                {"type": 0, "text": "确认", "style": 1, "key": "confirm:CR-12"}]}}])
    code = result["response_code"]
    await WeComSender(c).send(row(card, key="k2"))
    sent = stub.delivered[-1]["template_card"]
    assert sent["task_id"].startswith("CR-12-") and sent["card_type"] == "button_interaction"
    assert [b["key"] for b in sent["button_list"]] == ["confirm:CR-12", "reject:CR-12"]
    await c.update_template_card(["zhangsan"], code, replace_name="已确认")
    assert stub.card_updates[0]["button"] == {"replace_name": "已确认"}
    with pytest.raises(WeComApiError):  # response codes are single-use
        await c.update_template_card(["zhangsan"], code, replace_name="again")


async def test_resend_after_crash_is_suppressed_by_duplicate_check(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    sender = WeComSender(client())
    r = row(Reply(kind="text", text="交期已更新"))
    await sender.send(r)
    await sender.send(r)  # the same row again, as after a lease expiry
    assert len(stub.delivered) == 1 and len(stub.duplicates) == 1


async def test_bad_secret_is_retry_later_not_a_loop(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    sender = WeComSender(client())
    stub.secret = "rotated"  # the app secret was reset in the admin console
    with pytest.raises(RetryLater, match="40001"):
        await sender.send(row(Reply(kind="text", text="a")))
    assert stub.gettoken_calls == 1


async def test_same_text_later_is_delivered_but_a_resend_is_not(wecom_api: Any) -> None:
    """Duplicate check looks back over the row's own lifetime, not a fixed 30 minutes."""
    stub, client, mono = wecom_api
    stub.clock = mono
    clock = FakeClock()
    sender = WeComSender(client(), clock)
    first = row(Reply(kind="text", text="SO-1 预计 12月5日 交货"), key="a")
    first.created_at = clock.now()
    await sender.send(first)
    mono.t += 120
    clock.advance(120)
    await sender.send(first)  # lease expired after a crash: the same row again
    assert len(stub.delivered) == 1 and len(stub.duplicates) == 1
    mono.t += 600
    clock.advance(600)
    again = row(Reply(kind="text", text="SO-1 预计 12月5日 交货"), key="b")
    again.created_at = clock.now()  # the same question asked again ten minutes later
    await sender.send(again)
    assert len(stub.delivered) == 2
    assert stub.requests[-1]["duplicate_check_interval"] == 60


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_picture_is_uploaded_then_sent_as_image(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    reply = Reply(kind="markdown", text="生产日报", image_png=PNG)
    await WeComSender(client()).send(row(reply, key="digest:supervisor:2026-11-23"))
    assert list(stub.media.values()) == [PNG]
    kinds = [d["msgtype"] for d in stub.delivered]
    assert kinds[-1] == "image" and stub.delivered[-1]["image"]["media_id"] in stub.media


async def test_upload_refetches_an_expired_token_once(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    c = client()
    await c.access_token()
    stub.invalidate_tokens()
    media_id = await c.upload_image(PNG)
    assert media_id in stub.media and stub.gettoken_calls == 2


async def test_oversized_or_foreign_pictures_are_refused(wecom_api: Any) -> None:
    stub, client, _ = wecom_api
    with pytest.raises(WeComApiError) as err:
        await client().upload_image(b"GIF89a" + b"\x00" * 10)
    assert err.value.errcode == 40005
    with pytest.raises(WeComApiError):
        await client().upload_image(PNG + b"\x00" * (2 * 1024 * 1024))
    assert stub.media == {}
