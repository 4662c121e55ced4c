"""`gongdan digest --role ROLE [--config FILE] [--db URL] [--dry-run]`: print, or queue too.

Wired into bot/cli.py with `add_digest_parser(sub)` and COMMANDS["digest"] = cmd_digest.
A bad role is one line on stderr and exit 2, like every other CLI mistake.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.cli.config import add_config_args, command_settings
from bot.settings import Settings
from core.digest import ROLES
from core.model.plan import PlanVersion
from core.services.proactive import DigestMessage, ProactiveConfig, build_digest, send_digest


def add_digest_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `digest` on the CLI's subparsers (they raise instead of printing usage)."""
    digest: argparse.ArgumentParser = subparsers.add_parser(
        "digest", help="print a role's daily digest (and queue it)"
    )
    digest.add_argument("--role", required=True, help=f"one of: {', '.join(ROLES)}")
    add_config_args(digest)
    digest.add_argument("--dry-run", action="store_true", help="print only; queue nothing")
    return digest


def cmd_digest(args: argparse.Namespace) -> int:
    if args.role not in ROLES:
        print(
            f"gongdan digest: unknown role {args.role!r}; use one of: {', '.join(ROLES)}",
            file=sys.stderr,
        )
        return 2
    settings = command_settings(args.config, args.db)
    return asyncio.run(_run(args.role, settings, args.dry_run))


async def _run(role: str, settings: Settings, dry_run: bool) -> int:
    from bot.app import build_container
    from bot.jobs.proactive import config_from

    container = await build_container(settings)
    try:
        async with container.uow_factory() as uow:
            has_plan = await uow.plans.latest() is not None
        if not has_plan:  # a digest without a plan would say nothing about dates
            await container.planner.replan("digest")
        config = replace(config_from(settings), links=container.links)
        build = build_digest if dry_run else send_digest
        messages = await build(
            role, container.uow_factory, container.clock, config, _gantt(config)
        )
    finally:
        await container.close()
    _print(messages, role, dry_run)
    return 0


def _gantt(config: ProactiveConfig) -> Any:
    async def render(plan: PlanVersion, now: datetime) -> bytes:
        from bot.pages.gantt import render_png_async

        return await render_png_async(plan, max(plan.epoch, now), config.gantt_days, config.tz)

    return render


def _print(messages: list[DigestMessage], role: str, dry_run: bool) -> None:
    if not messages:
        print(f"no {role} digest recipients")
        return
    for m in messages:
        print(f"===== {m.person.name} ({m.person.id}, {m.person.role.value}) =====")
        print(m.reply.text)
        if m.reply.image_png:
            print(f"[Gantt image: PNG, {len(m.reply.image_png)} bytes]")
        print()
    verb = "would queue" if dry_run else "queued"
    print(f"{verb} {len(messages)} {role} digest message(s)")
