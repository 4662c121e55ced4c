"""The outbox dispatcher: retries, backoff, dead letters, lease expiry after a crash."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.render import reply_to_payload
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.routes import setup_wecom
from bot.channels.wecom.sender import WeComSender
from bot.delivery.dispatcher import OutboxDispatcher, setup_dispatcher
from bot.delivery.senders import RetryLater, Undeliverable
from bot.settings import Settings
from core.messages import Reply
from core.outbox import OutboxMessage, OutboxStatus
from tests.integration.channels.fakes import FakeClock, FakeHandler, FakeOutbox
from tests.stubs.wecom import WeComEncryptor, WeComStub, text_xml


class ScriptedSender:
    """Fails with the scripted exceptions first, then succeeds; records every try."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.tries: list[str] = []

    async def send(self, message: OutboxMessage) -> None:
        self.tries.append(message.dedupe_key)
        if self.failures:
            raise self.failures.pop(0)


class AlwaysFails:
    def __init__(self) -> None:
        self.tries = 0

    async def send(self, message: OutboxMessage) -> None:
        self.tries += 1
        raise RetryLater("platform down")


def msg(key: str = "k1", channel: str = "wecom", address: str = "zhangsan",
        clock: FakeClock | None = None, text: str = "hi") -> OutboxMessage:
    now = (clock or FakeClock()).now()
    return OutboxMessage(channel=channel, address=address,
                         payload=reply_to_payload(Reply(kind="text", text=text)),
                         dedupe_key=key, created_at=now, next_attempt_at=now)


def dispatcher(outbox: FakeOutbox, senders: dict[str, Any], clock: FakeClock,
               **kw: Any) -> OutboxDispatcher:
    return OutboxDispatcher(outbox, senders, clock, jitter=lambda: 1.0, rates={}, **kw)


async def test_sent_on_first_try() -> None:
    outbox, clock, sender = FakeOutbox(), FakeClock(), ScriptedSender()
    await outbox.add([msg(clock=clock)])
    assert await dispatcher(outbox, {"wecom": sender}, clock).run_once() == 1
    [row] = outbox.rows.values()
    assert row.status is OutboxStatus.SENT and row.sent_at == clock.now()


async def test_retry_with_backoff_then_sent() -> None:
    outbox, clock = FakeOutbox(), FakeClock()
    sender = ScriptedSender(RetryLater("busy"), RetryLater("busy", after=30))
    d = dispatcher(outbox, {"wecom": sender}, clock, base_backoff=2.0)
    await outbox.add([msg(clock=clock)])
    start = clock.now()
    await d.run_once()
    [row] = outbox.rows.values()
    assert row.next_attempt_at == start + timedelta(seconds=2) and row.attempts == 1
    assert await d.run_once() == 0  # not due yet
    clock.advance(2)
    await d.run_once()
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)  # the hint wins
    clock.advance(30)
    await d.run_once()
    assert row.status is OutboxStatus.SENT and len(sender.tries) == 3


def test_backoff_is_exponential_capped_and_jittered() -> None:
    d = OutboxDispatcher(FakeOutbox(), {}, FakeClock(), base_backoff=2, max_backoff=60,
                         jitter=lambda: 1.0)
    assert [d.backoff(a) for a in (1, 2, 3, 4, 5, 6, 10)] == [2, 4, 8, 16, 32, 60, 60]
    low = OutboxDispatcher(FakeOutbox(), {}, FakeClock(), base_backoff=2, jitter=lambda: 0.0)
    assert low.backoff(3) == 4.0  # jitter keeps at least half


