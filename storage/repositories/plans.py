"""Plan versions: the operations, ETAs, KPIs and diff of each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model.plan import OrderEta, PlannedOperation, PlanVersion
from storage.tables import plan_etas, plan_operations, plans

PLAN_COMMIT_LOCK = 0x67D0_91A4  # the advisory lock key of plan commits ("gongdan" plans)


class SqlPlanRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock_for_commit(self) -> None:
        """PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback.

        SQLite: a write that matches no row, which takes the database's write lock
        now rather than at the first real write, so no other process can commit a
        plan between this transaction's check of the latest number and its insert
        (the driver begins the transaction before the write; its reads after it
        see every earlier commit).
        """
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                     {"key": PLAN_COMMIT_LOCK})
            return
        await self._conn.execute(update(plans).where(plans.c.number < 0)
                                 .values(number=plans.c.number))

    async def next_number(self) -> int:
        current = (await self._conn.execute(select(func.max(plans.c.number)))).scalar()
        return int(current or 0) + 1

    async def add(self, plan: PlanVersion) -> None:
        """Insert and number the plan from the database's sequence.

        Two processes (or two concurrent changes) planning at once each get
        their own number; counting max+1 would hand both the same one.
        """
        result = await self._conn.execute(
            insert(plans)
            .values(
                created_at=plan.created_at,
                epoch=plan.epoch,
                status=plan.status,
                method=plan.method,
                objective=plan.objective,
                lower_bound=plan.lower_bound,
                kpis=plan.kpis,
                reason=plan.reason,
                diff=plan.diff,
            )
            .returning(plans.c.number)
        )
        plan.number = int(result.scalar_one())
        if plan.operations:
            await self._conn.execute(
                insert(plan_operations),
                [
                    {
                        "plan_number": plan.number,
                        "order_ref": op.order_ref,
                        "seq": op.seq,
                        "name": op.name,
                        "work_center": op.work_center,
                        "machine": op.machine,
                        "start": op.start,
                        "end": op.end,
                    }
                    for op in plan.operations
                ],
            )
        if plan.etas:
            await self._conn.execute(
                insert(plan_etas),
                [
                    {
                        "plan_number": plan.number,
                        "order_ref": e.order_ref,
                        "eta": e.eta,
                        "due": e.due,
                        "lateness_minutes": e.lateness_minutes,
                    }
                    for e in plan.etas.values()
                ],
            )

    async def latest(self) -> PlanVersion | None:
        number = (await self._conn.execute(select(func.max(plans.c.number)))).scalar()
        return await self.get(int(number)) if number else None

    async def get(self, number: int) -> PlanVersion | None:
        row = (
            (await self._conn.execute(select(plans).where(plans.c.number == number)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        ops = (
            await self._conn.execute(
                select(plan_operations)
                .where(plan_operations.c.plan_number == number)
                .order_by(
                    plan_operations.c.start, plan_operations.c.order_ref, plan_operations.c.seq
                )
            )
        ).mappings()
        etas = (
            await self._conn.execute(select(plan_etas).where(plan_etas.c.plan_number == number))
        ).mappings()
        return PlanVersion(
            number=row["number"],
            created_at=row["created_at"],
            epoch=row["epoch"],
            status=row["status"],
            method=row["method"],
            objective=row["objective"],
            lower_bound=row["lower_bound"],
            kpis=dict(row["kpis"]),
            reason=row["reason"],
            diff=dict(row["diff"]),
            operations=[_planned(o) for o in ops],
            etas={
                e["order_ref"]: OrderEta(e["order_ref"], e["eta"], e["due"], e["lateness_minutes"])
                for e in etas
            },
        )

    async def latest_number(self) -> int | None:
        number = (await self._conn.execute(select(func.max(plans.c.number)))).scalar()
        return int(number) if number else None

    async def order_view(
        self, number: int, ref: str
    ) -> tuple[list[PlannedOperation], OrderEta | None]:
        """One order's operations and ETA in a plan, without loading the whole plan."""
        ops = (
            await self._conn.execute(
                select(plan_operations)
                .where(plan_operations.c.plan_number == number, plan_operations.c.order_ref == ref)
                .order_by(plan_operations.c.seq)
            )
        ).mappings()
        eta = (
            (
                await self._conn.execute(
                    select(plan_etas).where(
                        plan_etas.c.plan_number == number, plan_etas.c.order_ref == ref
                    )
                )
            )
            .mappings()
            .first()
        )
        return (
            [_planned(o) for o in ops],
            OrderEta(ref, eta["eta"], eta["due"], eta["lateness_minutes"]) if eta else None,
        )

    async def etas_for(self, number: int, refs: list[str]) -> dict[str, OrderEta]:
        out: dict[str, OrderEta] = {}
        for i in range(0, len(refs), 500):
            rows = (
                await self._conn.execute(
                    select(plan_etas).where(
                        plan_etas.c.plan_number == number,
                        plan_etas.c.order_ref.in_(refs[i : i + 500]),
                    )
                )
            ).mappings()
            out.update(
                {
                    e["order_ref"]: OrderEta(
                        e["order_ref"], e["eta"], e["due"], e["lateness_minutes"]
                    )
                    for e in rows
                }
            )
        return out

    async def eta_history(
        self, versions: int, ref: str | None = None
    ) -> list[tuple[int, datetime, OrderEta]]:
        """(plan number, plan created_at, ETA) over the newest `versions` plans, oldest first.

        A range on the primary key (plan_number, order_ref), so one order's
        history reads only the rows of the versions asked for.
        """
        newest = await self.latest_number()
        if newest is None:
            return []
        query = (
            select(plan_etas, plans.c.created_at)
            .join(plans, plans.c.number == plan_etas.c.plan_number)
            .where(plan_etas.c.plan_number > newest - versions)
            .order_by(plan_etas.c.plan_number, plan_etas.c.order_ref)
        )
        if ref is not None:
            query = query.where(plan_etas.c.order_ref == ref)
        rows = (await self._conn.execute(query)).mappings()
        return [
            (
                e["plan_number"],
                e["created_at"],
                OrderEta(e["order_ref"], e["eta"], e["due"], e["lateness_minutes"]),
            )
            for e in rows
        ]

    async def history(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = (
            await self._conn.execute(
                select(
                    plans.c.number,
                    plans.c.created_at,
                    plans.c.status,
                    plans.c.method,
                    plans.c.objective,
                    plans.c.kpis,
                    plans.c.reason,
                    plans.c.diff,
                )
                .order_by(plans.c.number.desc())
                .limit(limit)
            )
        ).mappings()
        return [dict(r) for r in rows]


def _planned(row: Any) -> PlannedOperation:
    """A stored plan operation row as the domain's record."""
    return PlannedOperation(
        row["order_ref"],
        row["seq"],
        row["name"],
        row["work_center"],
        row["machine"],
        row["start"],
        row["end"],
    )
