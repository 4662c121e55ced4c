"""Change control: a change typed in chat becomes an assessed, confirmed, approved and
atomically applied change, and everyone it touches hears about it.

The flow (CONTRACT.md intents change / cancel / what_if / confirm / reject /
approve / deny):

1. authorise the sender for the order;
2. assess the impact on a copy (plan what-if, materials, rework, contract, cost, risk);
3. reply with an impact card (confirm / cancel); a what-if stops here;
4. on confirm, high risk or a contract that says so goes to the supervisors;
5. apply: re-check the order version, write the order, the new plan, the audit
   and every notification in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.changes import AppliedChange, apply_changes
from core.errors import CoreError, VersionConflict
from core.i18n import render
from core.impact import Impact, PlanContext, SupplyContext, assess, impact_card_lines
from core.messages import Button, Reply
from core.model.change_request import ChangeRequest, CRStatus
from core.model.parties import Person, Role
from core.model.work_order import WorkOrder
from core.notify import notify
from core.outbox import OutboxMessage
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.services.planning import Planner, load_snapshot, with_overrides
from core.services.progress import STATUS_TEXT
from core.services.texts import CHANGE_TEXTS as T
from core.services.visibility import may_change, may_see

RISK_ORDER = {"low": 0, "medium": 1, "high": 2, "blocked": 3}
CHANGE_INTENTS = ("change", "cancel", "what_if")


@dataclass(frozen=True, slots=True)
class ChangeSettings:
    confirm_timeout: timedelta = timedelta(minutes=30)
    approval_threshold: str = "high"  # this risk level and above needs a supervisor
    enabled_channels: Collection[str] = ("web",)


@dataclass(slots=True)
class Outcome:
    """Replies for the sender, plus what happened (for tests and the audit)."""

    replies: list[Reply] = field(default_factory=list)
    change_request: str | None = None
    status: str | None = None
    plan_version: int | None = None


@dataclass(frozen=True, slots=True)
class _Assessment:
    applied: AppliedChange
    impact: Impact


class ChangeControl:
    def __init__(self, uow_factory: UnitOfWorkFactory, planner: Planner, clock: Clock,
                 settings: ChangeSettings) -> None:
        self._uow_factory = uow_factory
        self._planner = planner
        self._clock = clock
        self._settings = settings

    # 1-3: request ------------------------------------------------------------------------
    async def request(self, person: Person, command: Mapping[str, Any], raw_text: str,
                      lang: str) -> Outcome:
        intent = str(command.get("intent"))
        ref = command.get("order")
        changes = _changes_of(command)
        if not ref:
            return _say(render(T, "which_order", lang))
        async with self._uow_factory() as uow:
            order = await uow.orders.get(ref)
            if order is None or not may_see(person, order):
                return _say(render(T, "not_found", lang, ref=ref))
            allowed, reason = may_change(person, order)
            if not allowed and intent != "what_if":
                return _say(render(T, f"refuse_{reason}", lang, ref=ref))
            if not order.status.is_open:
                status = STATUS_TEXT.get(lang, STATUS_TEXT["zh"])[order.status.value]
                return _say(render(T, "closed", lang, ref=ref, status=status))
            try:
                assessment = await self._assess(uow, order, changes)
            except CoreError as exc:
                return _say(render(T, "invalid", lang, ref=ref, reason=str(exc)))
            lines = impact_card_lines(assessment.impact, lang)
            if intent == "what_if":
                return _say("\n".join([render(T, "what_if_title", lang, ref=ref), *lines]))
            cr = await self._open_request(uow, person, order, command, raw_text, assessment)
            await uow.commit()
        return self._card_outcome(cr, assessment.impact, lines, lang)

    async def _assess(self, uow: UnitOfWork, order: WorkOrder,
                      changes: list[dict[str, Any]]) -> _Assessment:
        epoch_today = self._clock.now().astimezone(ZoneInfo(self._planner.tz)).date()
        snap = await load_snapshot(uow, epoch_today)
        product = (await uow.catalog.products())[order.product_code]
        routing = snap.routings[(order.product_code, order.routing_version)]
        bom = snap.boms[(order.product_code, order.bom_version)]
        applied = apply_changes(order, product, routing, changes, "assessment", snap.work_centers, bom)
        extra = {(order.product_code, applied.routing.version): applied.routing} if applied.routing else None
        hypothetical = with_overrides(snap, {order.ref: applied.order}, extra)
        wi = await self._planner.what_if(snap, hypothetical, await uow.plans.latest(), [order.ref])
        others = [o for o in snap.orders if o.ref != order.ref]
        supply = SupplyContext(snap.items, snap.purchase_orders, epoch_today, others, snap.boms,
                               snap.availability)
        impact = assess(before=order, after=applied.order, changes=changes,
                        customer=snap.customers[order.customer_code], product=product,
                        bom_before=bom, routing=routing, supply=supply,
                        plan=PlanContext(wi.epoch, wi.before, wi.after, wi.diff),
                        work_centers=snap.work_centers)
        return _Assessment(applied, impact)

    async def _open_request(self, uow: UnitOfWork, person: Person, order: WorkOrder,
                            command: Mapping[str, Any], raw_text: str,
                            assessment: _Assessment) -> ChangeRequest:
        now = self._clock.now()
        impact = assessment.impact
        blocked = impact.risk.level == "blocked"
        status = CRStatus.AWAITING_SALES if person.role is Role.CUSTOMER else CRStatus.AWAITING_CONFIRMATION
        kind = "cancel" if command.get("intent") == "cancel" else "change"
        cr = ChangeRequest("", order.ref, person.id, kind, raw_text, dict(command), status, now,
                           order.version, impact.to_dict(), impact.risk.level,
                           expires_at=now + self._settings.confirm_timeout)
        cr.note(person.id, "requested", now, text=raw_text)
        cr.note("gongdan", "parsed", now, command=dict(command))
        cr.note("gongdan", "assessed", now, risk=impact.risk.level,
                reasons=[r.code for r in impact.risk.reasons], order_version=order.version)
        cr = await uow.change_requests.add(cr)
        if blocked:
            before = len(cr.audit)
            cr.move(CRStatus.REFUSED, "gongdan", now, reasons=[r.code for r in impact.risk.reasons])
            await uow.change_requests.save(cr, cr.audit[before:])
        elif status is CRStatus.AWAITING_SALES:
            await self._ask_sales(uow, cr, order, impact, now)
        return cr

    async def _ask_sales(self, uow: UnitOfWork, cr: ChangeRequest, order: WorkOrder,
                         impact: Impact, now: datetime) -> None:
        sales = [p for p in await uow.parties.by_role(Role.SALES) if p.owns_customer(order.customer_code)]
        rows: list[OutboxMessage] = []
        for person in sales:
            reply = _card(render(T, "customer_request_title", person.lang, ref=order.ref, cr=cr.ref),
                          impact_card_lines(impact, person.lang), cr.ref, person.lang, "confirm")
            rows += notify([person], reply, f"{cr.ref}:ask-sales", now, self._settings.enabled_channels)
        await uow.outbox.add(rows)

    def _card_outcome(self, cr: ChangeRequest, impact: Impact, lines: list[str], lang: str) -> Outcome:
        if cr.status is CRStatus.REFUSED:
            text = "\n".join([render(T, "blocked", lang, ref=cr.order_ref, cr=cr.ref), *lines])
            return Outcome([Reply("text", text)], cr.ref, cr.status.value)
        if cr.status is CRStatus.AWAITING_SALES:
            return Outcome([Reply("text", render(T, "sent_to_sales", lang, cr=cr.ref, ref=cr.order_ref))],
                           cr.ref, cr.status.value)
        title = render(T, "card_title", lang, ref=cr.order_ref, cr=cr.ref)
        return Outcome([_card(title, lines, cr.ref, lang, "confirm")], cr.ref, cr.status.value)

    # 4: confirm / reject ------------------------------------------------------------------
    async def confirm(self, person: Person, cr_ref: str | None, lang: str) -> Outcome:
        async with self._uow_factory() as uow:
            cr = await self._pending_for(uow, person, cr_ref)
            if cr is None:
                return _say(render(T, "nothing_pending", lang))
            problem = await self._check_confirmer(uow, person, cr, lang)
            if problem is not None:
                return problem
            if await self._expire_if_due(uow, cr, lang):
                return _say(render(T, "expired", lang, cr=cr.ref))
            order = await uow.orders.get(cr.order_ref)
            customer = await uow.parties.customer(order.customer_code) if order else None
            needs_approval = (RISK_ORDER.get(cr.risk, 0) >= RISK_ORDER[self._settings.approval_threshold]
                              or (customer is not None and customer.policy.approval_always))
            if needs_approval:
                await self._route_to_supervisors(uow, cr, person)
                await uow.commit()
                return Outcome([Reply("text", render(T, "sent_for_approval", lang, cr=cr.ref))],
                               cr.ref, cr.status.value)
        return await self._apply(cr.ref, person, lang)

    async def reject(self, person: Person, cr_ref: str | None, lang: str) -> Outcome:
        async with self._uow_factory() as uow:
            cr = await self._pending_for(uow, person, cr_ref)
            if cr is None or cr.status is CRStatus.AWAITING_APPROVAL:
                return _say(render(T, "nothing_pending", lang))
            problem = await self._check_confirmer(uow, person, cr, lang)
            if problem is not None:
                return problem
            before = len(cr.audit)
            cr.move(CRStatus.CANCELLED, person.id, self._clock.now())
            await uow.change_requests.save(cr, cr.audit[before:])
            await uow.commit()
        return Outcome([Reply("text", render(T, "cancelled", lang, cr=cr.ref))], cr.ref, cr.status.value)

    async def _pending_for(self, uow: UnitOfWork, person: Person, cr_ref: str | None) -> ChangeRequest | None:
        if cr_ref:
            cr = await uow.change_requests.get(cr_ref.upper())
            return cr if cr is not None and cr.status.is_open else None
        mine = [c for c in await uow.change_requests.open_for(person.id)
                if c.status is CRStatus.AWAITING_CONFIRMATION]
        if mine:
            return mine[0]
        if person.role is Role.SALES:  # a customer's request waiting for this salesperson
            for cr in await uow.change_requests.open_all():
                if cr.status is CRStatus.AWAITING_SALES:
                    order = await uow.orders.get(cr.order_ref)
                    if order is not None and person.owns_customer(order.customer_code):
                        return cr
        return None

    async def _check_confirmer(self, uow: UnitOfWork, person: Person, cr: ChangeRequest,
                               lang: str) -> Outcome | None:
        if cr.status is CRStatus.AWAITING_CONFIRMATION and cr.requested_by != person.id:
            return _say(render(T, "not_yours", lang, cr=cr.ref))
        if cr.status is CRStatus.AWAITING_SALES:
            order = await uow.orders.get(cr.order_ref)
            if order is None or not (person.role is Role.SALES and person.owns_customer(order.customer_code)):
                return _say(render(T, "not_yours", lang, cr=cr.ref))
        if cr.status is CRStatus.AWAITING_APPROVAL:
            return _say(render(T, "already_with_supervisor", lang, cr=cr.ref))
        return None

    async def _expire_if_due(self, uow: UnitOfWork, cr: ChangeRequest, lang: str) -> bool:
        now = self._clock.now()
        if not cr.is_expired(now):
            return False
        before = len(cr.audit)
        cr.move(CRStatus.EXPIRED, "gongdan", now)
        await uow.change_requests.save(cr, cr.audit[before:])
        await uow.commit()
        return True

    async def _route_to_supervisors(self, uow: UnitOfWork, cr: ChangeRequest, person: Person) -> None:
        now = self._clock.now()
        before = len(cr.audit)
        cr.move(CRStatus.AWAITING_APPROVAL, person.id, now, risk=cr.risk)
        cr.expires_at = now + self._settings.confirm_timeout * 8
        await uow.change_requests.save(cr, cr.audit[before:])
        rows: list[OutboxMessage] = []
        for sup in await uow.parties.by_role(Role.SUPERVISOR):
            lines = _stored_card_lines(cr, sup.lang)
            title = render(T, "approval_title", sup.lang, ref=cr.order_ref, cr=cr.ref, who=person.name)
            rows += notify([sup], _card(title, lines, cr.ref, sup.lang, "approve"),
                           f"{cr.ref}:approval", now, self._settings.enabled_channels)
        await uow.outbox.add(rows)

    # approval -----------------------------------------------------------------------------
    async def decide(self, person: Person, cr_ref: str | None, approve: bool, lang: str) -> Outcome:
        if person.role not in (Role.SUPERVISOR, Role.ADMIN):
            return _say(render(T, "only_supervisors", lang))
        async with self._uow_factory() as uow:
            cr = await uow.change_requests.get(cr_ref.upper()) if cr_ref else None
            if cr is None and not cr_ref:
                waiting = [c for c in await uow.change_requests.open_all()
                           if c.status is CRStatus.AWAITING_APPROVAL]
                cr = waiting[0] if len(waiting) == 1 else None
                if len(waiting) > 1:
                    return _say(render(T, "which_cr", lang, crs=", ".join(c.ref for c in waiting)))
            if cr is None or cr.status is not CRStatus.AWAITING_APPROVAL:
                return _say(render(T, "no_approval_pending", lang, cr=cr_ref or "-"))
            if await self._expire_if_due(uow, cr, lang):
                return _say(render(T, "expired", lang, cr=cr.ref))
            if not approve:
                now = self._clock.now()
                before = len(cr.audit)
                cr.move(CRStatus.DENIED, person.id, now)
                await uow.change_requests.save(cr, cr.audit[before:])
                requester = await uow.parties.person(cr.requested_by)
                if requester is not None:
                    msg = Reply("text", render(T, "denied_notice", requester.lang, cr=cr.ref,
                                               ref=cr.order_ref, who=person.name))
                    await uow.outbox.add(notify([requester], msg, f"{cr.ref}:denied", now,
                                                self._settings.enabled_channels))
                await uow.commit()
                return Outcome([Reply("text", render(T, "denied", lang, cr=cr.ref))], cr.ref, cr.status.value)
            cr.note(person.id, "approved", self._clock.now())
            await uow.change_requests.save(cr, cr.audit[-1:])
            await uow.commit()
        return await self._apply(cr.ref, person, lang)

    # 5-6: apply ---------------------------------------------------------------------------
    async def _apply(self, cr_ref: str, actor: Person, lang: str) -> Outcome:
        async with self._uow_factory() as uow:
            cr = await uow.change_requests.get(cr_ref)
            assert cr is not None
            order = await uow.orders.get(cr.order_ref)
            assert order is not None
            if order.version != cr.order_version or not order.status.is_open:
                return await self._reassess(uow, cr, order, actor, lang)
            changes = _changes_of(cr.command)
            try:
                assessment = await self._assess(uow, order, changes)
            except CoreError as exc:
                return _say(render(T, "invalid", lang, ref=order.ref, reason=str(exc)))
            applied = assessment.applied
            new_order = applied.order
            new_order.version = order.version
            routings = ({(order.product_code, applied.routing.version): applied.routing}
                        if applied.routing else None)
            # solve first, write after: the database's write lock is never held during a solve
            plan = await self._planner.replan_in(uow, f"{cr.ref} {order.ref}", [order.ref],
                                                 {order.ref: new_order}, routings)
            try:
                await uow.orders.save(new_order)
            except VersionConflict:
                await uow.rollback()
                fresh = await uow.orders.get(cr.order_ref)
                assert fresh is not None
                return await self._reassess(uow, cr, fresh, actor, lang)
            if applied.routing is not None:
                await uow.catalog.add_routing(applied.routing)
                await uow.catalog.lock_routing(order.product_code, applied.routing.version)
            now = self._clock.now()
            before = len(cr.audit)
            cr.impact = assessment.impact.to_dict()
            cr.plan_version = plan.version.number
            cr.move(CRStatus.APPLIED, actor.id, now, order_version=new_order.version,
                    plan_version=plan.version.number)
            await uow.change_requests.save(cr, cr.audit[before:])
            await uow.outbox.add(await self._notifications(uow, cr, order, applied, assessment.impact,
                                                           plan.version.etas, actor, now))
            await uow.commit()
        await self._planner.announce(plan)
        text = render(T, "applied", lang, cr=cr.ref, ref=order.ref, plan=plan.version.number)
        eta = plan.version.etas.get(order.ref)
        if eta is not None:
            text += render(T, "applied_eta", lang, eta=_fmt(eta.eta, self._planner.tz))
        return Outcome([Reply("text", text)], cr.ref, cr.status.value, plan.version.number)

    async def _reassess(self, uow: UnitOfWork, cr: ChangeRequest, order: WorkOrder, actor: Person,
                        lang: str) -> Outcome:
        """The order moved since the assessment: close this request and ask again on fresh facts."""
        now = self._clock.now()
        before = len(cr.audit)
        cr.move(CRStatus.SUPERSEDED, "gongdan", now, found_version=order.version,
                assessed_version=cr.order_version)
        await uow.change_requests.save(cr, cr.audit[before:])
        await uow.commit()
        requester = await uow.parties.person(cr.requested_by) or actor
        notice = render(T, "superseded", lang, cr=cr.ref, ref=cr.order_ref)
        if not order.status.is_open:
            return Outcome([Reply("text", notice)], cr.ref, cr.status.value)
        fresh = await self.request(requester, cr.command, cr.raw_text, lang)
        return Outcome([Reply("text", notice), *fresh.replies], fresh.change_request, fresh.status)

    async def _notifications(self, uow: UnitOfWork, cr: ChangeRequest, before: WorkOrder,
                             applied: AppliedChange, impact: Impact, etas: Mapping[str, Any],
                             actor: Person, now: datetime) -> list[OutboxMessage]:
        """Exactly those affected, each about what concerns them."""
        enabled = self._settings.enabled_channels
        people = await uow.parties.people()
        by_role: dict[Role, list[Person]] = {}
        for p in people:
            by_role.setdefault(p.role, []).append(p)
        order = applied.order
        rows: list[OutboxMessage] = []

        def tell(targets: Sequence[Person], key: str, topic: str, **values: Any) -> None:
            for person in targets:
                reply = Reply("text", render(T, key, person.lang, cr=cr.ref, ref=order.ref, **values))
                rows.extend(notify([person], reply, f"{cr.ref}:{topic}", now, enabled))

        summary = _summary(cr.command)
        requester = next((p for p in people if p.id == cr.requested_by), None)
        if requester is not None and requester.id != actor.id:
            tell([requester], "notify_requester", "requester", what=summary)
        if applied.materials_changed or impact.materials.actions:
            actions = "; ".join(f"{a.kind} {a.item_code} {a.quantity:g}" for a in impact.materials.actions) or "-"
            tell(by_role.get(Role.PURCHASING, []), "notify_purchasing", "purchasing", actions=actions)
            tell(by_role.get(Role.WAREHOUSE, []), "notify_warehouse", "warehouse", what=summary)
        if applied.spec_changed:
            tell(by_role.get(Role.QC, []), "notify_qc", "qc",
                 specs=", ".join(f"{k}={order.specs.get(k)}" for k in applied.spec_keys))
        leads = {op.work_center for op in order.operations if not op.finished}
        centers = await uow.catalog.work_centers()
        lead_ids = {centers[c].lead_person for c in leads if c in centers and centers[c].lead_person}
        operators = [p for p in by_role.get(Role.OPERATOR, []) if p.work_center in leads or p.id in lead_ids]
        tell(operators, "notify_shop", "shop", what=summary)
        if impact.plan is not None and impact.plan.others_slipped:
            slipped = {s.ref: s.minutes for s in impact.plan.others_slipped}
            for other_ref, minutes in slipped.items():
                other = await uow.orders.get(other_ref)
                if other is None:
                    continue
                owners = [p for p in by_role.get(Role.SALES, []) if p.owns_customer(other.customer_code)]
                for p in owners:
                    reply = Reply("text", render(T, "notify_other_slips", p.lang, cr=cr.ref, ref=order.ref,
                                                 other=other_ref, hours=round(minutes / 60, 1)))
                    rows.extend(notify([p], reply, f"{cr.ref}:slip:{other_ref}", now, enabled))
        eta = etas.get(order.ref)
        if eta is not None and (impact.plan is None or impact.plan.old_eta is None
                                or abs((eta.eta - impact.plan.old_eta).total_seconds()) >= 3600):
            contacts = [p for p in by_role.get(Role.CUSTOMER, []) if p.owns_customer(order.customer_code)]
            tell(contacts, "notify_customer", "customer", eta=_fmt(eta.eta, self._planner.tz))
        return rows


def _changes_of(command: Mapping[str, Any]) -> list[dict[str, Any]]:
    if command.get("intent") == "cancel":
        return [{"field": "cancel"}]
    return [dict(c) for c in command.get("changes") or []]


def _summary(command: Mapping[str, Any]) -> str:
    if command.get("intent") == "cancel":
        return "cancel"
    parts = []
    for c in command.get("changes") or []:
        value = c.get("value", c.get("delta", c.get("delta_days")))
        key = f"{c['field']}.{c['key']}" if c.get("key") else c["field"]
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def _card(title: str, lines: Sequence[str], cr_ref: str, lang: str, mode: str) -> Reply:
    if mode == "approve":
        buttons = (Button(f"approve:{cr_ref}", render(T, "btn_approve", lang), 1),
                   Button(f"deny:{cr_ref}", render(T, "btn_deny", lang), 2))
        fallback = render(T, "fallback_approve", lang, cr=cr_ref)
    else:
        buttons = (Button(f"confirm:{cr_ref}", render(T, "btn_confirm", lang), 1),
                   Button(f"reject:{cr_ref}", render(T, "btn_cancel", lang), 2))
        fallback = render(T, "fallback_confirm", lang, cr=cr_ref)
    body = "\n".join(lines)
    return Reply("card", body, title=title, buttons=buttons, fallback_text=f"{title}\n{body}\n{fallback}",
                 card_id=f"{cr_ref}-{mode}")


def _stored_card_lines(cr: ChangeRequest, lang: str) -> list[str]:
    """Approval cards are built from the stored impact snapshot: what the requester saw."""
    impact = cr.impact
    lines = [render(T, "risk_line", lang, level=cr.risk)]
    plan = impact.get("plan") or {}
    if plan.get("new_eta"):
        late = plan.get("new_lateness") or 0
        eta = str(plan["new_eta"])[:16].replace("T", " ")
        lines.append(render(T, "eta_line", lang, eta=eta, late=round(late / 60, 1)) if late > 0
                     else render(T, "eta_on_time_line", lang, eta=eta))
    if plan.get("others_slipped"):
        lines.append(render(T, "others_line", lang, n=len(plan["others_slipped"])))
    cost = impact.get("cost") or {}
    if cost:
        lines.append(render(T, "cost_line", lang, total=cost.get("total", 0)))
    reasons = [r.get(lang, r.get("zh", "")) for r in (impact.get("risk") or {}).get("reasons", [])]
    lines += [f"• {r}" for r in reasons[:4]]
    return lines


def _say(text: str) -> Outcome:
    return Outcome([Reply("text", text)])


def _fmt(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")
