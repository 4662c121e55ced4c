"""What every command shares: `--config FILE`, `--db`, one-line errors and logging.

Which database a command uses, in order: `--db`; the `db_url` of `--config
FILE` or `GONGDAN_DB_URL`; and only when none of them says anything, the
default `./gongdan.db`. A command given a configuration file that names no
database refuses to run rather than quietly create `./gongdan.db` beside it:
that empty file would look like a working but empty factory.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from bot.logging_setup import configure
from bot.settings import DEFAULT_DB_URL, Settings, keys_in_file

DEMO_DB = "gongdan-demo.db"
CONFIG_HELP = "TOML configuration file; GONGDAN_* environment variables win over it"
DB_HELP = ("database URL or SQLite file; default: db_url from --config FILE or "
           f"GONGDAN_DB_URL, else {DEFAULT_DB_URL}")


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


def add_config_args(parser: argparse.ArgumentParser, db_help: str = DB_HELP) -> None:
    parser.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    parser.add_argument("--db", metavar="URL", help=db_help)


def db_url_of(db: str) -> str:
    """`--db` takes a URL or a plain SQLite file path."""
    return db if "://" in db else f"sqlite+aiosqlite:///{db}"


def command_settings(config: str | None, db: str | None, *, server: bool = False,
                     demo: bool = False, overrides: Mapping[str, object] | None = None,
                     environ: Mapping[str, str] | None = None) -> Settings:
    """Settings for one command, checked, with logging configured from them.

    `server` commands log at INFO by default, one-shot commands at WARNING, so
    that `gongdan plan` prints its summary and not the plumbing. The demo's
    database is `--db`, else the config file's db_url, else gongdan-demo.db:
    never GONGDAN_DB_URL from the environment, which may well point at
    production and would get the demo factory seeded into it.
    """
    env = os.environ if environ is None else environ
    over: dict[str, object] = dict(overrides or {})
    in_file = keys_in_file(config) if config else frozenset()
    if db:
        over["db_url"] = db_url_of(db)
    elif demo:
        if "db_url" not in in_file:
            over["db_url"] = db_url_of(DEMO_DB)
    elif config and "db_url" not in in_file and "GONGDAN_DB_URL" not in env:
        raise CliError(f"gongdan: {config} sets no db_url and neither GONGDAN_DB_URL nor --db "
                       "is given; say which database to use")
    settings = Settings.load(config, env, overrides=over)
    configure(settings.log_level or ("INFO" if server else "WARNING"), settings.log_format)
    return settings
