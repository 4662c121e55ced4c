"""Running the server: `gongdan demo` and `gongdan serve`."""

from __future__ import annotations

from aiohttp import web

from bot.app import create_app
from bot.settings import Settings

DEMO_BANNER = """\
Gongdan demo factory is running.
  web chat     http://{host}:{port}/        pick a person and type, e.g. "SO-31 数量改成500件"
  plan         http://{host}:{port}/plan         Gantt by work center, KPIs, plan history
  orders       http://{host}:{port}/api/orders
  people       http://{host}:{port}/api/people
  health       http://{host}:{port}/healthz
Try next:
  gongdan parse "SO-31 交期提前到下周三"
  gongdan plan --db {db}
Ctrl-C stops the server; the database {db} is kept and reused next time.
"""


def print_banner(settings: Settings) -> None:
    db = settings.db_url.split("///", 1)[-1]
    print(DEMO_BANNER.format(host=settings.host, port=settings.port, db=db), flush=True)


def serve(settings: Settings) -> None:
    """Run until Ctrl-C; demo mode seeds and plans the demo factory first."""
    web.run_app(create_app(settings, banner=print_banner), host=settings.host,
                port=settings.port, print=None if settings.demo else print)
