"""What ordering needs from storage beyond core.ports: the promise ledger, quotes, requests.

The SQL unit of work carries these as `promises`, `quotes`, `order_requests` and
`requirements`;
`ordering_uow` narrows a unit of work to this wider shape, and `ledger_of` finds
the ledger on any unit of work that has one (so change control records a moved
due date without requiring every test double to keep a ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, cast, runtime_checkable

from core.ordering.model import OrderRequest, Promise, QuoteRecord, RequirementVersion
from core.ports import UnitOfWork


@runtime_checkable
class PromiseLedger(Protocol):
    async def record(self, promise: Promise) -> None: ...
    async def promises_for(self, order_ref: str) -> list[Promise]:
        """Every date promised for the order, oldest first."""
        ...
    async def promises_for_many(self, order_refs: Sequence[str]) -> dict[str, list[Promise]]: ...


class QuoteLog(Protocol):
    async def add(self, quote: QuoteRecord) -> int: ...


class OrderRequestRepository(Protocol):
    async def add(self, request: OrderRequest) -> OrderRequest:
        """Insert and number it NO-<id>."""
        ...
    async def save(self, request: OrderRequest) -> None: ...
    async def get(self, ref: str) -> OrderRequest | None: ...
    async def open_for(self, person_id: str) -> list[OrderRequest]: ...
    async def awaiting_approval(self) -> list[OrderRequest]: ...
    async def holds(self, order_ref: str) -> bool: ...
    async def audit(self, ref: str, order_ref: str | None, at: datetime, actor: str,
                    action: str, detail: dict[str, Any]) -> None: ...


class RequirementRepository(Protocol):
    """Every version of every order's requirement specification, kept forever."""

    async def versions(self, order_ref: str) -> list[RequirementVersion]:
        """The order's versions, v1 first."""
        ...
    async def add(self, version: RequirementVersion) -> None: ...
    async def save(self, version: RequirementVersion) -> None:
        """Write a version's status and decision (its text never changes)."""
        ...


class OrderingUnitOfWork(UnitOfWork, Protocol):
    promises: PromiseLedger
    quotes: QuoteLog
    order_requests: OrderRequestRepository
    requirements: RequirementRepository


def ordering_uow(uow: UnitOfWork) -> OrderingUnitOfWork:
    """The unit of work as ordering uses it (the SQL one has every repository)."""
    return cast(OrderingUnitOfWork, uow)


def ledger_of(uow: UnitOfWork) -> PromiseLedger | None:
    ledger = getattr(uow, "promises", None)
    return ledger if isinstance(ledger, PromiseLedger) else None
