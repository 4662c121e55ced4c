"""WeCom callbacks at real `gongdan demo` processes on one PostgreSQL, behind a round robin.

    python -m bench.callback --procs 1,2 [--rates 10,20,40,80,160,400] [--seconds 5]

Starts `--procs`' largest number of demo processes on a new PostgreSQL database
(`postgresql+psycopg://postgres@127.0.0.1:5432/...`), sending through the WeCom
API stub (tests/stubs/wecom.py), and for each process count a loopback proxy
(a child process, a few lines of aiohttp) that hands callbacks to the first N
of them in turn, as nginx without stickiness would. At each offered rate it
sends encrypted WeCom text messages (progress questions from the demo's people
about its open orders, one MsgId each, open loop) and measures the ack latency
from each message's scheduled time. Once the inbox and outbox are quiet it
counts, per MsgId, from the database and the stub:

- lost: a message not handled, or whose first reply reached nobody (neither in
  the HTTP answer nor sent by the outbox);
- duplicates: a first reply delivered more than once (HTTP answer and outbox
  both, an outbox row sent twice), or more stub deliveries than rows sent.

A step passes at p99 <= 50 ms, no errors, none lost, no duplicates. For each
process count the rates are stepped up until two in a row fail (one failure can
be a neighbour's burst on a shared machine); the highest passing rate is that
count's sustained throughput. Then the target rate (400/s) is offered once, for
two seconds, so its figures are there too. One JSON object.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.callback import AES_KEY, CORP, TOKEN, _free_port, _percentiles
from bench.faults import Server, _Everyone, _pg_database
from storage.engine import create_engine
from storage.tables import inbox, outbox, people, work_orders
from tests.stubs.wecom import WeComEncryptor, WeComStub, text_xml

P99_BAR_MS = 50.0
BENCH_USERS = 100
TEXT = "{ref} 进度"  # a progress question, answered in the callback's HTTP answer
WECOM_WAIT_S = 5.0  # WeCom gives a callback 5 s, then sends it again
WECOM_RETRIES = 3
QUIET_TIMEOUT = 180.0  # an overloaded step's backlog drains at the sustained rate
TARGET_SECONDS = 2.0  # the target rate past the sustained one: a short step, a long drain


# --- the round-robin proxy (a child process) ---------------------------------------------

def _proxy(port: int, backends: list[str]) -> None:
    turn = itertools.cycle(backends)
    upstream: list[float] = []

    async def session(app: web.Application) -> AsyncIterator[None]:
        app[http_key] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),
            timeout=aiohttp.ClientTimeout(total=60))
        yield
        await app[http_key].close()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        started = time.perf_counter()
        try:
            async with request.app[http_key].post(next(turn) + request.path_qs,
                                                  data=body) as r:
                answer = await r.read()
                status, kind = r.status, r.content_type or "text/plain"
        except (aiohttp.ClientError, TimeoutError):
            return web.Response(status=502)
        upstream.append((time.perf_counter() - started) * 1000)
        return web.Response(status=status, body=answer, content_type=kind)

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(_percentiles(upstream[int(request.query.get("skip", "0")):]))

    async def reset(request: web.Request) -> web.Response:
        upstream.clear()
        return web.json_response({})

    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)  # a client that gave up is no news
    http_key = web.AppKey("http", aiohttp.ClientSession)
    app = web.Application()
    app.cleanup_ctx.append(session)
    app.router.add_post("/wecom/callback", forward)
    app.router.add_get("/bench-stats", stats)
    app.router.add_post("/bench-reset", reset)
    # a caller that gives up closes the upstream connection too, as nginx does by default
    # (proxy_ignore_client_abort off), so the app can tell its answer would reach nobody
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None,
                handler_cancellation=True)


class Proxy:
    def __init__(self, backends: list[str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = multiprocessing.get_context("spawn").Process(
            target=_proxy, args=(self.port, backends), daemon=True)

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.proc.start()
        for _ in range(200):
            try:
                async with http.get(f"{self.url}/bench-stats"):
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
        raise RuntimeError("proxy did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.join(5)


# --- one step: a rate through the proxy --------------------------------------------------

def _messages(enc: WeComEncryptor, first_id: int, n: int, users: Sequence[str],
              refs: Sequence[str], text: str) -> list[tuple[int, dict[str, str], str]]:
    ts = str(int(time.time()))
    out = []
    for i in range(n):
        msg_id = first_id + i
        xml = text_xml(CORP, users[i % len(users)], text.format(ref=refs[i % len(refs)]),
                       int(ts), msg_id)
        query, body = enc.envelope(xml, ts, nonce=str(100000 + i))
        out.append((msg_id, query, body))
    return out


async def _send(http: aiohttp.ClientSession, url: str, rate: float,
                messages: list[tuple[int, dict[str, str], str]], warm: int) -> dict[str, Any]:
    """Open loop at `rate`; as WeCom does, a callback not answered within 5 s is sent
    again, up to three times. Latency runs from the scheduled time to the answer."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    answered: dict[int, int] = {}  # MsgId -> passive answers received
    errors = retries = 0
    tasks: set[asyncio.Task[None]] = set()
    wait = aiohttp.ClientTimeout(total=WECOM_WAIT_S)

    async def one(scheduled: float, msg_id: int, query: dict[str, str], body: str,
                  measured: bool) -> None:
        nonlocal errors, retries
        for attempt in range(1 + WECOM_RETRIES):
            retries += attempt > 0
            try:
                async with http.post(url, params=query, data=body.encode(),
                                     timeout=wait) as resp:
                    text = await resp.read()
                    statuses[resp.status] += 1
                if resp.status != 200:
                    continue
            except (aiohttp.ClientError, TimeoutError):
                continue
            answered[msg_id] = answered.get(msg_id, 0) + (1 if text.strip() else 0)
            if measured:
                latencies.append((time.perf_counter() - scheduled) * 1000)
            return
        errors += 1

    start = time.perf_counter() + 0.1
    for i, (msg_id, query, body) in enumerate(messages):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.ensure_future(one(scheduled, msg_id, query, body, i >= warm))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(set(tasks))
    return {"latencies": latencies, "statuses": dict(statuses), "errors": errors,
            "retries": retries, "answered": answered}


