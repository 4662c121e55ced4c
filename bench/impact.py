"""How long until a salesperson sees the impact card: message in, card out.

`python -m bench.impact [--orders N] [--repeat K]` seeds a demo factory (scaled
to N open orders), plans it, then times ChatService on change messages. It
prints one JSON line. Target: 2 s on the demo factory, 5 s with 1,000 orders.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench.scale import seeded_with_orders
from bot.app import build_container
from bot.conversation.service import ChatService
from bot.settings import Settings
from core.messages import Channel, ChatMessage

MESSAGES = (
    "SO-31 数量改成150件",
    "SO-31 交期推迟一周",
    "如果SO-31加急会怎样",
    "SO-31 颜色换成胡桃木色",
)


async def run(orders: int, repeat: int, time_limit: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            Settings(),
            db_url=f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}",
            plan_time_limit=time_limit,
        )
        container = await build_container(settings)
        try:
            now = datetime.now(UTC)
            total = await seeded_with_orders(container.uow_factory, now.date(), now, orders)
            t0 = time.perf_counter()
            await container.planner.replan("bench")
            plan_s = time.perf_counter() - t0
            service = ChatService(container)
            timings: list[float] = []
            for i in range(repeat):
                for j, text in enumerate(MESSAGES):
                    msg = ChatMessage(
                        Channel.WEB, "sales.wangfang", f"b{i}-{j}", datetime.now(UTC), text
                    )
                    t = time.perf_counter()
                    replies = await service(msg)
                    timings.append(time.perf_counter() - t)
                    assert replies, text
        finally:
            await container.close()
    timings.sort()
    return {
        "bench": "impact_card",
        "open_orders": total,
        "messages": len(timings),
        "median_s": round(statistics.median(timings), 3),
        "p95_s": round(timings[max(0, int(len(timings) * 0.95) - 1)], 3),
        "max_s": round(timings[-1], 3),
        "initial_plan_s": round(plan_s, 2),
        "what_if": "deterministic repair and make-room, with and without the change",
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.impact")
    parser.add_argument("--orders", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.orders, args.repeat, args.time_limit))))


if __name__ == "__main__":
    main()
