"""Ack latency of POST /wecom/callback under a steady load.

Runs the callback app (setup_wecom with a fast fake handler and in-memory
inbox/outbox) in a child process on a loopback port, then sends WeCom-
encrypted text messages at a fixed rate (open loop: latency is measured from
each message's scheduled time, so a stalled server cannot hide its backlog)
and prints one JSON line with p50/p99 ack latency.

    python -m bench.callback [--rate 200] [--seconds 10] [--sql NEW_FILE.db]
    python -m bench.callback --procs 1,2 [--rates 10,20,40,80,160,400] [--seconds 5]

With --sql the dedupe inbox and the outbox (passive replies are recorded as
sent) are the real SQL stores on SQLite, so each message costs two commits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from wechatpy.enterprise.crypto import PrpCrypto

from bot.channels.pipeline import ChannelDeps
from bot.channels.wecom.crypto import signature
from bot.channels.wecom.routes import setup_wecom
from bot.settings import Settings
from core.messages import ChatMessage, Reply
from core.outbox import OutboxMessage
from core.ports import Claim, Unhandled

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP = "wx5823bf96d3bd56c7"


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class _Inbox:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        if (channel, key) in self.seen:
            return False
        self.seen.add((channel, key))
        return True

    async def claim(self, channel: str, key: str, message: dict[str, Any], at: datetime,
                    lease_seconds: float) -> Claim:
        return Claim.NEW if await self.first_seen(channel, key, at) else Claim.HANDLED

    async def handled(self, channel: str, key: str, replies: Sequence[OutboxMessage],
                      at: datetime) -> bool:
        return True

    async def replies(self, channel: str, key: str) -> list[OutboxMessage]:
        return []

    async def claim_unhandled(self, now: datetime, lease_seconds: float,
                              limit: int) -> list[Unhandled]:
        return []


class _Outbox:
    def __init__(self) -> None:
        self.count = 0

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        self.count += len(messages)

    async def claim_due(self, now: datetime, limit: int, lease: float) -> list[OutboxMessage]:
        return []

    async def mark_sent(self, message_id: int, at: datetime) -> None: ...

    async def mark_retry(self, message_id: int, at: datetime, error: str) -> None: ...

    async def mark_dead(self, message_id: int, error: str) -> None: ...

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]:
        return []


async def _fast_handler(message: ChatMessage) -> list[Reply]:
    return [Reply(kind="text", text=f"收到 {message.text}")]


def _percentiles(ms: list[float]) -> dict[str, float | None]:
    ms = sorted(ms)
    if not ms:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"p50_ms": round(statistics.median(ms), 2),
            "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
            "max_ms": round(ms[-1], 2)}


def _stores(sql: str | None) -> tuple[Any, Any]:
    """In-memory stores, or the real SQL inbox and outbox on a migrated SQLite file."""
    if sql is None:
        return _Inbox(), _Outbox()
    from storage.engine import create_engine
    from storage.message_services import SqlInboxService, SqlOutboxService
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWorkFactory

    engine = create_engine(f"sqlite+aiosqlite:///{sql}")

    async def migrate() -> None:
        await upgrade(engine)
        await engine.dispose()  # no pooled connection may outlive this event loop

    asyncio.run(migrate())
    factory = SqlUnitOfWorkFactory(engine)
    return SqlInboxService(factory), SqlOutboxService(factory)


def _serve(port: int, sql: str | None = None) -> None:
    settings = Settings(wecom_corp_id=CORP, wecom_token=TOKEN, wecom_aes_key=AES_KEY)
    inbox, outbox = _stores(sql)
    deps = ChannelDeps(handler=_fast_handler, inbox=inbox, outbox=outbox,
                       clock=_Clock(), settings=settings)
    handling: list[float] = []

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Time spent inside the app, to tell our code from the machine's queueing."""
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            if request.path == "/wecom/callback":
                handling.append((time.perf_counter() - started) * 1000)

    async def stats(request: web.Request) -> web.Response:
        body = _percentiles(handling[int(request.query.get("skip", "0")):])
        return web.json_response(body)

    app = web.Application(middlewares=[timed])
    app.router.add_get("/bench-stats", stats)
    setup_wecom(app, deps)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None,
                handle_signals=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _messages(n: int) -> list[tuple[dict[str, str], bytes]]:
    crypto = PrpCrypto(__import__("base64").b64decode(AES_KEY + "="))
    out = []
    ts = str(int(time.time()))
    for i in range(n):
        xml = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName>"
               f"<FromUserName><![CDATA[user{i % 50}]]></FromUserName>"
               f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[SO-{i} 进度]]></Content><MsgId>{10**12 + i}</MsgId>"
               "<AgentID>1000002</AgentID></xml>")
        encrypt = crypto.encrypt(xml, CORP).decode()
        nonce = str(100000 + i)
        body = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]>"
                "</Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>").encode()
        out.append(({"msg_signature": signature(TOKEN, ts, nonce, encrypt),
                     "timestamp": ts, "nonce": nonce}, body))
    return out


