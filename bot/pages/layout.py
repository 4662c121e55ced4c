"""What the server-rendered pages share: the phone-first style, local times, words, JSON.

Every page is read first on a 390-px phone opened from a chat link, so the
style never lets the page itself scroll sideways: tables sit in their own
scrolling frames and long words wrap. Every time is the factory's
(`GONGDAN_TZ`), whatever the phone's own zone is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from core.i18n import render

STYLE = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",
 sans-serif;margin:0;color:#1f2328;background:#f6f7f9;line-height:1.45;overflow-wrap:anywhere}
main{max-width:1180px;margin:0 auto;padding:12px}
h1{font-size:19px;margin:4px 0 2px} h2{font-size:16px;margin:22px 0 8px}
.sub{color:#57606a;font-size:13px;margin:0 0 10px}
a{color:#0b62d6}
.card{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:10px 12px;margin:8px 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:13px;background:#fff}
td,th{border-bottom:1px solid #eaecef;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6;font-weight:600;white-space:nowrap}
.late,.bad{color:#b42318;font-weight:600} .ok{color:#1a7f37;font-weight:600}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}
.tile{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:8px 10px}
.tile b{display:block;font-size:22px} .tile span{color:#57606a;font-size:12px}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;
 background:#eef2f6;color:#1f2328}
.badge.late{background:#fde8e8} .badge.ok{background:#e6f4ea}
details{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:8px 12px;margin:8px 0}
summary{cursor:pointer;color:#57606a}
.langs{float:right;font-size:13px} .langs a{margin-left:8px}
.note{color:#57606a;font-size:12px}
td.t,th{white-space:nowrap}
ul.orders{list-style:none;padding:0;margin:0} ul.orders li{margin:6px 0}
ul.orders li.is-late{border-left:4px solid #e15759}
"""

TEXTS = {
    "switch_lang": {"zh": "English", "en": "中文"},
}


def other_lang(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def head(title: str, lang: str, extra: str = "") -> str:
    return (
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style>{extra}</head><body><main>"
    )


def lang_switch(lang: str, href: str) -> str:
    """A link to the same page in the other language (`href` already carries `lang=`)."""
    label = render(TEXTS, "switch_lang", lang)
    return f'<nav class="langs"><a id="lang-switch" href="{escape(href)}">{label}</a></nav>'


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def short(at: datetime | None, tz: str) -> str:
    """'12-06 10:14' in the factory's zone: the form chat messages use too."""
    return local(at, tz).strftime("%m-%d %H:%M") if at is not None else "-"


def wall_ms(at: datetime, tz: str) -> int:
    """Milliseconds of the local wall-clock time read as if it were UTC.

    The charts run with ECharts' `useUTC`, so axis labels show exactly the
    factory's clock whatever zone the phone is set to.
    """
    return int(local(at, tz).replace(tzinfo=UTC).timestamp() * 1000)


def json_script(element_id: str, data: Any) -> str:
    """Data for the page's script; '<' escaped so no string can close the tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
