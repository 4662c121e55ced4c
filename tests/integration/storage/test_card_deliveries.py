"""Card deliveries on a real database: one copy per recipient, settled exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

from core.messages import CardDelivery
from storage.card_deliveries import SqlCardDeliveries
from storage.uow import SqlUnitOfWorkFactory


async def test_one_copy_per_recipient_settled_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    cards = SqlCardDeliveries(uow_factory)
    at = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    await cards.record(CardDelivery("wecom", "CR-1-approve", "a", "rc-1", at))
    await cards.record(CardDelivery("wecom", "CR-1-approve", "a", "rc-2", at))  # newer code
    await cards.record(CardDelivery("dingtalk", "CR-1-approve", "a", "biz-1", at))
    copies = await cards.open_copies("CR-1-approve")
    assert [(c.channel, c.handle) for c in copies] == [("dingtalk", "biz-1"), ("wecom", "rc-2")]
    assert await cards.settle("wecom", "CR-1-approve", "a", "王主管", at)
    assert not await cards.settle("wecom", "CR-1-approve", "a", "李主管", at)
    settled = await cards.settled("CR-1-approve")
    assert settled is not None and settled.settled_by == "王主管" and settled.settled_at == at
    assert [c.channel for c in await cards.open_copies("CR-1-approve")] == ["dingtalk"]
    assert await cards.settled("CR-9-approve") is None


async def test_a_click_replaces_the_handle_and_a_handle_is_taken_once(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    cards = SqlCardDeliveries(uow_factory)
    at = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    await cards.record(CardDelivery("wecom", "CR-2-approve", "a", "rc-send", at))
    assert await cards.clicked("wecom", "CR-2-approve", "a", "rc-click")
    assert not await cards.clicked("wecom", "CR-2-approve", "nobody", "rc-x")
    assert not await cards.consume("wecom", "CR-2-approve", "a", "rc-send")  # spent by the click
    assert await cards.consume("wecom", "CR-2-approve", "a", "rc-click")
    assert not await cards.consume("wecom", "CR-2-approve", "a", "rc-click")
    copy = await cards.copy("wecom", "CR-2-approve", "a")
    assert copy is not None and copy.handle == "" and copy.sent_at == at
    assert await cards.copy("wecom", "CR-2-approve", "nobody") is None
