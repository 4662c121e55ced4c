"""Who may use /api/chat and the admin views: everyone in demo mode, else the admin token."""

from __future__ import annotations

import hmac

from aiohttp import web

from bot.settings import Settings


def is_admin(request: web.Request, settings: Settings) -> bool:
    if settings.demo:
        return True
    if not settings.admin_token:
        return False  # no token configured: the admin surface is closed
    given = request.headers.get("Authorization", "")
    expected = f"Bearer {settings.admin_token}"
    return hmac.compare_digest(given.encode(), expected.encode())


def require_admin(request: web.Request, settings: Settings) -> None:
    if not is_admin(request, settings):
        raise web.HTTPUnauthorized(
            text='{"error": "admin token required"}', content_type="application/json",
            headers={"WWW-Authenticate": "Bearer"},
        )
