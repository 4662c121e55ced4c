"""What the message being handled has already done, so that handling it again is safe.

A chat message is handled at least once: a process killed mid-handling leaves
its inbox row `received`, and the platform's retry (or the recovery sweep)
handles it again. Every use case that commits an effect for a message records
the effect in the same transaction, under the message's key, and looks for it
before acting: a second run answers from what the first one committed instead
of acting twice.

The key is ambient (a context variable set by the channel pipeline around the
handler), because the message travels through the conversation layer, the
parser and the bus as data that knows nothing of inbox keys. Outside a
pipeline (tests, the CLI, scheduled jobs) no key is set and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.ports import UnitOfWork

REQUEST = "request"  # a change request was opened: {"cr": ref}
ORDER_REQUEST = "order_request"  # a new-order request was opened: {"ref": "NO-n"}
ORDER_DECISION = "order_decision"  # a new-order request was applied, sent, ...: {"ref": "NO-n"}
DECISION = "decision"  # a change request was confirmed, applied, rejected, ...: {"cr": ref}
REPORT = "report"  # a progress report was recorded: {"ref": order, "text": reply}
CONVERSATION = "conversation"  # the conversation state it took: {"state": ..., ...} or None


@dataclass(frozen=True, slots=True)
class Source:
    """The inbox key of the message being handled."""

    channel: str
    key: str


_current: ContextVar[Source | None] = ContextVar("gongdan_message_source", default=None)


def current() -> Source | None:
    return _current.get()


@contextmanager
def handling(source: Source) -> Iterator[None]:
    """Run the block (and the tasks it creates) on behalf of `source`."""
    token = _current.set(source)
    try:
        yield
    finally:
        _current.reset(token)


async def recorded(uow: UnitOfWork, kind: str) -> dict[str, Any] | None:
    """What this message recorded as `kind` in an earlier, committed run; else None."""
    source = _current.get()
    if source is None:
        return None
    return await uow.inbox.effect(source.channel, source.key, kind)


async def record(uow: UnitOfWork, kind: str, data: dict[str, Any], at: datetime) -> None:
    """Record an effect in `uow`'s transaction; a second record of one kind conflicts."""
    source = _current.get()
    if source is not None:
        await uow.inbox.record_effect(source.channel, source.key, kind, data, at)
