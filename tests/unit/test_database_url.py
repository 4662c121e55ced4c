"""One database URL for everything: the forms people write, and what the engine makes of them."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from storage.engine import normalise_url


@pytest.mark.parametrize(("written", "used"), [
    ("sqlite:///gongdan.db", "sqlite+aiosqlite:///gongdan.db"),
    ("sqlite+aiosqlite:////var/lib/gongdan.db", "sqlite+aiosqlite:////var/lib/gongdan.db"),
    ("postgresql://gongdan@db:5432/gongdan", "postgresql+psycopg://gongdan@db:5432/gongdan"),
    ("postgres://gongdan@db/gongdan", "postgresql+psycopg://gongdan@db/gongdan"),
    ("postgresql+asyncpg://u:p@db/gongdan", "postgresql+psycopg://u:p@db/gongdan"),
    ("postgresql+psycopg://u:p@db/gongdan", "postgresql+psycopg://u:p@db/gongdan"),
])
def test_the_usual_forms_are_accepted(written: str, used: str) -> None:
    assert normalise_url(written) == used


def test_tls_parameters_are_kept_for_libpq() -> None:
    url = ("postgresql://app:s3cret@x.rds.amazonaws.com:5432/gongdan"
           "?sslmode=verify-full&sslrootcert=/etc/ssl/rds-ca.pem")
    out = normalise_url(url)
    assert out.startswith("postgresql+psycopg://app:s3cret@x.rds.amazonaws.com:5432/gongdan?")
    from sqlalchemy.engine import make_url

    assert dict(make_url(out).query) == {"sslmode": "verify-full",
                                         "sslrootcert": "/etc/ssl/rds-ca.pem"}


def test_asyncpg_ssl_key_becomes_sslmode() -> None:
    assert normalise_url("postgresql+asyncpg://u@db/g?ssl=require") == \
        "postgresql+psycopg://u@db/g?sslmode=require"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_other_databases_are_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        normalise_url(url)
