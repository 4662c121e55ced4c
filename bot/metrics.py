"""Prometheus metrics: the objects other modules count with, a request middleware, GET /metrics.

All metrics live in one registry of our own rather than the process-global
default, so that tests building several apps in one process do not collide
and /metrics shows only Gongdan's series (plus process metrics on Linux).
Route labels use the route's pattern, never the raw path, so a scan of random
URLs cannot create unbounded series.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SOLVE = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)

REQUESTS = Counter(
    "gongdan_http_requests",
    "HTTP requests answered",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "gongdan_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=_FAST,
    registry=REGISTRY,
)
PARSES = Counter(
    "gongdan_parses", "Chat messages parsed, by intent", ["intent"], registry=REGISTRY
)
PARSE_SECONDS = Histogram(
    "gongdan_parse_seconds", "Time to parse one chat message", buckets=_FAST, registry=REGISTRY
)
SOLVES = Counter(
    "gongdan_solves",
    "Plans made, by solver status and method",
    ["status", "method"],
    registry=REGISTRY,
)
SOLVE_SECONDS = Histogram(
    "gongdan_solve_seconds", "Time to make one plan", buckets=_SOLVE, registry=REGISTRY
)
PUSHES = Counter(
    "gongdan_pushes",
    "Outbox deliveries, by channel and outcome (sent/retry/dead)",
    ["channel", "outcome"],
    registry=REGISTRY,
)
PUSH_SECONDS = Histogram(
    "gongdan_push_seconds",
    "Time of one delivery attempt",
    ["channel"],
    buckets=_FAST,
    registry=REGISTRY,
)
ALERTS = Counter(
    "gongdan_delay_alerts", "Delay alerts found, by kind", ["kind"], registry=REGISTRY
)
DIGESTS = Counter(
    "gongdan_digest_messages", "Digest messages queued, by role", ["role"], registry=REGISTRY
)
JOB_RUNS = Counter(
    "gongdan_scheduled_jobs",
    "Scheduled job runs, by job and outcome",
    ["job", "outcome"],
    registry=REGISTRY,
)
LEADER = Gauge(
    "gongdan_scheduler_leader", "1 while this process runs the scheduled jobs", registry=REGISTRY
)


def observe_parse(intent: str, seconds: float) -> None:
    """One chat message parsed (hook: bot/parsing or the pipeline, after parse_text)."""
    PARSES.labels(intent).inc()
    PARSE_SECONDS.observe(seconds)


def observe_solve(status: str, method: str, seconds: float) -> None:
    """One plan made (a PlanRevised subscriber in bot/app.py: status, method, solve seconds)."""
    SOLVES.labels(status, method).inc()
    SOLVE_SECONDS.observe(seconds)


def observe_push(channel: str, outcome: str, seconds: float) -> None:
    """One delivery attempt; outcome is "sent", "retry" or "dead" (hook: bot/outbox_worker)."""
    PUSHES.labels(channel, outcome).inc()
    PUSH_SECONDS.labels(channel).observe(seconds)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_label(request: web.Request) -> str:
    info = request.match_info
    route = getattr(info, "route", None)
    resource = getattr(route, "resource", None)
    if resource is None or getattr(info, "http_exception", None) is not None:
        return "unmatched"
    return str(resource.canonical)


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        route = route_label(request)
        REQUESTS.labels(request.method, route, str(status)).inc()
        REQUEST_SECONDS.labels(request.method, route).observe(time.perf_counter() - started)


async def metrics_view(_request: web.Request) -> web.Response:
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup_metrics(app: web.Application) -> None:
    """Add the middleware and GET /metrics; call before the app starts."""
    app.middlewares.append(metrics_middleware)
    app.router.add_get("/metrics", metrics_view)
