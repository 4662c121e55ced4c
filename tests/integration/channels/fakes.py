"""In-memory Inbox, OutboxStore, Clock and handler for channel tests.

FakeOutbox follows the OutboxStore contract closely (dedupe_key unique,
lease-based claim, mark_retry counts an attempt), because the dispatcher's
crash-recovery tests depend on exactly those semantics.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.messages import Button, ChatMessage, Reply
from core.outbox import OutboxMessage, OutboxStatus
from core.ports import Claim, Unhandled


class FakeClock:
    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeInbox:
    """received -> handled, with leases; `handled` writes the replies to `outbox`."""

    def __init__(self, outbox: FakeOutbox | None = None) -> None:
        self.seen: dict[tuple[str, str], datetime] = {}
        self.outbox = outbox if outbox is not None else FakeOutbox()
        self.state: dict[tuple[str, str], str] = {}
        self.leases: dict[tuple[str, str], datetime] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.reply_keys: dict[tuple[str, str], list[str]] = {}

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        if (channel, key) in self.seen:
            return False
        self.seen[(channel, key)] = at
        self.state[(channel, key)] = "handled"
        return True

    async def claim(self, channel: str, key: str, message: dict[str, Any], at: datetime,
                    lease_seconds: float) -> Claim:
        k = (channel, key)
        until = at + timedelta(seconds=lease_seconds)
        if k not in self.seen:
            self.seen[k], self.state[k], self.leases[k], self.messages[k] = (
                at, "received", until, message)
            return Claim.NEW
        if self.state[k] == "handled":
            return Claim.HANDLED
        if self.leases[k] <= at:
            self.leases[k] = until
            return Claim.RETRY
        return Claim.BUSY

    async def handled(self, channel: str, key: str, replies: Sequence[OutboxMessage],
                      at: datetime) -> bool:
        if self.state.get((channel, key)) == "handled":
            return False
        await self.outbox.add(replies)
        self.state[(channel, key)] = "handled"
        self.reply_keys[(channel, key)] = [m.dedupe_key for m in replies]
        return True

    async def replies(self, channel: str, key: str) -> list[OutboxMessage]:
        keys = self.reply_keys.get((channel, key), [])
        by_key = {r.dedupe_key: r for r in self.outbox.rows.values()}
        return [copy.deepcopy(by_key[k]) for k in keys if k in by_key]

    async def claim_unhandled(self, now: datetime, lease_seconds: float,
                              limit: int) -> list[Unhandled]:
        taken = []
        for k, state in self.state.items():
            if state == "received" and self.leases[k] <= now and len(taken) < limit:
                self.leases[k] = now + timedelta(seconds=lease_seconds)
                taken.append(Unhandled(k[0], k[1], self.messages[k]))
        return taken


class FakeOutbox:
    def __init__(self) -> None:
        self.rows: dict[int, OutboxMessage] = {}
        self._keys: set[str] = set()
        self._next_id = 1
        self.added = asyncio.Event()

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        for m in messages:
            if m.dedupe_key in self._keys:
                continue
            row = copy.deepcopy(m)
            row.id = self._next_id
            self._next_id += 1
            self._keys.add(row.dedupe_key)
            self.rows[row.id] = row
        self.added.set()

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        due = [
            r for r in self.rows.values()
            if r.status is OutboxStatus.PENDING
            and (r.next_attempt_at is None or r.next_attempt_at <= now)
            and (r.locked_until is None or r.locked_until <= now)
        ]
        due.sort(key=lambda r: (r.next_attempt_at or r.created_at, r.id or 0))
        out = []
        for r in due[:limit]:
            r.locked_until = now + timedelta(seconds=lease_seconds)
            out.append(copy.deepcopy(r))
        return out

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        r = self.rows[message_id]
        r.status, r.sent_at, r.locked_until = OutboxStatus.SENT, at, None
        r.attempts += 1

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        r = self.rows[message_id]
        r.attempts += 1
        r.next_attempt_at, r.last_error, r.locked_until = next_attempt_at, error, None

    async def mark_dead(self, message_id: int, error: str) -> None:
        r = self.rows[message_id]
        r.attempts += 1
        r.status, r.last_error, r.locked_until = OutboxStatus.DEAD, error, None

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]:
        return [copy.deepcopy(r) for r in self.rows.values()
                if r.status is OutboxStatus.DEAD][:limit]

    def with_status(self, status: OutboxStatus) -> list[OutboxMessage]:
        return [r for r in self.rows.values() if r.status is status]


REGISTER_HINT = "你还没有登记，请联系管理员把你的企业微信账号加入工单系统。"


@dataclass
class FakeHandler:
    """Echoes text; tells unknown users how to register; cards for 'card'; slow for 'slow'."""

    known: set[str] = field(default_factory=lambda: {"zhangsan", "mycreate", "ChenJiaShun",
                                                     "staff-1", "p1"})
    calls: list[ChatMessage] = field(default_factory=list)
    delay: float = 0.0

    async def __call__(self, message: ChatMessage) -> list[Reply]:
        self.calls.append(message)
        if message.user_id not in self.known:
            return [Reply(kind="text", text=REGISTER_HINT)]
        if message.button_key:
            return [Reply(kind="text", text=f"clicked {message.button_key}")]
        if message.text == "slow" or self.delay:
            await asyncio.sleep(self.delay or 0.5)
        if message.text == "card":
            return [Reply(kind="card", title="变更确认 CR-12", text="SO-1 数量改为 500 件",
                          buttons=(Button("confirm:CR-12", "确认"),
                                   Button("reject:CR-12", "取消", 2)),
                          fallback_text="回复 1 确认 / 2 取消", card_id="CR-12")]
        if message.text == "two":
            return [Reply(kind="text", text="first"), Reply(kind="markdown", text="**second**")]
        return [Reply(kind="text", text=f"echo: {message.text}")]
