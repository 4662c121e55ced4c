"""Runtime configuration: a TOML file overlaid by `GONGDAN_*` environment variables.

Environment wins over the file, so that a container can override one key
without rewriting the file. Nothing here does I/O at import time.

Every key is checked when the settings load (`Settings.load`), so that a typo
in a deployment stops the process at start with one line naming the key, the
value and what is allowed, instead of failing at the first chat message that
happens to use it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ConfigError

DEFAULT_DB_URL = "sqlite+aiosqlite:///gongdan.db"
ENV_PREFIX = "GONGDAN_"

RISK_LEVELS = ("low", "medium", "high", "blocked")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
HOLIDAY_CALENDARS = ("cn", "none")
DIGEST_ROLES = ("supervisor", "sales", "customer")
DB_DRIVERS = ("sqlite", "sqlite+aiosqlite", "postgresql", "postgres", "postgresql+asyncpg",
              "postgresql+psycopg")
WECOM_KEYS = ("wecom_corp_id", "wecom_token", "wecom_aes_key", "wecom_secret", "wecom_agent_id")
DINGTALK_KEYS = ("dingtalk_robot_code", "dingtalk_app_secret")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")
_WECOM_TOKEN = re.compile(r"^[A-Za-z0-9]{1,32}$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = DEFAULT_DB_URL
    tz: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8080
    demo: bool = False
    public_url: str = ""  # where people reach the server; "" = http://HOST:PORT
    admin_token: str = ""
    wecom_corp_id: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    wecom_secret: str = ""
    wecom_agent_id: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    dingtalk_app_secret: str = ""
    dingtalk_robot_code: str = ""  # the robot's code is the app's AppKey (Client ID)
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
    outbox_lease_seconds: float = 120.0  # a dispatcher that died mid-send: resent after this
    inbox_lease_seconds: float = 10.0  # a handler that died: its message is handled again after
    holidays: str = "cn"  # official holidays and make-up working days: "cn" or "none"
    log_level: str = ""  # "" = INFO for servers, WARNING for one-shot commands
    log_format: str = "text"  # "text" or "json" (one JSON object a line)
    trusted_proxies: str = "127.0.0.1,::1"  # whose X-Forwarded-For / X-Real-IP to believe
    wecom_kf_secret: str = ""  # secret for 微信客服 API calls; "" = wecom_secret (the app's)
    wecom_kf_open_kfid: str = ""  # the kf account links point to and notices come from
    wecom_kf_link_secret: str = ""  # HMAC key of kf link scene_params; "" = random, in the db
    wecom_kf_link_days: int = 30  # how long a customer's binding link stays valid
    link_secret: str = ""  # HMAC key of signed page links; "" = a random one kept in the database
    link_days: int = 7  # how long a signed page link stays valid

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
        cls, config_file: str | Path | None = None, environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, object] | None = None,
    ) -> Settings:
        """Defaults, then the TOML file (if given), then the environment, then `overrides`.

        `overrides` are what command-line flags say (`--db`, `--port`): they win
        over everything and are checked like the rest.
        """
        values: dict[str, object] = {}
        if config_file is not None:
            values.update(_read_toml(Path(config_file)))
        values.update(_from_env(os.environ if environ is None else environ))
        values.update(overrides or {})
        return _coerce(cls(), values).validated()

    def validated(self) -> Settings:
        """These settings with values normalised (case), or ConfigError for the first bad key."""
        normal: dict[str, object] = {}
        for name, check in _CHECKS.items():
            fixed = check(getattr(self, name))
            if fixed is not None:
                normal[name] = fixed
        result = replace(self, **normal)  # type: ignore[arg-type]
        _check_platforms(result)
        return result


def env_name(key: str) -> str:
    return ENV_PREFIX + key.upper()


def bad(key: str, value: object, allowed: str) -> ConfigError:
    """The one-line error for a bad setting: key (both spellings), value, what is allowed."""
    return ConfigError(f"bad setting {key} ({env_name(key)}) = {value!r}: {allowed}")


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"config file is a directory: {path}") from None
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
    return {
        k[len(ENV_PREFIX):].lower(): v
        for k, v in environ.items()
        if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX):].lower() in names
    }


def _coerce(base: Settings, values: Mapping[str, object]) -> Settings:
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown configuration keys: {', '.join(unknown)}")
    typed: dict[str, object] = {}
    for name, raw in values.items():
        default = getattr(base, name)
        if isinstance(default, bool):
            text = str(raw).strip().lower()
            if isinstance(raw, bool):
                typed[name] = raw
            elif text in _TRUE + _FALSE:
                typed[name] = text in _TRUE
            else:
                raise bad(name, raw, "must be true or false")
        elif isinstance(default, int):
            typed[name] = _number(name, raw, int)
        elif isinstance(default, float):
            typed[name] = _number(name, raw, float)
        elif isinstance(raw, dict | list):
            raise bad(name, raw, "must be text")
        else:
            typed[name] = str(raw)
    return replace(base, **typed)  # type: ignore[arg-type]


def _number(name: str, raw: object, kind: type[int] | type[float]) -> int | float:
    """A whole or decimal number from TOML or text; 2.5 for a whole-number key is an error."""
    if isinstance(raw, bool):
        raise bad(name, raw, f"must be a {'whole ' if kind is int else ''}number")
    try:
        value = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
    except ValueError:
        raise bad(name, raw, f"must be a {'whole ' if kind is int else ''}number") from None
    if kind is int:
        if not value.is_integer():
            raise bad(name, raw, "must be a whole number")
        return int(value)
    return value


# --- one check per key: returns the normalised value, None when it is fine as it is -----

Check = Callable[[object], object | None]


def _positive(name: str, zero_ok: bool = False) -> tuple[str, Check]:
    def check(value: object) -> None:
        assert isinstance(value, int | float)
        if value < 0 or (value == 0 and not zero_ok):
            raise bad(name, value, "must be 0 or more" if zero_ok else "must be more than 0")

    return name, check


def _choice(name: str, allowed: tuple[str, ...], upper: bool = False,
            empty_ok: bool = False) -> tuple[str, Check]:
    def check(value: object) -> str | None:
        text = str(value).strip()
        if empty_ok and not text:
            return ""
        norm = text.upper() if upper else text.lower()
        if norm not in allowed:
            raise bad(name, value, "allowed: " + ", ".join(allowed)
                      + (" (or empty)" if empty_ok else ""))
        return norm

    return name, check


def _check_db_url(value: object) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(str(value))
    except ArgumentError:
        raise bad("db_url", value, "not a database URL; e.g. sqlite+aiosqlite:///gongdan.db "
                  "or postgresql+psycopg://user:password@host/db") from None
    if url.drivername not in DB_DRIVERS:
        raise bad("db_url", value, f"unsupported database driver {url.drivername!r}; use "
                  "sqlite+aiosqlite, postgresql+asyncpg or postgresql+psycopg")


def _check_tz(value: object) -> None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise bad("tz", value, "must be an IANA time zone such as Asia/Shanghai") from None


def _check_port(value: object) -> None:
    assert isinstance(value, int)
    if not 0 < value < 65536:
        raise bad("port", value, "must be between 1 and 65535")


def _check_host(value: object) -> None:
    if not str(value).strip():
        raise bad("host", value, "must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0")


def _hhmm(name: str, empty_ok: bool = False) -> tuple[str, Check]:
    def check(value: object) -> str | None:
        text = str(value).strip()
        if empty_ok and not text:
            return ""
        if not _HHMM.match(text):
            raise bad(name, value, "must be a time of day HH:MM, e.g. 08:07"
                      + (", or empty to turn it off" if empty_ok else ""))
        return text

    return name, check


def _check_digest_times(value: object) -> None:
    allowed = ("comma-separated ROLE=HH:MM or ROLE=DAY HH:MM, roles "
               f"{'/'.join(DIGEST_ROLES)}, e.g. sales=07:43,customer=fri 16:07")
    for item in filter(None, (p.strip() for p in str(value).split(","))):
        role, eq, when = item.partition("=")
        parts = when.split()
        ok = (eq and role.strip() in DIGEST_ROLES and 1 <= len(parts) <= 2
              and _HHMM.match(parts[-1])
              and (len(parts) == 1 or parts[0].lower()[:3] in _DAYS))
        if not ok:
            raise bad("digest_times", value, allowed)


def _url(name: str, empty_ok: bool) -> tuple[str, Check]:
    def check(value: object) -> str | None:
        text = str(value).strip()
        if empty_ok and not text:
            return ""
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise bad(name, value, "must be an http:// or https:// URL"
                      + (" (or empty)" if empty_ok else ""))
        return text.rstrip("/")

    return name, check


def _check_proxies(value: object) -> str:
    items = [p.strip() for p in str(value).split(",") if p.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise bad("trusted_proxies", value, "comma-separated IP addresses or networks, "
                      "e.g. 127.0.0.1,10.0.0.0/8") from None
    return ",".join(items)


def _check_aes_key(value: object) -> None:
    if value and not _AES_KEY.match(str(value)):
        raise bad("wecom_aes_key", f"<{len(str(value))} characters>",
                  "the EncodingAESKey is exactly 43 letters and digits (WeCom console, 接收消息)")


def _check_wecom_token(value: object) -> None:
    if value and not _WECOM_TOKEN.match(str(value)):
        raise bad("wecom_token", value, "the callback Token is 1-32 letters and digits")


def _check_agent_id(value: object) -> None:
    if value and not str(value).strip().isdigit():
        raise bad("wecom_agent_id", value, "the app's AgentId is a number, e.g. 1000002")


_CHECKS: dict[str, Check] = dict([
    ("db_url", _check_db_url),
    ("tz", _check_tz),
    ("host", _check_host),
    ("port", _check_port),
    _url("public_url", empty_ok=True),
    _url("wecom_api_base", empty_ok=False),
    _url("dingtalk_api_base", empty_ok=False),
    _url("dingtalk_oapi_base", empty_ok=False),
    ("wecom_token", _check_wecom_token),
    ("wecom_aes_key", _check_aes_key),
    ("wecom_agent_id", _check_agent_id),
    _positive("plan_time_limit"),
    _positive("confirm_timeout_minutes"),
    _positive("question_timeout_minutes"),
    _choice("approval_risk_threshold", RISK_LEVELS),
    _positive("delay_alert_threshold_minutes", zero_ok=True),
    _hhmm("digest_time"),
    ("digest_times", _check_digest_times),
    _hhmm("nightly_plan_time", empty_ok=True),
    _positive("nightly_plan_time_limit"),
    _positive("outbox_max_attempts"),
    _positive("outbox_poll_seconds"),
    _choice("holidays", HOLIDAY_CALENDARS),
    _choice("log_level", LOG_LEVELS, upper=True, empty_ok=True),
    _choice("log_format", LOG_FORMATS),
    ("trusted_proxies", _check_proxies),
])


def _check_platforms(s: Settings) -> None:
    """A platform is configured completely or not at all: half a set of keys is a mistake."""
    for platform, keys in (("WeCom", WECOM_KEYS), ("DingTalk", DINGTALK_KEYS)):
        given = [k for k in keys if str(getattr(s, k)).strip()]
        missing = [k for k in keys if k not in given]
        if given and missing:
            raise ConfigError(
                f"incomplete {platform} settings: {', '.join(given)} given but "
                f"{', '.join(env_name(k) for k in missing)} missing; set all of "
                f"{', '.join(env_name(k) for k in keys)} or none")


def keys_in_file(path: str | Path) -> frozenset[str]:
    """The keys a configuration file sets itself (flattened: `[wecom] token` is wecom_token).

    The CLI asks this to tell "the file chose this database" from "nobody did".
    """
    return frozenset(_read_toml(Path(path)))
