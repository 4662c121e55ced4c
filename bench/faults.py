"""Fault campaign: kill -9 the bot at chosen or random moments, restart, retry as WeCom, check.

    python -m bench.faults --db sqlite|postgres [--trials 100] [--seed 1]

A real `gongdan demo` process serves WeCom callbacks and sends through a WeCom
API stub (tests/stubs/wecom.py) that runs in this process and records every
delivery. Each trial arms one crash point (core/faults.py, through the file
named by GONGDAN_FAULT_FILE, so one process start serves one trial) or a
SIGKILL after a random delay, then sends a change request, the requester's
click on its card's "confirm" (and a supervisor's "approve" when it went for
approval) and a progress report as WeCom would: a callback that gets no answer (the
process died) is retried after the restart, up to three times. The nightly
point is a separate process committing a full plan that dies mid-commit.
Then, once the inbox and the outbox are quiet, it checks:

- every message handled, with replies, and each reply delivered exactly once
  (in the HTTP answer, or by the outbox through the stub: no more, no less);
- no outbox row left pending or dead;
- every change request applied at most once (audit, plan versions, the order's
  change count), and the confirm's reply says "已生效" exactly when it was;
- every progress report counted once (the operation's quantity done);
- the latest plan covers exactly the open orders, and each applied request's
  plan version exists with the order in it.

It prints one JSON object: trials, deaths, retries, lost, doubled, and
violations by kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import aiohttp
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.render import task_id_for, wecom_messages
from core.messages import reply_from_payload
from storage.engine import create_engine
from storage.tables import (
    audit_log,
    change_requests,
    inbox,
    message_effects,
    order_operations,
    outbox,
    people,
    plan_etas,
    plans,
    work_orders,
)
from tests.stubs.wecom import WeComEncryptor, WeComStub, card_event_xml, text_xml

TOKEN = "FaultToken1"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
AGENT_ID = 1000002
PLANNER, OPERATOR = "Hejun", "Zhangwei"  # plan.hejun, op.zhangwei in the demo factory
ORDERS = ("SO-31", "SO-77", "SO-12")
POINTS = (
    "after_inbox_commit",
    "after_request_commit",
    "mid_apply_before_commit",
    "after_apply_commit",
    "after_report_commit",
    "after_handled_commit",
    "outbox_after_send_before_mark",
    "nightly_plan_commit",
    "random_kill",
)
RETRIES = 3  # WeCom retries a callback that got no answer three times
START_TIMEOUT = 120.0
QUIET_TIMEOUT = 40.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sent:
    """One message as WeCom sent it, and what came back in HTTP answers."""

    key: str
    user: str
    text: str
    kind: str  # request | confirm | approve (a card click) | report
    qty: int = 0
    order: str = ""
    passive: list[str] = field(default_factory=list)
    unanswered: bool = False  # no HTTP answer after every retry


class Server:
    """The `gongdan demo` subprocess."""

    def __init__(self, db: str, stub_url: str, workdir: Path, fault_file: Path) -> None:
        self.db, self.workdir, self.fault_file = db, workdir, fault_file
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GONGDAN_")}
        self.env.update(
            {
                "GONGDAN_PLAN_TIME_LIMIT": "1",
                "GONGDAN_NIGHTLY_PLAN_TIME": "",
                "GONGDAN_WECOM_CORP_ID": WeComStub.corp_id,
                "GONGDAN_WECOM_TOKEN": TOKEN,
                "GONGDAN_WECOM_AES_KEY": AES_KEY,
                "GONGDAN_WECOM_SECRET": WeComStub.secret,
                "GONGDAN_WECOM_AGENT_ID": str(AGENT_ID),
                "GONGDAN_WECOM_API_BASE": stub_url,
                "GONGDAN_INBOX_LEASE_SECONDS": "2",
                "GONGDAN_OUTBOX_LEASE_SECONDS": "2",
                "GONGDAN_OUTBOX_POLL_SECONDS": "0.2",
                "GONGDAN_FAULT_FILE": str(fault_file),
                "GONGDAN_LOG_LEVEL": "WARNING",
            }
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.starts += 1
        self.fault_file.write_text("")  # one death a trial: the restarted process is not armed
        log = (self.workdir / "server.log").open("ab")
        self.proc = await _spawn(
            [sys.executable, "-m", "bot", "demo", "--db", self.db, "--port", str(self.port)],
            self.env,
            log,
        )
        log.close()  # the child has its own copy
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}; see {self.workdir / 'server.log'}"
                )
            try:
                async with http.get(f"{self.url}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Campaign:
    def __init__(self, db_url: str, workdir: Path, rng: random.Random) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.rng = rng
        self.fault_file = workdir / "fault"
        # the demo's people, whoever they are; a day's messages come within minutes here, so
        # WeCom's 30-a-minute cap per member (silent drops) is lifted, and drops are counted
        self.stub = WeComStub(users=_Everyone(), per_member_per_minute=10**6)
        self.enc = WeComEncryptor(TOKEN, AES_KEY, self.stub.corp_id)
        self.sent: list[Sent] = []
        self.counts: Counter[str] = Counter()
        self.violations: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.next_id = int(time.time()) * 1000
        self.baseline_done: dict[tuple[str, str], int] = {}
        self.baseline_changes: dict[str, int] = {}
        self.orders: list[str] = list(ORDERS)
        self.supervisor = ""

    # --- driving -------------------------------------------------------------------

    async def run(self, trials: int) -> dict[str, Any]:
        runner = web.AppRunner(self.stub.app())
        await runner.setup()
        stub_port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", stub_port).start()
        engine = create_engine(self.db_url)
        server = Server(
            self.db_url, f"http://127.0.0.1:{stub_port}", self.workdir, self.fault_file
        )
        try:
            async with aiohttp.ClientSession() as http:
                await server.start(http)
                await self._baseline(engine)
                for n in range(trials):
                    point = POINTS[n % len(POINTS)] if n < len(POINTS) else self.rng.choice(POINTS)
                    await self._trial(http, server, engine, point)
                await self._quiet(engine, server, http)
                await self._check(engine)
        finally:
            server.stop()
            await engine.dispose()
            await runner.cleanup()
        return {
            "trials": trials,
            "server_starts": server.starts,
            **dict(self.counts),
            "lost": self.violations["lost"] + self.violations["lost_passive"],
            "doubled": self.violations["doubled"] + self.violations["doubled_passive"],
            "violations": dict(self.violations),
            "examples": self.examples,
        }

    async def _baseline(self, engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            self.orders = sorted(
                (
                    await conn.execute(
                        select(work_orders.c.ref).where(work_orders.c.status.in_(_OPEN))
                    )
                ).scalars()
            )
            self.supervisor = (
                await conn.execute(
                    select(people.c.wecom_userid)
                    .where(people.c.role == "supervisor")
                    .order_by(people.c.id)
                )
            ).scalars().first() or ""
            for ref, name, done in await conn.execute(
                select(
                    order_operations.c.order_ref,
                    order_operations.c.name,
                    order_operations.c.qty_done,
                )
            ):
                self.baseline_done[(ref, name)] = done
            for ref, count in await conn.execute(
                select(work_orders.c.ref, work_orders.c.change_count)
            ):
                self.baseline_changes[ref] = count

    async def _trial(
        self, http: aiohttp.ClientSession, server: Server, engine: AsyncEngine, point: str
    ) -> None:
        self.counts[f"point:{point}"] += 1
        order = self.rng.choice(self.orders)
        killer: asyncio.Task[None] | None = None
        nightly: subprocess.Popen[bytes] | None = None
        if point == "random_kill":
            killer = asyncio.ensure_future(self._kill_later(server, self.rng.uniform(0.0, 2.5)))
        elif point == "nightly_plan_commit":
            nightly = await _spawn(
                [sys.executable, "-m", "bench.faults", "--nightly-child", self.db_url],
                {**server.env, "GONGDAN_FAULT_POINT": point, "GONGDAN_FAULT_FILE": ""},
                None,
            )
        else:
            self.fault_file.write_text(point)
        days = self.rng.choice(("一天", "两天"))
        request = Sent("", PLANNER, f"{order} 交期推迟{days}", "request", order=order)
        await self._send(http, server, request)
        cr = await self._opened(http, server, engine, request, "awaiting_confirmation")
        if cr is not None:  # the requester clicks "confirm" on the card
            await self._send(
                http, server, Sent("", PLANNER, f"confirm:{cr}", "confirm", order=order)
            )
            if await self._opened(http, server, engine, request, "awaiting_approval"):
                await self._send(
                    http,
                    server,
                    Sent("", self.supervisor, f"approve:{cr}", "approve", order=order),
                )
        await self._send(
            http, server, Sent("", OPERATOR, f"{order} 开料 完成1件", "report", qty=1, order=order)
        )
        if killer is not None:
            await killer
        if nightly is not None:
            code = await asyncio.get_running_loop().run_in_executor(None, nightly.wait)
            self.counts["nightly_died" if code == 137 else "nightly_committed"] += 1
        self.fault_file.write_text("")
        await asyncio.sleep(0.3)  # a crash point in the dispatcher, just after the answer
        if not server.alive():
            self.counts["deaths"] += 1
            await server.start(http)
        await self._quiet(engine, server, http)

    async def _opened(
        self,
        http: aiohttp.ClientSession,
        server: Server,
        engine: AsyncEngine,
        request: Sent,
        status: str,
    ) -> str | None:
        """The request `request` opened, once things are quiet, if it is in `status`."""
        await self._quiet(engine, server, http)
        async with engine.connect() as conn:
            opened = (
                await conn.execute(
                    select(message_effects.c.data).where(
                        message_effects.c.key == request.key, message_effects.c.kind == "request"
                    )
                )
            ).scalar()
            cr = opened["cr"] if opened else None
            found = (
                (
                    await conn.execute(
                        select(change_requests.c.status).where(change_requests.c.ref == cr)
                    )
                ).scalar()
                if cr
                else None
            )
        return (
            cr if found == status and (status != "awaiting_approval" or self.supervisor) else None
        )

    async def _kill_later(self, server: Server, delay: float) -> None:
        await asyncio.sleep(delay)
        if server.alive():
            server.kill()

    async def _send(self, http: aiohttp.ClientSession, server: Server, step: Sent) -> None:
        self.next_id += 1
        msg_id = self.next_id
        step.key = f"msg:{msg_id}"
        self.sent.append(step)
        created = int(time.time())
        if step.kind in ("confirm", "approve"):  # a card click: keyed by user, time, key, task
            cr = step.text.split(":", 1)[1]
            xml = card_event_xml(
                self.stub.corp_id, step.user, created, step.text, cr, agent_id=AGENT_ID
            )
            step.key = f"evt:{step.user}:{created}:template_card_event:{step.text}:{cr}"
        else:
            xml = text_xml(self.stub.corp_id, step.user, step.text, created, msg_id, AGENT_ID)
        for attempt in range(1 + RETRIES):
            if attempt:
                self.counts["retries"] += 1
                if not server.alive():
                    self.counts["deaths"] += 1
                    await server.start(http)
            answer = await self._post(http, server, xml)
            if answer is not None:
                if answer:
                    step.passive.append(answer)
                return
            if server.alive():  # no answer in 5 s from a live process: WeCom retries too
                await asyncio.sleep(0.5)
            else:
                await asyncio.sleep(0.1)
        step.unanswered = True

    async def _post(self, http: aiohttp.ClientSession, server: Server, xml: str) -> str | None:
        """The passive reply's content, "" for an empty answer, None for no answer."""
        query, body = self.enc.envelope(xml, str(int(time.time())), str(self.rng.randrange(10**9)))
        try:
            async with http.post(
                f"{server.url}/wecom/callback",
                params=query,
                data=body,
                timeout=aiohttp.ClientTimeout(total=5),
            ) as r:
                if r.status != 200:
                    return None
                text = await r.text()
        except (aiohttp.ClientError, TimeoutError):
            return None
        if not text:
            return ""
        found = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", text)
        assert found, text
        plain = self.enc.decrypt(found[1])
        content = re.search(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", plain, re.DOTALL)
        return content[1] if content else ""  # an update_button greys a clicked card out

    async def _quiet(
        self, engine: AsyncEngine, server: Server, http: aiohttp.ClientSession
    ) -> None:
        """Until every message is handled and every outbox row sent (or QUIET_TIMEOUT)."""
        deadline = time.monotonic() + QUIET_TIMEOUT
        while time.monotonic() < deadline:
            if not server.alive():
                self.counts["deaths"] += 1
                await server.start(http)
            async with engine.connect() as conn:
                busy = (
                    await conn.execute(select(inbox.c.key).where(inbox.c.state == "received"))
                ).first()
                pending = (
                    await conn.execute(select(outbox.c.id).where(outbox.c.status == "pending"))
                ).first()
            if busy is None and pending is None:
                return
            await asyncio.sleep(0.2)

    # --- checking ------------------------------------------------------------------

    def _violation(self, kind: str, example: str) -> None:
        self.violations[kind] += 1
        self.examples.setdefault(kind, example)

    async def _check(self, engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            rows = {r["dedupe_key"]: r for r in (await conn.execute(select(outbox))).mappings()}
            states = {
                r["key"]: r
                for r in (
                    await conn.execute(select(inbox).where(inbox.c.channel == "wecom"))
                ).mappings()
            }
            effects = {
                (r["key"], r["kind"]): r["data"]
                for r in (await conn.execute(select(message_effects))).mappings()
            }
            crs = (await conn.execute(select(change_requests))).mappings().all()
            applied_audit = Counter(
                r[0]
                for r in await conn.execute(
                    select(audit_log.c.change_request).where(audit_log.c.action == "applied")
                )
            )
            plan_reasons = Counter(
                r[0].split(" ")[0] for r in await conn.execute(select(plans.c.reason))
            )
            orders = {r["ref"]: r for r in (await conn.execute(select(work_orders))).mappings()}
            done = {
                (r[0], r[1]): r[2]
                for r in await conn.execute(
                    select(
                        order_operations.c.order_ref,
                        order_operations.c.name,
                        order_operations.c.qty_done,
                    )
                )
            }
            latest = (
                await conn.execute(select(plans.c.number).order_by(plans.c.number.desc()).limit(1))
            ).scalar()
            etas = {
                (r[0], r[1])
                for r in await conn.execute(select(plan_etas.c.plan_number, plan_etas.c.order_ref))
            }
        self._check_messages(rows, states)
        self._check_outbox(rows)
        self._check_changes(crs, applied_audit, plan_reasons, orders, effects, rows, states, etas)
        self._check_reports(effects, done)
        open_orders = {ref for ref, o in orders.items() if o["status"] in _OPEN}
        planned = {ref for number, ref in etas if number == latest}
        if planned != open_orders:
            self._violation(
                "plan_inconsistent", f"plan {latest}: {sorted(planned ^ open_orders)[:5]}"
            )

    def _check_messages(self, rows: dict[str, Any], states: dict[str, Any]) -> None:
        for step in self.sent:
            self.counts["messages"] += 1
            state = states.get(step.key)
            if state is None or state["state"] != "handled":
                self._violation("unhandled", step.key)
                continue
            replies = [rows[k] for k in state["replies"] or () if k in rows]
            if not replies:
                self._violation("no_reply", step.key)
                continue
            answered = [r for r in replies if (r["meta"] or {}).get("answered")]
            if len(step.passive) > len(answered) + (1 if not answered else 0):
                self._violation("doubled_passive", f"{step.key}: {step.passive}")
            elif answered and len(step.passive) != 1:
                self._violation(
                    "lost_passive" if not step.passive else "doubled_passive",
                    f"{step.key}: {step.passive}",
                )
            elif answered and step.passive[0] != _passive_text(answered[0]):
                self._violation("wrong_passive", f"{step.key}: {step.passive[0]!r}")

    def _check_outbox(self, rows: dict[str, Any]) -> None:
        expected: Counter[str] = Counter()
        for row in rows.values():
            if row["channel"] != "wecom" or (row["meta"] or {}).get("answered"):
                continue
            if row["status"] == "pending":
                self._violation("stuck", row["dedupe_key"])
            elif row["status"] == "dead":
                self._violation("dead", f"{row['dedupe_key']}: {row['last_error']}")
            else:
                for body in _bodies(row):
                    expected[body] += 1
        delivered = Counter(_delivered(d) for d in self.stub.delivered)
        # WeCom's duplicate check also drops a second, identical text within its interval
        # (two change cards for one order can share their long text); the stub logs it
        # without the "user" its deliveries carry
        collapsed = Counter(
            _delivered({"user": d.get("touser", ""), **d}) for d in self.stub.duplicates
        )
        for body, n in expected.items():
            got = delivered.get(body, 0)
            if got > n:
                self._violation("doubled", body[:200])
            elif got < n and got + collapsed.get(body, 0) < n:
                self._violation("lost", body[:200])
            elif got < n:
                self.counts["same_text_collapsed_by_wecom"] += n - got
        self.counts["outbox_rows"] = len(rows)
        self.counts["wecom_deliveries"] = len(self.stub.delivered)
        self.counts["wecom_duplicates_suppressed"] = len(self.stub.duplicates)
        self.counts["wecom_dropped"] = len(self.stub.dropped)
        for body in delivered:
            if body not in expected:
                self._violation("delivered_without_row", body[:200])

    def _check_changes(
        self,
        crs: Any,
        applied_audit: Counter[str],
        plan_reasons: Counter[str],
        orders: dict[str, Any],
        effects: dict[tuple[str, str], Any],
        rows: dict[str, Any],
        states: dict[str, Any],
        etas: set[tuple[int, str]],
    ) -> None:
        applied_per_order: Counter[str] = Counter()
        for cr in crs:
            if applied_audit[cr["ref"]] > 1 or plan_reasons[cr["ref"]] > 1:
                self._violation("applied_twice", cr["ref"])
            if cr["status"] == "applied":
                applied_per_order[cr["order_ref"]] += 1
                if (cr["plan_version"], cr["order_ref"]) not in etas:
                    self._violation("applied_without_plan", cr["ref"])
            self.counts[f"cr:{cr['status']}"] += 1
        for ref, o in orders.items():
            if o["change_count"] - self.baseline_changes.get(ref, 0) != applied_per_order[ref]:
                self._violation("change_count", ref)
        status = {cr["ref"]: cr["status"] for cr in crs}
        for step in self.sent:
            if step.kind not in ("confirm", "approve") or step.key not in states:
                continue
            decided = effects.get((step.key, "decision"))
            texts = " ".join(
                _text(rows[k]) for k in states[step.key]["replies"] or () if k in rows
            )
            is_applied = decided is not None and status.get(decided["cr"]) == "applied"
            if "已生效" in texts and not is_applied:
                self._violation("told_applied_but_not", f"{step.key}: {texts[:120]}")
        told = " ".join(_text(r) for r in rows.values() if r["address"] == PLANNER)
        for step in self.sent:
            opened = effects.get((step.key, "request")) if step.kind == "request" else None
            if opened is None or status.get(opened["cr"]) != "applied":
                continue
            if not re.search(rf"{re.escape(opened['cr'])}\D[^\n]*已生效", told):
                self._violation("requester_not_told", opened["cr"])

    def _check_reports(
        self, effects: dict[tuple[str, str], Any], done: dict[tuple[str, str], int]
    ) -> None:
        reported: Counter[tuple[str, str]] = Counter()
        for step in self.sent:
            if step.kind == "report" and (step.key, "report") in effects:
                reported[(step.order, "开料")] += step.qty
        for (ref, op), qty in done.items():
            if qty - self.baseline_done.get((ref, op), 0) != reported[(ref, op)]:
                self._violation("report_miscounted", f"{ref} {op}")


async def _spawn(
    args: list[str], env: dict[str, str], out: IO[bytes] | None
) -> subprocess.Popen[bytes]:
    """Popen off the event loop (fork and exec block)."""

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            args,
            env=env,
            stdout=out if out else subprocess.DEVNULL,
            stderr=subprocess.STDOUT if out else subprocess.DEVNULL,
        )

    return await asyncio.get_running_loop().run_in_executor(None, start)


class _Everyone(set[str]):
    def __contains__(self, item: object) -> bool:
        return True


_OPEN = ("draft", "released", "in_progress")


def _text(row: Any) -> str:
    payload = row["payload"]
    return f"{payload.get('title', '')} {payload.get('text', '')}"


def _passive_text(row: Any) -> str:
    from bot.channels.render import wecom_passive_text

    return wecom_passive_text(reply_from_payload(dict(row["payload"]))) or ""


def _bodies(row: Any) -> list[str]:
    reply = reply_from_payload(dict(row["payload"]))
    return [
        json.dumps({"user": row["address"], **b}, sort_keys=True, ensure_ascii=False)
        for b in wecom_messages(reply, task_id_for(reply, row["dedupe_key"], row["address"]))
    ]


def _delivered(body: dict[str, Any]) -> str:
    content = {
        k: v
        for k, v in body.items()
        if k
        not in ("touser", "agentid", "enable_duplicate_check", "duplicate_check_interval", "safe")
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False)


# --- the nightly plan child and the databases ------------------------------------------


def _nightly_child(db_url: str) -> None:
    from bot.app import build_container
    from bot.settings import Settings

    async def run() -> None:
        settings = Settings.load(overrides={"db_url": db_url, "plan_time_limit": 1.0})
        container = await build_container(settings)
        try:
            await container.planner.replan("nightly full plan", time_limit_s=1.0)
        finally:
            await container.close()

    asyncio.run(run())


async def _pg_database(name: str, drop: bool = False) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            await conn.execute(f'CREATE DATABASE "{name}"')


async def campaign(db: str, trials: int, seed: int, workdir: Path) -> dict[str, Any]:
    pg_name = f"gongdan_faults_{os.getpid()}"
    if db == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'faults.db'}"
    else:
        await _pg_database(pg_name)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
    started = time.monotonic()
    try:
        result = await Campaign(url, workdir, random.Random(seed)).run(trials)
    finally:
        if db == "postgres":
            await _pg_database(pg_name, drop=True)
    return {"db": db, "seed": seed, **result, "seconds": round(time.monotonic() - started, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="keep the database and the server log here")
    parser.add_argument("--nightly-child", metavar="DB_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.nightly_child:
        _nightly_child(args.nightly_child)
        return
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(campaign(args.db, args.trials, args.seed, workdir))
    else:
        with tempfile.TemporaryDirectory(prefix="gongdan-faults-") as tmp:
            result = asyncio.run(campaign(args.db, args.trials, args.seed, Path(tmp)))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
