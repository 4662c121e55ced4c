"""The plan page in headless Chromium: the Gantt bars are really drawn, late ones in red.

Debian's chromium (/usr/bin/chromium) driven by Playwright's Python package;
skipped, with the reason, where either is missing.
"""

from __future__ import annotations

import importlib.util
import io
import os
from pathlib import Path

import numpy as np
import pytest

from bot.pages.gantt import LATE_COLOUR
from storage.uow import SqlUnitOfWorkFactory
from tests.proactive.plan_app import TOKEN, plan_app, seeded_plans

CHROMIUM = Path(os.environ.get("GONGDAN_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-extensions",
]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} missing: apt-get install chromium"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright missing: pip install playwright (no browser download needed)",
    ),
]


def coloured_pixels(png: bytes) -> tuple[int, int]:
    """(pixels close to the late colour, saturated pixels of any colour) in a screenshot."""
    from matplotlib import image

    rgb = image.imread(io.BytesIO(png), format="png")[..., :3] * 255.0
    late = np.array([int(LATE_COLOUR[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    near_late = int((np.abs(rgb - late).max(axis=-1) < 24).sum())
    saturated = int((rgb.max(axis=-1) - rgb.min(axis=-1) > 40).sum())
    return near_late, saturated


async def test_plan_page_in_chromium(aiohttp_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    from storage.engine import create_engine
    from storage.migrate import upgrade

    db_url = f"sqlite+aiosqlite:///{tmp_path}/plan.db"
    engine = create_engine(db_url)
    await upgrade(engine)
    try:
        late = await seeded_plans(SqlUnitOfWorkFactory(engine))
    finally:
        await engine.dispose()
    server = await aiohttp_server(plan_app(db_url))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 900},
                extra_http_headers={"Authorization": f"Bearer {TOKEN}"},
            )
            page = await context.new_page()
            response = await page.goto(str(server.make_url("/plan?days=60")))
            assert response is not None and response.status == 200
            assert await page.locator("#gantt rect.bar").count() >= 12
            late_refs = await page.locator("#gantt rect.bar.late").evaluate_all(
                "els => els.map(e => e.dataset.order)"
            )
            assert set(late_refs) == set(late)
            box = await page.locator("#gantt rect.bar.late").first.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0
            shot = await page.locator("#gantt").screenshot()
            (tmp_path / "gantt.png").write_bytes(shot)
        finally:
            await browser.close()
    near_late, saturated = coloured_pixels(shot)
    assert near_late > 100, "late bars are not drawn in red"
    assert saturated > near_late + 500, "the other bars are not drawn"
