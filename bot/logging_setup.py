"""Process-wide logging, configured in one place and called from the CLI.

Every line carries time, level, logger and message, so that an operator
reading `journalctl` or `docker compose logs` can line events up across two
app processes and nginx. `GONGDAN_LOG_FORMAT=json` writes one JSON object a
line for log shippers instead.

The aiohttp access log names the real client. Behind nginx the peer address
is the proxy's, so the client is taken from `X-Forwarded-For` / `X-Real-IP`,
but only when the peer is a trusted proxy (`GONGDAN_TRUSTED_PROXIES`): anyone
else could write those headers to hide behind an address of their choice.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # aiohttp only for servers: one-shot commands start faster without it
    from aiohttp.abc import AbstractAccessLogger

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# fields an access-log record carries for the JSON form
_ACCESS_FIELDS = ("client", "method", "path", "status", "bytes", "seconds", "user_agent")
_HANDLER_MARK = "_gongdan_handler"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and exc if any."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _ACCESS_FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure(level: str = "WARNING", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Replace the root handler with ours; safe to call again (a second call reconfigures)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root.addHandler(handler)
    root.setLevel(level.upper())


def parse_networks(spec: str | Iterable[str]) -> tuple[Network, ...]:
    items = spec.split(",") if isinstance(spec, str) else spec
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in items if p.strip())


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.9:5555
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(peer: str | None, headers: Any, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer itself, or what trusted proxies in front of it say.

    X-Forwarded-For is read right to left, skipping trusted proxies, so a client
    that sends its own X-Forwarded-For cannot choose the address logged: the
    first untrusted hop is the one the nearest trusted proxy saw.
    """

    def is_trusted(addr: Any) -> bool:
        return addr is not None and any(addr in net for net in trusted)

    peer_ip = _ip(peer)
    if not is_trusted(peer_ip):
        return peer or "-"
    forwarded = [h.strip() for h in headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(forwarded):
        ip = _ip(hop)
        if ip is None:
            break  # garbage: stop believing the chain here
        if not is_trusted(ip):
            return str(ip)
    if forwarded and _ip(forwarded[0]) is not None:
        return str(_ip(forwarded[0]))  # every hop is trusted: the first is the client
    real = _ip(headers.get("X-Real-IP"))
    return str(real) if real is not None else (peer or "-")


def access_logger(trusted_proxies: str) -> type[AbstractAccessLogger]:
    """An aiohttp access-log class that logs the client behind trusted proxies."""
    from aiohttp import web
    from aiohttp.abc import AbstractAccessLogger

    trusted = parse_networks(trusted_proxies)

    class ProxyAwareAccessLogger(AbstractAccessLogger):
        def log(self, request: web.BaseRequest, response: web.StreamResponse,
                time: float) -> None:
            client = client_address(request.remote, request.headers, trusted)
            agent = request.headers.get("User-Agent", "-")
            size = response.body_length
            self.logger.info(
                '%s "%s %s HTTP/%d.%d" %d %d %.3fs "%s"', client, request.method,
                request.path_qs, request.version.major, request.version.minor,
                response.status, size, time, agent,
                extra={"client": client, "method": request.method, "path": request.path,
                       "status": response.status, "bytes": size,
                       "seconds": round(time, 4), "user_agent": agent},
            )

        @property
        def enabled(self) -> bool:
            return self.logger.isEnabledFor(logging.INFO)

    return ProxyAwareAccessLogger
