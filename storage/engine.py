"""Engines for SQLite (default, embedded) and PostgreSQL (scale-out), from one URL.

PostgreSQL goes through one driver, psycopg 3: async for the app, sync for the
scheduler's job store, so one URL, TLS parameters included
(`?sslmode=require&sslrootcert=/path/ca.pem`), means the same to both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.errors import ConfigError

SQLITE = "sqlite+aiosqlite"
POSTGRES = "postgresql+psycopg"
SUPPORTED = (SQLITE, POSTGRES)
# spellings of PostgreSQL people write (the contract's `postgresql+asyncpg` among them)
_POSTGRES_ALIASES = frozenset({"postgresql", "postgres", "postgresql+asyncpg",
                               "postgresql+psycopg", "postgresql+psycopg_async"})


def normalise_url(url: str) -> str:
    """The one URL the engine uses, from the forms people type.

    `sqlite:///x.db` -> sqlite+aiosqlite; `postgresql://`, `postgres://` and
    `postgresql+asyncpg://` -> postgresql+psycopg. asyncpg's `ssl=require`
    becomes libpq's `sslmode=require`, so an old URL keeps its TLS.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"not a database URL: {url!r}") from None
    driver = parsed.drivername
    if driver == "sqlite":
        parsed = parsed.set(drivername=SQLITE)
    elif driver in _POSTGRES_ALIASES:
        parsed = _libpq_tls(parsed.set(drivername=POSTGRES))
    if parsed.drivername not in SUPPORTED:
        raise ConfigError(
            f"unsupported database driver {parsed.drivername!r}; "
            "use sqlite:///FILE or postgresql://USER@HOST/DB"
        )
    return parsed.render_as_string(hide_password=False)


def _libpq_tls(url: URL) -> URL:
    """asyncpg's `ssl=` query key, spelled as libpq's `sslmode=` (which psycopg reads)."""
    if "ssl" not in url.query:
        return url
    mode = url.query["ssl"]
    rest = {k: v for k, v in url.query.items() if k != "ssl"}
    if "sslmode" not in rest:
        value = mode if isinstance(mode, str) else mode[-1]
        rest["sslmode"] = {"true": "require", "false": "disable"}.get(value.lower(), value)
    return url.set(query=rest)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; the busy timeout makes a
    # second writer wait its turn instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
