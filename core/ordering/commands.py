"""Ordering commands, typed like core/commands.py; the bot builds them from parser commands."""

from __future__ import annotations

from dataclasses import dataclass

from core.commands import Command


@dataclass(frozen=True, slots=True)
class QuoteOrder(Command):
    """How soon can we deliver this (capable-to-promise)? Nothing but the question is saved."""

    product: str | None
    quantity: int | None
    specs: tuple[tuple[str, str], ...] = ()
    customer: str | None = None
    raw_text: str = ""


@dataclass(frozen=True, slots=True)
class PlaceOrder(Command):
    """A new order: assessed and shown as a card awaiting confirmation."""

    customer: str | None
    product: str | None
    quantity: int | None
    due_date: str | None  # ISO, as the parser gives it
    specs: tuple[tuple[str, str], ...] = ()
    raw_text: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmOrder(Command):
    request_ref: str | None = None


@dataclass(frozen=True, slots=True)
class RejectOrder(Command):
    request_ref: str | None = None


@dataclass(frozen=True, slots=True)
class DecideOrder(Command):
    request_ref: str | None = None
    approve: bool = True
