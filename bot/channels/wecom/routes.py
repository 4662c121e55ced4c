"""GET/POST /wecom/callback: thin adapters from HTTP to `WeComCallback`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels.pipeline import ChannelDeps, ChannelRejected, Pipeline, TaskTracker, read_capped
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.inbound import PASSIVE_WINDOW_SECONDS, WeComCallback
from bot.channels.wecom_kf.routes import kf_enabled, setup_wecom_kf
from core.errors import ConfigError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # WeCom envelopes are a few KiB; anything bigger is not WeCom

wecom_callback_key = web.AppKey("wecom_callback", WeComCallback)
wecom_tasks_key = web.AppKey("wecom_tasks", TaskTracker)


def setup_wecom(
    app: web.Application, deps: ChannelDeps, *, passive_window: float = PASSIVE_WINDOW_SECONDS
) -> None:
    """Add GET/POST /wecom/callback; handler tasks are drained on shutdown.

    The same callback carries 微信客服 (kf) events when the app has a secret to
    pull them with.
    """
    settings = deps.settings
    if not settings.wecom_enabled or len(settings.wecom_aes_key) != 43:
        raise ConfigError("WeCom needs GONGDAN_WECOM_CORP_ID, GONGDAN_WECOM_TOKEN and a "
                          "43-character GONGDAN_WECOM_AES_KEY")
    tasks = TaskTracker()
    crypto = WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    app[wecom_tasks_key] = tasks
    pipeline = Pipeline(deps, tasks)
    kf = setup_wecom_kf(app, deps, pipeline, tasks) if kf_enabled(settings) else None
    app[wecom_callback_key] = WeComCallback(deps, pipeline, crypto, passive_window, kf)
    app.router.add_get("/wecom/callback", verify_url)
    app.router.add_post("/wecom/callback", receive)
    app.cleanup_ctx.append(_drain)


async def _drain(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[wecom_tasks_key].drain()


async def verify_url(request: web.Request) -> web.Response:
    try:
        echo = request.app[wecom_callback_key].verify_url(request.query)
    except ChannelRejected as exc:
        return _rejected(request, exc)
    return web.Response(text=echo, content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    try:
        body = await read_capped(request, MAX_BODY_BYTES)
        answer = await request.app[wecom_callback_key].receive(
            request.query, body, lambda: _connected(request))
    except ChannelRejected as exc:
        return _rejected(request, exc)
    return web.Response(text=answer, content_type="application/xml" if answer else "text/plain")


def _connected(request: web.Request) -> bool:
    """Whether the caller still waits for our answer (its connection is open)."""
    return request.transport is not None and not request.transport.is_closing()


def _rejected(request: web.Request, exc: ChannelRejected) -> web.Response:
    log.warning("wecom callback %s rejected %d: %s (from %s)",
                request.method, exc.status, exc.reason, request.remote)
    return web.Response(status=exc.status, text="")
