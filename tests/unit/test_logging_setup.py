"""Log lines carry time, level, logger and message; the access log names the real client."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from bot.logging_setup import access_logger, client_address, configure, parse_networks

LOOPBACK = parse_networks("127.0.0.1,::1")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_text_lines_have_time_level_logger_message() -> None:
    out = io.StringIO()
    configure("INFO", "text", stream=out)
    logging.getLogger("gongdan.test").info("planned %d orders", 3)
    logging.getLogger("gongdan.test").debug("not shown")
    line = out.getvalue().strip()
    assert len(line.splitlines()) == 1
    stamp, level, rest = line.split(" ", 2)
    assert stamp[:4].isdigit() and "T" in stamp
    assert (level, rest) == ("INFO", "gongdan.test: planned 3 orders")


def test_json_lines() -> None:
    out = io.StringIO()
    configure("warning", "json", stream=out)
    logging.getLogger("gongdan.test").warning("数据库 %s", "ok")
    record = json.loads(out.getvalue())
    assert {k: record[k] for k in ("level", "logger", "message")} == {
        "level": "WARNING", "logger": "gongdan.test", "message": "数据库 ok"}
    assert record["time"].endswith("+00:00")


def test_configure_twice_keeps_one_handler() -> None:
    configure("INFO")
    configure("DEBUG")
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_gongdan_handler", False)]
    assert len(ours) == 1 and logging.getLogger().level == logging.DEBUG


@pytest.mark.parametrize(("peer", "headers", "client"), [
    ("203.0.113.9", {}, "203.0.113.9"),
    # an untrusted peer cannot choose the address logged
    ("203.0.113.9", {"X-Forwarded-For": "1.2.3.4"}, "203.0.113.9"),
    ("203.0.113.9", {"X-Real-IP": "1.2.3.4"}, "203.0.113.9"),
    ("127.0.0.1", {"X-Forwarded-For": "198.51.100.7"}, "198.51.100.7"),
    # a client's own X-Forwarded-For is left of the hop the proxy saw
    ("127.0.0.1", {"X-Forwarded-For": "6.6.6.6, 198.51.100.7"}, "198.51.100.7"),
    ("127.0.0.1", {"X-Real-IP": "198.51.100.7"}, "198.51.100.7"),
    ("::1", {"X-Forwarded-For": "2001:db8::5"}, "2001:db8::5"),
    ("127.0.0.1", {"X-Forwarded-For": "garbage"}, "127.0.0.1"),
    ("127.0.0.1", {}, "127.0.0.1"),
])
def test_client_address(peer: str, headers: dict[str, str], client: str) -> None:
    assert client_address(peer, CIMultiDict(headers), LOOPBACK) == client


def test_trusted_networks_can_be_ranges() -> None:
    nets = parse_networks("10.0.0.0/8")
    headers = CIMultiDict({"X-Forwarded-For": "198.51.100.7, 10.1.2.3"})
    assert client_address("10.9.9.9", headers, nets) == "198.51.100.7"


def test_access_log_line_names_the_forwarded_client() -> None:
    out = io.StringIO()
    configure("INFO", "json", stream=out)
    cls = access_logger("127.0.0.1")
    request = make_mocked_request("GET", "/healthz", headers={
        "X-Forwarded-For": "198.51.100.7", "User-Agent": "curl/8"}).clone(remote="127.0.0.1")
    cls(logging.getLogger("aiohttp.access"), "").log(request, web.Response(text="ok"), 0.0042)
    record = json.loads(out.getvalue())
    assert (record["client"], record["path"], record["status"]) == ("198.51.100.7", "/healthz",
                                                                    200)
    assert record["message"].startswith('198.51.100.7 "GET /healthz HTTP/1.1" 200')
