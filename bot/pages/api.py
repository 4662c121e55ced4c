"""Read-only JSON endpoints for the web chat, admins and acceptance tests."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.keys import container_key, settings_key
from core.model.parties import Person


def _authorised(request: web.Request) -> bool:
    """Open in demo mode; otherwise the admin bearer token, compared in constant time."""
    settings = request.app[settings_key]
    if settings.demo:
        return True
    token = settings.admin_token
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def require_admin(request: web.Request) -> None:
    if not _authorised(request):
        raise web.HTTPUnauthorized(
            text='{"error": "admin bearer token required"}', content_type="application/json",
            headers={"WWW-Authenticate": "Bearer"})


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[container_key].uow_factory() as uow:
            await uow.plans.next_number()
    except (SQLAlchemyError, OSError):
        return web.Response(status=503, text="database unavailable")
    return web.Response(text="ok")


def people_view(persons: Sequence[Person]) -> list[dict[str, Any]]:
    return [
        {"id": p.id, "name": p.name, "role": p.role.value, "wecom_userid": p.wecom_userid,
         "dingtalk_staff_id": p.dingtalk_staff_id, "customers": list(p.customers)}
        for p in persons
    ]


async def people(request: web.Request) -> web.Response:
    require_admin(request)
    async with request.app[container_key].uow_factory() as uow:
        persons = await uow.parties.people()
    return web.json_response(people_view(persons))


async def orders(request: web.Request) -> web.Response:
    require_admin(request)
    async with request.app[container_key].uow_factory() as uow:
        all_orders = await uow.orders.list()
        number = await uow.plans.latest_number()
        etas = await uow.plans.etas_for(number, [o.ref for o in all_orders]) if number else {}
        sales = [p for p in await uow.parties.people() if p.role.value == "sales"]
    owner = {c: p.id for p in sales for c in p.customers}
    return web.json_response([
        {"ref": o.ref, "customer": o.customer_code, "salesperson": owner.get(o.customer_code),
         "product": o.product_code, "quantity": o.quantity, "due_date": o.due_date.isoformat(),
         "eta": etas[o.ref].eta.isoformat() if o.ref in etas else None, "status": o.status.value}
        for o in all_orders
    ])


def setup_api(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/people", people)
    app.router.add_get("/api/orders", orders)
