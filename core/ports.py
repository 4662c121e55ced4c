"""Ports: what the core needs from the outside world, as Protocols.

`storage` implements the repositories and the unit of work; `bot` implements
senders and clocks. Core code depends only on these shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.outbox import OutboxMessage


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware current time; tests pass a controllable clock."""
        ...


class Inbox(Protocol):
    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        """Record (channel, key); True only the first time, so retries apply once."""
        ...


class OutboxStore(Protocol):
    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        """Queue messages; a duplicate dedupe_key is silently skipped."""
        ...

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Lease pending messages that are due, so that one dispatcher sends each.

        A lease that expires (the dispatcher crashed) makes the message due again.
        """
        ...

    async def mark_sent(self, message_id: int, at: datetime) -> None: ...

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None: ...

    async def mark_dead(self, message_id: int, error: str) -> None: ...

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]: ...
