"""The Gantt picture of a plan version for chat digests (a PNG; /plan draws its own with ECharts).

The PNG uses matplotlib's object API on an Agg canvas (no pyplot, so no global
figure state and safe in a worker thread); matplotlib is imported inside the
function so that the server starts without paying for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.model.plan import PlannedOperation, PlanVersion

PALETTE = (
    "#4e79a7",
    "#59a14f",
    "#9c755f",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#86bcb6",
    "#8cd17d",
    "#499894",
)
LATE_COLOUR = "#e15759"
LATE_EDGE = "#8b0000"


@dataclass(frozen=True, slots=True)
class Bar:
    row: int
    op: PlannedOperation
    start_h: float  # hours from the window start
    end_h: float
    late: bool


@dataclass(frozen=True, slots=True)
class Window:
    rows: tuple[str, ...]  # "WC / machine" labels, grouped by work center
    bars: tuple[Bar, ...]
    start: datetime
    hours: float


def late_orders(plan: PlanVersion) -> set[str]:
    return {ref for ref, eta in plan.etas.items() if eta.late}


def window(plan: PlanVersion, start: datetime, days: float, tz: str) -> Window:
    """The operations overlapping [start, start + days), one row per machine."""
    zone = ZoneInfo(tz)
    start = start.astimezone(zone)
    end = start + timedelta(days=days)
    ops = [op for op in plan.operations if op.end > start and op.start < end]
    rows = sorted({(op.work_center, op.machine or op.work_center) for op in ops})
    index = {r: i for i, r in enumerate(rows)}
    late = late_orders(plan)
    bars = tuple(
        Bar(
            index[(op.work_center, op.machine or op.work_center)],
            op,
            max(0.0, (op.start - start).total_seconds() / 3600),
            min(days * 24, (op.end - start).total_seconds() / 3600),
            op.order_ref in late,
        )
        for op in ops
    )
    labels = tuple(f"{wc} / {m}" if m != wc else wc for wc, m in rows)
    return Window(labels, bars, start, days * 24)


def midnights(win: Window) -> list[tuple[float, str]]:
    """(hours from the window start, "MM-DD") for each local midnight in the window."""
    first = (win.start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    day = first
    while (h := (day - win.start).total_seconds() / 3600) <= win.hours:
        out.append((h, day.strftime("%m-%d")))
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)  # safe across DST
    return out


def colour(ref: str) -> str:
    return PALETTE[sum(ref.encode()) % len(PALETTE)]


# PNG ------------------------------------------------------------------------------


def render_png(
    plan: PlanVersion, start: datetime, days: float = 5, tz: str = "Asia/Shanghai", dpi: int = 100
) -> bytes:
    """A PNG Gantt of the next `days` days; blocking: call it through `render_png_async`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    win = window(plan, start, days, tz)
    font = cjk_font()
    labels = list(win.rows) if font else ascii_labels(win.rows)
    height = max(2.5, 0.32 * len(win.rows) + 1.4)
    fig = Figure(figsize=(12, height), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    bars = win.bars
    if bars:  # one call for all bars: a call per bar costs seconds on a busy shop
        ax.barh(
            [b.row for b in bars],
            [b.end_h - b.start_h for b in bars],
            left=[b.start_h for b in bars],
            height=0.7,
            color=[LATE_COLOUR if b.late else colour(b.op.order_ref) for b in bars],
            edgecolor=[LATE_EDGE if b.late else "white" for b in bars],
            linewidth=0.8,
        )
    ax.set_yticks(
        range(len(win.rows)), labels=labels, fontsize=7, fontfamily=font or "DejaVu Sans"
    )
    ax.invert_yaxis()
    ax.set_xlim(0, win.hours)
    ticks = midnights(win)
    ax.set_xticks([h for h, _ in ticks], labels=[label for _, label in ticks], fontsize=8)
    ax.grid(axis="x", linestyle=":", linewidth=0.6)
    ax.set_title(f"Plan v{plan.number}  {win.start:%Y-%m-%d %H:%M}  +{days:g}d", fontsize=9)
    ax.legend(
        handles=[Patch(color=LATE_COLOUR, label="late order")], loc="upper right", fontsize=7
    )
    buf = io.BytesIO()
    with warnings.catch_warnings():  # a glyph missing from a font is not worth failing for
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.tight_layout()
        fig.savefig(buf, format="png")
    return buf.getvalue()


CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)


@functools.cache
def cjk_font() -> str | None:
    """A font family that has Chinese glyphs, if the machine has one (fonts-noto-cjk).

    matplotlib lists fonts from a cache it writes once per user and never
    refreshes, so fonts installed after the first run (`apt-get install
    fonts-noto-cjk` after a first start, as the deployment guide's doctor asks)
    stay invisible. When no CJK family is cached, the system's font files that
    the cache does not know are added before giving up.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    found = _first_cjk(manager)
    if found is None:
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                with contextlib.suppress(Exception):  # a file FreeType cannot read
                    manager.addfont(path)
        found = _first_cjk(manager)
    return found


def _first_cjk(manager: Any) -> str | None:
    installed = {f.name for f in manager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)


def ascii_labels(rows: Sequence[str]) -> list[str]:
    """'CUT / 电子开料锯1号' -> 'CUT-1' when no font can draw the machine's name."""
    out: list[str] = []
    count: dict[str, int] = {}
    for row in rows:
        center = row.split(" / ", 1)[0]
        count[center] = count.get(center, 0) + 1
        name = row.split(" / ", 1)[-1]
        out.append(row if name.isascii() else f"{center}-{count[center]}")
    return out


async def render_png_async(
    plan: PlanVersion, start: datetime, days: float = 5, tz: str = "Asia/Shanghai"
) -> bytes:
    """matplotlib takes tens of milliseconds to seconds: never on the event loop."""
    return await asyncio.to_thread(render_png, plan, start, days, tz)
