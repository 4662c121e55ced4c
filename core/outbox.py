"""Outgoing messages as durable records.

Everything the bot sends is first written as an `OutboxMessage` in the same
transaction as the change it reports; a dispatcher delivers it later with
retries, so a crash or a platform outage never loses a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up after the last retry; visible to admins


@dataclass(slots=True)
class OutboxMessage:
    """One message to one address on one channel.

    `address` is the platform id (WeCom UserID, DingTalk staffId, web person
    id); `payload` is a serialised `Reply` (see `core.messages`).
    `dedupe_key` is unique: writing the same notification twice is a no-op,
    and it doubles as the platform's idempotency key where one exists.
    """

    channel: str
    address: str
    payload: dict[str, Any]
    dedupe_key: str
    created_at: datetime
    id: int | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    locked_until: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    reply_hint: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
