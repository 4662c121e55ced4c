"""A customer's "where is my order" through WeCom, end to end, with thousands of orders.

`python -m bench.progress [--orders 5000] [--queries 200]` seeds a scaled demo
factory, plans it, starts the real app with WeCom configured, and sends
encrypted text messages to /wecom/callback; each answer is the encrypted
passive reply WeCom receives. Prints one JSON line with p50/p95 in ms.
Target: p95 within 300 ms with 5,000 orders.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bench.scale import seeded_with_orders
from bot.app import build_container, create_app
from bot.settings import Settings
from tests.stubs.wecom import WeComEncryptor, text_xml

TOKEN = "QDG6eK"
AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP = "wwbenchcorp"


async def run(orders: int, queries: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            Settings(),
            db_url=f"sqlite+aiosqlite:///{Path(tmp) / 'p.db'}",
            plan_time_limit=10.0,
            wecom_corp_id=CORP,
            wecom_token=TOKEN,
            wecom_aes_key=AES,
            wecom_secret="s",
            wecom_agent_id="1000002",
            wecom_api_base="http://127.0.0.1:9",
        )
        container = await build_container(settings)
        now = datetime.now(UTC)
        total = await seeded_with_orders(container.uow_factory, now.date(), now, orders)
        t0 = time.perf_counter()
        await container.planner.replan("bench")
        plan_s = time.perf_counter() - t0
        async with container.uow_factory() as uow:
            contact = next(p for p in await uow.parties.people() if p.id == "cust.lijia")
            refs = [
                o.ref
                for o in await uow.orders.list(open_only=True, customers=list(contact.customers))
            ]
        client = TestClient(TestServer(create_app(settings, container=container)))
        await client.start_server()
        enc = WeComEncryptor(TOKEN, AES, CORP)
        timings: list[float] = []
        answered = 0
        try:
            for i in range(queries):
                ts = int(time.time())
                xml = text_xml(
                    CORP,
                    contact.wecom_userid or "",
                    f"{refs[i % len(refs)]} 到哪一步了",
                    ts,
                    10_000 + i,
                )
                query, body = enc.envelope(xml, str(ts), nonce=str(i))
                t = time.perf_counter()
                resp = await client.post("/wecom/callback", params=query, data=body)
                text = await resp.text()
                timings.append((time.perf_counter() - t) * 1000)
                m = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", text)
                if m and "预计" in enc.decrypt(m.group(1)):
                    answered += 1
        finally:
            await client.close()
            await container.close()
    timings.sort()
    return {
        "bench": "progress_query_wecom",
        "open_orders": total,
        "queries": len(timings),
        "answered_passively": answered,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "initial_plan_s": round(plan_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.progress")
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.orders, args.queries))))


if __name__ == "__main__":
    main()
