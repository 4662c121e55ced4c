"""Work orders and their operation progress, with optimistic locking."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.errors import VersionConflict
from core.model.work_order import OperationProgress, OrderStatus, Priority, WorkOrder
from storage.tables import order_operations as ops_t
from storage.tables import work_orders as wo_t

OPEN_STATUSES = [s.value for s in OrderStatus if s.is_open]


class SqlWorkOrderRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, ref: str) -> WorkOrder | None:
        row = (await self._conn.execute(select(wo_t).where(wo_t.c.ref == ref))).mappings().first()
        if row is None:
            return None
        ops = await self._operations([ref])
        return _to_order(row, ops.get(ref, []))

    async def find_refs(self, refs: Sequence[str]) -> list[str]:
        rows = await self._conn.execute(select(wo_t.c.ref).where(wo_t.c.ref.in_(list(refs))))
        return [r[0] for r in rows]

    async def all_refs(self) -> list[str]:
        return [r[0] for r in await self._conn.execute(select(wo_t.c.ref).order_by(wo_t.c.ref))]

    async def open_refs(self, customers: Sequence[str] | None = None) -> list[str]:
        query = (select(wo_t.c.ref).where(wo_t.c.status.in_(OPEN_STATUSES))
                 .order_by(wo_t.c.due_date, wo_t.c.ref))
        if customers is not None:
            query = query.where(wo_t.c.customer_code.in_(list(customers)))
        return [r[0] for r in await self._conn.execute(query)]

    async def list(
        self,
        *,
        open_only: bool = False,
        customers: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[WorkOrder]:
        query = select(wo_t).order_by(wo_t.c.due_date, wo_t.c.ref)
        if open_only:
            query = query.where(wo_t.c.status.in_(OPEN_STATUSES))
        if customers is not None:
            query = query.where(wo_t.c.customer_code.in_(list(customers)))
        if limit is not None:
            query = query.limit(limit)
        rows = (await self._conn.execute(query)).mappings().all()
        ops = await self._operations([r["ref"] for r in rows]) if rows else {}
        return [_to_order(r, ops.get(r["ref"], [])) for r in rows]

    async def count(self) -> int:
        return int((await self._conn.execute(select(func.count()).select_from(wo_t))).scalar_one())

    async def add(self, order: WorkOrder) -> None:
        await self._conn.execute(insert(wo_t).values(**_order_row(order)))
        await self._write_operations(order)

    async def save(self, order: WorkOrder) -> None:
        """Write a changed order if nobody else has; bump its version.

        The conditional UPDATE is the lock: on PostgreSQL a concurrent writer
        waits for the row and then matches nothing; on SQLite the busy timeout
        serialises writers the same way.
        """
        expected = order.version
        values = _order_row(order)
        values["version"] = expected + 1
        try:
            result = await self._conn.execute(
                update(wo_t)
                .where(wo_t.c.ref == order.ref, wo_t.c.version == expected)
                .values(**values)
            )
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                raise VersionConflict(order.ref, expected) from None
            raise
        if result.rowcount != 1:
            actual = (
                await self._conn.execute(select(wo_t.c.version).where(wo_t.c.ref == order.ref))
            ).scalar()
            raise VersionConflict(order.ref, expected, actual)
        order.version = expected + 1
        await self._conn.execute(delete(ops_t).where(ops_t.c.order_ref == order.ref))
        await self._write_operations(order)

    async def _write_operations(self, order: WorkOrder) -> None:
        if order.operations:
            await self._conn.execute(
                insert(ops_t), [_op_row(order.ref, op) for op in order.operations]
            )

    async def _operations(
        self, refs: Sequence[str]
    ) -> dict[str, builtins.list[OperationProgress]]:
        out: dict[str, builtins.list[OperationProgress]] = {}
        for chunk_start in range(0, len(refs), 500):
            chunk = list(refs[chunk_start : chunk_start + 500])
            rows = await self._conn.execute(
                select(ops_t)
                .where(ops_t.c.order_ref.in_(chunk))
                .order_by(ops_t.c.order_ref, ops_t.c.seq)
            )
            for r in rows.mappings():
                out.setdefault(r["order_ref"], []).append(
                    OperationProgress(
                        seq=r["seq"],
                        name=r["name"],
                        work_center=r["work_center"],
                        qty_done=r["qty_done"],
                        qty_scrap=r["qty_scrap"],
                        started_at=r["started_at"],
                        finished_at=r["finished_at"],
                        machine=r["machine"],
                    )
                )
        return out


def _order_row(order: WorkOrder) -> dict[str, Any]:
    return {
        "ref": order.ref,
        "customer_code": order.customer_code,
        "product_code": order.product_code,
        "quantity": order.quantity,
        "due_date": order.due_date,
        "priority": order.priority.value,
        "specs": dict(order.specs),
        "note": order.note,
        "status": order.status.value,
        "bom_version": order.bom_version,
        "routing_version": order.routing_version,
        "change_count": order.change_count,
        "version": order.version,
        "created_at": order.created_at,
    }


def _op_row(ref: str, op: OperationProgress) -> dict[str, Any]:
    return {
        "order_ref": ref,
        "seq": op.seq,
        "name": op.name,
        "work_center": op.work_center,
        "qty_done": op.qty_done,
        "qty_scrap": op.qty_scrap,
        "started_at": op.started_at,
        "finished_at": op.finished_at,
        "machine": op.machine,
    }


def _to_order(row: Any, ops: list[OperationProgress]) -> WorkOrder:
    return WorkOrder(
        ref=row["ref"],
        customer_code=row["customer_code"],
        product_code=row["product_code"],
        quantity=row["quantity"],
        due_date=row["due_date"],
        priority=Priority(row["priority"]),
        specs=dict(row["specs"] or {}),
        note=row["note"] or "",
        status=OrderStatus(row["status"]),
        bom_version=row["bom_version"],
        routing_version=row["routing_version"],
        change_count=row["change_count"],
        version=row["version"],
        created_at=row["created_at"],
        operations=ops,
    )
