"""The digest's Gantt PNG: drawn off the event loop, late orders in red."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

from bot.pages import gantt
from core.model.work_order import OperationProgress, OrderStatus, WorkOrder
from tests.e2e.test_plan_browser import coloured_pixels
from tests.integration.proactive.helpers import ZONE, make_plan

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)


def orders() -> list[WorkOrder]:
    return [
        WorkOrder(
            f"SO-{i}",
            "C01",
            "P",
            5,
            NOW.date().replace(day=24 + i % 3),
            status=OrderStatus.RELEASED,
            operations=[
                OperationProgress(1, "开料", "CUT", machine="电子开料锯1号"),
                OperationProgress(2, "喷粉", "POWDER", machine="静电喷粉线"),
            ],
        )
        for i in range(6)
    ]


async def test_png_is_rendered_in_a_thread_with_late_bars_red() -> None:
    plan = make_plan(3, orders(), NOW, {"SO-1": 240}, op_hours=5)
    png = await gantt.render_png_async(plan, NOW, 5, "Asia/Shanghai")
    assert png.startswith(b"\x89PNG")
    near_late, saturated = coloured_pixels(png)
    assert near_late > 200 and saturated > near_late


def test_window_rows_and_midnights() -> None:
    plan = make_plan(3, orders(), NOW, {}, op_hours=5)
    win = gantt.window(plan, NOW, 3, "Asia/Shanghai")
    assert win.rows == ("CUT / 电子开料锯1号", "POWDER / 静电喷粉线")
    assert gantt.ascii_labels(win.rows) == ["CUT-1", "POWDER-1"]
    assert [label for _, label in gantt.midnights(win)] == ["11-24", "11-25", "11-26"]
    assert gantt.midnights(win)[0][0] == 15.0  # 09:00 to midnight


def test_importing_the_module_does_not_load_matplotlib() -> None:
    code = "import sys, bot.pages.gantt, bot.jobs.proactive; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # the server starts without paying for it
