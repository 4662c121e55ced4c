"""POST /dingtalk/callback: a thin adapter from HTTP to `DingTalkCallback`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels.dingtalk.inbound import DingTalkCallback
from bot.channels.pipeline import ChannelDeps, ChannelRejected, Pipeline, TaskTracker, read_capped
from core.errors import ConfigError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024

dingtalk_callback_key = web.AppKey("dingtalk_callback", DingTalkCallback)
dingtalk_tasks_key = web.AppKey("dingtalk_tasks", TaskTracker)


def setup_dingtalk(app: web.Application, deps: ChannelDeps) -> None:
    """Add POST /dingtalk/callback; handler tasks are drained on shutdown."""
    if not deps.settings.dingtalk_app_secret:
        raise ConfigError("DingTalk needs GONGDAN_DINGTALK_APP_SECRET")
    tasks = TaskTracker()
    app[dingtalk_tasks_key] = tasks
    app[dingtalk_callback_key] = DingTalkCallback(deps, Pipeline(deps, tasks))
    app.router.add_post("/dingtalk/callback", receive)
    app.cleanup_ctx.append(_drain)


async def _drain(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[dingtalk_tasks_key].drain()


async def receive(request: web.Request) -> web.Response:
    try:
        body = await read_capped(request, MAX_BODY_BYTES)
        await request.app[dingtalk_callback_key].receive(request.headers, body)
    except ChannelRejected as exc:
        log.warning("dingtalk callback rejected %d: %s (from %s)",
                    exc.status, exc.reason, request.remote)
        return web.json_response({"error": exc.reason}, status=exc.status)
    return web.json_response({})
