"""`gongdan doctor` against the WeCom and DingTalk stubs: ok, bad credentials, skips."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.app import migrate_database
from bot.cli.doctor import check_callbacks, check_font, run_checks
from bot.settings import Settings
from tests.stubs.dingtalk import DingTalkStub
from tests.stubs.dingtalk_stream import StreamGateway
from tests.stubs.wecom import WeComStub

AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


def _env(wecom: WeComStub, wecom_base: str, ding: DingTalkStub, ding_base: str,
         **extra: str) -> dict[str, str]:
    return {
        "GONGDAN_WECOM_CORP_ID": wecom.corp_id, "GONGDAN_WECOM_SECRET": wecom.secret,
        "GONGDAN_WECOM_TOKEN": "QDG6eK", "GONGDAN_WECOM_AES_KEY": AES,
        "GONGDAN_WECOM_AGENT_ID": str(wecom.agent_id), "GONGDAN_WECOM_API_BASE": wecom_base,
        "GONGDAN_DINGTALK_ROBOT_CODE": ding.app_key,
        "GONGDAN_DINGTALK_APP_SECRET": ding.app_secret, "GONGDAN_DINGTALK_API_BASE": ding_base,
        "GONGDAN_PUBLIC_URL": "https://gongdan.example.com", **extra,
    }


@pytest.fixture
async def stubs(aiohttp_server: Any) -> tuple[WeComStub, str, DingTalkStub, str]:
    wecom, ding = WeComStub(), DingTalkStub()
    w = await aiohttp_server(wecom.app())
    ding_app = ding.app()
    StreamGateway(ding.app_key, ding.app_secret).add_routes(ding_app)  # Stream is the default
    d = await aiohttp_server(ding_app)
    return wecom, str(w.make_url("")).rstrip("/"), ding, str(d.make_url("")).rstrip("/")


async def _doctor(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """The real command line, in a child process, while this loop serves the stubs."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("GONGDAN_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "doctor", *args, env={**child_env, **env}, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


def _lines(out: str) -> dict[str, str]:
    """check name -> status."""
    return {line.split()[1]: line.split()[0] for line in out.strip().splitlines()}


async def test_doctor_all_platforms_ok(stubs: Any, tmp_path: Path) -> None:
    wecom, wbase, ding, dbase = stubs
    db = tmp_path / "g.db"
    await asyncio.to_thread(migrate_database, f"sqlite+aiosqlite:///{db}")
    code, out, err = await _doctor("--db", str(db), env=_env(wecom, wbase, ding, dbase),
                                   cwd=tmp_path)
    status = _lines(out)
    names = ("settings", "database", "wecom", "dingtalk", "dingtalk-stream", "callbacks")
    assert {k: status[k] for k in names} == dict.fromkeys(names, "ok"), out + err
    assert wecom.gettoken_calls == 1 and ding.token_calls == 1
    assert "https://gongdan.example.com/wecom/callback" in out
    # the exit status follows the font check, which depends on the machine
    assert code == (0 if status["cjk-font"] == "ok" else 1)
    assert not err.strip()


async def test_doctor_bad_credentials_fail_with_what_to_do(stubs: Any, tmp_path: Path) -> None:
    wecom, wbase, ding, dbase = stubs
    env = _env(wecom, wbase, ding, dbase, GONGDAN_WECOM_SECRET="wrong",
               GONGDAN_DINGTALK_APP_SECRET="wrong", GONGDAN_PUBLIC_URL="http://plain.example")
    code, out, _ = await _doctor("--db", str(tmp_path / "missing.db"), env=env, cwd=tmp_path)
    assert code == 1
    lines = {line.split()[1]: line for line in out.strip().splitlines()}
    assert lines["wecom"].startswith("fail") and "40001" in lines["wecom"]
    assert "GONGDAN_WECOM_SECRET" in lines["wecom"]
    assert lines["dingtalk"].startswith("fail") and "invalidClientIdOrSecret" in lines["dingtalk"]
    stream = lines["dingtalk-stream"]
    assert stream.startswith("fail") and "invalidClientIdOrSecret" in stream
    assert "GONGDAN_DINGTALK_APP_SECRET" in stream
    assert lines["database"].startswith("fail") and "gongdan db upgrade" in lines["database"]
    assert lines["callbacks"].startswith("fail") and "https" in lines["callbacks"]
    assert not (tmp_path / "missing.db").exists()  # doctor never creates a database


