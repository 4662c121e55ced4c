"""Test helpers: a controllable clock, hand-made plan versions, outbox reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.model.plan import OrderEta, PlannedOperation, PlanVersion
from core.model.work_order import WorkOrder
from storage.seed import seed_demo
from storage.tables import outbox
from storage.uow import SqlUnitOfWorkFactory

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def due_at(day: date) -> datetime:
    return datetime.combine(day, time(17), ZONE)


def make_plan(
    number: int,
    orders: Sequence[WorkOrder],
    now: datetime,
    lateness: Mapping[str, int],
    *,
    reason: str = "test",
    bottleneck: str | None = None,
    diff: dict[str, Any] | None = None,
    op_hours: float = 1.0,
) -> PlanVersion:
    """A plan in which each given order ends `lateness[ref]` minutes after its due time.

    The order's unfinished operations run back to back, `op_hours` each, ending at the ETA.
    """
    ops: list[PlannedOperation] = []
    etas: dict[str, OrderEta] = {}
    for order in orders:
        due = due_at(order.due_date)
        eta = due + timedelta(minutes=lateness.get(order.ref, -600))
        todo = [p for p in order.operations if not p.finished]
        for i, p in enumerate(todo):
            end = eta - timedelta(hours=op_hours * (len(todo) - 1 - i))
            ops.append(
                PlannedOperation(
                    order.ref,
                    p.seq,
                    p.name,
                    p.work_center,
                    p.machine or f"{p.work_center}-1",
                    end - timedelta(hours=op_hours),
                    end,
                )
            )
        etas[order.ref] = OrderEta(order.ref, eta, due, int((eta - due).total_seconds() // 60))
    late = sum(1 for e in etas.values() if e.late)
    kpis = {
        "orders_late": late,
        "on_time_rate": 1 - late / max(1, len(etas)),
        "weighted_tardiness": 0,
        "makespan_minutes": 0,
        "utilization": {bottleneck: 0.9} if bottleneck else {},
        "bottleneck": bottleneck,
        "solve_seconds": 0.1,
        "orders": len(etas),
    }
    return PlanVersion(
        number,
        now,
        now.astimezone(ZONE).replace(second=0, microsecond=0),
        "FEASIBLE",
        "test",
        0,
        0,
        kpis,
        reason,
        sorted(ops, key=lambda o: (o.start, o.order_ref)),
        etas,
        diff or {},
    )


async def seed(uow_factory: SqlUnitOfWorkFactory, now: datetime) -> None:
    await seed_demo(uow_factory, now.astimezone(ZONE).date(), now)


async def open_orders(uow_factory: SqlUnitOfWorkFactory) -> list[WorkOrder]:
    async with uow_factory() as uow:
        return sorted(await uow.orders.list(open_only=True), key=lambda o: o.ref)


async def save_plan(uow_factory: SqlUnitOfWorkFactory, plan: PlanVersion) -> None:
    async with uow_factory() as uow:
        await uow.plans.add(plan)
        await uow.commit()


async def outbox_rows(engine: AsyncEngine, prefix: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    select(outbox)
                    .where(outbox.c.dedupe_key.like(f"{prefix}%"))
                    .order_by(outbox.c.id)
                )
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]
