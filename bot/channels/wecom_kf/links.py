"""Binding links: the kf account's add_contact_way URL with a signed, expiring scene_param.

A salesperson hands a customer this link: they ask the bot for it in chat
(the `kf_link` intent), or an administrator prints it with `gongdan kf-link`. When
the customer opens it in WeChat, WeCom starts a kf session and reports
`enter_session` with the scene_param, which `KfPuller` verifies before it
binds the customer's external_userid to the customer code the link names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import aiohttp

from bot.channels.wecom_kf.client import KfClient
from bot.channels.wecom_kf.store import KfStore
from bot.settings import Settings
from core.kf import sign_scene
from core.model.parties import Person, Role
from core.ports import Clock, UnitOfWorkFactory

SCENE = "gongdan"  # add_contact_way scene: at most 32 of [0-9a-zA-Z_-]


class LinkRefused(Exception):
    """The link cannot be made: unknown customer, a requester who may not, or no kf setup."""


@dataclass
class KfLinks:
    client: KfClient
    store: KfStore
    uow_factory: UnitOfWorkFactory
    clock: Clock
    open_kfid: str
    ttl: timedelta

    @staticmethod
    def missing_settings(settings: Settings) -> list[str]:
        """The settings links still need, by their environment names; [] when all are set."""
        missing = []
        if not settings.wecom_corp_id:
            missing.append("GONGDAN_WECOM_CORP_ID")
        if not (settings.wecom_kf_secret or settings.wecom_secret):
            missing.append("GONGDAN_WECOM_SECRET")
        if not settings.wecom_kf_open_kfid:
            missing.append("GONGDAN_WECOM_KF_OPEN_KFID")
        return missing

    @staticmethod
    def check_settings(settings: Settings) -> None:
        """LinkRefused naming what is missing, before anything is opened or called."""
        if not (settings.wecom_corp_id and (settings.wecom_kf_secret or settings.wecom_secret)):
            raise LinkRefused("kf links need GONGDAN_WECOM_CORP_ID and GONGDAN_WECOM_SECRET "
                              "(or GONGDAN_WECOM_KF_SECRET)")
        if not settings.wecom_kf_open_kfid:
            raise LinkRefused("kf links need GONGDAN_WECOM_KF_OPEN_KFID (the kf account, wk...)")

    @classmethod
    def build(cls, session: aiohttp.ClientSession, settings: Settings,
              uow_factory: UnitOfWorkFactory, clock: Clock) -> KfLinks:
        cls.check_settings(settings)
        return cls(KfClient.from_settings(session, settings),
                   KfStore(uow_factory, clock, settings.wecom_kf_link_secret), uow_factory,
                   clock, settings.wecom_kf_open_kfid,
                   timedelta(days=settings.wecom_kf_link_days))

    async def link_for(self, customer_code: str, requester: Person | None = None) -> str:
        """The binding link for `customer_code`.

        `requester` None is an administrator at the command line; a person in
        chat must be the customer's salesperson, or see every order.
        """
        async with self.uow_factory() as uow:
            customer = await uow.parties.customer(customer_code)
        if customer is None:
            raise LinkRefused(f"no customer with code {customer_code!r}")
        if requester is not None and not (
                requester.sees_every_order
                or (requester.role is Role.SALES and requester.owns_customer(customer_code))):
            raise LinkRefused(f"{requester.id} may not hand out links for {customer_code}")
        base = await self.store.contact_way(self.open_kfid, SCENE)
        if base is None:
            base = await self.client.add_contact_way(self.open_kfid, SCENE)
            await self.store.save_contact_way(self.open_kfid, SCENE, base)
        param = sign_scene(await self.store.link_secret(), customer_code,
                           self.clock.now() + self.ttl)
        joiner = "&" if "?" in base else "?"
        return f"{base}{joiner}scene_param={quote(param, safe='')}"
