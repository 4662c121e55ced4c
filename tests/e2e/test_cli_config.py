"""Every command reads --config FILE; --db wins; nothing quietly creates ./gongdan.db."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.config import CliError, command_settings
from bot.cli.serve import banner_text
from bot.settings import Settings


def run(*args: str, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GONGDAN_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**base, **(env or {})})


def _config(tmp_path: Path, db: Path | None) -> Path:
    cfg = tmp_path / "gongdan.toml"
    lines = ['tz = "Asia/Shanghai"', "plan_time_limit = 1"]
    if db is not None:
        lines.insert(0, f'db_url = "sqlite+aiosqlite:///{db}"')
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg


def test_one_shot_commands_use_the_configured_database(tmp_path: Path) -> None:
    db = tmp_path / "factory.db"
    cfg = _config(tmp_path, db)
    work = tmp_path / "cwd"
    work.mkdir()
    up = run("db", "upgrade", "--config", str(cfg), cwd=work)
    assert up.returncode == 0, up.stderr
    assert db.is_file()
    plan = run("plan", "--config", str(cfg), "--time-limit", "1", cwd=work)
    assert plan.returncode == 0, plan.stderr
    assert "0 open orders" in plan.stdout
    digest = run("digest", "--role", "supervisor", "--dry-run", "--config", str(cfg), cwd=work)
    assert digest.returncode == 0, digest.stderr
    assert list(work.iterdir()) == []  # no ./gongdan.db beside the user


def test_db_flag_wins_over_the_config(tmp_path: Path) -> None:
    cfg = _config(tmp_path, tmp_path / "from-config.db")
    up = run("db", "upgrade", "--config", str(cfg), "--db", str(tmp_path / "flag.db"),
             cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    assert (tmp_path / "flag.db").is_file() and not (tmp_path / "from-config.db").exists()


@pytest.mark.parametrize("args", [("plan",), ("db", "upgrade"), ("digest", "--role", "sales"),
                                  ("import", "__FILE__"), ("serve",)])
def test_a_config_without_a_database_is_refused(args: tuple[str, ...], tmp_path: Path) -> None:
    cfg = _config(tmp_path, None)
    some_file = tmp_path / "orders.csv"
    some_file.write_text("ref\n", encoding="utf-8")
    argv = [str(some_file) if a == "__FILE__" else a for a in args]
    out = run(*argv, "--config", str(cfg), cwd=tmp_path)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "sets no db_url" in lines[0], out.stderr
    assert not (tmp_path / "gongdan.db").exists()


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_servers_refuse_a_bad_setting_at_start(command: str, tmp_path: Path) -> None:
    out = run(command, "--db", str(tmp_path / "x.db"), cwd=tmp_path,
              env={"GONGDAN_APPROVAL_RISK_THRESHOLD": "extreme"})
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "GONGDAN_APPROVAL_RISK_THRESHOLD" in lines[0] and "'extreme'" in lines[0]
    assert "low, medium, high, blocked" in lines[0]
    assert not (tmp_path / "x.db").exists()


def test_the_demo_database_never_comes_from_the_environment(tmp_path: Path) -> None:
    env = {"GONGDAN_DB_URL": "postgresql+psycopg://prod@db/gongdan"}
    s = command_settings(None, None, demo=True, environ=env)
    assert s.db_url == "sqlite+aiosqlite:///gongdan-demo.db"
    cfg = _config(tmp_path, tmp_path / "demo.db")
    assert command_settings(str(cfg), None, demo=True, environ={}).db_url.endswith("/demo.db")
    with pytest.raises(CliError, match="sets no db_url"):
        command_settings(str(_config(tmp_path, None)), None, environ={})
    # the environment names the database: a config without db_url is fine then
    assert command_settings(str(cfg), None, environ=env).db_url == env["GONGDAN_DB_URL"]


def test_the_demo_banner_lists_lan_urls_when_listening_everywhere() -> None:
    s = Settings(host="0.0.0.0", port=8090, db_url="sqlite+aiosqlite:///d.db", demo=True)
    text = banner_text(s, lan=["192.168.1.23"])
    assert "http://127.0.0.1:8090/" in text and "http://192.168.1.23:8090/" in text
    local = banner_text(Settings(host="127.0.0.1", demo=True), lan=["192.168.1.23"])
    assert "192.168.1.23" not in local


def test_demo_host_flag_is_in_the_help(tmp_path: Path) -> None:
    out = run("demo", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "--host" in out.stdout and "0.0.0.0" in out.stdout
    for command in ("serve", "plan", "digest", "doctor", "import", "demo"):
        assert "--config" in run(command, "--help", cwd=tmp_path).stdout, command
    assert "--config" in run("db", "upgrade", "--help", cwd=tmp_path).stdout
