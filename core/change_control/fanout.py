"""Who hears about a change, and about what; rows for the outbox in the caller's transaction.

The wording comes from the injected `NoticeRenderer` (the bot's), in each
recipient's language; the topics here make the outbox dedupe keys, so a retried
transaction queues every notice once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from core.changes import AppliedChange
from core.impact import Impact
from core.model.change_request import ChangeRequest
from core.model.parties import Person, Role
from core.model.plan import OrderEta
from core.notices import (
    ChangeDone,
    MaterialsChanged,
    NewEta,
    Notice,
    OtherOrderSlips,
    SpecsChanged,
    Understood,
)
from core.notify import notify
from core.outbox import OutboxMessage
from core.ports import NoticeRenderer, UnitOfWork

ETA_NEWS_SECONDS = 3600  # a customer hears of a new ETA only when it moves at least this much


class Fanout:
    """Renders notices per recipient and addresses them on their channel."""

    def __init__(self, renderer: NoticeRenderer, enabled_channels: Collection[str]) -> None:
        self._render = renderer
        self._enabled = enabled_channels

    def tell(
        self, people: Sequence[Person], notice: Notice, topic: str, now: datetime
    ) -> list[OutboxMessage]:
        """One outbox row per person, worded in their language."""
        rows: list[OutboxMessage] = []
        for person in people:
            rows += notify([person], self._render(notice, person.lang), topic, now, self._enabled)
        return rows

    async def applied(
        self,
        uow: UnitOfWork,
        cr: ChangeRequest,
        applied: AppliedChange,
        impact: Impact,
        understood: Understood,
        etas: Mapping[str, OrderEta],
        actor: Person,
        now: datetime,
    ) -> list[OutboxMessage]:
        """Exactly those an applied change affects, each about what concerns them."""
        people = await uow.parties.people()
        by_role: dict[Role, list[Person]] = {}
        for p in people:
            by_role.setdefault(p.role, []).append(p)
        order = applied.order
        ref, topic = order.ref, cr.ref
        rows: list[OutboxMessage] = []
        requester = [p for p in people if p.id == cr.requested_by and p.id != actor.id]
        rows += self.tell(
            requester, ChangeDone(cr.ref, ref, "requester", understood), f"{topic}:requester", now
        )
        if applied.materials_changed or impact.materials.actions:
            rows += self.tell(
                by_role.get(Role.PURCHASING, []),
                MaterialsChanged(cr.ref, ref, impact.materials.actions),
                f"{topic}:purchasing",
                now,
            )
            rows += self.tell(
                by_role.get(Role.WAREHOUSE, []),
                ChangeDone(cr.ref, ref, "warehouse", understood),
                f"{topic}:warehouse",
                now,
            )
        if applied.spec_changed:
            specs = tuple((k, str(order.specs.get(k))) for k in applied.spec_keys)
            rows += self.tell(
                by_role.get(Role.QC, []), SpecsChanged(cr.ref, ref, specs), f"{topic}:qc", now
            )
        rows += self.tell(
            await _shop_people(uow, applied, by_role),
            ChangeDone(cr.ref, ref, "shop", understood),
            f"{topic}:shop",
            now,
        )
        rows += await self._slipped(uow, cr, impact, by_role, now)
        eta = etas.get(ref)
        if eta is not None and _eta_is_news(impact, eta):
            contacts = [
                p for p in by_role.get(Role.CUSTOMER, []) if p.owns_customer(order.customer_code)
            ]
            rows += self.tell(contacts, NewEta(cr.ref, ref, eta.eta), f"{topic}:customer", now)
        return rows

    async def _slipped(
        self,
        uow: UnitOfWork,
        cr: ChangeRequest,
        impact: Impact,
        by_role: Mapping[Role, list[Person]],
        now: datetime,
    ) -> list[OutboxMessage]:
        """Each other order's salespeople, when the change pushes their order later."""
        rows: list[OutboxMessage] = []
        if impact.plan is None:
            return rows
        for slip in impact.plan.others_slipped:
            other = await uow.orders.get(slip.ref)
            if other is None:
                continue
            owners = [
                p for p in by_role.get(Role.SALES, []) if p.owns_customer(other.customer_code)
            ]
            rows += self.tell(
                owners,
                OtherOrderSlips(cr.ref, cr.order_ref, slip.ref, slip.minutes),
                f"{cr.ref}:slip:{slip.ref}",
                now,
            )
        return rows


async def _shop_people(
    uow: UnitOfWork, applied: AppliedChange, by_role: Mapping[Role, list[Person]]
) -> list[Person]:
    """Operators and leads of the work centers with work left on the order."""
    centers = {op.work_center for op in applied.order.operations if not op.finished}
    known = await uow.catalog.work_centers()
    leads = {known[c].lead_person for c in centers if c in known and known[c].lead_person}
    return [p for p in by_role.get(Role.OPERATOR, []) if p.work_center in centers or p.id in leads]


def _eta_is_news(impact: Impact, eta: OrderEta) -> bool:
    plan = impact.plan
    if plan is None or plan.old_eta is None:
        return True
    return abs((eta.eta - plan.old_eta).total_seconds()) >= ETA_NEWS_SECONDS
