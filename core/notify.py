"""Turning "tell this person X" into outbox rows on the person's channel.

A person is reached on WeCom when they have a WeCom id and WeCom is set up,
else on DingTalk, else, for a customer contact outside the company, through
WeCom Customer Service (微信客服, which rides on the WeCom app), else in the web
chat (the demo), so every notification has somewhere durable to go. Whether a
kf notice can reach the customer right now (the 48-hour window) is the kf
sender's business, not this fan-out's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from core.messages import Reply, reply_to_payload
from core.model.parties import Person
from core.outbox import OutboxMessage

PREFERENCE = ("wecom", "dingtalk", "wecom_kf", "web")


def address_for(person: Person, enabled: Collection[str]) -> tuple[str, str]:
    for channel in PREFERENCE:
        needs = "wecom" if channel == "wecom_kf" else channel
        if needs not in enabled and channel != "web":
            continue
        if channel == "wecom" and person.wecom_userid:
            return channel, person.wecom_userid
        if channel == "wecom_kf" and person.wecom_external_userid:
            return channel, person.wecom_external_userid
        if channel == "dingtalk" and person.dingtalk_staff_id:
            return channel, person.dingtalk_staff_id
        if channel == "web":
            return "web", person.id
    return "web", person.id


def notify(people: Iterable[Person], reply: Reply, topic: str, now: datetime,
           enabled: Collection[str]) -> list[OutboxMessage]:
    """One outbox row per person; `topic` makes the dedupe key, so a retry queues once."""
    rows: list[OutboxMessage] = []
    seen: set[str] = set()
    for person in people:
        if person.id in seen or not person.active:
            continue
        seen.add(person.id)
        channel, address = address_for(person, enabled)
        rows.append(OutboxMessage(channel=channel, address=address,
                                  payload=reply_to_payload(reply),
                                  dedupe_key=f"{topic}:{person.id}", created_at=now,
                                  meta={"person": person.id, "topic": topic}))
    return rows
