"""GET /static/{name}: the page scripts shipped in the package (Apache ECharts, ours), no CDN.

A factory network or a phone behind the Great Firewall may not reach a CDN,
so the chart library is vendored under bot/pages/static/ (with its licence)
and served from here: gzipped once in memory (1.1 MB becomes about 370 kB
on a phone), cached by the browser for a week and revalidated by ETag.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
ECHARTS_VERSION = "6.1.0"  # of the vendored dist/echarts.min.js; part of its URL to bust caches
ECHARTS_URL = f"/static/echarts.min.js?v={ECHARTS_VERSION}"
SERVED = {"echarts.min.js": "application/javascript", "pages.js": "application/javascript"}
MAX_AGE = 7 * 24 * 3600


@functools.cache
def _asset(name: str) -> tuple[bytes, bytes, str]:
    """(raw, gzipped, etag) of one file, read once per process."""
    raw = (STATIC_DIR / name).read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0), hashlib.sha256(raw).hexdigest()[:16]


def script_url(name: str) -> str:
    """The URL of a served file with its content hash, so a new release is fetched anew."""
    return f"/static/{name}?v={_asset(name)[2]}"


async def static_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in SERVED:
        raise web.HTTPNotFound()
    raw, packed, etag = _asset(name)
    headers = {"Cache-Control": f"public, max-age={MAX_AGE}", "ETag": f'"{etag}"',
               "Vary": "Accept-Encoding"}
    if request.headers.get("If-None-Match") == f'"{etag}"':
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return web.Response(body=packed, content_type=SERVED[name], headers=headers)
    return web.Response(body=raw, content_type=SERVED[name], headers=headers)


def setup_static(app: web.Application) -> None:
    app.router.add_get("/static/{name}", static_file)
