"""Two real `gongdan demo` processes on one PostgreSQL database: one conversation across both.

As behind a load balancer: the question is asked by one process and answered
at the other, and a number picks from the list the other process showed. Both
processes start together, so they also race to migrate and to seed.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import create_pg_database, drop_pg_database, pg_url

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

START_TIMEOUT = 240.0  # two processes importing, migrating, seeding and planning on 2 cores
NOTHING_MADE = ("draft", "released")  # an order in progress may have made more than 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Demo:
    """One `gongdan demo` subprocess and its base URL."""

    def __init__(self, name: str, db: str, log_dir: Path) -> None:
        self.name = name
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGDAN_")}
        env["GONGDAN_PLAN_TIME_LIMIT"] = "1"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "demo", "--db", db, "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, env=env)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    async def ready(self, http: aiohttp.ClientSession, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                async with http.get(f"{self.base}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
        pytest.fail(f"{self.name} not ready after {START_TIMEOUT}s:\n{self.output()}")

    def stop(self) -> None:
        """Ctrl-C, as a person stops it: the app closes its connections to the database."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
async def two_demos(tmp_path: Path) -> AsyncIterator[tuple[Demo, Demo, aiohttp.ClientSession]]:
    name = await create_pg_database()
    demos: list[Demo] = []
    try:
        demos = [Demo(n, pg_url(name), tmp_path) for n in ("A", "B")]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            deadline = time.monotonic() + START_TIMEOUT
            await asyncio.gather(*(d.ready(http, deadline) for d in demos))
            yield demos[0], demos[1], http
    finally:
        for d in demos:
            d.stop()
        await drop_pg_database(name)


async def _get(http: aiohttp.ClientSession, demo: Demo, path: str) -> Any:
    async with http.get(demo.base + path) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def _say(http: aiohttp.ClientSession, demo: Demo, user: str, text: str,
               field: str = "text") -> list[dict[str, Any]]:
    async with http.post(f"{demo.base}/api/chat", json={"user": user, field: text}) as r:
        assert r.status == 200, await r.text()
        body = await r.json()
    assert body["replies"], body
    return list(body["replies"])


def _text(replies: list[dict[str, Any]]) -> str:
    """What the web chat shows: a card's title, text and buttons, or the text."""
    return "\n".join(f"{r.get('title') or ''}\n{r.get('text') or ''}\n{r.get('fallback_text')}"
                     for r in replies)


async def test_a_conversation_continues_on_the_other_process(
        two_demos: tuple[Demo, Demo, aiohttp.ClientSession]) -> None:
    a, b, http = two_demos
    people = await _get(http, a, "/api/people")
    orders = await _get(http, b, "/api/orders")
    sales = {p["id"]: p for p in people if p["role"] == "sales"}
    ref, seller = next((o["ref"], o["salesperson"]) for o in orders
                       if o["status"] in NOTHING_MADE and o["quantity"] > 20
                       and o["salesperson"] in sales
                       and o["customer"] in sales[o["salesperson"]]["customers"])

    asked = _text(await _say(http, a, seller, f"{ref} 数量改一下"))
    assert "改成多少" in asked and ref in asked, asked
    answered = await _say(http, b, seller, "20件")
    card = _text(answered)
    assert "哪个订单" not in card, card
    assert [r["kind"] for r in answered] == ["card"] and ref in card, answered
    # the card is the impact of "quantity -> 20": confirming it (at the first process)
    # makes the order 20 pieces
    confirm = next(b["key"] for b in answered[0]["buttons"] if b["key"].startswith("confirm:"))
    await _say(http, a, seller, confirm, field="button")
    quantities = {o["ref"]: o["quantity"] for o in await _get(http, b, "/api/orders")}
    assert quantities[ref] == 20

    listed = _text(await _say(http, a, seller, "我的订单"))
    second = re.search(r"^2\. (\S+)", listed, re.M)
    assert second is not None, listed
    shown = _text(await _say(http, b, seller, "2"))
    assert second.group(1) in shown and "哪个订单" not in shown, shown
