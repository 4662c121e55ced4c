"""GET /plan renders the Gantt as SVG with late orders marked, the KPIs and the history."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from storage.uow import SqlUnitOfWorkFactory
from tests.proactive.plan_app import TOKEN, plan_app, seeded_plans

AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_plan_page(aiohttp_client, db_url: str, uow_factory: SqlUnitOfWorkFactory) -> None:  # type: ignore[no-untyped-def]
    late = await seeded_plans(uow_factory)
    client: TestClient[Any, Any] = await aiohttp_client(plan_app(db_url))
    assert (await client.get("/plan")).status == 401
    response = await client.get("/plan?days=60", headers=AUTH)
    assert response.status == 200 and response.content_type == "text/html"
    html = await response.text()
    assert "<script" not in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    bars = re.findall(r'<rect class="([^"]*)" data-order="([^"]*)"', svg)
    assert len(bars) >= 12
    assert {ref for cls, ref in bars if "late" in cls.split()} == set(late)
    assert all("late" not in cls.split() for cls, ref in bars if ref not in late)
    assert 'id="kpis"' in html and "POWDER" in html and "83.3%" in html
    assert 'href="/plan?version=2"' in html and 'href="/plan?version=1"' in html
    assert "change CR-5" in html and f"{late[0]} +5h" in html

    old = await (await client.get("/plan?version=1&days=3", headers=AUTH)).text()
    assert "Plan v1" in old and 'class="bar late"' not in old
    assert (await client.get("/plan?version=99", headers=AUTH)).status == 404
    assert (await client.get("/plan?days=soon", headers=AUTH)).status == 400


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