async def test_unconfigured_platforms_are_skipped(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    await asyncio.to_thread(migrate_database, f"sqlite+aiosqlite:///{db}")
    checks = await run_checks(Settings(db_url=f"sqlite+aiosqlite:///{db}"),
                              font=lambda: "Noto Sans CJK SC")
    assert [(c.name, c.status) for c in checks] == [
        ("database", "ok"), ("wecom", "skip"), ("dingtalk", "skip"), ("cjk-font", "ok"),
        ("callbacks", "skip")]


async def test_unreachable_platform_is_a_failure(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path}/none.db",
                        dingtalk_robot_code="k", dingtalk_app_secret="s",
                        dingtalk_api_base="http://127.0.0.1:1")
    checks = {c.name: c for c in await run_checks(settings, font=lambda: None, timeout=5)}
    assert checks["dingtalk"].status == "fail" and "cannot reach" in checks["dingtalk"].detail


def test_font_check_says_what_to_install() -> None:
    assert check_font(lambda: None).status == "fail"
    assert "fonts-noto-cjk" in check_font(lambda: None).detail
    assert check_font(lambda: "WenQuanYi Zen Hei").status == "ok"


def test_callbacks_need_a_public_https_url() -> None:
    base = Settings(wecom_corp_id="ww1", wecom_token="QDG6eK", wecom_aes_key=AES)
    assert "GONGDAN_PUBLIC_URL" in check_callbacks(base).detail
    assert check_callbacks(base).status == "fail"
    from dataclasses import replace

    ok = check_callbacks(replace(base, public_url="https://g.example.com"))
    assert ok.status == "ok" and "https://g.example.com/wecom/callback" in ok.detail


async def test_a_bad_setting_is_the_first_failed_check(tmp_path: Path) -> None:
    code, out, err = await _doctor(env={"GONGDAN_APPROVAL_RISK_THRESHOLD": "extreme"},
                                   cwd=tmp_path)
    assert code == 1
    assert out.startswith("fail  settings") and "approval_risk_threshold" in out
    assert "Traceback" not in err


async def test_stream_mode_registers_a_connection_and_http_mode_does_not(
        aiohttp_server: Any, tmp_path: Path) -> None:
    gateway = StreamGateway()
    from aiohttp import web

    app = web.Application()
    gateway.add_routes(app)
    base = str((await aiohttp_server(app)).make_url("")).rstrip("/")
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path}/none.db",
                        dingtalk_robot_code=gateway.client_id,
                        dingtalk_app_secret=gateway.client_secret, dingtalk_api_base=base,
                        public_url="https://g.example.com")
    checks = {c.name: c for c in await run_checks(settings, font=lambda: None, timeout=5)}
    assert checks["dingtalk-stream"].status == "ok", checks["dingtalk-stream"]
    [opened] = gateway.opens
    assert opened["clientId"] == gateway.client_id
    assert {s["topic"] for s in opened["subscriptions"]} >= {"/v1.0/im/bot/messages/get"}
    assert "no callback URL" in checks["callbacks"].detail  # none is asked for in Stream mode

    from dataclasses import replace

    http = {c.name: c for c in await run_checks(replace(settings, dingtalk_mode="http"),
                                                font=lambda: None, timeout=5)}
    assert "dingtalk-stream" not in http and len(gateway.opens) == 1


async def test_stream_mode_without_the_gateway_says_to_switch_the_robot_to_stream(
        aiohttp_server: Any, tmp_path: Path) -> None:
    ding = DingTalkStub()  # tokens work, but nothing answers connections/open
    base = str((await aiohttp_server(ding.app())).make_url("")).rstrip("/")
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path}/none.db",
                        dingtalk_robot_code=ding.app_key, dingtalk_app_secret=ding.app_secret,
                        dingtalk_api_base=base)
    checks = {c.name: c for c in await run_checks(settings, font=lambda: None, timeout=5)}
    assert checks["dingtalk"].status == "ok"
    stream = checks["dingtalk-stream"]
    assert stream.status == "fail" and "404" in stream.detail and "Stream模式" in stream.detail


async def test_stream_mode_unreachable_names_the_egress_to_open(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path}/none.db",
                        dingtalk_robot_code="k", dingtalk_app_secret="s",
                        dingtalk_api_base="http://127.0.0.1:1")
    checks = {c.name: c for c in await run_checks(settings, font=lambda: None, timeout=5)}
    stream = checks["dingtalk-stream"]
    assert stream.status == "fail" and "wss-open-connection.dingtalk.com:443" in stream.detail
