"""GET /plan: plain-language header, the Gantt data (late orders marked), KPIs and history."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp.test_utils import TestClient

from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.plan_app import TOKEN, plan_app, seeded_plans

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def plan_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="plan-data">(.*?)</script>', html)
    assert found, "no embedded plan data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def test_plan_page(aiohttp_client, db_url: str, uow_factory: SqlUnitOfWorkFactory) -> None:  # type: ignore[no-untyped-def]
    late = await seeded_plans(uow_factory)
    client: TestClient[Any, Any] = await aiohttp_client(plan_app(db_url))
    assert (await client.get("/plan")).status == 401
    response = await client.get("/plan?days=60", headers=AUTH)
    assert response.status == 200 and response.content_type == "text/html"
    html = await response.text()
    # the header in words, in the factory's time (the plan was made 09:00 Asia/Shanghai)
    assert "计划 v2 · 11-23 09:00 生成" in html and "2 单预计延误" in html
    assert "01:00" not in html.split('id="summary"')[1][:200]  # not UTC
    data = plan_data(html)
    assert len(data["bars"]) >= 12
    assert {ref for ref, o in data["orders"].items() if o["late"]} == set(late)
    assert data["t"]["now"] == "现在" and data["now"] >= data["start"]
    assert '<script src="/static/echarts.min.js?v=' in html
    # the promise KPIs, the late orders, the load and the history
    assert re.search(r'id="kpi-on-time"><b>83%</b>', html)
    assert data["trend"]["versions"] == ["v1", "v2"] and data["trend"]["onTime"] == [100.0, 83.3]
    assert all(f'data-order="{ref}"' in html for ref in late)
    assert 'id="bottleneck">喷粉<' in html
    assert 'href="/plan?version=2"' in html and 'href="/plan?version=1"' in html
    assert "change CR-5" in html and f"{late[0]} +5 小时" in html
    # solver jargon only inside the planners' <details>
    details = html[html.index('<details id="solver">'):]
    assert "FEASIBLE" in details and "FEASIBLE" not in html[: html.index('<details id="solver">')]

    old = await (await client.get("/plan?version=1&days=3", headers=AUTH)).text()
    assert "计划 v1" in old and not any(o["late"] for o in plan_data(old)["orders"].values())
    english = await (await client.get("/plan?lang=en", headers=AUTH)).text()
    assert "Plan v2 · made 11-23 09:00" in english and "2 orders expected late" in english
    filtered = plan_data(await (await client.get(f"/plan?order={late[0]}", headers=AUTH)).text())
    assert filtered["filters"]["order"] == late[0]
    assert (await client.get("/plan?version=99", headers=AUTH)).status == 404
    assert (await client.get("/plan?days=soon", headers=AUTH)).status == 400


async def test_static_echarts_is_served_cached(aiohttp_client, db_url: str) -> None:  # type: ignore[no-untyped-def]
    client: TestClient[Any, Any] = await aiohttp_client(plan_app(db_url))
    plain = await client.get("/static/echarts.min.js", headers={"Accept-Encoding": "identity"})
    assert plain.status == 200 and "max-age" in plain.headers["Cache-Control"]
    body = await plain.read()
    assert len(body) > 500_000 and b"Apache Software Foundation" in body[:1000]
    packed = await client.get("/static/echarts.min.js", headers={"Accept-Encoding": "gzip"},
                              auto_decompress=False)
    assert packed.headers.get("Content-Encoding") == "gzip"
    assert len(await packed.read()) < len(body) // 2
    again = await client.get("/static/echarts.min.js",
                             headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status == 304
    assert (await client.get("/static/pages.js")).status == 200
    assert (await client.get("/static/..%2Fplan.py")).status == 404
    assert (await client.get("/static/nothing.js")).status == 404


async def test_metrics_count_requests(aiohttp_client, db_url: str) -> None:  # type: ignore[no-untyped-def]
    client: TestClient[Any, Any] = await aiohttp_client(plan_app(db_url))
    await client.get("/healthz")
    await client.get("/no/such/page")
    response = await client.get("/metrics")
    assert response.status == 200 and response.content_type.startswith("text/plain")
    text = await response.text()
    assert re.search(
        r'gongdan_http_requests_total\{method="GET",route="/healthz",status="200"\} '
        r"[1-9]",
        text,
    )
    assert 'route="unmatched",status="404"' in text
    for name in (
        "gongdan_parses_total",
        "gongdan_solves_total",
        "gongdan_pushes_total",
        "gongdan_solve_seconds_bucket",
        "gongdan_http_request_seconds_bucket",
    ):
        assert name in text or name.replace("_total", "") in text


def test_hooks_count_parse_solve_and_push() -> None:
    from bot import metrics

    def sample(name: str, **labels: str) -> float:
        return metrics.REGISTRY.get_sample_value(name, labels) or 0.0

    before = sample("gongdan_solves_total", status="OPTIMAL", method="cpsat")
    metrics.observe_solve("OPTIMAL", "cpsat", 1.5)
    metrics.observe_parse("change", 0.002)
    metrics.observe_push("wecom", "sent", 0.05)
    assert sample("gongdan_solves_total", status="OPTIMAL", method="cpsat") == before + 1
    assert sample("gongdan_parses_total", intent="change") >= 1
    assert sample("gongdan_pushes_total", channel="wecom", outcome="sent") >= 1
