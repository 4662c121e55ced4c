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
def test_bad_input_is_one_line_on_stderr(args: tuple[str, ...], needle: str,
                                         tmp_path: Path) -> None:
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
    assert "migrated from empty to " in up.stdout
    again = run("db", "upgrade", "--db", str(db))
    assert again.returncode == 0 and "up to date at " in again.stdout
    plan = run("plan", "--db", str(db), "--time-limit", "1")
    assert plan.returncode == 0, plan.stderr
    assert "0 open orders" in plan.stdout


def test_import_onboards_customers_and_people(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    assert run("db", "upgrade", "--db", str(db)).returncode == 0
    (tmp_path / "customers.csv").write_text("code,name,tier\nC90,海岳酒店,B\n", encoding="utf-8")
    people = tmp_path / "team.csv"
    people.write_text("id,name,role,wecom_external_userid,customers\n"
                      "cust.hy,赵敏,customer,wmHY,C90\n", encoding="utf-8")
    out = run("import", str(tmp_path / "customers.csv"), "--db", str(db))
    assert out.returncode == 0, out.stderr
    out = run("import", str(people), "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("imported 1 people")
    people.write_text("id,name,role,customers\ncust.hy,赵敏,customer,C91\n", encoding="utf-8")
    out = run("import", str(people), "--db", str(db))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert out.stderr.splitlines() == ["people row 2, customers: unknown customer 'C91'",
                                       f"{people}: 1 bad row(s); nothing was imported"]
