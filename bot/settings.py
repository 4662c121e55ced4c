"""Runtime configuration: a TOML file overlaid by `GONGDAN_*` environment variables.

Environment wins over the file, so that a container can override one key
without rewriting the file. Nothing here does I/O at import time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from core.errors import ConfigError

DEFAULT_DB_URL = "sqlite+aiosqlite:///gongdan.db"


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = DEFAULT_DB_URL
    tz: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8080
    demo: bool = False
    admin_token: str = ""
    wecom_corp_id: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    wecom_secret: str = ""
    wecom_agent_id: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    dingtalk_app_secret: str = ""
    dingtalk_robot_code: str = ""
    dingtalk_api_base: str = "https://api.dingtalk.com"
    dingtalk_oapi_base: str = "https://oapi.dingtalk.com"
    dingtalk_mode: str = "stream"  # "stream": dial out over WebSocket; "http": /dingtalk/callback
    plan_time_limit: float = 5.0
    confirm_timeout_minutes: int = 30
    question_timeout_minutes: int = 15
    approval_risk_threshold: str = "high"
    delay_alert_threshold_minutes: int = 480
    digest_time: str = "08:07"
    digest_times: str = ""  # per role, e.g. "sales=07:43,customer=fri 16:07"
    nightly_plan_time: str = "02:07"  # full replan of the shop every day; "" turns it off
    nightly_plan_time_limit: float = 60.0
    outbox_max_attempts: int = 8
    outbox_poll_seconds: float = 1.0

    @property
    def wecom_enabled(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_token and self.wecom_aes_key)

    @property
    def dingtalk_enabled(self) -> bool:
        return bool(self.dingtalk_app_secret)

    @property
    def channels(self) -> tuple[str, ...]:
        """Where messages may go: the platforms configured, and always the web chat."""
        return ("web",) + (("wecom",) if self.wecom_enabled else ()) + (
            ("dingtalk",) if self.dingtalk_enabled else ())

    @classmethod
    def load(
        cls, config_file: str | Path | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, then the TOML file (if given), then the environment."""
        values: dict[str, object] = {}
        if config_file is not None:
            values.update(_read_toml(Path(config_file)))
        values.update(_from_env(os.environ if environ is None else environ))
        return _coerce(cls(), values)


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    flat: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):  # [wecom] token = ... -> wecom_token
            flat.update({f"{key}_{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def _from_env(environ: Mapping[str, str]) -> dict[str, object]:
    names = {f.name for f in fields(Settings)}
    prefix = "GONGDAN_"
    return {
        k[len(prefix):].lower(): v
        for k, v in environ.items()
        if k.startswith(prefix) and k[len(prefix):].lower() in names
    }


def _coerce(base: Settings, values: Mapping[str, object]) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown configuration keys: {', '.join(unknown)}")
    typed: dict[str, object] = {}
    for name, raw in values.items():
        default = getattr(base, name)
        try:
            if isinstance(default, bool):
                typed[name] = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                typed[name] = int(raw)  # type: ignore[call-overload]
            elif isinstance(default, float):
                typed[name] = float(raw)  # type: ignore[arg-type]
            else:
                typed[name] = str(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"configuration {name} must be a {type(default).__name__}, got {raw!r}") from None
    return replace(base, **typed)  # type: ignore[arg-type]
