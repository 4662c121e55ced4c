"""GET /orders/{ref}: one order, as the person who opened the link should see it.

The page a progress answer links to: what state the order is in (in words, in
the person's language), when it will be done against when it is due, each
step done / in progress / planned with local times, and how the promised
date moved across plan versions. Staff also see the changes applied, the
materials it waits for and the internal note; a customer contact sees only
their own order and none of that (no costs, machines, other customers or
notes). An order the viewer may not see gets the same 404 as an unknown one,
so references cannot be probed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from aiohttp import web

from bot.conversation.replies.ordering import requirement_list
from bot.keys import container_key, settings_key
from bot.pages.access import Viewer, viewer_for
from bot.pages.layout import head, lang_switch, local, short
from bot.pages.links import order_path
from core.i18n import render
from core.model.change_request import ChangeRequest
from core.model.materials import Item, PurchaseOrder
from core.model.parties import Customer
from core.model.plan import OrderEta, PlannedOperation
from core.model.work_order import WorkOrder
from core.ordering.model import RequirementVersion
from core.ordering.ports import ordering_uow
from core.ports import UnitOfWorkFactory
from core.services.progress import STATUS_TEXT
from core.supply import Shortage, allocate

ETA_VERSIONS = 60  # plan versions read for the promised-date history

TEXTS = {
    "not_found": {
        "zh": "没有找到您可以查看的订单 {ref}。",
        "en": "No order {ref} that you can view.",
    },
    "customer": {"zh": "客户", "en": "Customer"},
    "eta_line": {"zh": "预计 {eta} 完工 · 交期 {due}", "en": "ETA {eta} · due {due}"},
    "on_time": {"zh": "按期", "en": "on time"},
    "late": {"zh": "预计延误 {d}", "en": "expected {d} late"},
    "no_plan": {"zh": "尚未排入计划", "en": "not planned yet"},
    "held": {"zh": "特殊需求待计划/工程确认，确认后排产", "en": "held until a planner or engineer "
             "confirms its requirements"},
    "requirements": {"zh": "需求说明书", "en": "Requirements"},
    "req_pending": {"zh": "待技术确认", "en": "awaiting technical confirmation"},
    "req_confirmed": {"zh": "已确认", "en": "confirmed"},
    "req_superseded": {"zh": "已被新版本取代", "en": "superseded"},
    "req_written": {"zh": "{who} 写于 {at}", "en": "by {who}, {at}"},
    "req_decided": {"zh": "{who} 于 {at}", "en": "{who}, {at}"},
    "steps": {"zh": "工序进度", "en": "Steps"},
    "done": {"zh": "已完成", "en": "done"},
    "running": {"zh": "进行中", "en": "in progress"},
    "planned": {"zh": "计划", "en": "planned"},
    "waiting": {"zh": "待排", "en": "not scheduled yet"},
    "finished_at": {"zh": "完成于 {at}", "en": "finished {at}"},
    "done_qty": {"zh": "已完成 {done}/{qty}", "en": "{done}/{qty} done"},
    "planned_end": {"zh": "预计 {at} 完成", "en": "to finish {at}"},
    "span": {"zh": "{start} – {end}", "en": "{start} – {end}"},
    "promise": {"zh": "交期与预计完工的变化", "en": "How the dates moved"},
    "promise_note": {
        "zh": "每次重新排产后的预计完工；只列出日期或按期与否有变化的版本。",
        "en": "The ETA after each replan; only versions where a date or being late changed.",
    },
    "when": {"zh": "时间", "en": "When"},
    "version": {"zh": "计划版本", "en": "Plan"},
    "eta": {"zh": "预计完工", "en": "ETA"},
    "due": {"zh": "交期", "en": "Due"},
    "change": {"zh": "变化", "en": "Change"},
    "first": {"zh": "首次排产", "en": "first plan"},
    "eta_moved": {"zh": "预计完工 {sign}{n} 天", "en": "ETA {sign}{n} d"},
    "due_moved": {"zh": "交期 {before} → {after}", "en": "due {before} → {after}"},
    "same_day": {"zh": "同日内调整", "en": "same day"},
    "no_history": {"zh": "暂无记录", "en": "no record yet"},
    "changes": {"zh": "变更记录", "en": "Changes"},
    "requested": {"zh": "{who} 于 {at}", "en": "{who} at {at}"},
    "materials": {"zh": "等待的物料", "en": "Materials waiting"},
    "all_materials": {"zh": "物料齐套", "en": "All materials available"},
    "covered": {
        "zh": "缺 {qty}，采购单 {pos} 预计 {on} 到", "en": "{qty} short, PO {pos} due {on}",
    },
    "uncovered": {"zh": "缺 {qty}，尚未下采购单", "en": "{qty} short, no purchase order yet"},
    "note": {"zh": "内部备注", "en": "Internal note"},
    "to_plan": {"zh": "在甘特图中查看", "en": "See it on the Gantt"},
    "hours": {"zh": "{h} 小时", "en": "{h} h"},
    "day_n": {"zh": "{d} 天", "en": "{d} d"},
}

CR_STATUS = {
    "zh": {"awaiting_confirmation": "待确认", "awaiting_sales": "待销售确认",
           "awaiting_approval": "待审批", "applied": "已执行", "cancelled": "已取消",
           "denied": "已驳回", "expired": "已过期", "refused": "不允许",
           "superseded": "已重新评估"},
    "en": {"awaiting_confirmation": "awaiting confirmation", "awaiting_sales": "awaiting sales",
           "awaiting_approval": "awaiting approval", "applied": "applied",
           "cancelled": "cancelled", "denied": "denied", "expired": "expired",
           "refused": "refused", "superseded": "re-assessed"},
}


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """Everything the page shows, loaded in one unit of work."""

    order: WorkOrder
    customer: Customer | None
    product_name: str
    planned: Sequence[PlannedOperation]
    eta: OrderEta | None
    eta_history: Sequence[tuple[int, datetime, OrderEta]]
    changes: Sequence[ChangeRequest] = ()
    shortages: Sequence[Shortage] = ()
    items: Mapping[str, Item] | None = None
    people: Mapping[str, str] | None = None
    purchase_orders: Mapping[str, PurchaseOrder] | None = None
    requirements: Sequence[RequirementVersion] = ()


async def order_page(request: web.Request) -> web.Response:
    viewer = await viewer_for(request)
    ref = request.match_info["ref"]
    container = request.app[container_key]
    tz = request.app[settings_key].tz
    facts = await load(container.uow_factory, viewer, ref, container.clock.now(), tz)
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if facts is None:
        text = render(TEXTS, "not_found", viewer.lang, ref=ref)
        html = head(ref, viewer.lang) + f"<h1>{escape(text)}</h1></main></body></html>"
        return web.Response(status=404, text=html, content_type="text/html", headers=headers)
    page = OrderPage(viewer, tz, dict(request.query))
    return web.Response(text=page.render(facts), content_type="text/html", headers=headers)


async def load(
    uow_factory: UnitOfWorkFactory, viewer: Viewer, ref: str, now: datetime, tz: str
) -> OrderFacts | None:
    async with uow_factory() as uow:
        order = await uow.orders.get(ref)
        if order is None or not viewer.may_see(order):
            return None
        customer = await uow.parties.customer(order.customer_code)
        product = (await uow.catalog.products()).get(order.product_code)
        number = await uow.plans.latest_number()
        planned, eta = await uow.plans.order_view(number, ref) if number else ([], None)
        history = await uow.plans.eta_history(ETA_VERSIONS, ref)
        kept = getattr(uow, "requirements", None)  # the SQL unit of work keeps versions
        versions = await ordering_uow(uow).requirements.versions(ref) if kept else []
        facts = OrderFacts(order, customer, product.name if product else order.product_code,
                           planned, eta, history, requirements=versions)
        if not viewer.staff:
            return facts
        items = await uow.catalog.items()
        pos = await uow.catalog.purchase_orders()
        shortages: Sequence[Shortage] = ()
        if order.status.is_open:
            today = local(now, tz).date()
            availability = allocate(await uow.orders.list(open_only=True),
                                    await uow.catalog.boms(), items, pos, today)
            found = availability.get(ref)
            shortages = found.shortages if found else ()
        return OrderFacts(
            order, customer, facts.product_name, planned, eta, history,
            await uow.change_requests.for_order(ref), shortages, items,
            {p.id: p.name for p in await uow.parties.people()}, {p.ref: p for p in pos},
            versions,
        )


class OrderPage:
    def __init__(self, viewer: Viewer, tz: str, query: Mapping[str, str]) -> None:
        self.viewer = viewer
        self.lang = viewer.lang
        self.tz = tz
        self.query = query

    def t(self, key: str, **values: object) -> str:
        return render(TEXTS, key, self.lang, **values)

    def render(self, f: OrderFacts) -> str:
        o = f.order
        lang = self.lang if self.lang in STATUS_TEXT else "zh"
        status = STATUS_TEXT[lang][o.status.value]
        out = [head(f"{o.ref} · {f.product_name}", self.lang), self._switch(o.ref)]
        out.append(f'<h1 id="order-ref">{escape(o.ref)}</h1>')
        who = ""
        if self.viewer.staff and f.customer is not None:
            who = f" · {escape(f.customer.name)}"
        out.append(f'<p class="sub">{escape(f.product_name)} × {o.quantity}{who}</p>')
        out.append(self._status_card(f, status))
        if f.requirements:
            out.append(self._requirements(f))
        out.append(self._steps(f))
        out.append(self._promise(f))
        if self.viewer.staff:
            out.append(self._changes(f))
            if o.status.is_open:
                out.append(self._materials(f))
            if o.note:
                out.append(f"<h2>{self.t('note')}</h2><p class=\"card\">{escape(o.note)}</p>")
        plan_href = self.viewer.href("/plan", {"order": o.ref, **self._lang_param()})
        out.append(f'<p><a id="to-plan" href="{escape(plan_href)}">{self.t("to_plan")} →</a></p>')
        out.append("</main></body></html>")
        return "".join(out)

    def _lang_param(self) -> dict[str, str]:
        return {"lang": self.lang} if "lang" in self.query else {}

    def _switch(self, ref: str) -> str:
        other = "en" if self.lang == "zh" else "zh"
        return lang_switch(self.lang, self.viewer.href(order_path(ref), {"lang": other}))

    def _status_card(self, f: OrderFacts, status: str) -> str:
        o = f.order
        due = o.due_date.strftime("%m-%d")
        if f.eta is not None and o.status.is_open:
            late = self.t("late", d=self._dur(f.eta.lateness_minutes))
            state = (
                f'<span class="badge late">{escape(late)}</span>' if f.eta.late
                else f'<span class="badge ok">{self.t("on_time")}</span>'
            )
            line = self.t("eta_line", eta=short(f.eta.eta, self.tz), due=due)
        elif o.status.is_open and not o.status.in_plan:
            state, line = "", f"{self.t('held')} · {self.t('due')} {due}"
        elif o.status.is_open:
            state, line = "", f"{self.t('no_plan')} · {self.t('due')} {due}"
        else:
            state, line = "", f"{self.t('due')} {due}"
        return (
            f'<div class="card" id="status"><span class="badge" id="status-word">'
            f"{escape(status)}</span> {state}<div style=\"margin-top:6px;font-size:16px\">"
            f"{escape(line)}</div></div>"
        )

    def _steps(self, f: OrderFacts) -> str:
        planned = {p.seq: p for p in f.planned}
        qty = f.order.quantity
        items = []
        for op in f.order.operations:
            p = planned.get(op.seq)
            if op.finished:
                icon, word, cls = "✔", self.t("done"), "done"
                detail = self.t("finished_at", at=short(op.finished_at, self.tz))
            elif op.started:
                icon, word, cls = "▶", self.t("running"), "run"
                detail = self.t("done_qty", done=op.qty_done, qty=qty)
                if p is not None:
                    detail += " · " + self.t("planned_end", at=short(p.end, self.tz))
            elif p is not None:
                icon, word, cls = "•", self.t("planned"), "plan"
                detail = self.t("span", start=short(p.start, self.tz), end=short(p.end, self.tz))
            else:
                icon, word, cls = "○", self.t("waiting"), "wait"
                detail = ""
            where = ""
            if self.viewer.staff and p is not None and not op.finished:
                where = f' <span class="note">{escape(p.machine or p.work_center)}</span>'
            items.append(
                f'<li class="step {cls}" data-state="{cls}"><span class="ico">{icon}</span>'
                f"<b>{escape(op.name)}</b> <span class=\"badge\">{escape(word)}</span>"
                f"<div class=\"note\">{escape(detail)}{where}</div></li>"
            )
        style = (
            "<style>#steps{list-style:none;padding:0;margin:0}"
            "#steps li{background:#fff;border:1px solid #e1e4e8;border-radius:8px;"
            "padding:8px 10px 8px 34px;margin:6px 0;position:relative}"
            "#steps .ico{position:absolute;left:12px;top:8px}"
            "#steps .done .ico{color:#1a7f37} #steps .run{border-color:#0b62d6}"
            "#steps .run .ico{color:#0b62d6}</style>"
        )
        return f"<h2>{self.t('steps')}</h2>{style}<ol id=\"steps\">{''.join(items)}</ol>"

    def _promise(self, f: OrderFacts) -> str:
        rows = []
        last: tuple[date, date, bool] | None = None
        for number, made, e in f.eta_history:
            eta_day, due_day = local(e.eta, self.tz).date(), local(e.due, self.tz).date()
            if last is not None and (eta_day, due_day, e.late) == last:
                continue
            if last is None:
                change = self.t("first")
            else:
                moves = []
                shift = (eta_day - last[0]).days
                if shift:
                    moves.append(self.t("eta_moved", sign="+" if shift > 0 else "−", n=abs(shift)))
                if due_day != last[1]:
                    moves.append(self.t("due_moved", before=f"{last[1]:%m-%d}",
                                        after=f"{due_day:%m-%d}"))
                change = "；".join(moves) if self.lang == "zh" else "; ".join(moves)
                change = change or self.t("same_day")
            late_cls = " late" if e.late else ""
            version = f"<td>v{number}</td>" if self.viewer.staff else ""
            rows.append(
                f'<tr><td class="t">{escape(short(made, self.tz))}</td>{version}'
                f'<td class="t{late_cls}">{escape(short(e.eta, self.tz))}</td>'
                f'<td class="t">{due_day:%m-%d}</td><td>{escape(change)}</td></tr>'
            )
            last = (eta_day, due_day, e.late)
        if not rows:
            return f"<h2>{self.t('promise')}</h2><p id=\"promise\">{self.t('no_history')}</p>"
        version_head = f"<th>{self.t('version')}</th>" if self.viewer.staff else ""
        return (
            f"<h2>{self.t('promise')}</h2><p class=\"note\">{self.t('promise_note')}</p>"
            f'<div class="scroll"><table id="promise"><tr><th>{self.t("when")}</th>'
            f"{version_head}<th>{self.t('eta')}</th><th>{self.t('due')}</th>"
            f"<th>{self.t('change')}</th></tr>{''.join(reversed(rows))}</table></div>"
        )

    def _requirements(self, f: OrderFacts) -> str:
        """Every version of the requirement specification, newest first, with who and when."""
        people = f.people or {}
        rows = []
        for v in reversed(f.requirements):
            items = requirement_list(v.items, self.lang)
            who = self.t("req_written", who=people.get(v.written_by, v.written_by),
                         at=short(v.written_at, self.tz)) if self.viewer.staff else ""
            decided = ""
            if v.decided_by and v.decided_at and self.viewer.staff:
                decided = " · " + self.t("req_decided", who=people.get(v.decided_by, v.decided_by),
                                         at=short(v.decided_at, self.tz))
            rows.append(
                f'<tr class="req-{escape(v.status.value)}"><td>v{v.version}</td>'
                f"<td>{escape(self.t('req_' + v.status.value))}</td><td>{escape(items)}</td>"
                f"<td>{escape(who + decided)}</td></tr>")
        return (f"<h2>{self.t('requirements')}</h2><div class=\"scroll\">"
                f"<table id=\"requirements\">{''.join(rows)}</table></div>")

    def _changes(self, f: OrderFacts) -> str:
        if not f.changes:
            return f"<h2>{self.t('changes')}</h2><p id=\"changes\">-</p>"
        people = f.people or {}
        lang = self.lang if self.lang in CR_STATUS else "zh"
        rows = []
        for cr in reversed(f.changes):
            who = people.get(cr.requested_by, cr.requested_by)
            asked = self.t("requested", who=who, at=short(cr.created_at, self.tz))
            rows.append(
                f"<tr><td>{escape(cr.ref)}</td><td>{escape(CR_STATUS[lang][cr.status.value])}"
                f"</td><td>{escape(cr.raw_text)}</td><td>{escape(asked)}</td></tr>"
            )
        return (
            f"<h2>{self.t('changes')}</h2><div class=\"scroll\"><table id=\"changes\">"
            f"{''.join(rows)}</table></div>"
        )

    def _materials(self, f: OrderFacts) -> str:
        if not f.shortages:
            ready = self.t("all_materials")
            return f"<h2>{self.t('materials')}</h2><p id=\"materials\">{ready}</p>"
        items = f.items or {}
        pos = f.purchase_orders or {}
        rows = []
        for s in f.shortages:
            item = items.get(s.item_code)
            name = item.name if item else s.item_code
            unit = item.unit if item else ""
            qty = f"{s.missing:g} {unit}".strip()
            if s.covered_by and not s.uncovered:
                dates = [pos[r].expected for r in s.covered_by if r in pos]
                on = max(dates).strftime("%m-%d") if dates else s.available_on.strftime("%m-%d")
                what = self.t("covered", qty=qty, pos=", ".join(s.covered_by), on=on)
            else:
                what = self.t("uncovered", qty=qty)
            rows.append(f"<tr><td>{escape(name)}</td><td>{escape(what)}</td></tr>")
        return (
            f"<h2>{self.t('materials')}</h2><div class=\"scroll\"><table id=\"materials\">"
            f"{''.join(rows)}</table></div>"
        )

    def _dur(self, minutes: int) -> str:
        if minutes >= 48 * 60:
            return self.t("day_n", d=round(minutes / 1440, 1))
        return self.t("hours", h=max(1, round(minutes / 60)))


def setup_order_page(app: web.Application) -> None:
    app.router.add_get("/orders/{ref}", order_page)
