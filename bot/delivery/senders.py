"""Sender protocol, delivery outcomes, and the local rate limiters senders share.

A sender delivers one outbox row to its platform. It returns normally when the
platform accepted it, raises `RetryLater` for anything that may pass later
(rate limits, timeouts, busy) and `Undeliverable` when retrying cannot help
(unknown user, malformed payload). Anything else is treated as transient.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Protocol

from core.outbox import OutboxMessage


class RetryLater(Exception):
    """Try again later; `after` is the platform's or limiter's hint in seconds."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Undeliverable(Exception):
    """Retrying cannot help; the row goes to the dead letters for an admin."""


class Sender(Protocol):
    async def send(self, message: OutboxMessage) -> None: ...


Senders = Mapping[str, Sender]  # by OutboxMessage.channel: "wecom", "dingtalk", "web"


class WebSender:
    """Web chat replies are answered in the HTTP response and recorded as sent.

    A row queued for the web channel later (e.g. an alert for a person who only
    uses the demo page) has nowhere to go; it is marked sent and stays visible
    in the outbox.
    """

    async def send(self, message: OutboxMessage) -> None:
        return None


class SlidingWindowLimiter:
    """At most `limit` events per `window` seconds per key (e.g. per WeCom member).

    WeCom silently drops the 31st message a member gets from one app within a
    minute, so we must never send it: `reserve` answers how long to wait
    instead of letting it through.
    """

    def __init__(
        self, limit: int, window: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._now = monotonic
        self._events: dict[str, deque[float]] = {}

    def wait_for(self, key: str, n: int = 1) -> float:
        """Seconds until `n` more events fit for `key` (0 if they fit now)."""
        now = self._now()
        events = self._prune(key, now)
        if n > self.limit:
            raise ValueError(f"{n} events can never fit a limit of {self.limit}")
        excess = len(events) + n - self.limit
        if excess <= 0:
            return 0.0
        return events[excess - 1] + self.window - now

    def record(self, key: str, n: int = 1) -> None:
        now = self._now()
        self._prune(key, now).extend([now] * n)

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            # keep the dict small when many users go quiet
            self._events.pop(key, None)
            events = self._events.setdefault(key, deque())
        return events


class TokenBucket:
    """A per-channel send rate (tokens per second with a burst)."""

    def __init__(
        self, rate: float, burst: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._now = monotonic
        self._tokens = burst
        self._at = monotonic()

    def take(self) -> float:
        """Take one token; returns how long the caller must sleep first (0 if none)."""
        now = self._now()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
