"""The message bus: commands to their one handler, committed events to every subscriber.

As in cosmicpython: a command's failure is the caller's (it propagates), an
event handler's failure is logged and the others still run, because the event
describes something already committed that no listener can undo. Events are
published only after the transaction that made them true has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from core.commands import Command
from core.events import Event

log = logging.getLogger(__name__)

CommandHandler = Callable[[Any], Awaitable[Any]]
EventHandler = Callable[[Any], Awaitable[None]]


class MessageBus:
    """Routes commands by type and fans committed events out to their subscribers."""

    def __init__(self) -> None:
        self._commands: dict[type[Command], CommandHandler] = {}
        self._events: dict[type[Event], list[EventHandler]] = {}

    def register(self, handlers: Mapping[type[Command], CommandHandler]) -> None:
        """Add command handlers; one handler per command type."""
        for kind, handler in handlers.items():
            if kind in self._commands:
                raise ValueError(f"{kind.__name__} already has a handler")
            self._commands[kind] = handler

    def subscribe(self, kind: type[Event], handler: EventHandler) -> None:
        """Call `handler` with every committed event of type `kind`, in subscription order."""
        self._events.setdefault(kind, []).append(handler)

    async def handle(self, command: Command) -> Any:
        """Run the command's handler and return what it returns; its errors propagate."""
        handler = self._commands.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        return await handler(command)

    async def publish(self, *events: Event) -> None:
        """Tell every subscriber; a failing one is logged and never stops the rest."""
        for event in events:
            for handler in self._events.get(type(event), ()):
                try:
                    await handler(event)
                except Exception:
                    log.exception("handler %s failed on %s", getattr(handler, "__name__", handler),
                                  event)
