"""Apps built from the channel setup functions and in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from bot.channels.pipeline import ChannelDeps
from bot.settings import Settings
from tests.integration.channels.fakes import FakeClock, FakeHandler, FakeInbox, FakeOutbox


def at(ts: str | int) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


@pytest.fixture
def make_deps() -> Callable[..., ChannelDeps]:
    def make(settings: Settings | None = None, clock: Any = None,
             handler: Any = None) -> ChannelDeps:
        outbox = FakeOutbox()
        return ChannelDeps(
            handler=handler or FakeHandler(),
            inbox=FakeInbox(outbox),
            outbox=outbox,
            clock=clock or FakeClock(),
            settings=settings or Settings(),
        )
    return make


@pytest.fixture
def make_app() -> Callable[..., web.Application]:
    def make(deps: ChannelDeps, *setups: Callable[..., None], **kw: Any) -> web.Application:
        app = web.Application()
        for setup in setups:
            setup(app, deps, **kw)
        return app
    return make
