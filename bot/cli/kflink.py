"""`gongdan kf-link CUSTOMER_CODE [--config FILE] [--db URL]`: print a customer's binding link.

A salesperson passes the link to the customer's contact; opening it in WeChat
starts a 微信客服 session that binds their WeChat to CUSTOMER_CODE (see
bot.channels.wecom_kf.links). Salespeople ask the bot for it in chat (the
`kf_link` intent); an administrator makes links here. Mistakes are one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.settings import Settings


def add_kf_link_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "kf-link", help="print a customer's 微信客服 binding link (signed, expiring)")
    parser.add_argument("customer", metavar="CUSTOMER_CODE")
    parser.add_argument("--config", metavar="FILE",
                        help="TOML configuration file; GONGDAN_* environment variables win")
    parser.add_argument("--db", metavar="URL", help="database URL or SQLite file")
    return parser


def cmd_kf_link(args: argparse.Namespace) -> int:
    from bot.cli.config import command_settings

    settings = command_settings(args.config, args.db)
    from bot.channels.wecom.client import WeComApiError, WeComTransportError
    from bot.channels.wecom_kf.links import LinkRefused

    try:
        url = asyncio.run(kf_link(settings, args.customer))
    except LinkRefused as exc:
        print(f"gongdan kf-link: {exc}", file=sys.stderr)
        return 2
    except (WeComApiError, WeComTransportError) as exc:
        print(f"gongdan kf-link: WeCom did not give the kf account's link: {exc}",
              file=sys.stderr)
        return 1
    print(url)
    return 0


async def kf_link(settings: Settings, customer_code: str) -> str:
    """The link, made with the configured kf account against the configured database."""
    import aiohttp

    from bot.app import build_container
    from bot.channels.wecom_kf.links import KfLinks

    KfLinks.check_settings(settings)  # before a database file is created for nothing
    container = await build_container(settings)
    try:
        async with aiohttp.ClientSession() as session:
            links = KfLinks.build(session, settings, container.uow_factory, container.clock)
            return await links.link_for(customer_code)
    finally:
        await container.close()
