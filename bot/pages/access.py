"""Who is looking at a page: a person named by a signed link, or an admin.

Pages open three ways: a signed link from a message (the person it names, and
only what that person may see), demo mode, or the admin bearer token (both the
whole shop, as staff). A link whose signature is present but wrong, expired or
names no active person gets 403 with no data, also in demo mode, so a tampered
link never silently turns into an admin view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.channels.web.auth import is_admin
from bot.keys import container_key, settings_key
from bot.pages.links import LinkRejected, LinkSigner, has_signature
from core.model.parties import Person, Role
from core.model.work_order import WorkOrder
from core.services.visibility import may_see

LANGS = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person whose view a page shows; None for an admin (or the demo)."""

    person: Person | None
    lang: str
    signer: LinkSigner | None = None  # set when the page came from a signed link

    @property
    def is_customer(self) -> bool:
        return self.person is not None and self.person.role is Role.CUSTOMER

    @property
    def staff(self) -> bool:
        """Staff see the whole shop, costs aside: machines, changes, materials, the solver."""
        return not self.is_customer

    def may_see(self, order: WorkOrder) -> bool:
        return self.person is None or may_see(self.person, order)

    def href(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """A link to another page, signed for the same person when this one was."""
        query = dict(params or {})
        if self.signer is not None and self.person is not None:
            return self.signer.relative(path, self.person.id, query)
        return quote(path) + (f"?{urlencode(query)}" if query else "")


def forbidden() -> web.HTTPForbidden:
    return web.HTTPForbidden(
        text="链接无效或已过期，请在聊天中重新获取。\nThis link is invalid or has expired; "
        "ask the bot for a new one.",
        content_type="text/plain",
    )


async def viewer_for(request: web.Request) -> Viewer:
    """The viewer of this request, or an HTTP error that carries no data."""
    settings = request.app[settings_key]
    container = request.app[container_key]
    query = request.query
    wanted = query.get("lang", "")
    if has_signature(query):
        signer = container.links
        if signer is None:
            raise forbidden()
        try:
            person_id = signer.verify(request.path, query)
        except LinkRejected:
            raise forbidden() from None
        async with container.uow_factory() as uow:
            person = await uow.parties.person(person_id)
        if person is None or not person.active:
            raise forbidden()
        lang = wanted if wanted in LANGS else (person.lang if person.lang in LANGS else "zh")
        return Viewer(person, lang, signer)
    if is_admin(request, settings):
        return Viewer(None, wanted if wanted in LANGS else "zh")
    raise web.HTTPUnauthorized(
        text="请使用聊天中收到的链接打开此页面。\nOpen this page from the link the bot sent you.",
        content_type="text/plain",
        headers={"WWW-Authenticate": "Bearer"},
    )
