"""GET /plan: the current plan as a server-rendered page (Gantt SVG, KPIs, version history).

No JavaScript: a supervisor opens it on a phone or a shop-floor screen and
it works. Access is the same as /api/* (open in demo mode, else the admin
bearer token).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from aiohttp import web

from bot.pages.api import require_admin
from bot.pages.gantt import render_svg
from bot.keys import container_key, settings_key
from core.model.plan import PlanVersion

DEFAULT_DAYS = 7
MAX_DAYS = 60

STYLE = """
body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:16px;color:#222}
h1{font-size:20px} h2{font-size:16px;margin-top:24px}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:3px 8px}
th{background:#f4f4f4;text-align:left} .late{color:#b00020;font-weight:600}
.gantt{overflow-x:auto;border:1px solid #eee} .kpi td:first-child{color:#555}
"""


async def plan_page(request: web.Request) -> web.Response:
    require_admin(request)
    days = _days(request.query.get("days"))
    container = request.app[container_key]
    tz = request.app[settings_key].tz
    async with container.uow_factory() as uow:
        number = request.query.get("version")
        plan = await (
            uow.plans.get(int(number)) if number and number.isdigit() else uow.plans.latest()
        )
        history = await uow.plans.history(limit=30)
    if plan is None and number:
        raise web.HTTPNotFound(text=f"no plan version {number}")
    html = render_page(plan, history, container.clock.now(), days, tz)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def _days(raw: str | None) -> int:
    try:
        return min(MAX_DAYS, max(1, int(raw))) if raw else DEFAULT_DAYS
    except ValueError:
        raise web.HTTPBadRequest(text="days must be a whole number") from None


def render_page(
    plan: PlanVersion | None,
    history: Sequence[Mapping[str, Any]],
    now: datetime,
    days: int,
    tz: str,
) -> str:
    head = (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>排产计划 Plan</title><style>{STYLE}</style></head><body>"
    )
    if plan is None:
        return head + "<h1>排产计划 Plan</h1><p>尚无计划 / No plan yet.</p></body></html>"
    start = plan.epoch  # the plan's own "now": what it says, not what has happened since
    body = [
        f"<h1>排产计划 Plan v{plan.number}</h1>",
        (
            f"<p>{escape(plan.created_at.isoformat(timespec='minutes'))} · {escape(plan.status)} · "
            f"{escape(plan.method)} · {escape(plan.reason)} · "
            f"页面生成 shown {escape(now.isoformat(timespec='minutes'))}</p>"
        ),
        (
            f'<h2>甘特图 Gantt ({days} d)</h2><div class="gantt">'
            f"{render_svg(plan, start, days, tz)}</div>"
        ),
        "<h2>关键指标 KPIs</h2>",
        _kpis(plan),
        "<h2>延期订单 Late orders</h2>",
        _late(plan),
        "<h2>计划版本 Plan history</h2>",
        _history(history),
    ]
    return head + "\n".join(body) + "</body></html>"


def _kpis(plan: PlanVersion) -> str:
    k = plan.kpis
    util: Mapping[str, float] = k.get("utilization") or {}
    rows = [
        ("准时率 On-time rate", f"{float(k.get('on_time_rate', 0)):.1%}"),
        ("延期订单 Orders late", str(k.get("orders_late", 0))),
        ("订单数 Orders", str(k.get("orders", len(plan.etas)))),
        ("加权延误 Weighted tardiness", str(k.get("weighted_tardiness", 0))),
        ("总工期 Makespan (min)", str(k.get("makespan_minutes", 0))),
        ("瓶颈 Bottleneck", str(k.get("bottleneck") or "-")),
        ("求解 Solve (s)", str(k.get("solve_seconds", "-"))),
    ]
    cells = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td></tr>" for a, b in rows)
    load = "".join(
        f"<tr><td>{escape(wc)}</td><td>{share:.0%}</td></tr>"
        for wc, share in sorted(util.items(), key=lambda p: -p[1])
    )
    return (
        f'<table class="kpi" id="kpis">{cells}</table>'
        f'<h2>产能利用 Utilization</h2><table id="utilization">{load}</table>'
    )


def _late(plan: PlanVersion) -> str:
    late = sorted((e for e in plan.etas.values() if e.late), key=lambda e: -e.lateness_minutes)
    if not late:
        return "<p>无 / none</p>"
    rows = "".join(
        f'<tr class="late"><td>{escape(e.order_ref)}</td><td>{e.due:%Y-%m-%d %H:%M}</td>'
        f"<td>{e.eta:%Y-%m-%d %H:%M}</td><td>{e.lateness_minutes // 60} h</td></tr>"
        for e in late
    )
    return (
        '<table id="late-orders"><tr><th>订单 Order</th><th>交期 Due</th><th>预计 ETA</th>'
        f"<th>延误 Late by</th></tr>{rows}</table>"
    )


def _history(history: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for h in history:
        k: Mapping[str, Any] = h.get("kpis") or {}
        d: Mapping[str, Any] = h.get("diff") or {}
        slipped = ", ".join(
            f"{s['order']} +{int(s['minutes']) // 60}h" for s in (d.get("slipped") or [])[:5]
        )
        created = h.get("created_at")
        when = created.isoformat(timespec="minutes") if isinstance(created, datetime) else ""
        rows.append(
            f'<tr><td><a href="/plan?version={int(h["number"])}">v{int(h["number"])}</a></td>'
            f"<td>{escape(when)}</td><td>{escape(str(h.get('reason', '')))}</td>"
            f"<td>{escape(str(h.get('status', '')))}</td><td>{k.get('orders_late', '-')}</td>"
            f"<td>{d.get('ops_moved', '-')}</td><td>{escape(slipped) or '-'}</td></tr>"
        )
    return (
        '<table id="history"><tr><th>版本 Version</th><th>时间 At</th><th>原因 Reason</th>'
        "<th>状态 Status</th><th>延期 Late</th><th>移动工序 Ops moved</th>"
        f"<th>延后 Slipped</th></tr>{''.join(rows)}</table>"
    )


def setup_plan_page(app: web.Application) -> None:
    app.router.add_get("/plan", plan_page)
