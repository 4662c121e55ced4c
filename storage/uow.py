"""The unit of work: one transaction, every repository on it, commit or roll back whole.

Notifications go to the outbox on the same connection, so a change and the
messages that report it commit together or not at all.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.errors import WriteConflict
from storage.repositories.catalog import SqlCatalogRepository
from storage.repositories.change_requests import SqlChangeRequestRepository
from storage.repositories.messaging import SqlInbox, SqlOutbox
from storage.repositories.orders import SqlWorkOrderRepository
from storage.repositories.parties import SqlPartyRepository
from storage.repositories.plans import SqlPlanRepository
from storage.repositories.promises import (
    SqlOrderRequestRepository,
    SqlPromiseLedger,
    SqlQuoteLog,
    SqlRequirementRepository,
)
from storage.repositories.state import SqlStateStore


class SqlUnitOfWork:
    orders: SqlWorkOrderRepository
    catalog: SqlCatalogRepository
    parties: SqlPartyRepository
    change_requests: SqlChangeRequestRepository
    plans: SqlPlanRepository
    outbox: SqlOutbox
    inbox: SqlInbox
    state: SqlStateStore
    promises: SqlPromiseLedger
    quotes: SqlQuoteLog
    order_requests: SqlOrderRequestRepository
    requirements: SqlRequirementRepository

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self._conn = await self._engine.connect()  # the first statement begins the transaction
        conn = self._conn
        self.orders = SqlWorkOrderRepository(conn)
        self.catalog = SqlCatalogRepository(conn)
        self.parties = SqlPartyRepository(conn)
        self.change_requests = SqlChangeRequestRepository(conn)
        self.plans = SqlPlanRepository(conn)
        self.outbox = SqlOutbox(conn)
        self.inbox = SqlInbox(conn)
        self.state = SqlStateStore(conn)
        self.promises = SqlPromiseLedger(conn)
        self.quotes = SqlQuoteLog(conn)
        self.order_requests = SqlOrderRequestRepository(conn)
        self.requirements = SqlRequirementRepository(conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back what was not committed; a broken constraint leaves as a WriteConflict."""
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None
        if isinstance(exc, IntegrityError):
            raise _conflict(exc) from exc

    async def commit(self) -> None:
        """Commit; the next statement begins a new transaction by itself (autobegin)."""
        assert self._conn is not None
        try:
            await self._conn.commit()
        except IntegrityError as exc:  # a deferred constraint, checked only now
            raise _conflict(exc) from exc

    async def rollback(self) -> None:
        assert self._conn is not None
        await self._conn.rollback()


def _conflict(exc: IntegrityError) -> WriteConflict:
    """The core's error for a broken constraint, with the driver's first line as reason."""
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return WriteConflict(lines[0] if lines else "a database constraint was broken")


class SqlUnitOfWorkFactory:
    """Makes a fresh unit of work per use; handed to core as `Callable[[], UnitOfWork]`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)
