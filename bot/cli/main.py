"""The `gongdan` command line (CONTRACT.md section 1).

Every failure a user can cause (bad argument, missing file, unreachable
database) ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import SQLAlchemyError

from bot.cli.config import DEMO_DB, CliError, add_config_args, command_settings
from bot.cli.digest import add_digest_parser, cmd_digest
from bot.cli.doctor import cmd_doctor
from bot.cli.kflink import add_kf_link_parser, cmd_kf_link
from bot.logging_setup import configure
from core.errors import CoreError

__all__ = ["CliError", "build_parser", "main"]

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + message
        raise CliError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gongdan", description="Gongdan: change control and scheduling in chat")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="seed (once) and serve the demo factory")
    demo.add_argument("--host", help="address to listen on (default 127.0.0.1; 0.0.0.0 lets a "
                      "phone on the same network in)")
    demo.add_argument("--port", type=int, help="port (default 8080)")
    add_config_args(demo, db_help=f"SQLite file or database URL; default: db_url from --config "
                    f"FILE, else {DEMO_DB} (GONGDAN_DB_URL is not used by the demo)")

    serve = sub.add_parser("serve", help="production server")
    add_config_args(serve)

    parse = sub.add_parser("parse", help="print the structured command for a chat message")
    parse.add_argument("--now", help="ISO 8601 time the message was sent")
    parse.add_argument("--tz", default="Asia/Shanghai")
    parse.add_argument("text", nargs="+")

    plan = sub.add_parser("plan", help="replan the shop and print a summary")
    add_config_args(plan)
    plan.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS")

    imp = sub.add_parser("import", help="import orders, BOMs, routings, stock, people from "
                         ".xlsx or .csv")
    imp.add_argument("file")
    add_config_args(imp)

    add_digest_parser(sub)
    add_kf_link_parser(sub)

    db = sub.add_parser("db", help="database administration")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    up = db_sub.add_parser("upgrade", help="apply schema migrations")
    add_config_args(up)

    doctor = sub.add_parser("doctor", help="check what a deployment needs, one line per check")
    add_config_args(doctor)
    return parser


def cmd_parse(args: argparse.Namespace) -> int:
    from bot.parsing import parse_text

    try:
        tz = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(f"unknown time zone: {args.tz}") from None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            raise CliError(f"--now is not an ISO 8601 time: {args.now}") from None
        now = now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)
    else:
        now = datetime.now(tz)
    result = parse_text(" ".join(args.text), now, args.tz)
    print(json.dumps(result.to_contract_dict(), ensure_ascii=False))
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from bot.app import build_container

    if args.time_limit <= 0:
        raise CliError(f"gongdan plan: --time-limit must be more than 0, got {args.time_limit}")
    settings = command_settings(args.config, args.db,
                                overrides={"plan_time_limit": args.time_limit})

    async def run() -> int:
        container = await build_container(settings)
        try:
            outcome = await container.planner.replan("gongdan plan")
        finally:
            await container.close()
        v = outcome.version
        k = v.kpis
        print(f"plan version {v.number}: {k['orders']} open orders planned")
        print(f"orders late:         {k['orders_late']}  (on time {k['on_time_rate']:.1%})")
        print(f"weighted tardiness:  {k['weighted_tardiness']} weighted minutes")
        print(f"makespan:            {k['makespan_minutes']} minutes")
        print(f"solver status:       {v.status} ({v.method}, {k['solve_seconds']} s)")
        print(f"lower bound:         {v.lower_bound}")
        print(f"bottleneck:          {k['bottleneck'] or '-'}")
        if v.diff:
            print(f"moved since last plan: {v.diff.get('ops_moved', 0)} operations")
        return 0

    return asyncio.run(run())


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.app import migrate_database

    settings = command_settings(args.config, args.db)
    before, after = migrate_database(settings.db_url)
    where = _safe_url(settings.db_url)
    if before == after:
        print(f"database schema is up to date at {after} ({where})")
    else:
        print(f"database schema migrated from {before or 'empty'} to {after} ({where})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    from bot.app import build_container
    from bot.cli.importfile import read_file
    from core.importing.service import import_rows

    settings = command_settings(args.config, args.db)
    sheets = read_file(path)  # an unreadable file fails before the database is opened

    async def run() -> int:
        container = await build_container(settings)
        try:
            report = await import_rows(str(path), sheets, container.uow_factory, container.clock)
        finally:
            await container.close()
        if not report.ok:
            for err in report.errors:
                print(str(err), file=sys.stderr)
            raise CliError(f"{path}: {len(report.errors)} bad row(s); nothing was imported")
        print(report.summary())
        return 0

    return asyncio.run(run())


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.cli.serve import serve

    over: dict[str, object] = {"demo": True}
    if args.port is not None:
        if not 0 < args.port < 65536:
            raise CliError(f"gongdan demo: --port must be between 1 and 65535, got {args.port}")
        over["port"] = args.port
    if args.host is not None:
        over["host"] = args.host
    settings = command_settings(args.config, args.db, server=True, demo=True, overrides=over)
    serve(settings)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.cli.serve import serve

    settings = command_settings(args.config, args.db, server=True)
    serve(settings)
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


COMMANDS = {
    "parse": cmd_parse,
    "plan": cmd_plan,
    "import": cmd_import,
    "demo": cmd_demo,
    "serve": cmd_serve,
    "db": cmd_db_upgrade,
    "digest": cmd_digest,
    "doctor": cmd_doctor,
    "kf-link": cmd_kf_link,
}


def main(argv: Sequence[str] | None = None) -> int:
    configure("WARNING")  # until a command's settings say otherwise
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except CoreError as exc:
        print(f"gongdan: {exc}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError) as exc:
        print(f"gongdan: database or file unavailable: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line for the user, the trace in the log
        logging.getLogger("gongdan").debug("internal error", exc_info=True)
        print(f"gongdan: internal error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


if __name__ == "__main__":
    raise SystemExit(main())
