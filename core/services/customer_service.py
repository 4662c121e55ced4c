"""Use cases of the customer-service channel (微信客服): binding a contact, relaying a notice.

Binding: a customer's WeChat user opens a link a salesperson handed out; the
link's signed scene_param names the customer code, and this makes (or extends)
the Person who is that customer's contact, with their external_userid, so the
conversation service recognises them from then on and shows them only their
own customer's orders.

Relay: WeCom lets us message a customer only inside the 48-hour/5-message
window. A notice that cannot go through kf is passed to the salespeople who
own the customer, prefixed with who to pass it on to, so it still reaches a
human who can tell the customer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from core.i18n import render
from core.messages import Reply, reply_to_payload
from core.model.parties import Customer, Person, Role
from core.notify import address_for
from core.outbox import OutboxMessage
from core.ports import UnitOfWorkFactory

KF_CHANNEL = "wecom_kf"
CONTACT_PREFIX = "kf."
_ID_LIMIT = 64  # people.id column
_KEY_LIMIT = 200  # outbox.dedupe_key column

TEXTS = {
    "contact_name": {"zh": "{customer}（微信客服）", "en": "{customer} (WeChat)"},
    "relay": {
        "zh": "请转告客户 {contact}（{customer}）：\n{text}",
        "en": "Please pass this on to customer {contact} ({customer}):\n{text}",
    },
}


@dataclass(frozen=True, slots=True)
class Binding:
    person: Person
    customer: Customer
    created: bool  # a new contact person, rather than one who opened a link again


def contact_id(external_userid: str) -> str:
    """A stable person id for a contact who came in through kf."""
    pid = CONTACT_PREFIX + external_userid
    if len(pid) <= _ID_LIMIT:
        return pid
    return CONTACT_PREFIX + hashlib.sha1(external_userid.encode()).hexdigest()


async def bind_contact(uow_factory: UnitOfWorkFactory, external_userid: str,
                       customer_code: str) -> Binding | None:
    """Make `external_userid` a contact of `customer_code`; None when that must not happen.

    Refused: an unknown customer code; an external id that belongs to a staff
    member or to a deactivated person (an admin switched them off; a link must
    not switch them back on).
    """
    async with uow_factory() as uow:
        customer = await uow.parties.customer(customer_code)
        if customer is None:
            return None
        holder = next((p for p in await uow.parties.people()
                       if p.wecom_external_userid == external_userid), None)
        if holder is not None and (not holder.active or holder.role is not Role.CUSTOMER):
            return None
        if holder is not None:
            if customer_code in holder.customers:
                return Binding(holder, customer, created=False)
            holder = replace(holder, customers=(*holder.customers, customer_code))
            await uow.parties.save_person(holder)
            await uow.commit()
            return Binding(holder, customer, created=False)
        pid = contact_id(external_userid)
        if await uow.parties.person(pid) is not None:
            return None  # an id of that name exists without this external id: leave it alone
        person = Person(pid, render(TEXTS, "contact_name", customer=customer.name)[:100],
                        Role.CUSTOMER, customers=(customer_code,),
                        wecom_external_userid=external_userid)
        await uow.parties.add_person(person)
        await uow.commit()
        return Binding(person, customer, created=True)


def _bounded(key: str) -> str:
    if len(key) <= _KEY_LIMIT:
        return key
    return key[: _KEY_LIMIT - 41] + "#" + hashlib.sha1(key.encode()).hexdigest()


async def relay_to_sales(uow_factory: UnitOfWorkFactory, external_userid: str, text: str,
                         dedupe_key: str, now: datetime, enabled: Collection[str]) -> list[str]:
    """Queue `text` for the salespeople of the customer behind `external_userid`.

    Returns the ids of the salespeople it was queued for ([] when the sender is
    no known contact or their customer has no salesperson). The dedupe keys
    derive from the original row's, so relaying the same row twice (a retry
    after a crash) queues once.
    """
    async with uow_factory() as uow:
        contact = await uow.parties.person_by_platform(KF_CHANNEL, external_userid)
        if contact is None or not contact.customers:
            return []
        customers = await uow.parties.customers()
        sales = [p for p in await uow.parties.by_role(Role.SALES)
                 if any(p.owns_customer(c) for c in contact.customers)]
        names = "、".join(customers[c].name if c in customers else c for c in contact.customers)
        rows: list[OutboxMessage] = []
        for person in sales:
            channel, address = address_for(person, enabled)
            if channel == KF_CHANNEL:  # never relay back into the window we could not use
                channel, address = "web", person.id
            body = render(TEXTS, "relay", person.lang, contact=contact.name, customer=names,
                          text=text)
            rows.append(OutboxMessage(
                channel=channel, address=address,
                payload=reply_to_payload(Reply(kind="text", text=body)),
                dedupe_key=_bounded(f"kf-relay:{dedupe_key}:{person.id}"), created_at=now,
                next_attempt_at=now,
                meta={"person": person.id, "topic": "kf-relay", "relayed_from": dedupe_key,
                      "contact": contact.id}))
        await uow.outbox.add(rows)
        await uow.commit()
        return [p.id for p in sales]
