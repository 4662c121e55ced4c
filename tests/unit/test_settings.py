from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from core.errors import ConfigError


def test_environment_wins_over_file(tmp_path: Path) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text('db_url = "sqlite+aiosqlite:///file.db"\ntz = "UTC"\n[dingtalk]\n'
                   'robot_code = "dingk"\napp_secret = "s"\n', encoding="utf-8")
    s = Settings.load(cfg, {"GONGDAN_TZ": "Asia/Shanghai", "GONGDAN_PORT": "9000"})
    assert (s.db_url, s.tz, s.port, s.dingtalk_robot_code) == (
        "sqlite+aiosqlite:///file.db", "Asia/Shanghai", 9000, "dingk")


@pytest.mark.parametrize(("env", "needle"), [({"GONGDAN_PORT": "eighty"}, "port"),
                                             ({"GONGDAN_DEMO": "yes"}, None)])
def test_types_are_checked(env: dict[str, str], needle: str | None) -> None:
    if needle is None:
        assert Settings.load(environ=env).demo is True
        return
    with pytest.raises(ConfigError, match=needle):
        Settings.load(environ=env)


def test_bad_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Settings.load(tmp_path / "missing.toml", {})
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.load(bad, {})
    unknown = tmp_path / "u.toml"
    unknown.write_text('colour = "red"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown configuration keys: colour"):
        Settings.load(unknown, {})


WECOM = {"GONGDAN_WECOM_CORP_ID": "ww1", "GONGDAN_WECOM_TOKEN": "QDG6eK",
         "GONGDAN_WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
         "GONGDAN_WECOM_SECRET": "sec", "GONGDAN_WECOM_AGENT_ID": "1000002"}


@pytest.mark.parametrize(("env", "key", "allowed"), [
    ({"GONGDAN_APPROVAL_RISK_THRESHOLD": "extreme"}, "approval_risk_threshold",
     "low, medium, high, blocked"),
    ({"GONGDAN_DIGEST_TIME": "8am"}, "digest_time", "HH:MM"),
    ({"GONGDAN_DIGEST_TIME": "24:00"}, "digest_time", "HH:MM"),
    ({"GONGDAN_NIGHTLY_PLAN_TIME": "2"}, "nightly_plan_time", "HH:MM"),
    ({"GONGDAN_DIGEST_TIMES": "boss=07:00"}, "digest_times", "ROLE=HH:MM"),
    ({"GONGDAN_DIGEST_TIMES": "customer=someday 16:07"}, "digest_times", "ROLE=HH:MM"),
    ({"GONGDAN_PLAN_TIME_LIMIT": "0"}, "plan_time_limit", "more than 0"),
    ({"GONGDAN_CONFIRM_TIMEOUT_MINUTES": "-5"}, "confirm_timeout_minutes", "more than 0"),
    ({"GONGDAN_CONFIRM_TIMEOUT_MINUTES": "2.5"}, "confirm_timeout_minutes", "whole number"),
    ({"GONGDAN_DELAY_ALERT_THRESHOLD_MINUTES": "-1"}, "delay_alert_threshold_minutes",
     "0 or more"),
    ({"GONGDAN_OUTBOX_MAX_ATTEMPTS": "0"}, "outbox_max_attempts", "more than 0"),
    ({"GONGDAN_PORT": "70000"}, "port", "between 1 and 65535"),
    ({"GONGDAN_TZ": "Mars/Olympus"}, "tz", "IANA time zone"),
    ({"GONGDAN_DB_URL": "mysql://localhost/x"}, "db_url", "unsupported database driver"),
    ({"GONGDAN_DB_URL": "not a url"}, "db_url", "not a database URL"),
    ({"GONGDAN_DEMO": "maybe"}, "demo", "true or false"),
    ({"GONGDAN_HOLIDAYS": "us"}, "holidays", "cn, none"),
    ({"GONGDAN_LOG_LEVEL": "loud"}, "log_level", "DEBUG, INFO"),
    ({"GONGDAN_LOG_FORMAT": "xml"}, "log_format", "text, json"),
    ({"GONGDAN_TRUSTED_PROXIES": "127.0.0.1,proxy.local"}, "trusted_proxies", "IP addresses"),
    ({"GONGDAN_PUBLIC_URL": "gongdan.example.com"}, "public_url", "https://"),
    ({**WECOM, "GONGDAN_WECOM_AES_KEY": "short"}, "wecom_aes_key", "43 letters and digits"),
    ({**WECOM, "GONGDAN_WECOM_AGENT_ID": "app"}, "wecom_agent_id", "number"),
    ({**WECOM, "GONGDAN_WECOM_TOKEN": "has spaces"}, "wecom_token", "1-32 letters"),
])
def test_a_bad_value_names_the_key_the_value_and_what_is_allowed(
        env: dict[str, str], key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.load(environ=env)
    line = str(err.value)
    assert "\n" not in line
    assert key in line and f"GONGDAN_{key.upper()}" in line
    assert allowed in line
    if key != "wecom_aes_key":  # the secret's value is never printed, only its length
        assert env[f"GONGDAN_{key.upper()}"] in line


def test_an_aes_key_in_an_error_is_not_printed() -> None:
    with pytest.raises(ConfigError) as err:
        Settings.load(environ={**WECOM, "GONGDAN_WECOM_AES_KEY": "s3cretbutshort"})
    assert "s3cretbutshort" not in str(err.value) and "14 characters" in str(err.value)


def test_values_are_normalised() -> None:
    s = Settings.load(environ={"GONGDAN_APPROVAL_RISK_THRESHOLD": "High",
                               "GONGDAN_LOG_LEVEL": "debug", "GONGDAN_HOLIDAYS": "CN",
                               "GONGDAN_PUBLIC_URL": "https://gd.example.com/",
                               "GONGDAN_NIGHTLY_PLAN_TIME": "",
                               "GONGDAN_DIGEST_TIMES": "sales=07:43, customer=friday 16:07",
                               "GONGDAN_DB_URL": "postgresql+psycopg://u:p@db/gongdan"})
    assert (s.approval_risk_threshold, s.log_level, s.holidays, s.public_url,
            s.nightly_plan_time) == ("high", "DEBUG", "cn", "https://gd.example.com", "")


def test_toml_types_are_checked(tmp_path: Path) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text("plan_time_limit = 2\nport = 8081.0\ndemo = true\n", encoding="utf-8")
    s = Settings.load(cfg, {})
    assert (s.plan_time_limit, s.port, s.demo) == (2.0, 8081, True)
    cfg.write_text('port = [1]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="port"):
        Settings.load(cfg, {})


@pytest.mark.parametrize(("env", "missing"), [
    ({"GONGDAN_WECOM_CORP_ID": "ww1", "GONGDAN_WECOM_SECRET": "s"},
     ["GONGDAN_WECOM_TOKEN", "GONGDAN_WECOM_AES_KEY", "GONGDAN_WECOM_AGENT_ID"]),
    ({k: v for k, v in WECOM.items() if k != "GONGDAN_WECOM_SECRET"}, ["GONGDAN_WECOM_SECRET"]),
    ({"GONGDAN_DINGTALK_APP_SECRET": "s"}, ["GONGDAN_DINGTALK_ROBOT_CODE"]),
    ({"GONGDAN_DINGTALK_ROBOT_CODE": "dingk"}, ["GONGDAN_DINGTALK_APP_SECRET"]),
])
def test_partial_platform_credentials_name_the_missing_keys(
        env: dict[str, str], missing: list[str]) -> None:
    with pytest.raises(ConfigError, match="incomplete") as err:
        Settings.load(environ=env)
    for key in missing:
        assert key in str(err.value)


def test_complete_platforms_load() -> None:
    s = Settings.load(environ={**WECOM, "GONGDAN_DINGTALK_APP_SECRET": "s",
                               "GONGDAN_DINGTALK_ROBOT_CODE": "dingk"})
    assert s.channels == ("web", "wecom", "dingtalk")


def test_overrides_win_and_are_checked() -> None:
    s = Settings.load(environ={"GONGDAN_DB_URL": "sqlite+aiosqlite:///env.db"},
                      overrides={"db_url": "sqlite+aiosqlite:///flag.db"})
    assert s.db_url == "sqlite+aiosqlite:///flag.db"
    with pytest.raises(ConfigError, match="port"):
        Settings.load(environ={}, overrides={"port": 0})
