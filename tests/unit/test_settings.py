from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from core.errors import ConfigError


def test_environment_wins_over_file(tmp_path: Path) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text('db_url = "sqlite+aiosqlite:///file.db"\ntz = "UTC"\n[wecom]\ncorp_id = "ww1"\n',
                   encoding="utf-8")
    s = Settings.load(cfg, {"GONGDAN_TZ": "Asia/Shanghai", "GONGDAN_PORT": "9000"})
    assert (s.db_url, s.tz, s.port, s.wecom_corp_id) == ("sqlite+aiosqlite:///file.db", "Asia/Shanghai", 9000, "ww1")


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
