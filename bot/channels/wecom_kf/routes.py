"""Wiring for the kf pull: it shares `/wecom/callback` (same token and AES key), so
`setup_wecom` calls `setup_wecom_kf` and hands the puller to `WeComCallback`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.channels.pipeline import ChannelDeps, Pipeline, TaskTracker
from bot.channels.wecom_kf.client import KfClient
from bot.channels.wecom_kf.inbound import KfPuller
from bot.channels.wecom_kf.store import KfStore
from bot.settings import Settings

kf_client_key = web.AppKey("wecom_kf_client", KfClient)


def kf_enabled(settings: Settings) -> bool:
    """kf needs the callback (WeCom set up) and a secret to call the API with."""
    return settings.wecom_enabled and bool(settings.wecom_kf_secret or settings.wecom_secret)


def setup_wecom_kf(app: web.Application, deps: ChannelDeps, pipeline: Pipeline,
                   tasks: TaskTracker) -> KfPuller:
    """A puller whose client lives as long as the app and whose state is in the database."""
    stores: dict[str, KfStore] = {}

    async def client_lifetime(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[kf_client_key] = KfClient.from_settings(session, deps.settings)
            yield

    def store() -> KfStore:
        if "store" not in stores:
            if deps.uow_factory is None:
                raise RuntimeError("the kf channel needs ChannelDeps.uow_factory")
            stores["store"] = KfStore(deps.uow_factory, deps.clock,
                                      deps.settings.wecom_kf_link_secret)
        return stores["store"]

    app.cleanup_ctx.append(client_lifetime)
    return KfPuller(deps, pipeline, tasks, lambda: app[kf_client_key], store)