async def test_dead_after_max_attempts_and_visible_to_admins(aiohttp_client: Any,
                                                             make_deps: Any) -> None:
    deps = make_deps(settings=Settings(admin_token="s3cret"))
    sender = AlwaysFails()
    d = dispatcher(deps.outbox, {"wecom": sender}, deps.clock, max_attempts=3)
    await deps.outbox.add([msg(clock=deps.clock)])
    for _ in range(5):
        await d.run_once()
        deps.clock.advance(3600)
    [row] = deps.outbox.rows.values()
    assert row.status is OutboxStatus.DEAD and sender.tries == 3
    assert "gave up after 3 attempts" in (row.last_error or "")

    app = web.Application()
    setup_dispatcher(app, deps, senders={})
    client = await aiohttp_client(app)
    assert (await client.get("/api/outbox/dead")).status == 401
    wrong = await client.get("/api/outbox/dead", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    ok = await client.get("/api/outbox/dead", headers={"Authorization": "Bearer s3cret"})
    [dead] = await ok.json()
    assert dead["dedupe_key"] == "k1" and dead["attempts"] == 3


async def test_undeliverable_is_dead_at_once() -> None:
    outbox, clock = FakeOutbox(), FakeClock()
    await outbox.add([msg(clock=clock)])
    await dispatcher(outbox, {"wecom": ScriptedSender(Undeliverable("81013"))}, clock).run_once()
    [row] = outbox.rows.values()
    assert row.status is OutboxStatus.DEAD and row.last_error == "81013"


async def test_unexpected_error_is_retried_not_fatal() -> None:
    outbox, clock = FakeOutbox(), FakeClock()
    await outbox.add([msg(clock=clock)])
    await dispatcher(outbox, {"wecom": ScriptedSender(KeyError("x"))}, clock).run_once()
    [row] = outbox.rows.values()
    assert row.status is OutboxStatus.PENDING and "KeyError" in (row.last_error or "")


async def test_unknown_channel_is_dead() -> None:
    outbox, clock = FakeOutbox(), FakeClock()
    await outbox.add([msg(channel="fax", clock=clock)])
    await dispatcher(outbox, {}, clock).run_once()
    assert next(iter(outbox.rows.values())).status is OutboxStatus.DEAD


async def test_a_person_s_messages_stay_in_order_after_a_failure() -> None:
    outbox, clock = FakeOutbox(), FakeClock()
    sender = ScriptedSender(RetryLater("busy"))
    await outbox.add([msg("a", clock=clock), msg("b", clock=clock),
                      msg("c", address="lisi", clock=clock)])
    d = dispatcher(outbox, {"wecom": sender}, clock, base_backoff=1, lease_seconds=60)
    await d.run_once()
    assert sender.tries == ["a", "c"]  # b waits behind a, lisi is not held up
    clock.advance(61)
    await d.run_once()
    assert sender.tries == ["a", "c", "a", "b"]
    assert all(r.status is OutboxStatus.SENT for r in outbox.rows.values())


async def test_crash_mid_send_loses_nothing_and_wecom_shows_it_once(aiohttp_server: Any) -> None:
    stub = WeComStub()
    server = await aiohttp_server(stub.app())
    base = str(server.make_url("")).rstrip("/")
    outbox, clock = FakeOutbox(), FakeClock()
    await outbox.add([msg("r1", clock=clock, text="交期已更新")])
    async with aiohttp.ClientSession() as session:
        real = WeComSender(WeComClient(session, base, stub.corp_id, stub.secret, stub.agent_id))
        gate = asyncio.Event()

        class CrashAfterSend:
            async def send(self, message: OutboxMessage) -> None:
                await real.send(message)
                await gate.wait()  # the process dies here, before mark_sent

        crashed = dispatcher(outbox, {"wecom": CrashAfterSend()}, clock, lease_seconds=60)
        task = asyncio.ensure_future(crashed.run_once())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        [row] = outbox.rows.values()
        assert row.status is OutboxStatus.PENDING
        restarted = dispatcher(outbox, {"wecom": real}, clock, lease_seconds=60)
        assert await restarted.run_once() == 0  # still leased to the dead dispatcher
        clock.advance(61)
        assert await restarted.run_once() == 1
    assert outbox.with_status(OutboxStatus.SENT) == [row]
    assert len(stub.delivered) == 1 and len(stub.duplicates) == 1


async def test_channel_rate_limit_spaces_sends() -> None:
    outbox, clock = FakeOutbox(), FakeClock()
    await outbox.add([msg(f"k{i}", address=f"u{i}", clock=clock) for i in range(6)])
    d = OutboxDispatcher(outbox, {"wecom": ScriptedSender()}, clock, rates={"wecom": (20, 2)})
    loop = asyncio.get_running_loop()
    started = loop.time()
    await d.run_once()
    assert loop.time() - started >= 0.15  # 2 at once, then 4 more at 20/s
    assert len(outbox.with_status(OutboxStatus.SENT)) == 6


async def test_wecom_message_to_stub_end_to_end(aiohttp_client: Any, aiohttp_server: Any,
                                               make_deps: Any) -> None:
    """Encrypted callback -> slow handler -> outbox -> dispatcher -> WeCom stub."""
    stub = WeComStub(corp_id="wx5823bf96d3bd56c7")
    server = await aiohttp_server(stub.app())
    settings = Settings(
        wecom_corp_id=stub.corp_id, wecom_token="QDG6eK",
        wecom_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        wecom_secret=stub.secret, wecom_agent_id=str(stub.agent_id),
        wecom_api_base=str(server.make_url("")).rstrip("/"), outbox_poll_seconds=30)
    deps = make_deps(settings=settings, handler=FakeHandler())
    app = web.Application()
    setup_wecom(app, deps, passive_window=0.05)
    setup_dispatcher(app, deps)  # real senders from settings, pointed at the stub
    client = await aiohttp_client(app)
    enc = WeComEncryptor(settings.wecom_token, settings.wecom_aes_key, stub.corp_id)
    ts = int(deps.clock.now().timestamp())
    query, body = enc.envelope(text_xml(stub.corp_id, "zhangsan", "card", ts, 99), str(ts))
    resp = await client.post("/wecom/callback", data=body.encode(), params=query)
    assert await resp.text() == ""
    for _ in range(100):  # woken by the queue, not by the 30 s poll
        if stub.delivered:
            break
        await asyncio.sleep(0.02)
    [sent] = stub.delivered
    assert sent["msgtype"] == "template_card"
    assert sent["template_card"]["task_id"].startswith("CR-12-")
    assert sent["template_card"]["sub_title_text"] == "SO-1 数量改为 500 件"


async def test_deferred_deps_are_bound_at_startup(aiohttp_client: Any) -> None:
    """The composition root can add routes first and bind services in a cleanup_ctx."""
    from collections.abc import AsyncIterator

    from bot.channels.pipeline import ChannelDeps
    from bot.channels.web.routes import setup_webchat
    from tests.integration.channels.fakes import FakeInbox

    deps = ChannelDeps.deferred(Settings(demo=True))
    app = web.Application()

    async def container(app: web.Application) -> AsyncIterator[None]:
        deps.bind(handler=FakeHandler(), inbox=FakeInbox(), outbox=FakeOutbox(),
                  clock=FakeClock())
        yield

    app.cleanup_ctx.append(container)  # before the channels' and the dispatcher's
    setup_webchat(app, deps)
    setup_dispatcher(app, deps, senders={})
    client = await aiohttp_client(app)
    resp = await client.post("/api/chat", json={"user": "p1", "text": "hi"})
    assert (await resp.json())["replies"][0]["text"] == "echo: hi"


def test_unbound_deps_fail_loudly() -> None:
    from bot.channels.pipeline import ChannelDeps

    deps = ChannelDeps.deferred(Settings())
    with pytest.raises(RuntimeError, match=r"before ChannelDeps\.bind"):
        deps.outbox.add  # noqa: B018


async def test_a_hanging_send_is_retried_not_stuck() -> None:
    class Hangs:
        async def send(self, message: OutboxMessage) -> None:
            await asyncio.sleep(3600)

    outbox, clock = FakeOutbox(), FakeClock()
    await outbox.add([msg(clock=clock)])
    await dispatcher(outbox, {"wecom": Hangs()}, clock, send_timeout=0.05).run_once()
    [row] = outbox.rows.values()
    assert row.status is OutboxStatus.PENDING and "no answer" in (row.last_error or "")


async def test_run_loop_picks_up_work_when_woken() -> None:
    outbox, clock, sender = FakeOutbox(), FakeClock(), ScriptedSender()
    d = dispatcher(outbox, {"wecom": sender}, clock, poll_seconds=30)
    task = asyncio.ensure_future(d.run())
    try:
        await asyncio.sleep(0.01)
        await outbox.add([msg(clock=clock)])
        d.wake()
        for _ in range(100):
            if sender.tries:
                break
            await asyncio.sleep(0.01)
        assert sender.tries == ["k1"]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
