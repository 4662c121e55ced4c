"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

from aiohttp import web

from bot.container import Container
from bot.settings import Settings

settings_key = web.AppKey("settings", Settings)
container_key = web.AppKey("container", Container)
