"""Card deliveries in the database: who got which copy of a card, and its update handle.

A WeCom handle is single use: a click replaces it with the click's ResponseCode
(`clicked`), and an update takes it (`consume`, which leaves "").

Several processes on one database are one system (a click may reach any of
them), so the handles live here rather than in memory. Each call is its own
short transaction, like the inbox and outbox services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update

from core.messages import CardDelivery
from storage.message_services import _short_write
from storage.repositories.messaging import _insert_ignore
from storage.tables import card_deliveries as t
from storage.uow import SqlUnitOfWorkFactory


def _row(r: Any) -> CardDelivery:
    return CardDelivery(channel=r.channel, card_id=r.card_id, recipient=r.recipient,
                        handle=r.handle, sent_at=r.sent_at, settled_at=r.settled_at,
                        settled_by=r.settled_by or "")


def _key(channel: str, card_id: str, recipient: str) -> Any:
    return and_(t.c.channel == channel, t.c.card_id == card_id, t.c.recipient == recipient)


class SqlCardDeliveries:
    def __init__(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def record(self, delivery: CardDelivery) -> None:
        d = delivery
        async with _short_write(self._uow_factory) as uow:
            conn = uow._conn
            assert conn is not None
            done = await conn.execute(
                update(t).where(_key(d.channel, d.card_id, d.recipient))
                .values(handle=d.handle, sent_at=d.sent_at))
            if done.rowcount == 0:
                await conn.execute(_insert_ignore(conn, t).values(
                    channel=d.channel, card_id=d.card_id, recipient=d.recipient,
                    handle=d.handle, sent_at=d.sent_at, settled_at=None, settled_by=""))
            await uow.commit()

    async def open_copies(self, card_id: str) -> list[CardDelivery]:
        async with self._uow_factory() as uow:
            assert uow._conn is not None
            rows = await uow._conn.execute(
                select(t).where(t.c.card_id == card_id, t.c.settled_at.is_(None))
                .order_by(t.c.channel, t.c.recipient))
            return [_row(r) for r in rows]

    async def settle(self, channel: str, card_id: str, recipient: str, by: str,
                     at: datetime) -> bool:
        async with _short_write(self._uow_factory) as uow:
            assert uow._conn is not None
            done = await uow._conn.execute(
                update(t).where(_key(channel, card_id, recipient), t.c.settled_at.is_(None))
                .values(settled_at=at, settled_by=by))
            await uow.commit()
            return bool(done.rowcount == 1)

    async def settled(self, card_id: str) -> CardDelivery | None:
        async with self._uow_factory() as uow:
            assert uow._conn is not None
            row = (await uow._conn.execute(
                select(t).where(t.c.card_id == card_id, t.c.settled_at.is_not(None))
                .order_by(t.c.settled_at).limit(1))).first()
            return _row(row) if row is not None else None

    async def copy(self, channel: str, card_id: str, recipient: str) -> CardDelivery | None:
        async with self._uow_factory() as uow:
            assert uow._conn is not None
            row = (await uow._conn.execute(
                select(t).where(_key(channel, card_id, recipient)))).first()
            return _row(row) if row is not None else None

    async def clicked(self, channel: str, card_id: str, recipient: str, handle: str) -> bool:
        return await self._set_handle(_key(channel, card_id, recipient), handle)

    async def consume(self, channel: str, card_id: str, recipient: str, handle: str) -> bool:
        """Conditional on the handle, so two processes never both use one code."""
        return await self._set_handle(
            and_(_key(channel, card_id, recipient), t.c.handle == handle), "")

    async def _set_handle(self, where: Any, handle: str) -> bool:
        async with _short_write(self._uow_factory) as uow:
            assert uow._conn is not None
            done = await uow._conn.execute(update(t).where(where).values(handle=handle))
            await uow.commit()
            return bool(done.rowcount == 1)
