"""The kf_link handler: a customer's 微信客服 binding link, asked for in chat.

A salesperson may have links for their own customers; supervisors, planners
and administrators for any. The customer is matched by code or name among
those the sender may act for (core/ordering/draft.py), so a salesperson
naming someone else's customer is told so rather than given a link.
"""

from __future__ import annotations

import logging

from bot.channels.wecom.client import WeComApiError, WeComTransportError
from bot.channels.wecom_kf.links import KfLinks, LinkRefused
from bot.conversation.replies.kf_link import ask_customer_text, kf_link_text, link_text
from bot.conversation.router import Turn
from bot.settings import Settings
from core.messages import Reply
from core.model.parties import Role
from core.ordering.draft import customers_for, find_customer
from core.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)


class KfLinkHandler:
    """Answers kf_link; `links` is None when 微信客服 is not configured."""

    def __init__(self, uow_factory: UnitOfWorkFactory, settings: Settings,
                 links: KfLinks | None) -> None:
        self._uow_factory = uow_factory
        self._settings = settings
        self._links = links

    async def __call__(self, turn: Turn) -> list[Reply]:
        return [Reply(kind="text", text=await self._answer(turn))]

    async def _answer(self, turn: Turn) -> str:
        person, lang, written = turn.person, turn.lang, turn.command.customer
        if person.role is Role.CUSTOMER:
            return kf_link_text("customer_asks", lang)
        if not (person.role is Role.SALES or person.sees_every_order):
            return kf_link_text("role_cannot", lang)
        if self._links is None:
            missing = KfLinks.missing_settings(self._settings) or ["GONGDAN_WECOM_KF_OPEN_KFID"]
            return kf_link_text("not_configured", lang, missing=", ".join(missing))
        async with self._uow_factory() as uow:
            everyone = await uow.parties.customers()
        allowed = customers_for(person, everyone)
        if not written:
            return ask_customer_text(allowed, lang, own=person.role is Role.SALES)
        customer = find_customer(written, allowed)
        if customer is None:
            key = ("not_your_customer" if find_customer(written, list(everyone.values()))
                   else "unknown_customer")
            return kf_link_text(key, lang, written=written)
        try:
            url = await self._links.link_for(customer.code, person)
        except LinkRefused as exc:  # the customer or the sender changed meanwhile
            log.info("kf link refused for %s: %s", person.id, exc)
            return kf_link_text("not_your_customer", lang, written=written)
        except (WeComApiError, WeComTransportError) as exc:
            log.warning("kf/add_contact_way failed for %s: %s", customer.code, exc)
            return kf_link_text("wecom_failed", lang)
        return link_text(customer, url, self._settings.wecom_kf_link_days, lang)
