"""GET / (the chat page) and POST /api/chat: the same handler, answered in the response.

Web replies are synchronous, and they are still written to the outbox (as
already sent, channel "web") so that the outbox is the record of everything
the bot said, whatever the channel.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

from aiohttp import web

from bot.channels.pipeline import (
    ChannelDeps,
    ChannelRejected,
    Pipeline,
    TaskTracker,
    bounded_key,
    read_capped,
)
from bot.channels.render import web_reply
from bot.channels.web.auth import require_admin
from bot.channels.web.page import chat_page
from core.messages import Channel, ChatMessage
from core.ports import Claim

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
MAX_TEXT_CHARS = 2000
ANSWER_WINDOW_SECONDS = 30.0  # a browser waits longer than WeCom; later replies are queued


class PeopleSource(Protocol):
    """Who can be picked on the page.

    Each item: {id, name, role, wecom_userid, dingtalk_staff_id, customers}.
    """

    async def list_people(self) -> Sequence[Mapping[str, Any]]: ...


class WebChat:
    def __init__(self, deps: ChannelDeps, pipeline: Pipeline, people: PeopleSource | None) -> None:
        self.deps = deps
        self.pipeline = pipeline
        self.people = people

    async def page(self) -> str:
        embedded = await self.people.list_people() if self.deps.settings.demo and self.people \
            else None
        return chat_page(self.deps.settings.demo, embedded)

    async def chat(self, body: bytes) -> dict[str, Any]:
        message = self._message(body)
        claim = await self.pipeline.claim(message)
        if claim is Claim.HANDLED:  # the answer was lost on the way: give it again
            again = await self.pipeline.recorded(message, everything=True)
            return {"replies": [web_reply(r) for r in again], "duplicate": True}
        if claim is Claim.BUSY:
            return {"replies": [], "duplicate": True, "queued": True}
        replies = await self.pipeline.run(message, ANSWER_WINDOW_SECONDS)
        if replies is None:
            return {"replies": [], "queued": True}
        if not await self.pipeline.finish(message, replies, answered=len(replies)):
            again = await self.pipeline.recorded(message, everything=True)  # the other run's
            return {"replies": [web_reply(r) for r in again], "duplicate": True}
        return {"replies": [web_reply(r) for r in replies]}

    def _message(self, body: bytes) -> ChatMessage:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ChannelRejected(400, "body is not JSON") from None
        if not isinstance(data, dict):
            raise ChannelRejected(400, "body is not a JSON object")
        user, text, button = data.get("user"), data.get("text"), data.get("button")
        if not isinstance(user, str) or not user.strip():
            raise ChannelRejected(400, "user is required")
        given = text if button is None else button
        if (text is None) == (button is None):
            raise ChannelRejected(400, "give exactly one of text or button")
        if not isinstance(given, str) or not given.strip():
            raise ChannelRejected(400, "text/button must be a non-empty string")
        if text is not None and len(text) > MAX_TEXT_CHARS:
            raise ChannelRejected(413, f"text longer than {MAX_TEXT_CHARS} characters")
        client_id = data.get("msg_id")  # optional: lets a client retry without a second run
        msg_id = bounded_key(f"web:{client_id}") if isinstance(client_id, str) and client_id \
            else f"web:{uuid.uuid4().hex}"
        return ChatMessage(channel=Channel.WEB, user_id=user, msg_id=msg_id,
                           at=self.deps.clock.now(), text=(text or "").strip(),
                           button_key=button)


webchat_key = web.AppKey("webchat", WebChat)
webchat_tasks_key = web.AppKey("webchat_tasks", TaskTracker)


def setup_webchat(
    app: web.Application, deps: ChannelDeps, people: PeopleSource | None = None
) -> None:
    """Add GET / and POST /api/chat (demo mode, or the admin bearer token)."""
    tasks = TaskTracker()
    app[webchat_tasks_key] = tasks
    app[webchat_key] = WebChat(deps, Pipeline(deps, tasks), people)
    app.router.add_get("/", page)
    app.router.add_post("/api/chat", chat)
    app.cleanup_ctx.append(_drain)


async def _drain(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[webchat_tasks_key].drain()


async def page(request: web.Request) -> web.Response:
    """The page itself holds no data; outside demo mode it asks for the admin token."""
    html = await request.app[webchat_key].page()
    return web.Response(text=html, content_type="text/html")


async def chat(request: web.Request) -> web.Response:
    webchat = request.app[webchat_key]
    require_admin(request, webchat.deps.settings)
    try:
        body = await read_capped(request, MAX_BODY_BYTES)
        answer = await webchat.chat(body)
    except ChannelRejected as exc:
        log.warning("web chat rejected %d: %s (from %s)", exc.status, exc.reason, request.remote)
        return web.json_response({"error": exc.reason}, status=exc.status)
    return web.json_response(answer)