async def _quiet(engine: AsyncEngine) -> bool:
    """No message received and not handled, no reply pending in the outbox."""
    deadline = time.monotonic() + QUIET_TIMEOUT
    while time.monotonic() < deadline:
        async with engine.connect() as conn:
            busy = (await conn.execute(select(inbox.c.key).where(
                inbox.c.state == "received").limit(1))).first()
            pending = (await conn.execute(select(outbox.c.id).where(
                outbox.c.status == "pending").limit(1))).first()
        if busy is None and pending is None:
            return True
        await asyncio.sleep(0.5)
    return False


async def _count(engine: AsyncEngine, keys: list[str], answered: dict[int, int],
                 stub: WeComStub, stub_before: int, since: datetime) -> dict[str, int]:
    """Lost and duplicated first replies, per MsgId, from the database and the stub."""
    async with engine.connect() as conn:
        handled = {r.key for r in await conn.execute(
            select(inbox.c.key).where(inbox.c.channel == "wecom", inbox.c.key.in_(keys),
                                      inbox.c.state == "handled"))}
        rows = (await conn.execute(select(outbox.c.dedupe_key, outbox.c.status, outbox.c.meta)
                                   .where(outbox.c.sent_at >= since))).all()
    wanted = set(keys)
    by_outbox: Counter[str] = Counter()  # first replies the dispatcher sent
    pushed = replies = 0  # rows the dispatcher sent (replies or not), replies among them
    for row in rows:
        if row.status != "sent" or (row.meta or {}).get("answered"):
            continue
        pushed += 1
        key, _, index = row.dedupe_key.removeprefix("wecom:reply:").rpartition(":")
        if key in wanted:
            replies += 1
            by_outbox[key] += index == "0"
    lost = duplicates = 0
    for key in keys:
        delivered = answered.get(int(key.removeprefix("msg:")), 0) + by_outbox[key]
        lost += key not in handled or delivered == 0
        duplicates += delivered > 1
    stub_sent = len(stub.delivered) - stub_before
    return {"handled": len(handled), "lost": lost,
            "duplicates": duplicates + max(0, stub_sent - pushed),
            "replies_by_outbox": replies, "outbox_rows_sent": pushed,
            "stub_deliveries": stub_sent}


async def _step(http: aiohttp.ClientSession, proxy: Proxy, servers: Sequence[Server],
                engine: AsyncEngine,
                enc: WeComEncryptor, stub: WeComStub, procs: int, rate: float, seconds: float,
                first_id: int, users: Sequence[str], refs: Sequence[str],
                text: str) -> dict[str, Any]:
    warm = int(rate)  # one unmeasured second: connections opened, code paths warm
    messages = _messages(enc, first_id, warm + int(rate * seconds), users, refs, text)
    async with http.post(f"{proxy.url}/bench-reset"):
        pass
    stub_before, again_before = len(stub.delivered), _handled_again(servers)
    since = datetime.now(UTC)
    sent = await _send(http, f"{proxy.url}/wecom/callback", rate, messages, warm)
    async with http.get(f"{proxy.url}/bench-stats", params={"skip": str(warm)}) as r:
        upstream = await r.json()
    keys = [f"msg:{m[0]}" for m in messages]
    quiet = await _quiet(engine)
    counts = await _count(engine, keys, sent["answered"], stub, stub_before, since)
    ack = _percentiles(sent["latencies"])
    passed = (quiet and sent["errors"] == 0 and counts["lost"] == 0
              and counts["duplicates"] == 0 and ack["p99_ms"] is not None
              and ack["p99_ms"] <= P99_BAR_MS)
    return {"procs": procs, "rate_per_s": rate, "messages": len(messages),
            "measured": len(sent["latencies"]), **ack, "proxy_to_app": upstream,
            "statuses": sent["statuses"], "errors": sent["errors"], "retries": sent["retries"],
            "quiet": quiet, **counts, "handled_again": _handled_again(servers) - again_before,
            "passed": passed, "loadavg_1m": round(os.getloadavg()[0], 2)}


