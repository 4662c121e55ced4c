"""The bot's handler for each intent, and the table that routes to them.

Each handler turns the parser's command into the core's typed command
(commands.py), runs it, and words the result (replies/). Change control goes
through the core's message bus; progress queries and reports call their core
use cases directly.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from bot.channels.pipeline import TaskTracker
from bot.channels.wecom_kf.links import KfLinks
from bot.container import Container
from bot.conversation import ordering
from bot.conversation.commands import to_core
from bot.conversation.directory import SqlOrderDirectory
from bot.conversation.kf_link import KfLinkHandler
from bot.conversation.replies import render_result
from bot.conversation.replies.queries import (
    help_text,
    order_list_text,
    shop_load_text,
    smalltalk_text,
)
from bot.conversation.replies.texts import CHAT_TEXTS
from bot.conversation.router import Router, Turn
from bot.parsing import Command, Intent, Question
from core import commands as core
from core.change_control.results import (
    Applied,
    Denied,
    DirectionUnclear,
    Refused,
    Result,
    Superseded,
)
from core.i18n import render
from core.messages import Reply
from core.services.order_lists import list_orders
from core.services.progress import order_progress
from core.services.reporting import report_progress
from core.services.shop_load import shop_load

#: Refusals of a decision on a request that is no longer waiting for one.
CHANGE_CONTROL = (Intent.CHANGE, Intent.CANCEL, Intent.WHAT_IF, Intent.CONFIRM, Intent.REJECT,
                  Intent.APPROVE, Intent.DENY)


class ChatHandlers:
    """Handlers sharing the container, the background task tracker and the order directory.

    `kf_links` makes 微信客服 binding links; None when 微信客服 is not configured.
    """

    def __init__(self, container: Container, tasks: TaskTracker,
                 directory: SqlOrderDirectory, kf_links: KfLinks | None = None) -> None:
        self._c = container
        self._tasks = tasks
        self._directory = directory
        self._kf_links = kf_links

    def router(self) -> Router:
        """The intent table; anything not listed gets the "not understood" reply."""
        router = Router(self.unknown)
        router.add(self.help, Intent.HELP)
        router.add(self.progress, Intent.QUERY_PROGRESS)
        router.add(self.report, Intent.REPORT)
        router.add(self.change_control, *CHANGE_CONTROL)
        router.add(self.ordering, *ordering.ORDER_INTENTS)
        router.add(self.order_list, Intent.QUERY_ORDERS)
        router.add(self.shop, Intent.QUERY_SHOP)
        router.add(KfLinkHandler(self._c.uow_factory, self._c.settings, self._kf_links),
                   Intent.KF_LINK)
        return router

    async def help(self, turn: Turn) -> list[Reply]:
        """Three examples that fit the sender's role, naming one of their own orders."""
        recent = await self._directory.recent_orders(turn.person.id, 1)
        ref = recent[0].ref if recent else "SO-31"
        return [_text(help_text(turn.person.role, turn.lang, ref))]

    async def unknown(self, turn: Turn) -> list[Reply]:
        if turn.command.smalltalk:  # "谢谢", "早上好", "在吗": a friendly word, no order guess
            return [_text(smalltalk_text(turn.command.smalltalk, turn.lang, turn.now))]
        return [_text(render(CHAT_TEXTS, "unknown", turn.lang))]

    async def order_list(self, turn: Turn) -> list[Reply]:
        """Late / due today / due this week / rush, ranked; "2" then shows the second one."""
        async with self._c.uow_factory() as uow:
            answer = await list_orders(uow, turn.person, turn.command.filter,
                                       turn.command.customer, turn.now, self._c.settings.tz)
        text = order_list_text(answer, turn.lang, self._c.settings.tz)
        refs = tuple(o.ref for o in answer.orders)
        if refs and turn.ask is not None:
            await turn.ask(Command(Intent.QUERY_PROGRESS), Question("order", text, refs))
        return [_text(text)]

    async def shop(self, turn: Turn) -> list[Reply]:
        """The bottleneck, its load over the coming week, the orders it delays."""
        async with self._c.uow_factory() as uow:
            answer = await shop_load(uow, turn.person, turn.now, self._c.settings.tz)
        return [_text(shop_load_text(answer, turn.lang, self._c.settings.tz))]

    async def change_control(self, turn: Turn) -> list[Reply]:
        """Request, cancel, what-if, confirm, reject, approve and deny: the bus runs them."""
        if await ordering.claims(self._c.uow_factory, turn.command, turn.person.id):
            return await self.ordering(turn)
        command = to_core(turn.command, turn.person.id, turn.text)
        assert command is not None, turn.command
        result = cast(Result, await self._c.bus.handle(command))
        replies = render_result(result, turn.lang, self._c.settings.tz)
        if isinstance(command, core.Decide) and isinstance(result, Applied | Denied | Superseded):
            # the decision closes every supervisor's copy of the approval card once sent
            replies[0] = replace(replies[0], settles_card=f"{result.cr_ref}-approve",
                                 settled_by=turn.person.name)
        elif (isinstance(command, core.Decide) and command.cr_ref
              and isinstance(result, Refused) and result.reason in ordering.LATE_DECISIONS):
            # a late click: its copy, if it is still open, now says who decided first
            replies[0] = replace(replies[0], settles_card=f"{command.cr_ref.upper()}-approve")
        if isinstance(result, DirectionUnclear) and turn.ask is not None:
            # a yes assesses the date as written; the verb no longer contradicts it
            plain = tuple(replace(c, direction=None) for c in turn.command.changes)
            await turn.ask(replace(turn.command, changes=plain),
                           Question("yes_no", replies[0].text))
        return replies

    async def ordering(self, turn: Turn) -> list[Reply]:
        """Quotes, new orders, and confirming or deciding a new order (NO-<n>)."""
        return await ordering.handle(self._c.bus, turn.command, turn.person.id, turn.text,
                                     turn.lang, self._c.settings.tz, turn.person.name)

    async def progress(self, turn: Turn) -> list[Reply]:
        query = cast(core.QueryProgress, to_core(turn.command, turn.person.id, turn.text))
        async with self._c.uow_factory() as uow:
            links = self._c.links
            answer = await order_progress(uow, turn.person, query.order_ref or "", turn.lang,
                                          self._c.settings.tz,
                                          link=links.order_link if links is not None else None)
        return [_text(answer.text)]

    async def report(self, turn: Turn) -> list[Reply]:
        """Record a progress report, then replan around the order in the background."""
        report = cast(core.ReportProgress, to_core(turn.command, turn.person.id, turn.text))
        ref = report.order_ref
        if ref:
            matches = await self._directory.resolve(ref, turn.person.id)
            ref = matches[0] if len(matches) == 1 else ref
        async with self._c.uow_factory() as uow:
            result = await report_progress(uow, turn.person, ref, report.operation,
                                           report.quantity, report.scrap, turn.now, turn.lang)
        if result.recorded and result.order_ref:
            done = result.order_ref
            self._tasks.spawn(self._c.planner.replan(f"report {done}", [done]))
        return [_text(result.text)]


def _text(text: str) -> Reply:
    return Reply(kind="text", text=text)
