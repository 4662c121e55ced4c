"""`gongdan doctor [--config FILE] [--db URL]`: check what a deployment needs.

One line per check: `ok`, `fail` or `skip`, the check's name, and what was
found or what to do about it. DingTalk in Stream mode (the default) adds a
check that registers a Stream connection (connections/open), since that is
what the app needs rather than a callback URL. It exits non-zero when any check fails, so it
can gate a deployment script. The checks only read: the database is not
migrated (nor a SQLite file created), tokens are fetched and thrown away.
Platform checks use the same API bases as the app (`GONGDAN_WECOM_API_BASE`,
`GONGDAN_DINGTALK_API_BASE`), which is also how the tests point them at stubs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

import aiohttp

from bot.cli.config import command_settings
from bot.settings import Settings
from core.errors import ConfigError

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    status: str  # "ok" | "fail" | "skip"
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.name:<9}  {self.detail}"


def cmd_doctor(args: argparse.Namespace) -> int:
    try:
        settings = command_settings(args.config, args.db)
    except ConfigError as exc:  # the settings themselves are the first check
        print(Check("fail", "settings", f"{exc}").line())
        return 1
    source = args.config or "defaults"
    checks = [Check("ok", "settings", f"loaded from {source} and GONGDAN_* environment")]
    checks += asyncio.run(run_checks(settings))
    return report(checks)


def report(checks: list[Check], out: TextIO | None = None) -> int:
    for c in checks:
        print(c.line(), file=out or sys.stdout)
    return 1 if any(c.status == "fail" for c in checks) else 0


async def run_checks(settings: Settings, font: Callable[[], str | None] | None = None,
                     timeout: float = TIMEOUT_SECONDS) -> list[Check]:
    """Every check, in a fixed order; `font` replaces the CJK font lookup in tests."""
    checks = [await check_database(settings)]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        checks.append(await check_wecom(settings, session))
        checks.append(await check_dingtalk(settings, session))
        if settings.dingtalk_enabled and settings.dingtalk_mode == "stream":
            checks.append(await check_dingtalk_stream(settings, session))
    checks.append(check_font(font))
    checks.append(check_callbacks(settings))
    return checks


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


async def check_database(settings: Settings) -> Check:
    from bot.app import schema_status

    where = _safe_url(settings.db_url)
    try:
        status = await schema_status(settings.db_url)
    except Exception as exc:  # driver errors differ per database: report, never crash
        return Check("fail", "database", f"{where} is not reachable ({_one_line(exc)}): check "
                     "GONGDAN_DB_URL, that the server runs and accepts this user")
    if not status.exists:
        return Check("fail", "database", f"{where} does not exist: run `gongdan db upgrade` "
                     "with the same --config/--db to create it")
    if not status.at_head:
        current = ", ".join(sorted(status.current)) or "never migrated"
        return Check("fail", "database", f"{where} schema is at {current}, this version needs "
                     f"{', '.join(sorted(status.head))}: run `gongdan db upgrade` once, then "
                     "restart every gongdan process")
    return Check("ok", "database", f"{where} reachable, schema at head "
                 f"({', '.join(sorted(status.head))})")


async def _get_json(session: aiohttp.ClientSession, method: str, url: str,
                    **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with session.request(method, url, **kwargs) as resp:
        try:
            data = await resp.json(content_type=None)
        except ValueError:
            data = None
        return resp.status, data if isinstance(data, dict) else {}


WECOM_HINTS = {
    40013: "the corp id is wrong: GONGDAN_WECOM_CORP_ID is 我的企业 → 企业信息 → 企业ID",
    40001: "the secret is wrong: GONGDAN_WECOM_SECRET is 应用管理 → the app → Secret",
    40091: "the secret is wrong: GONGDAN_WECOM_SECRET is 应用管理 → the app → Secret",
    60020: "this server's public IP is not in the app's 企业可信IP list: add it in the console",
    45009: "WeCom is rate-limiting this corp: try again in a minute",
}


async def check_wecom(settings: Settings, session: aiohttp.ClientSession) -> Check:
    if not (settings.wecom_corp_id or settings.wecom_secret):
        return Check("skip", "wecom", "not configured (GONGDAN_WECOM_* unset)")
    base = settings.wecom_api_base.rstrip("/")
    try:
        status, data = await _get_json(
            session, "GET", f"{base}/cgi-bin/gettoken",
            params={"corpid": settings.wecom_corp_id, "corpsecret": settings.wecom_secret})
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Check("fail", "wecom", f"cannot reach {base} ({_one_line(exc)}): check DNS, "
                     "the firewall and any outbound proxy")
    code = data.get("errcode")
    if status == 200 and code == 0 and data.get("access_token"):
        return Check("ok", "wecom", f"access token fetched for corp {settings.wecom_corp_id} "
                     f"(agent {settings.wecom_agent_id})")
    hint = WECOM_HINTS.get(code if isinstance(code, int) else -2,
                           "see the errcode in WeCom's global error code list")
    return Check("fail", "wecom", f"gettoken answered HTTP {status} errcode {code} "
                 f"({data.get('errmsg', '')}): {hint}")


async def check_dingtalk(settings: Settings, session: aiohttp.ClientSession) -> Check:
    if not (settings.dingtalk_robot_code or settings.dingtalk_app_secret):
        return Check("skip", "dingtalk", "not configured (GONGDAN_DINGTALK_* unset)")
    base = settings.dingtalk_api_base.rstrip("/")
    try:
        status, data = await _get_json(
            session, "POST", f"{base}/v1.0/oauth2/accessToken",
            json={"appKey": settings.dingtalk_robot_code,
                  "appSecret": settings.dingtalk_app_secret})
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Check("fail", "dingtalk", f"cannot reach {base} ({_one_line(exc)}): check DNS, "
                     "the firewall and any outbound proxy")
    if status == 200 and data.get("accessToken"):
        return Check("ok", "dingtalk", f"access token fetched for app "
                     f"{settings.dingtalk_robot_code}")
    return Check("fail", "dingtalk", f"accessToken answered HTTP {status} {data.get('code', '')} "
                 f"({data.get('message', '')}): GONGDAN_DINGTALK_ROBOT_CODE is the app's "
                 "AppKey (Client ID) and GONGDAN_DINGTALK_APP_SECRET its AppSecret "
                 "(开发者后台 → 凭证与基础信息)")


STREAM_EGRESS = "api.dingtalk.com:443 and wss-open-connection.dingtalk.com:443"


async def check_dingtalk_stream(settings: Settings, session: aiohttp.ClientSession) -> Check:
    """Stream mode: register a connection the way the app does (connections/open).

    The ticket it returns is single use and expires in 90 s, so nothing is
    left open; the WebSocket itself is not dialled.
    """
    from bot.channels.dingtalk.stream import OPEN_PATH, open_body

    name = "dingtalk-stream"
    base = settings.dingtalk_api_base.rstrip("/")
    try:
        status, data = await _get_json(
            session, "POST", f"{base}{OPEN_PATH}",
            json=open_body(settings.dingtalk_robot_code, settings.dingtalk_app_secret),
            headers={"Accept": "application/json"})
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Check("fail", name, f"cannot reach {base} ({_one_line(exc)}): Stream mode dials "
                     f"out; allow egress to {STREAM_EGRESS} (and any outbound proxy)")
    endpoint = data.get("endpoint")
    if status == 200 and endpoint and data.get("ticket"):
        host = urlsplit(str(endpoint)).netloc or str(endpoint)
        return Check("ok", name, f"connections/open gave a ticket for {host}: the process "
                     "receives messages over it, no callback URL needed")
    if status in (400, 401, 403):
        hint = ("GONGDAN_DINGTALK_ROBOT_CODE must be the app's AppKey (Client ID) and "
                "GONGDAN_DINGTALK_APP_SECRET its AppSecret (开发者后台 → 凭证与基础信息)")
    else:
        hint = ("check that the app's robot receives messages in Stream mode (开发者后台 → "
                "机器人 → 消息接收模式: Stream模式), or set GONGDAN_DINGTALK_MODE=http")
    return Check("fail", name, f"connections/open answered HTTP {status} "
                 f"{data.get('code', '')} ({data.get('message', '')}): {hint}")


def check_font(font: Callable[[], str | None] | None = None) -> Check:
    if font is None:
        from bot.pages.gantt import cjk_font

        font = cjk_font
    found = font()
    if found:
        return Check("ok", "cjk-font", f"{found} draws Chinese names in the Gantt picture")
    return Check("fail", "cjk-font", "no CJK font: Gantt pictures fall back to ASCII labels; "
                 "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) and restart")


def check_callbacks(settings: Settings) -> Check:
    platforms = [name for name, on in (("WeCom", settings.wecom_enabled),
                                       ("DingTalk", settings.dingtalk_enabled)) if on]
    if not platforms:
        return Check("skip", "callbacks", "no platform configured")
    problems: list[str] = []
    if settings.wecom_enabled:
        if len(settings.wecom_aes_key) != 43 or not settings.wecom_aes_key.isalnum():
            problems.append("GONGDAN_WECOM_AES_KEY must be the 43-character EncodingAESKey")
        if not settings.wecom_token.isalnum() or len(settings.wecom_token) > 32:
            problems.append("GONGDAN_WECOM_TOKEN must be the console's Token (≤32 letters/digits)")
    url = settings.public_url
    if not url:
        problems.append("set GONGDAN_PUBLIC_URL to the https:// address the platforms and "
                        "phones reach this server at")
    elif urlsplit(url).scheme != "https":
        problems.append(f"GONGDAN_PUBLIC_URL {url} must be https:// (put nginx with a "
                        "certificate in front)")
    if problems:
        return Check("fail", "callbacks", "; ".join(problems))
    where = []
    if settings.wecom_enabled:
        where.append(f"WeCom 接收消息 URL {url}/wecom/callback")
    if settings.dingtalk_enabled and settings.dingtalk_mode == "http":
        where.append(f"DingTalk HTTP-mode URL {url}/dingtalk/callback")
    elif settings.dingtalk_enabled:
        where.append("DingTalk over Stream (no callback URL)")
    return Check("ok", "callbacks", "; ".join(where))
