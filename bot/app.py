"""The aiohttp application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.api import setup_api
from bot.bootstrap import Container, build_container
from bot.keys import container_key, settings_key
from bot.settings import Settings
from core.ports import Clock


def create_app(settings: Settings, clock: Clock | None = None,
               container: Container | None = None) -> web.Application:
    """Build the app; the container (engine, planner ...) lives as long as the app."""
    app = web.Application(client_max_size=1024 * 1024)
    app[settings_key] = settings

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        owned = container is None
        app[container_key] = container or await build_container(settings, clock)
        try:
            yield
        finally:
            if owned:
                await app[container_key].close()

    app.cleanup_ctx.append(lifecycle)
    setup_api(app)
    return app