async def _wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(200):
            try:
                async with s.get(url):
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise RuntimeError("bench server did not start")


async def _drive(url: str, rate: float, seconds: float) -> dict[str, object]:
    n = int(rate * seconds)
    warm = int(rate)  # one unmeasured second: connections opened, code paths warm
    messages = _messages(n + warm)
    await _wait_ready(url.replace("/wecom/callback", "/ready"))  # any answer means it is up
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    tasks: set[asyncio.Task[None]] = set()
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn) as session:
        async def one(scheduled: float, query: dict[str, str], body: bytes,
                      measured: bool) -> None:
            nonlocal errors
            try:
                async with session.post(url, params=query, data=body) as resp:
                    await resp.read()
                    if measured:
                        statuses[resp.status] = statuses.get(resp.status, 0) + 1
                if measured:
                    latencies.append(time.perf_counter() - scheduled)
            except aiohttp.ClientError:
                errors += 1

        start = time.perf_counter() + 0.1
        for i, (query, body) in enumerate(messages):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.ensure_future(one(scheduled, query, body, i >= warm))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(set(tasks))
        async with session.get(url.replace("/wecom/callback", "/bench-stats"),
                               params={"skip": str(warm)}) as resp:
            inside = await resp.json()
    return {
        "bench": "wecom_callback_ack", "rate_per_s": rate, "seconds": seconds, "measured": n,
        "ok": statuses.get(200, 0), "statuses": statuses, "errors": errors,
        **_percentiles([x * 1000 for x in latencies]),
        "in_app": inside,
        "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sql", metavar="PATH",
                        help="use the real inbox and outbox on a new SQLite file at PATH")
    parser.add_argument("--procs", metavar="N,M",
                        help="drive real `gongdan demo` processes on a new PostgreSQL "
                             "database behind a round-robin proxy, N then M of them "
                             "(bench/callback_procs.py)")
    parser.add_argument("--rates", default="10,20,30,40,60,80,120,160,200,300,400",
                        help="with --procs: the offered rates to step through, per second")
    parser.add_argument("--workdir", help="with --procs: keep the demo logs here")
    parser.add_argument("--text", default="{ref} 进度",
                        help="with --procs: each message's text ({ref}: an open order)")
    args = parser.parse_args(argv)
    if args.procs:
        _processes(args)
        return
    if args.sql and os.path.exists(args.sql):
        parser.error(f"{args.sql} exists; give a new file")
    port = _free_port()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(port, args.sql),
                                                          daemon=True)
    server.start()
    try:
        result = asyncio.run(_drive(f"http://127.0.0.1:{port}/wecom/callback",
                                    args.rate, args.seconds))
    finally:
        server.terminate()
        server.join(5)
    result["stores"] = "sqlite" if args.sql else "memory"
    print(json.dumps(result, ensure_ascii=False))


def _processes(args: argparse.Namespace) -> None:
    from bench.callback_procs import campaign

    procs = [int(n) for n in args.procs.split(",")]
    rates = [float(r) for r in args.rates.split(",")]
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(campaign(procs, rates, args.seconds, workdir, args.text))
    else:
        with tempfile.TemporaryDirectory(prefix="gongdan-callback-") as tmp:
            result = asyncio.run(campaign(procs, rates, args.seconds, Path(tmp), args.text))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
