"""The promise ledger, the quote log, new-order requests and requirement versions
(core/ordering/ports.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.ordering.model import (
    OrderRequest,
    Promise,
    PromiseSource,
    QuoteRecord,
    RequestStatus,
    Requirement,
    RequirementStatus,
    RequirementVersion,
)
from storage.ordering_tables import order_requests as req_t
from storage.ordering_tables import promises as pr_t
from storage.ordering_tables import quotes as q_t
from storage.ordering_tables import requirement_versions as rv_t
from storage.tables import audit_log


class SqlPromiseLedger:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, promise: Promise) -> None:
        await self._conn.execute(insert(pr_t).values(
            order_ref=promise.order_ref, promised_date=promise.promised_date,
            source=promise.source.value, by=promise.by, at=promise.at, cr_ref=promise.cr_ref))

    async def promises_for(self, order_ref: str) -> list[Promise]:
        return (await self.promises_for_many([order_ref])).get(order_ref, [])

    async def promises_for_many(self, order_refs: Sequence[str]) -> dict[str, list[Promise]]:
        out: dict[str, list[Promise]] = {}
        refs = list(order_refs)
        for k in range(0, len(refs), 500):
            chunk = refs[k:k + 500]
            rows = await self._conn.execute(select(pr_t).where(pr_t.c.order_ref.in_(chunk))
                                            .order_by(pr_t.c.at, pr_t.c.id))
            for r in rows.mappings():
                out.setdefault(r["order_ref"], []).append(Promise(
                    r["order_ref"], r["promised_date"], PromiseSource(r["source"]), r["by"],
                    r["at"], r["cr_ref"], r["id"]))
        return out


class SqlQuoteLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, quote: QuoteRecord) -> int:
        result = await self._conn.execute(insert(q_t).values(
            asked_by=quote.asked_by, customer_code=quote.customer_code,
            product_code=quote.product_code, quantity=quote.quantity, specs=dict(quote.specs),
            at=quote.at, earliest=quote.earliest, rush_date=quote.rush_date,
            outcome=quote.outcome, raw_text=quote.raw_text).returning(q_t.c.id))
        return int(result.scalar_one())


class SqlOrderRequestRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, request: OrderRequest) -> OrderRequest:
        values = _row(request)
        values.pop("ref")
        result = await self._conn.execute(insert(req_t).values(**values).returning(req_t.c.id))
        request.id = int(result.scalar_one())
        request.ref = f"NO-{request.id}"
        await self._conn.execute(update(req_t).where(req_t.c.id == request.id)
                                 .values(ref=request.ref))
        return request

    async def save(self, request: OrderRequest) -> None:
        await self._conn.execute(update(req_t).where(req_t.c.id == request.id)
                                 .values(**_row(request)))

    async def get(self, ref: str) -> OrderRequest | None:
        query = select(req_t).where(req_t.c.ref == ref)
        row = (await self._conn.execute(query)).mappings().first()
        return _to_request(row) if row else None

    async def open_for(self, person_id: str) -> list[OrderRequest]:
        rows = await self._conn.execute(select(req_t).where(
            req_t.c.requested_by == person_id,
            req_t.c.status == RequestStatus.AWAITING_CONFIRMATION.value,
        ).order_by(req_t.c.id.desc()))
        return [_to_request(r) for r in rows.mappings()]

    async def holds(self, order_ref: str) -> bool:
        """Whether an open request has reserved `order_ref`."""
        row = await self._conn.execute(select(req_t.c.id).where(
            req_t.c.order_ref == order_ref,
            req_t.c.status.in_([s.value for s in RequestStatus if s.is_open])).limit(1))
        return row.first() is not None

    async def audit(self, ref: str, order_ref: str | None, at: datetime, actor: str,
                    action: str, detail: dict[str, Any]) -> None:
        """One audit row for the request, in the audit log change requests use."""
        await self._conn.execute(insert(audit_log).values(
            change_request=ref, order_ref=order_ref, at=at, actor=actor, action=action,
            detail=detail))

    async def awaiting_approval(self) -> list[OrderRequest]:
        rows = await self._conn.execute(select(req_t).where(
            req_t.c.status == RequestStatus.AWAITING_APPROVAL.value).order_by(req_t.c.id))
        return [_to_request(r) for r in rows.mappings()]


def _row(r: OrderRequest) -> dict[str, Any]:
    return {
        "ref": r.ref, "requested_by": r.requested_by, "customer_code": r.customer_code,
        "product_code": r.product_code, "quantity": r.quantity, "specs": dict(r.specs),
        "due_date": r.due_date, "status": r.status.value, "created_at": r.created_at,
        "expires_at": r.expires_at, "earliest": r.earliest, "risk": r.risk,
        "impact": r.impact, "raw_text": r.raw_text, "order_ref": r.order_ref,
        "decided_by": r.decided_by, "decided_at": r.decided_at, "plan_version": r.plan_version,
        "requirements": [[q.key, q.value, q.known] for q in r.requirements],
        "asked_by": r.asked_by,
    }


def _to_request(row: Any) -> OrderRequest:
    return OrderRequest(
        ref=row["ref"], requested_by=row["requested_by"], customer_code=row["customer_code"],
        product_code=row["product_code"], quantity=row["quantity"], specs=dict(row["specs"] or {}),
        due_date=row["due_date"], status=RequestStatus(row["status"]),
        created_at=row["created_at"], expires_at=row["expires_at"], earliest=row["earliest"],
        risk=row["risk"], impact=dict(row["impact"] or {}), raw_text=row["raw_text"],
        order_ref=row["order_ref"], decided_by=row["decided_by"], decided_at=row["decided_at"],
        plan_version=row["plan_version"], id=row["id"],
        requirements=_requirements(row["requirements"]), asked_by=row["asked_by"])


def _requirements(rows: Any) -> tuple[Requirement, ...]:
    return tuple(Requirement(str(r[0]), str(r[1]), bool(r[2]) if len(r) > 2 else False)
                 for r in rows or ())


class SqlRequirementRepository:
    """Versions of orders' requirement specifications; rows are never deleted."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def versions(self, order_ref: str) -> list[RequirementVersion]:
        rows = await self._conn.execute(select(rv_t).where(rv_t.c.order_ref == order_ref)
                                        .order_by(rv_t.c.version))
        return [RequirementVersion(
            r["order_ref"], r["version"], _requirements(r["items"]), r["written_by"],
            r["written_at"], RequirementStatus(r["status"]), r["request_ref"], r["text"],
            r["decided_by"], r["decided_at"]) for r in rows.mappings()]

    async def add(self, version: RequirementVersion) -> None:
        await self._conn.execute(insert(rv_t).values(
            order_ref=version.order_ref, version=version.version,
            items=[[q.key, q.value, q.known] for q in version.items],
            written_by=version.written_by, written_at=version.written_at,
            status=version.status.value, request_ref=version.request_ref, text=version.text,
            decided_by=version.decided_by, decided_at=version.decided_at))

    async def save(self, version: RequirementVersion) -> None:
        await self._conn.execute(update(rv_t).where(
            rv_t.c.order_ref == version.order_ref, rv_t.c.version == version.version).values(
            status=version.status.value, decided_by=version.decided_by,
            decided_at=version.decided_at))
