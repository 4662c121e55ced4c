"""The pages in headless Chromium, at a 390×844 phone and a 1400×900 desktop.

Signed links open /plan and /orders/{ref} without any header, a tampered one
gets 403; neither page scrolls sideways; a tap on a Gantt bar reveals its
order; late bars are really drawn in red; the web chat greets before anyone
types, offers a customer no 报工, and shows a failed request.

Debian's chromium (/usr/bin/chromium) driven by Playwright's Python package;
skipped, with the reason, where either is missing.
"""

from __future__ import annotations

import importlib.util
import io
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.app import create_app
from bot.keys import container_key
from bot.pages.gantt import LATE_COLOUR
from bot.settings import Settings
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.helpers import FakeClock
from tests.integration.proactive.plan_app import NOW, plan_app, seeded_plans

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
SIZES = [(390, 844), (1400, 900)]
WIDE = "document.documentElement.scrollWidth - window.innerWidth"

pytestmark = [
    pytest.mark.slow,
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


async def _seeded_db(tmp_path: Path) -> tuple[str, list[str]]:
    from storage.engine import create_engine
    from storage.migrate import upgrade

    db_url = f"sqlite+aiosqlite:///{tmp_path}/plan.db"
    engine = create_engine(db_url)
    await upgrade(engine)
    try:
        late = await seeded_plans(SqlUnitOfWorkFactory(engine))
    finally:
        await engine.dispose()
    return db_url, late


async def _tap_a_bar(page: Any, phone: bool) -> str:
    """Tap (or click) the first bar drawn in the chart's window; return its order."""
    bars = await page.evaluate("planGantt.bars()")
    assert bars, "no bar drawn"
    chosen = bars[0]
    await page.evaluate(f"window.scrollTo(0, {chosen['y']} - 200)")
    bars = await page.evaluate("planGantt.bars()")
    chosen = next(b for b in bars if b["index"] == chosen["index"])
    if phone:
        await page.touchscreen.tap(chosen["x"], chosen["y"])
    else:
        await page.mouse.click(chosen["x"], chosen["y"])
    return str(chosen["ref"])


async def test_pages_in_chromium(aiohttp_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    db_url, late = await _seeded_db(tmp_path)
    server = await aiohttp_server(plan_app(db_url))
    links = server.app[container_key].links
    plan_link = links.relative("/plan", "sup.zhanggang", {"days": "60"})
    order_link = links.relative(f"/orders/{late[0]}", "sup.zhanggang")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for width, height in SIZES:
                phone = width < 600
                context = await browser.new_context(
                    viewport={"width": width, "height": height}, has_touch=phone,
                    is_mobile=phone, timezone_id="America/New_York",
                )
                page = await context.new_page()
                response = await page.goto(str(server.make_url(plan_link)))
                assert response is not None and response.status == 200
                await page.wait_for_function("window.planGantt !== undefined")
                assert await page.evaluate(WIDE) <= 0, f"/plan scrolls sideways at {width}px"
                assert await page.locator("#summary").inner_text() != ""
                # tap a bar: the panel names its order and links to its page
                ref = await _tap_a_bar(page, phone)
                info = page.locator("#bar-info")
                await info.wait_for(state="visible")
                assert await info.get_attribute("data-order") == ref
                assert ref in await info.inner_text()
                assert await page.evaluate(WIDE) <= 0
                await page.locator("#bar-info .x").click()
                # a link with ?order= shows that order's run; its late bars are red
                response = await page.goto(str(server.make_url(plan_link + f"&order={late[0]}")))
                assert response is not None and response.status == 200
                await page.wait_for_function("window.planGantt !== undefined")
                assert {b["ref"] for b in await page.evaluate("planGantt.bars()")} == {late[0]}
                assert await _tap_a_bar(page, phone) == late[0]
                await info.wait_for(state="visible")
                assert await page.locator("#bar-order-link").count() == 1
                if not phone:
                    await page.locator("#bar-info .x").click()
                    await page.evaluate("window.scrollTo(0, 0)")
                    shot = await page.locator("#gantt").screenshot()
                    near_late, saturated = coloured_pixels(shot)
                    assert near_late > 100, "late bars are not drawn in red"
                    await page.fill("#f-order", "")
                    await page.dispatch_event("#f-order", "change")
                    shot = await page.locator("#gantt").screenshot()
                    assert coloured_pixels(shot)[1] > 2000, "the other bars are not drawn"
                # filtering by order keeps only that order's bars
                await page.fill("#f-order", late[1])
                await page.dispatch_event("#f-order", "change")
                refs = {b["ref"] for b in await page.evaluate("planGantt.bars()")}
                assert refs == {late[1]}
                assert f"order={late[1]}" in page.url

                response = await page.goto(str(server.make_url(order_link)))
                assert response is not None and response.status == 200
                assert await page.evaluate(WIDE) <= 0, f"/orders scrolls sideways at {width}px"
                assert await page.locator("#steps li").count() >= 1
                await context.close()

            context = await browser.new_context()
            page = await context.new_page()
            tampered = await page.goto(str(server.make_url(plan_link.replace("sup.", "sux."))))
            assert tampered is not None and tampered.status == 403
            assert "SO-" not in await page.content()
            await context.close()
        finally:
            await browser.close()


async def test_chat_greets_in_chromium(aiohttp_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    db_url, _ = await _seeded_db(tmp_path)
    settings = replace(Settings(), db_url=db_url, demo=True, plan_time_limit=1.0)
    server = await aiohttp_server(create_app(settings, clock=FakeClock(NOW)))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
            )
            page = await context.new_page()
            await page.goto(str(server.make_url("/")))
            greeting = page.locator("#greeting")
            await greeting.wait_for(state="visible")
            assert "您好" in await greeting.inner_text()
            assert await page.locator("#greeting button.example").count() >= 2
            assert await page.evaluate(WIDE) <= 0, "the chat scrolls sideways at 390px"

            await page.select_option("#who", "cust.huangmin")
            customer = await page.locator("#greeting button.example").all_inner_texts()
            assert customer and not any("完成" in x or "报工" in x for x in customer)
            await page.select_option("#who", "op.zhangwei")
            operator = await page.locator("#greeting button.example").all_inner_texts()
            assert any("完成" in x for x in operator)

            await page.click("#lang")
            assert await page.locator("#send").inner_text() == "Send"
            await page.click("#lang")

            # a tapped example is sent, answered, and the send button is back
            await page.select_option("#who", "sup.zhanggang")
            await page.locator("#greeting button.example").first.click()
            await page.locator(".bot:not(#greeting):not(.typing)").first.wait_for(timeout=20000)
            assert await page.locator("#typing").count() == 0
            assert not await page.locator("#send").is_disabled()

            # a failed request is said, not swallowed
            await page.route("**/api/chat", lambda route: route.abort())
            await page.fill("#text", "哪些订单会延误")
            await page.click("#send")
            await page.locator(".bot.err").wait_for(timeout=5000)
            assert "网络" in await page.locator(".bot.err").inner_text()
            await context.close()
        finally:
            await browser.close()
