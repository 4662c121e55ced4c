"""The command line as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_parse_prints_the_contract_json() -> None:
    out = run("parse", "--now", "2026-11-18T09:30:00+08:00", "SO-31 数量改成500件")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert (got["intent"], got["order"]) == ("change", "SO-31")
    assert len(got["changes"]) == 1
    change = got["changes"][0]
    assert (change["field"], change["value"], change.get("unit")) == ("quantity", 500, "件")


def test_parse_unknown_text_exits_zero_with_unknown() -> None:
    out = run("parse", "--now", "2026-11-18T09:30:00+08:00", "今天天气不错")
    assert out.returncode == 0
    assert json.loads(out.stdout)["intent"] == "unknown"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("parse", "--now", "yesterday", "x"), "--now"),
        (("parse", "--tz", "Mars/Olympus", "x"), "time zone"),
        (("frobnicate",), "invalid choice"),
        (("plan", "--db", "mysql://localhost/x"), "unsupported database driver"),
        (("plan", "--time-limit", "-1"), "--time-limit"),
        (("import", "/nonexistent/orders.xlsx"), "no such file"),
        (("demo", "--port", "70000"), "--port"),
        (("serve", "--config", "/nonexistent/gongdan.toml"), "config file not found"),
        (("digest", "--role", "boss"), "unknown role"),
        (("db", "upgrade", "--db", "postgresql+asyncpg://nobody@127.0.0.1:1/none"), "unavailable"),
    ],
)
def test_bad_input_is_one_line_on_stderr(args: tuple[str, ...], needle: str, tmp_path: Path) -> None:
    out = run(*args, cwd=tmp_path)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert needle in lines[0]
    assert "Traceback" not in out.stderr


def test_db_upgrade_then_plan_on_an_empty_database(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    up = run("db", "upgrade", "--db", str(db))
    assert up.returncode == 0, up.stderr
    plan = run("plan", "--db", str(db), "--time-limit", "1")
    assert plan.returncode == 0, plan.stderr
    assert "0 open orders" in plan.stdout
