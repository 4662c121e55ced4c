"""Change requests and their audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model.change_request import AuditEntry, ChangeRequest, CRStatus
from storage.tables import audit_log
from storage.tables import change_requests as cr_t


class SqlChangeRequestRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, cr: ChangeRequest) -> ChangeRequest:
        """Insert and number it CR-<id>; a database sequence keeps refs unique across processes."""
        values = _row(cr)
        values.pop("ref")
        result = await self._conn.execute(insert(cr_t).values(**values).returning(cr_t.c.id))
        cr.id = int(result.scalar_one())
        cr.ref = f"CR-{cr.id}"
        await self._conn.execute(update(cr_t).where(cr_t.c.id == cr.id).values(ref=cr.ref))
        await self._write_audit(cr, cr.audit)
        return cr

    async def save(self, cr: ChangeRequest, new_audit: list[AuditEntry]) -> None:
        values = _row(cr)
        await self._conn.execute(update(cr_t).where(cr_t.c.id == cr.id).values(**values))
        await self._write_audit(cr, new_audit)

    async def get(self, ref: str) -> ChangeRequest | None:
        row = (await self._conn.execute(select(cr_t).where(cr_t.c.ref == ref))).mappings().first()
        return await self._load(row) if row else None

    async def open_for(self, person_id: str) -> list[ChangeRequest]:
        rows = (
            (
                await self._conn.execute(
                    select(cr_t)
                    .where(
                        cr_t.c.requested_by == person_id,
                        cr_t.c.status.in_([s.value for s in CRStatus if s.is_open]),
                    )
                    .order_by(cr_t.c.id.desc())
                )
            )
            .mappings()
            .all()
        )
        return [await self._load(r) for r in rows]

    async def open_all(self) -> list[ChangeRequest]:
        rows = (
            (
                await self._conn.execute(
                    select(cr_t)
                    .where(cr_t.c.status.in_([s.value for s in CRStatus if s.is_open]))
                    .order_by(cr_t.c.id)
                )
            )
            .mappings()
            .all()
        )
        return [await self._load(r) for r in rows]

    async def applied_between(self, start: datetime, end: datetime) -> list[ChangeRequest]:
        rows = (
            (
                await self._conn.execute(
                    select(cr_t)
                    .where(
                        cr_t.c.status == CRStatus.APPLIED.value,
                        cr_t.c.decided_at >= start,
                        cr_t.c.decided_at < end,
                    )
                    .order_by(cr_t.c.decided_at)
                )
            )
            .mappings()
            .all()
        )
        return [await self._load(r) for r in rows]

    async def for_order(self, order_ref: str) -> list[ChangeRequest]:
        rows = (
            (
                await self._conn.execute(
                    select(cr_t).where(cr_t.c.order_ref == order_ref).order_by(cr_t.c.id)
                )
            )
            .mappings()
            .all()
        )
        return [await self._load(r) for r in rows]

    async def _load(self, row: Any) -> ChangeRequest:
        audit_rows = (
            await self._conn.execute(
                select(audit_log)
                .where(audit_log.c.change_request == row["ref"])
                .order_by(audit_log.c.id)
            )
        ).mappings()
        return ChangeRequest(
            ref=row["ref"],
            order_ref=row["order_ref"],
            requested_by=row["requested_by"],
            kind=row["kind"],
            raw_text=row["raw_text"],
            command=dict(row["command"]),
            status=CRStatus(row["status"]),
            created_at=row["created_at"],
            order_version=row["order_version"],
            impact=dict(row["impact"]),
            risk=row["risk"],
            expires_at=row["expires_at"],
            decided_by=row["decided_by"],
            decided_at=row["decided_at"],
            plan_version=row["plan_version"],
            id=row["id"],
            audit=[
                AuditEntry(a["at"], a["actor"], a["action"], dict(a["detail"])) for a in audit_rows
            ],
        )

    async def _write_audit(self, cr: ChangeRequest, entries: list[AuditEntry]) -> None:
        if entries:
            await self._conn.execute(
                insert(audit_log),
                [
                    {
                        "change_request": cr.ref,
                        "order_ref": cr.order_ref,
                        "at": e.at,
                        "actor": e.actor,
                        "action": e.action,
                        "detail": e.detail,
                    }
                    for e in entries
                ],
            )


def _row(cr: ChangeRequest) -> dict[str, Any]:
    return {
        "ref": cr.ref,
        "order_ref": cr.order_ref,
        "requested_by": cr.requested_by,
        "kind": cr.kind,
        "raw_text": cr.raw_text,
        "command": cr.command,
        "status": cr.status.value,
        "created_at": cr.created_at,
        "order_version": cr.order_version,
        "impact": cr.impact,
        "risk": cr.risk,
        "expires_at": cr.expires_at,
        "decided_by": cr.decided_by,
        "decided_at": cr.decided_at,
        "plan_version": cr.plan_version,
    }
