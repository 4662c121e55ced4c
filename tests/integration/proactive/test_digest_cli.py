"""`gongdan digest` through the hooks bot/cli.py wires in: dry run on a seeded demo database."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.digest import add_digest_parser, cmd_digest
from bot.cli.main import CliError, _Parser
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import outbox
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.plan_app import seeded_plans


def parse(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="gongdan")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_digest_parser(sub)
    return parser.parse_args(argv)


async def _seed(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await seeded_plans(SqlUnitOfWorkFactory(engine))
    finally:
        await engine.dispose()


async def _queued(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int(
                (
                    await conn.execute(
                        select(func.count())
                        .select_from(outbox)
                        .where(outbox.c.dedupe_key.like("digest:%"))
                    )
                ).scalar()
                or 0
            )
    finally:
        await engine.dispose()


@pytest.fixture
def demo_db(tmp_path: Path) -> str:
    path = tmp_path / "demo.db"
    asyncio.run(_seed(f"sqlite+aiosqlite:///{path}"))
    return str(path)


def test_dry_run_prints_and_queues_nothing(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_digest(parse(["digest", "--role", "supervisor", "--db", demo_db, "--dry-run"])) == 0
    out = capsys.readouterr().out
    assert "生产日报" in out and "准时率" in out and "[Gantt image: PNG" in out
    assert out.rstrip().endswith("would queue 2 supervisor digest message(s)")
    assert asyncio.run(_queued(f"sqlite+aiosqlite:///{demo_db}")) == 0


def test_sales_and_customer_roles_and_queueing(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_digest(parse(["digest", "--role", "sales", "--db", demo_db, "--dry-run"])) == 0
    assert "客户订单风险" in capsys.readouterr().out
    assert cmd_digest(parse(["digest", "--role", "customer", "--db", demo_db])) == 0
    out = capsys.readouterr().out
    assert "订单周报" in out and "queued" in out
    assert asyncio.run(_queued(f"sqlite+aiosqlite:///{demo_db}")) > 0


def test_a_bad_role_is_one_line_on_stderr(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_digest(parse(["digest", "--role", "boss", "--db", demo_db])) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "boss" in err
    with pytest.raises(CliError):
        parse(["digest", "--db", demo_db])  # --role is required
