"""Requirement versions and order requests' requirements round-trip on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.errors import WriteConflict
from core.ordering import requirements as rules
from core.ordering.model import OrderRequest, RequestStatus, Requirement, RequirementStatus
from storage.uow import SqlUnitOfWorkFactory

AT = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 6, 5, 30, tzinfo=UTC)
ITEMS = (Requirement("color", "粉红色"), Requirement("other", "边角倒圆"))


async def test_every_version_is_kept_with_who_when_and_status(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    v1 = rules.first_version("SO-2026-0001", ITEMS, "sales.a", AT, "NO-1", "新单 …")
    async with uow_factory() as uow:
        await uow.requirements.add(v1)
        await uow.commit()
    async with uow_factory() as uow:
        versions = await uow.requirements.versions("SO-2026-0001")
        assert versions == [v1]
        old, v2 = rules.amend(versions, (Requirement("color", "胡桃木色", known=True),), "plan.b",
                              LATER, "需求改为 胡桃木色")
        await uow.requirements.save(old)
        await uow.requirements.add(v2)
        await uow.commit()
    async with uow_factory() as uow:
        first, second = await uow.requirements.versions("SO-2026-0001")
        assert (first.status, first.items, first.decided_by, first.decided_at) == (
            RequirementStatus.SUPERSEDED, ITEMS, "plan.b", LATER)
        assert second == v2 and await uow.requirements.versions("SO-2026-0002") == []
    with pytest.raises(WriteConflict):  # a version number is written once
        async with uow_factory() as uow:
            await uow.requirements.add(v2)
            await uow.commit()


async def test_an_order_request_keeps_its_requirements_and_who_asked(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    request = OrderRequest("", "sales.a", "C01", "F-DESK-L", 5, {"color": "白色"},
                           date(2026, 12, 30), RequestStatus.AWAITING_CONFIRMATION, AT, LATER,
                           date(2026, 12, 20), requirements=ITEMS, asked_by="cust.b")
    async with uow_factory() as uow:
        added = await uow.order_requests.add(request)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.order_requests.get(added.ref)
    assert found is not None
    assert (found.requirements, found.asked_by) == (ITEMS, "cust.b")
