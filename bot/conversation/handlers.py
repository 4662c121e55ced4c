"""The bot's handler for each intent, and the table that routes to them.

Each handler turns the parser's command into the core's typed command
(commands.py), runs it, and words the result (replies/). Change control goes
through the core's message bus; progress queries and reports call their core
use cases directly.
"""

from __future__ import annotations

from typing import cast

from bot.channels.pipeline import TaskTracker
from bot.container import Container
from bot.conversation import ordering
from bot.conversation.commands import to_core
from bot.conversation.directory import SqlOrderDirectory
from bot.conversation.replies import render_result
from bot.conversation.replies.texts import CHAT_TEXTS
from bot.conversation.router import Router, Turn
from bot.parsing import Intent
from core import commands as core
from core.change_control.results import Result
from core.i18n import render
from core.messages import Reply
from core.services.progress import order_progress
from core.services.reporting import report_progress

CHANGE_CONTROL = (Intent.CHANGE, Intent.CANCEL, Intent.WHAT_IF, Intent.CONFIRM, Intent.REJECT,
                  Intent.APPROVE, Intent.DENY)


class ChatHandlers:
    """Handlers sharing the container, the background task tracker and the order directory."""

    def __init__(self, container: Container, tasks: TaskTracker,
                 directory: SqlOrderDirectory) -> None:
        self._c = container
        self._tasks = tasks
        self._directory = directory

    def router(self) -> Router:
        """The intent table; anything not listed gets the "not understood" reply."""
        router = Router(self.unknown)
        router.add(self.help, Intent.HELP)
        router.add(self.progress, Intent.QUERY_PROGRESS)
        router.add(self.report, Intent.REPORT)
        router.add(self.change_control, *CHANGE_CONTROL)
        router.add(self.ordering, *ordering.ORDER_INTENTS)
        return router

    async def help(self, turn: Turn) -> list[Reply]:
        return [_text(render(CHAT_TEXTS, "help", turn.lang))]

    async def unknown(self, turn: Turn) -> list[Reply]:
        return [_text(render(CHAT_TEXTS, "unknown", turn.lang))]

    async def change_control(self, turn: Turn) -> list[Reply]:
        """Request, cancel, what-if, confirm, reject, approve and deny: the bus runs them."""
        if await ordering.claims(self._c.uow_factory, turn.command, turn.person.id):
            return await self.ordering(turn)
        command = to_core(turn.command, turn.person.id, turn.text)
        assert command is not None, turn.command
        result = cast(Result, await self._c.bus.handle(command))
        return render_result(result, turn.lang, self._c.settings.tz)

    async def ordering(self, turn: Turn) -> list[Reply]:
        """Quotes, new orders, and confirming or deciding a new order (NO-<n>)."""
        return await ordering.handle(self._c.bus, turn.command, turn.person.id, turn.text,
                                     turn.lang, self._c.settings.tz)

    async def progress(self, turn: Turn) -> list[Reply]:
        query = cast(core.QueryProgress, to_core(turn.command, turn.person.id, turn.text))
        async with self._c.uow_factory() as uow:
            answer = await order_progress(uow, turn.person, query.order_ref, turn.lang,
                                          self._c.settings.tz)
        return [_text(answer.text)]

    async def report(self, turn: Turn) -> list[Reply]:
        """Record a progress report, then replan around the order in the background."""
        report = cast(core.ReportProgress, to_core(turn.command, turn.person.id, turn.text))
        ref = report.order_ref
        if ref:
            matches = await self._directory.resolve(ref, turn.person.id)
            ref = matches[0] if len(matches) == 1 else ref
        async with self._c.uow_factory() as uow:
            result = await report_progress(uow, turn.person, ref, report.operation, report.quantity,
                                           report.scrap, turn.now, turn.lang)
        if result.recorded and result.order_ref:
            self._tasks.spawn(self._c.planner.replan(f"report {result.order_ref}", [result.order_ref]))
        return [_text(result.text)]


def _text(text: str) -> Reply:
    return Reply(kind="text", text=text)
