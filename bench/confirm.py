"""How long a change takes in chat: message in, impact card out; button click, "applied" out.

`python -m bench.confirm [--changes N] [--orders M]` seeds the demo factory
(scaled to M open orders when M exceeds it) in a temporary SQLite file, plans it,
then for N open orders sends a change as the planner, and clicks the card's
confirm button (and a supervisor's approve button when the change needs one).
The click that applies the change is the confirm latency. Prints one JSON line
with median and p90 of both. Target: confirm -> applied within 1 s median on the
demo factory, inside WeCom's passive-reply window.
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
from bot.channels.pipeline import TaskTracker
from bot.conversation.service import ChatService
from bot.settings import Settings
from core.messages import Channel, ChatMessage, Reply

PLANNER = "plan.hejun"
SUPERVISOR = "sup.zhanggang"
CHANGES = ("{ref} 交期推迟三天", "{ref} 数量改成{qty}件", "{ref} 加急")


def _card_ref(replies: list[Reply]) -> str | None:
    for reply in replies:
        for button in reply.buttons:
            if button.key.startswith("confirm:"):
                return button.key.split(":", 1)[1]
    return None


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 3)


async def run(changes: int, orders: int, time_limit: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            Settings(),
            db_url=f"sqlite+aiosqlite:///{Path(tmp) / 'c.db'}",
            plan_time_limit=time_limit,
            demo=True,
        )
        container = await build_container(settings)
        tasks = TaskTracker()
        n = 0

        async def say(user: str, text: str = "", button: str | None = None) -> list[Reply]:
            nonlocal n
            n += 1
            msg = ChatMessage(Channel.WEB, user, f"bench-{n}", datetime.now(UTC), text, button)
            return await service(msg)

        try:
            now = datetime.now(UTC)
            total = await seeded_with_orders(container.uow_factory, now.date(), now, orders)
            await container.planner.replan("bench")
            service = ChatService(container, tasks)
            async with container.uow_factory() as uow:
                open_orders = [
                    o
                    for o in await uow.orders.list(open_only=True)
                    if o.status.value in ("released", "planned", "in_progress")
                ]
            request_s: list[float] = []
            confirm_s: list[float] = []
            approvals = refused = 0
            for i in range(changes):
                order = open_orders[i % len(open_orders)]
                text = CHANGES[i % len(CHANGES)].format(ref=order.ref, qty=order.quantity + 5)
                t = time.perf_counter()
                card = await say(PLANNER, text)
                request_s.append(time.perf_counter() - t)
                cr_ref = _card_ref(card)
                if cr_ref is None:
                    refused += 1
                    continue
                t = time.perf_counter()
                done = await say(PLANNER, button=f"confirm:{cr_ref}")
                if "主管审批" in done[0].text:
                    approvals += 1
                    t = time.perf_counter()
                    done = await say(SUPERVISOR, button=f"approve:{cr_ref}")
                confirm_s.append(time.perf_counter() - t)
                assert "已生效" in done[0].text, done[0].text
            await tasks.drain()
            await container.tasks.drain(grace=60)  # the last polish, not timed
        finally:
            await container.close()
    return {
        "bench": "change_confirm",
        "open_orders": total,
        "changes": changes,
        "applied": len(confirm_s),
        "needed_approval": approvals,
        "refused": refused,
        "request_median_s": round(statistics.median(request_s), 3),
        "request_p90_s": _pct(request_s, 0.9),
        "confirm_median_s": round(statistics.median(confirm_s), 3),
        "confirm_p90_s": _pct(confirm_s, 0.9),
    }


def main() -> None:
    """Print the request and confirm latencies as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.confirm")
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument(
        "--orders", type=int, default=0, help="scale the demo to this many open orders"
    )
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.changes, args.orders, args.time_limit))))


if __name__ == "__main__":
    main()
