"""GET /plan: the plan as a supervisor (or a customer) reads it on a phone.

The page says first what matters in plain words ("计划 v12 · 12-06 10:14 生成 ·
3 单预计延误"), then an interactive Gantt (Apache ECharts, vendored: zoom and
pan by touch, a "now" line, late work in red, tap a bar for its order,
filters by order / customer / work center), the promise KPIs over plan
versions, the late orders and the version history. Solver details (status,
method, bounds) are for planners and sit folded in a <details>.

The data is embedded as JSON and drawn by /static/pages.js. Opened through a
signed link the page shows that person's view: a customer contact sees only
their own orders' bars and ETAs, and none of the shop's KPIs or history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any

from aiohttp import web

from bot.keys import container_key, settings_key
from bot.pages.access import Viewer, viewer_for
from bot.pages.layout import head, json_script, lang_switch, pct, short, wall_ms
from bot.pages.links import order_path
from bot.pages.static import ECHARTS_URL, script_url
from core.i18n import render
from core.model.capacity import WorkCenter
from core.model.parties import Customer
from core.model.plan import PlannedOperation, PlanVersion
from core.model.products import Product
from core.model.work_order import WorkOrder
from core.services.progress import STATUS_TEXT
from core.services.promises import PromiseReport, promise_report

DEFAULT_DAYS = 14
MAX_DAYS = 60
HISTORY_ROWS = 30

TEXTS = {
    "title": {"zh": "排产计划", "en": "Production plan"},
    "title_customer": {"zh": "您的订单进度", "en": "Your orders"},
    "headline": {"zh": "计划 v{n} · {at} 生成", "en": "Plan v{n} · made {at}"},
    "late_n": {"zh": "{n} 单预计延误", "en": "{n} orders expected late"},
    "all_on_time": {"zh": "全部预计按期", "en": "all expected on time"},
    "orders_n": {"zh": "共 {n} 单在制", "en": "{n} open orders"},
    "no_plan": {"zh": "尚无计划，稍后再看。", "en": "No plan yet; please look again shortly."},
    "gantt": {"zh": "甘特图", "en": "Gantt"},
    "gantt_hint": {
        "zh": "双指缩放、拖动平移；点一下色块看订单。红色 = 将延误的订单。",
        "en": "Pinch to zoom, drag to pan; tap a bar to see its order. Red = order expected late.",
    },
    "f_order": {"zh": "订单号", "en": "Order"},
    "f_customer": {"zh": "客户", "en": "Customer"},
    "f_wc": {"zh": "工作中心", "en": "Work center"},
    "all": {"zh": "全部", "en": "All"},
    "clear": {"zh": "清除", "en": "Clear"},
    "kpis": {"zh": "交期承诺", "en": "Delivery promises"},
    "on_time": {"zh": "按期率（计划）", "en": "On-time rate (plan)"},
    "kept": {"zh": "交期承诺兑现率", "en": "Promise-kept rate"},
    "moves": {"zh": "交期变动（次/单）", "en": "ETA moves per order"},
    "lead": {"zh": "平均交付周期（天）", "en": "Mean lead time (days)"},
    "kpi_note": {
        "zh": "承诺日期取自承诺台账（报价、新单、变更时告诉客户的日期），"
        "台账里没有的订单以交期为准；变动 = 预计完工日在计划版本间改变。详见 docs/KPIS.md。",
        "en": "The promised date is the one last told to the customer (promise ledger: quotes, "
        "new orders, changes), else the due date; a move = the ETA day changed between plan "
        "versions. See docs/KPIS.md.",
    },
    "trend": {"zh": "按计划版本的趋势", "en": "Trend over plan versions"},
    "late_orders": {"zh": "预计延误的订单", "en": "Orders expected late"},
    "your_orders": {"zh": "订单", "en": "Orders"},
    "none": {"zh": "无", "en": "none"},
    "order": {"zh": "订单", "en": "Order"},
    "customer": {"zh": "客户", "en": "Customer"},
    "product": {"zh": "产品", "en": "Product"},
    "status": {"zh": "状态", "en": "Status"},
    "due": {"zh": "交期", "en": "Due"},
    "eta": {"zh": "预计完工", "en": "ETA"},
    "late_by": {"zh": "延误", "en": "Late by"},
    "load": {"zh": "产能利用", "en": "Utilization"},
    "bottleneck": {"zh": "瓶颈", "en": "Bottleneck"},
    "history": {"zh": "计划版本", "en": "Plan versions"},
    "version": {"zh": "版本", "en": "Version"},
    "at": {"zh": "时间", "en": "At"},
    "reason": {"zh": "原因", "en": "Reason"},
    "late_count": {"zh": "延误单数", "en": "Late"},
    "ops_moved": {"zh": "移动工序", "en": "Ops moved"},
    "slipped": {"zh": "推迟的订单", "en": "Slipped"},
    "solver": {"zh": "求解详情（计划员）", "en": "Solver details (planners)"},
    "shown": {"zh": "页面生成于 {at}（{tz}）", "en": "Page made {at} ({tz})"},
    "on_time_word": {"zh": "按期", "en": "on time"},
    "now": {"zh": "现在", "en": "now"},
    "operation": {"zh": "工序", "en": "Operation"},
    "machine": {"zh": "机台", "en": "Machine"},
    "start": {"zh": "开始", "en": "Start"},
    "end": {"zh": "结束", "en": "End"},
    "open_order": {"zh": "查看订单详情", "en": "Open the order"},
    "close": {"zh": "关闭", "en": "Close"},
    "late_word": {"zh": "将延误", "en": "late"},
    "nothing": {"zh": "没有符合筛选的工序", "en": "No operation matches the filter"},
    "outsourced": {"zh": "外协", "en": "outsourced"},
    "hours": {"zh": "{h} 小时", "en": "{h} h"},
    "days_short": {"zh": "{d} 天", "en": "{d} d"},
    "moved_bar": {"zh": "预计完工日变动的订单数", "en": "Orders whose ETA day moved"},
}

JS_KEYS = (
    "now", "order", "customer", "product", "operation", "machine", "start", "end", "due",
    "eta", "open_order", "close", "late_word", "on_time_word", "nothing", "on_time", "kept",
    "moved_bar", "lead", "all",
)


async def plan_page(request: web.Request) -> web.Response:
    viewer = await viewer_for(request)
    days = _days(request.query.get("days"))
    container = request.app[container_key]
    tz = request.app[settings_key].tz
    mine = viewer.person.customers if viewer.is_customer and viewer.person else None
    number = request.query.get("version")
    async with container.uow_factory() as uow:
        plan = await (
            uow.plans.get(int(number)) if number and number.isdigit() else uow.plans.latest()
        )
        history = await uow.plans.history(limit=HISTORY_ROWS) if viewer.staff else []
        orders = await uow.orders.list(customers=list(mine) if mine is not None else None)
        customers = await uow.parties.customers()
        products = await uow.catalog.products()
        centers = await uow.catalog.work_centers()
        report = await promise_report(uow, tz, customers=mine) if plan else None
    if plan is None and number:
        raise web.HTTPNotFound(text=f"no plan version {number}")
    page = PlanPage(viewer, tz, container.clock.now(), days, dict(request.query))
    html = page.render(
        plan, history, {o.ref: o for o in orders}, customers, products, centers, report
    )
    return web.Response(
        text=html, content_type="text/html", charset="utf-8",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _days(raw: str | None) -> int:
    try:
        return min(MAX_DAYS, max(1, int(raw))) if raw else DEFAULT_DAYS
    except ValueError:
        raise web.HTTPBadRequest(text="days must be a whole number") from None


class PlanPage:
    """One rendering of /plan for one viewer."""

    def __init__(
        self, viewer: Viewer, tz: str, now: datetime, days: int, query: Mapping[str, str]
    ) -> None:
        self.viewer = viewer
        self.lang = viewer.lang
        self.tz = tz
        self.now = now
        self.days = days
        self.query = query

    def t(self, key: str, **values: object) -> str:
        return render(TEXTS, key, self.lang, **values)

    def render(
        self,
        plan: PlanVersion | None,
        history: Sequence[Mapping[str, Any]],
        orders: Mapping[str, WorkOrder],
        customers: Mapping[str, Customer],
        products: Mapping[str, Product],
        centers: Mapping[str, WorkCenter],
        report: PromiseReport | None,
    ) -> str:
        title = self.t("title_customer" if self.viewer.is_customer else "title")
        out = [head(title, self.lang), self._switch()]
        if plan is None:
            out.append(f"<h1>{escape(title)}</h1><p>{self.t('no_plan')}</p></main></body></html>")
            return "".join(out)
        visible = {ref: e for ref, e in plan.etas.items() if ref in orders}
        late = sorted((e for e in visible.values() if e.late), key=lambda e: -e.lateness_minutes)
        state = self.t("late_n", n=len(late)) if late else self.t("all_on_time")
        made = self.t("headline", n=plan.number, at=short(plan.created_at, self.tz))
        out.append(f'<h1 id="headline">{escape(title)}</h1>')
        out.append(
            f'<p class="sub" id="summary">{escape(made)} · '
            f'<span class="{"late" if late else "ok"}">{escape(state)}</span> · '
            f"{escape(self.t('orders_n', n=len(visible)))}</p>"
        )
        data = self._gantt_data(plan, orders, customers, products, centers)
        out.append(self._gantt_section(data))
        if self.viewer.staff and report is not None:
            out.append(self._kpi_section(report))
        out.append(self._orders_section(plan, late, orders, customers, products))
        if self.viewer.staff:
            out.append(self._utilization(plan, centers))
            out.append(self._history(history))
            out.append(self._solver(plan))
        shown = self.t("shown", at=short(self.now, self.tz), tz=self.tz)
        out.append(f'<p class="note">{escape(shown)}</p>')
        trend = self._trend(report) if self.viewer.staff and report else None
        out.append(json_script("plan-data", {**data, "trend": trend}))
        out.append(f'<script src="{ECHARTS_URL}"></script>')
        out.append(f'<script src="{script_url("pages.js")}"></script>')
        out.append("</main></body></html>")
        return "".join(out)

    # pieces -------------------------------------------------------------------

    def _switch(self) -> str:
        other = "en" if self.lang == "zh" else "zh"
        params = {k: v for k, v in self.query.items() if k not in ("u", "exp", "sig")}
        params["lang"] = other
        return lang_switch(self.lang, self.viewer.href("/plan", params))

    def _gantt_data(
        self,
        plan: PlanVersion,
        orders: Mapping[str, WorkOrder],
        customers: Mapping[str, Customer],
        products: Mapping[str, Product],
        centers: Mapping[str, WorkCenter],
    ) -> dict[str, Any]:
        start = plan.epoch
        end = start + timedelta(days=self.days)
        ops = [
            op for op in plan.operations
            if op.order_ref in orders and op.end > start and op.start < end
        ]
        keys = sorted({(op.work_center, op.machine) for op in ops}, key=_row_order(ops, centers))
        index = {k: i for i, k in enumerate(keys)}
        rows = [
            {
                "label": m or self._center_name(wc, centers),
                "wc": wc,
                "wcName": self._center_name(wc, centers),
            }
            for wc, m in keys
        ]
        refs = sorted({op.order_ref for op in ops} | {r for r in plan.etas if r in orders})
        info: dict[str, Any] = {}
        for ref in refs:
            order = orders[ref]
            eta = plan.etas.get(ref)
            customer = customers.get(order.customer_code)
            product = products.get(order.product_code)
            info[ref] = {
                "customer": customer.name if customer else order.customer_code,
                "customerCode": order.customer_code,
                "product": product.name if product else order.product_code,
                "qty": order.quantity,
                "late": bool(eta and eta.late),
                "eta": short(eta.eta, self.tz) if eta else "-",
                "due": order.due_date.strftime("%m-%d"),
                "href": self.viewer.href(order_path(ref), self._lang_param()),
            }
        bars = [
            [
                index[(op.work_center, op.machine)],
                wall_ms(op.start, self.tz),
                wall_ms(op.end, self.tz),
                op.order_ref,
                op.name,
                short(op.start, self.tz),
                short(op.end, self.tz),
            ]
            for op in ops
        ]
        filters = {k: self.query.get(k, "") for k in ("order", "customer", "wc")}
        if self.viewer.is_customer:
            filters["customer"] = ""
        return {
            "lang": self.lang,
            "now": wall_ms(self.now, self.tz),
            "start": wall_ms(start, self.tz),
            "end": wall_ms(end, self.tz),
            "rows": rows,
            "orders": info,
            "bars": bars,
            "filters": filters,
            "customers": None if self.viewer.is_customer else sorted(
                {(c["customerCode"], c["customer"]) for c in info.values()}
            ),
            "centers": sorted({(r["wc"], r["wcName"]) for r in rows}),
            "t": {k: self.t(k) for k in JS_KEYS},
        }

    def _lang_param(self) -> dict[str, str]:
        return {"lang": self.lang} if "lang" in self.query else {}

    def _center_name(self, code: str, centers: Mapping[str, WorkCenter]) -> str:
        wc = centers.get(code)
        return wc.name if wc else code

    def _gantt_section(self, data: Mapping[str, Any]) -> str:
        f = data["filters"]
        customer_filter = ""
        if data["customers"] is not None:
            options = "".join(
                f'<option value="{escape(code)}"{" selected" if code == f["customer"] else ""}>'
                f"{escape(name)}</option>"
                for code, name in data["customers"]
            )
            customer_filter = (
                f'<label>{self.t("f_customer")}<select id="f-customer">'
                f'<option value="">{self.t("all")}</option>{options}</select></label>'
            )
        centers = "".join(
            f'<option value="{escape(code)}"{" selected" if code == f["wc"] else ""}>'
            f"{escape(name)}</option>"
            for code, name in data["centers"]
        )
        refs = "".join(f'<option value="{escape(r)}">' for r in data["orders"])
        return (
            f"<h2>{self.t('gantt')}</h2>"
            '<div class="filters" id="filters">'
            f'<label>{self.t("f_order")}<input id="f-order" list="order-refs" '
            f'value="{escape(f["order"])}" autocomplete="off" inputmode="search" '
            f'placeholder="SO-…"></label><datalist id="order-refs">{refs}</datalist>'
            f"{customer_filter}"
            f'<label>{self.t("f_wc")}<select id="f-wc"><option value="">{self.t("all")}</option>'
            f"{centers}</select></label>"
            f'<button type="button" id="f-clear">{self.t("clear")}</button></div>'
            f'<p class="note">{self.t("gantt_hint")}</p>'
            '<div id="gantt-frame"><div id="gantt" role="img" '
            f'aria-label="{escape(self.t("gantt"))}"></div></div>'
            '<div id="bar-info" hidden></div>'
            "<style>.filters{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:end}"
            ".filters label{display:flex;flex-direction:column;font-size:12px;color:#57606a;"
            "flex:1 1 140px;min-width:0}"
            ".filters input,.filters select{font-size:15px;padding:6px;border:1px solid #d0d7de;"
            "border-radius:6px;background:#fff;width:100%}"
            ".filters button{padding:7px 12px;border-radius:6px;border:1px solid #d0d7de;"
            "background:#fff;font-size:14px}"
            "#gantt-frame{background:#fff;border:1px solid #e1e4e8;border-radius:8px;"
            "margin-top:8px;overflow:hidden;max-width:100%}"
            "#gantt{width:100%;min-height:160px}"
            "#bar-info{position:fixed;left:0;right:0;bottom:0;z-index:10;background:#fff;"
            "border-top:2px solid #0b62d6;box-shadow:0 -4px 16px rgba(0,0,0,.15);"
            "padding:10px 14px 14px;max-width:640px;margin:0 auto;font-size:14px}"
            "#bar-info h3{margin:0 0 4px;font-size:16px}"
            "#bar-info .x{float:right;border:0;background:none;font-size:22px;line-height:1}"
            ".chart{width:100%;height:240px;background:#fff;border:1px solid #e1e4e8;"
            "border-radius:8px}</style>"
        )

    def _kpi_section(self, report: PromiseReport) -> str:
        s = report.summary
        tiles = [
            ("kpi-on-time", pct(s.on_time_rate), self.t("on_time")),
            ("kpi-kept", pct(s.promise_kept_rate), self.t("kept")),
            ("kpi-moves", f"{s.eta_moves_per_order:.2f}", self.t("moves")),
            ("kpi-lead", "-" if s.lead_days is None else f"{s.lead_days:.1f}", self.t("lead")),
        ]
        cells = "".join(
            f'<div class="tile" id="{i}"><b>{escape(v)}</b><span>{escape(label)}</span></div>'
            for i, v, label in tiles
        )
        return (
            f"<h2>{self.t('kpis')}</h2><div class=\"tiles\" id=\"kpis\">{cells}</div>"
            f'<p class="note">{self.t("kpi_note")}</p>'
            f"<h2>{self.t('trend')}</h2>"
            '<div id="kpi-trend" class="chart"></div>'
            '<div id="eta-moves" class="chart" style="margin-top:8px"></div>'
        )

    def _trend(self, report: PromiseReport) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x * 100, 1)

        return {
            "versions": [f"v{v.number}" for v in report.trend],
            "at": [short(v.created_at, self.tz) for v in report.trend],
            "onTime": [r(v.on_time_rate) for v in report.trend],
            "kept": [r(v.promise_kept_rate) for v in report.trend],
            "moved": [v.eta_moved for v in report.trend],
            "lead": [None if v.lead_days is None else round(v.lead_days, 1) for v in report.trend],
        }

    def _orders_section(
        self,
        plan: PlanVersion,
        late: Sequence[Any],
        orders: Mapping[str, WorkOrder],
        customers: Mapping[str, Customer],
        products: Mapping[str, Product],
    ) -> str:
        """Staff: the late orders. A customer: all their open orders, late or not."""
        if self.viewer.is_customer:
            shown = sorted(
                (e for r, e in plan.etas.items() if r in orders), key=lambda e: e.eta
            )
            title = self.t("your_orders")
        else:
            shown, title = list(late), self.t("late_orders")
        if not shown:
            return f"<h2>{title}</h2><p id=\"late-orders\">{self.t('none')}</p>"
        lang = self.lang if self.lang in STATUS_TEXT else "zh"
        items = []
        for e in shown:
            order = orders[e.order_ref]
            product = products.get(order.product_code)
            customer = customers.get(order.customer_code)
            who = "" if self.viewer.is_customer else (
                f" · {escape(customer.name if customer else order.customer_code)}"
            )
            state = (
                f'<span class="badge late">{escape(self.t("late_word"))} '
                f"{escape(_hours(e.lateness_minutes, self.lang))}</span>"
                if e.late else f'<span class="badge ok">{self.t("on_time_word")}</span>'
            )
            href = self.viewer.href(order_path(order.ref), self._lang_param())
            items.append(
                f'<li class="card{" is-late" if e.late else ""}" data-order="{escape(order.ref)}">'
                f'<a href="{escape(href)}"><b>{escape(order.ref)}</b></a>{who} {state}'
                f'<div>{escape(product.name if product else order.product_code)} '
                f"×{order.quantity} · {escape(STATUS_TEXT[lang][order.status.value])}</div>"
                f'<div class="note">{self.t("due")} {order.due_date:%m-%d} · {self.t("eta")} '
                f"{escape(short(e.eta, self.tz))}</div></li>"
            )
        return (
            f'<h2>{title}</h2><ul class="orders" id="late-orders">{"".join(items)}</ul>'
        )

    def _utilization(self, plan: PlanVersion, centers: Mapping[str, WorkCenter]) -> str:
        util: Mapping[str, float] = plan.kpis.get("utilization") or {}
        rows = "".join(
            f"<tr><td>{escape(self._center_name(wc, centers))}</td><td>{share:.0%}</td></tr>"
            for wc, share in sorted(util.items(), key=lambda p: -p[1])
        )
        neck = plan.kpis.get("bottleneck")
        label = self._center_name(neck, centers) if neck else self.t("none")
        return (
            f"<h2>{self.t('load')}</h2><p class=\"sub\">{self.t('bottleneck')}: "
            f'<b id="bottleneck">{escape(label)}</b></p>'
            f'<div class="scroll"><table id="utilization">{rows}</table></div>'
        )

    def _history(self, history: Sequence[Mapping[str, Any]]) -> str:
        rows = []
        for h in history:
            k: Mapping[str, Any] = h.get("kpis") or {}
            d: Mapping[str, Any] = h.get("diff") or {}
            slipped = ", ".join(
                f"{s['order']} +{_hours(int(s['minutes']), self.lang)}"
                for s in (d.get("slipped") or [])[:5]
            )
            created = h.get("created_at")
            when = short(created, self.tz) if isinstance(created, datetime) else ""
            n = int(h["number"])
            href = self.viewer.href("/plan", {"version": str(n), **self._lang_param()})
            rows.append(
                f'<tr><td><a href="{escape(href)}">v{n}</a></td>'
                f'<td class="t">{escape(when)}</td>'
                f"<td>{escape(str(h.get('reason', '')))}</td>"
                f"<td>{k.get('orders_late', '-')}</td>"
                f"<td>{d.get('ops_moved', '-')}</td><td>{escape(slipped) or '-'}</td></tr>"
            )
        return (
            f"<h2>{self.t('history')}</h2><div class=\"scroll\"><table id=\"history\"><tr>"
            f"<th>{self.t('version')}</th><th>{self.t('at')}</th><th>{self.t('reason')}</th>"
            f"<th>{self.t('late_count')}</th><th>{self.t('ops_moved')}</th>"
            f"<th>{self.t('slipped')}</th></tr>{''.join(rows)}</table></div>"
        )

    def _solver(self, plan: PlanVersion) -> str:
        k = plan.kpis
        facts = [
            ("status", plan.status),
            ("method", plan.method),
            ("objective", plan.objective),
            ("lower bound", plan.lower_bound),
            ("reason", plan.reason),
            ("epoch", short(plan.epoch, self.tz)),
            ("weighted tardiness", k.get("weighted_tardiness", "-")),
            ("makespan (min)", k.get("makespan_minutes", "-")),
            ("solve (s)", k.get("solve_seconds", "-")),
        ]
        facts += [(key, value) for key, value in sorted(k.items()) if key.startswith("lns")]
        rows = "".join(
            f"<tr><th>{escape(str(a))}</th><td>{escape(str(b))}</td></tr>" for a, b in facts
        )
        return (
            f'<details id="solver"><summary>{self.t("solver")}</summary>'
            f'<div class="scroll"><table>{rows}</table></div></details>'
        )


def _row_order(
    ops: Sequence[PlannedOperation], centers: Mapping[str, WorkCenter]
) -> Callable[[tuple[str, str]], tuple[float, str, int, str]]:
    """Rows in the flow of the shop: work centers by the mean step number of their operations
    (cutting before edging before packing), machines as the work center lists them."""
    steps: dict[str, list[int]] = {}
    for op in ops:
        steps.setdefault(op.work_center, []).append(op.seq)
    flow = {wc: sum(s) / len(s) for wc, s in steps.items()}

    def key(row: tuple[str, str]) -> tuple[float, str, int, str]:
        wc, machine = row
        listed = centers[wc].machines if wc in centers else ()
        at = listed.index(machine) if machine in listed else len(listed)
        return flow.get(wc, 0.0), wc, at, machine

    return key


def _hours(minutes: int, lang: str) -> str:
    if minutes >= 48 * 60:
        return render(TEXTS, "days_short", lang, d=round(minutes / 1440, 1))
    return render(TEXTS, "hours", lang, h=max(1, round(minutes / 60)))


def setup_plan_page(app: web.Application) -> None:
    app.router.add_get("/plan", plan_page)
