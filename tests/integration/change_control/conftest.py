"""A seeded demo factory behind the real conversation service, with a clock tests move."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_container
from bot.channels.pipeline import TaskTracker
from bot.container import Container
from bot.conversation.service import ChatService
from bot.settings import Settings
from core.messages import Channel, ChatMessage, Reply
from storage.seed import seed_demo


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class Shop:
    container: Container
    service: ChatService
    clock: MovableClock
    say: Callable[..., Awaitable[list[Reply]]]
    tasks: TaskTracker

    async def close(self) -> None:
        """Let background work (the replan after a progress report) finish first:
        a connection still checked out when the engine is disposed is never closed."""
        await self.tasks.drain()
        await self.container.close()


_ids = itertools.count()


async def make_shop(db_url: str) -> Shop:
    clock = MovableClock(datetime(2026, 11, 18, 1, 30, tzinfo=UTC))  # 09:30 in Shanghai
    settings = replace(Settings(), db_url=db_url, plan_time_limit=1.0, demo=True)
    container = await build_container(settings, clock)
    await seed_demo(container.uow_factory, datetime(2026, 11, 18).date(), clock.now())
    await container.planner.replan("test start")
    tasks = TaskTracker()
    service = ChatService(container, tasks)

    async def say(user: str, text: str = "", button: str | None = None) -> list[Reply]:
        msg = ChatMessage(Channel.WEB, user, f"m{next(_ids)}", clock.now(), text, button)
        return await service(msg)

    return Shop(container, service, clock, say, tasks)


@pytest.fixture
async def shop(tmp_path: object) -> AsyncIterator[Shop]:
    s = await make_shop(f"sqlite+aiosqlite:///{tmp_path}/shop.db")
    try:
        yield s
    finally:
        await s.close()