# --- the campaign ------------------------------------------------------------------------

async def _subjects(engine: AsyncEngine) -> tuple[list[str], list[str]]:
    """BENCH_USERS planners of the bench's own (WeCom sends at most 30 messages a minute to
    one member, which would make the replies queued in an overload drain for many
    minutes), and the demo's open orders."""
    users = [f"bench{i:03d}" for i in range(BENCH_USERS)]
    async with engine.begin() as conn:
        await conn.execute(insert(people), [
            {"id": f"plan.{u}", "name": u, "role": "planner", "wecom_userid": u,
             "customers": [], "lang": "zh", "active": True} for u in users])
        refs = [r.ref for r in await conn.execute(
            select(work_orders.c.ref).where(work_orders.c.status.in_(
                ("released", "in_progress"))).order_by(work_orders.c.ref))]
    if not refs:
        raise RuntimeError("no open orders in the demo")
    return users, refs


def _handled_again(servers: Sequence[Server]) -> int:
    """Messages the recovery sweeps took over (a handler past its lease), from the logs."""
    return sum((s.workdir / "server.log").read_text(errors="replace")
               .count("again: its handler died") for s in servers)


def _server(db: str, stub_url: str, workdir: Path, n: int) -> Server:
    work = workdir / f"p{n}"
    work.mkdir(parents=True, exist_ok=True)
    server = Server(db, stub_url, work, work / "fault")
    for key in ("GONGDAN_INBOX_LEASE_SECONDS", "GONGDAN_OUTBOX_LEASE_SECONDS",
                "GONGDAN_FAULT_FILE"):
        server.env.pop(key)  # the defaults, as deployed
    server.env.update({"GONGDAN_WECOM_CORP_ID": CORP, "GONGDAN_WECOM_TOKEN": TOKEN,
                       "GONGDAN_WECOM_AES_KEY": AES_KEY})
    return server


async def campaign(procs: list[int], rates: list[float], seconds: float, workdir: Path,
                   text: str = TEXT, target: float = 400.0) -> dict[str, Any]:
    """Step each process count up through `rates` to its first failure, then run `target`."""
    name = f"gongdan_bench_{os.getpid()}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    await _pg_database(name)
    stub = WeComStub(corp_id=CORP, users=_Everyone(), per_member_per_minute=10**6)
    enc = WeComEncryptor(TOKEN, AES_KEY, CORP)
    runner = web.AppRunner(stub.app())
    await runner.setup()
    stub_port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", stub_port).start()
    servers = [_server(url, f"http://127.0.0.1:{stub_port}", workdir, n)
               for n in range(max(procs))]
    engine = create_engine(url)
    steps: list[dict[str, Any]] = []
    first_id = int(time.time()) * 1000
    started = time.monotonic()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                         timeout=aiohttp.ClientTimeout(total=60)) as http:
            await servers[0].start(http)  # the first migrates and seeds; the others find it done
            await asyncio.gather(*(s.start(http) for s in servers[1:]))
            users, refs = await _subjects(engine)
            await _quiet(engine)  # the demo's start: its plan, alerts and their sends
            await asyncio.sleep(5)
            for n in procs:
                proxy = Proxy([s.url for s in servers[:n]])
                await proxy.start(http)
                try:
                    todo, failed = sorted(set(rates)), 0
                    while todo:
                        rate = todo.pop(0)
                        await _quiet(engine)
                        length = seconds if rate < target else min(seconds, TARGET_SECONDS)
                        step = await _step(http, proxy, servers, engine, enc, stub, n, rate,
                                           length,
                                           first_id, users, refs, text)
                        first_id += step["messages"]
                        steps.append(step)
                        failed = 0 if step["passed"] else failed + 1
                        if failed == 2:  # past the sustained rate: the target once more
                            todo = [target] if rate < target else []
                        await asyncio.sleep(2)  # let the outbox and the pool settle
                finally:
                    proxy.stop()
    finally:
        for s in servers:
            s.stop()
        await engine.dispose()
        await runner.cleanup()
        await _pg_database(name, drop=True)
    sustained = {n: max((s["rate_per_s"] for s in steps if s["procs"] == n and s["passed"]),
                        default=0.0) for n in procs}
    summary: dict[str, Any] = {f"sustained_rate_{n}_procs": r for n, r in sustained.items()}
    if len(procs) > 1 and sustained[procs[0]]:
        summary["throughput_ratio"] = round(sustained[procs[-1]] / sustained[procs[0]], 2)
    return {"bench": "wecom_callback_ack_processes", "db": "postgresql",
            "p99_bar_ms": P99_BAR_MS, "seconds_per_step": seconds, "text": text,
            "users": len(users),
            "orders": len(refs), "cpus": os.cpu_count(), **summary, "steps": steps,
            "wall_seconds": round(time.monotonic() - started, 1)}
