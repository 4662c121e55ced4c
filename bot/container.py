"""What the composition root builds once per process and every part of the bot shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.pages.links import LinkSigner
from bot.settings import Settings
from core.ports import Clock, UnitOfWorkFactory
from core.services.change_control import ChangeControl
from core.services.planning import Planner


@dataclass(slots=True)
class Container:
    """The live services; built only by `bot.app.build_container`.

    `engine` is kept for the two things that talk to the database below the
    unit of work: the scheduler's leader lock and its job store.
    """

    settings: Settings
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    clock: Clock
    planner: Planner
    changes: ChangeControl
    closer: Callable[[], Awaitable[None]]
    links: LinkSigner | None = None  # signs the page links that messages carry

    async def close(self) -> None:
        await self.closer()
