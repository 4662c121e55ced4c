"""What the composition root builds once per process and every part of the bot shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.pipeline import TaskTracker
from bot.pages.links import LinkSigner
from bot.settings import Settings
from core.messagebus import MessageBus
from core.ports import Clock, ConversationStore, UnitOfWorkFactory
from core.services.planning import Planner


@dataclass(slots=True)
class Container:
    """The live services; built only by `bot.app.build_container`.

    `engine` is kept for the two things that talk to the database below the
    unit of work: the scheduler's leader lock and its job store. `bus` runs
    the core's commands and hands committed events to their handlers; `tasks`
    holds the background work the core starts (a plan's polish after a change),
    drained on close. `conversations`
    keeps what each chat waits for (the database, so any process may continue it).
    """

    settings: Settings
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    clock: Clock
    planner: Planner
    bus: MessageBus
    tasks: TaskTracker
    conversations: ConversationStore
    closer: Callable[[], Awaitable[None]]
    links: LinkSigner | None = None  # signs the page links that messages carry

    async def close(self) -> None:
        """Let background work finish (or cancel it) before the database goes away."""
        await self.tasks.drain()
        await self.closer()
