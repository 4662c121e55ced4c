"""Running the server: `gongdan demo` and `gongdan serve`."""

from __future__ import annotations

import socket

from aiohttp import web

from bot.app import create_app
from bot.logging_setup import access_logger
from bot.settings import Settings

DEMO_BANNER = """\
Gongdan demo factory is running.
  web chat     {base}/        pick a person and type, e.g. "SO-31 数量改成500件"
  plan         {base}/plan         Gantt by work center, KPIs, plan history
  orders       {base}/api/orders
  people       {base}/api/people
  health       {base}/healthz
{lan}Try next:
  gongdan parse "SO-31 交期提前到下周三"
  gongdan plan --db {db}
Ctrl-C stops the server; the database {db} is kept and reused next time.
"""

ANY_ADDRESS = ("0.0.0.0", "::", "")


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, the outbound one first.

    The UDP "connect" sends nothing; it only asks the kernel which interface
    would be used, which is the address a phone on the same Wi-Fi can reach.
    """
    found: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        found.extend(str(info[4][0]) for info in infos)
    except OSError:
        pass
    return [a for i, a in enumerate(found) if not a.startswith("127.") and a not in found[:i]]


def banner_text(settings: Settings, lan: list[str] | None = None) -> str:
    db = (settings.db_url.split("///", 1)[-1] if settings.db_url.startswith("sqlite")
          else _hide_password(settings.db_url))
    everywhere = settings.host in ANY_ADDRESS
    host = "127.0.0.1" if everywhere else settings.host
    host = f"[{host}]" if ":" in host else host
    lan_lines = ""
    if everywhere:
        addresses = lan_addresses() if lan is None else lan
        lan_lines = "".join(f"  on your LAN  http://{a}:{settings.port}/   (phones on the same "
                            "network; the firewall must allow the port)\n" for a in addresses)
    return DEMO_BANNER.format(base=f"http://{host}:{settings.port}", db=db, lan=lan_lines)


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def print_banner(settings: Settings) -> None:
    print(banner_text(settings), flush=True)


def serve(settings: Settings) -> None:
    """Run until Ctrl-C; demo mode seeds and plans the demo factory first."""
    web.run_app(create_app(settings, banner=print_banner), host=settings.host or None,
                port=settings.port, print=None if settings.demo else print,
                access_log_class=access_logger(settings.trusted_proxies))
