"""Signed page links: how a phone opens /plan or /orders/{ref} without any header.

A chat message can carry a URL but a phone browser or the WeCom workbench
cannot add `Authorization: Bearer ...`, so the link itself is the credential:
`?u=<person>&exp=<unix seconds>&sig=<HMAC-SHA256>` over the path. The path is
the scope (an order page's path holds its reference), `u` names whose view the
page shows (a customer contact sees only their own orders), and `exp` makes a
forwarded link stop working after `link_days`. Query parameters other than
these three (a filter, a language) are not signed: they only narrow what the
named person may see anyway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlencode

from bot.settings import Settings
from core.model.parties import Person
from core.ports import Clock, UnitOfWorkFactory

SECRET_KEY = "pages.link_secret"  # state-store key of the generated secret
SIGNED_PARAMS = ("u", "exp", "sig")
_SIG_BYTES = 16  # 128 bits of the HMAC: far beyond guessing, and a short URL


class LinkRejected(Exception):
    """A link that carries a signature which is wrong, expired or malformed."""


@dataclass(frozen=True, slots=True)
class LinkSigner:
    """Makes and checks signed links; one per process, built by the composition root."""

    secret: bytes
    base_url: str  # "https://factory.example.com", no trailing slash
    ttl: timedelta
    clock: Clock

    def signature(self, path: str, person_id: str, exp: int) -> str:
        message = f"gongdan-link-v1\n{path}\n{person_id}\n{exp}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()[:_SIG_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def signed_query(self, path: str, person_id: str) -> dict[str, str]:
        exp = int((self.clock.now() + self.ttl).timestamp())
        return {"u": person_id, "exp": str(exp), "sig": self.signature(path, person_id, exp)}

    def relative(self, path: str, person_id: str, params: Mapping[str, str] | None = None) -> str:
        """`/path?...&u=..&exp=..&sig=..`: for links from one signed page to another."""
        query = {**(params or {}), **self.signed_query(path, person_id)}
        return f"{quote(path)}?{urlencode(query)}"

    def url(self, path: str, person_id: str, params: Mapping[str, str] | None = None) -> str:
        return self.base_url + self.relative(path, person_id, params)

    def verify(self, path: str, query: Mapping[str, str]) -> str:
        """The person the link names; LinkRejected when it is not a valid, current link."""
        person_id, raw_exp, given = (query.get(k, "") for k in SIGNED_PARAMS)
        if not (person_id and raw_exp.isdigit() and given):
            raise LinkRejected("incomplete link")
        exp = int(raw_exp)
        expected = self.signature(path, person_id, exp)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise LinkRejected("bad signature")
        if self.clock.now().timestamp() >= exp:
            raise LinkRejected("expired")
        return person_id

    # what messages call ----------------------------------------------------------

    def order_link(self, person: Person, ref: str) -> str:
        """The order page of `ref` as `person` may see it."""
        return self.url(order_path(ref), person.id)

    def plan_link(self, person: Person, filters: Mapping[str, str] | None = None) -> str:
        """The plan page, optionally prefiltered (`{"order": "SO-31"}`, `{"customer": ...}`)."""
        return self.url("/plan", person.id, filters)


def order_path(ref: str) -> str:
    return f"/orders/{ref}"


def has_signature(query: Mapping[str, str]) -> bool:
    return any(k in query for k in SIGNED_PARAMS)


def public_base(settings: Settings) -> str:
    """`GONGDAN_PUBLIC_URL`, else the address the server listens on."""
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


async def load_secret(settings: Settings, uow_factory: UnitOfWorkFactory, clock: Clock) -> bytes:
    """`GONGDAN_LINK_SECRET`, else a random secret kept in the database's state.

    Kept in the database (not in the process) so that links survive a restart
    and every server process on one database accepts the same links. Two
    processes starting on an empty database at the same instant may both write
    one; each then reads back what is stored, and the last writer's value wins
    for both from then on: the re-read below makes the window a few milliseconds.
    """
    if settings.link_secret:
        return settings.link_secret.encode()
    async with uow_factory() as uow:
        stored = await uow.state.get(SECRET_KEY)
        if not isinstance(stored, str) or len(stored) < 32:
            await uow.state.put(SECRET_KEY, secrets.token_hex(32), clock.now())
            await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.state.get(SECRET_KEY)
    if not isinstance(stored, str):
        raise RuntimeError("the link secret could not be stored")
    return stored.encode()


async def build_signer(
    settings: Settings, uow_factory: UnitOfWorkFactory, clock: Clock
) -> LinkSigner:
    secret = await load_secret(settings, uow_factory, clock)
    return LinkSigner(secret, public_base(settings), timedelta(days=settings.link_days), clock)

