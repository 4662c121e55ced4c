"""Screenshots of the pages as people see them: `python -m bench.screens [--out screens]`.

Seeds the demo factory into a temporary SQLite database, serves the app on a
free loopback port, replans after one changed due date (so the plan pages
have a history to show), and has Debian's Chromium (driven by Playwright,
never a downloaded browser) take full-page screenshots of /, /plan and
/orders/{ref} at a 390×844 phone and a 1400×900 desktop, plus the order page
as a customer contact sees it through a signed link and /plan with a bar
tapped. Prints one JSON line: the files written and, per shot, whether the
page scrolls sideways.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.keys import container_key
from bot.settings import Settings
from core.model.parties import Role
from core.model.work_order import OrderStatus

CHROMIUM = Path(os.environ.get("GONGDAN_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-extensions", "--disable-background-networking"]
SIZES = {"phone": (390, 844), "desktop": (1400, 900)}


async def serve(db_url: str) -> tuple[web.AppRunner, str, web.Application]:
    settings = replace(Settings(), db_url=db_url, demo=True, plan_time_limit=2.0,
                       nightly_plan_time="")
    app = create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}", app


async def history(app: web.Application) -> tuple[str, str]:
    """Move one order's due date and replan, so the pages show more than one version.

    Returns (a running order's ref, the person id of its customer contact if any).
    """
    container = app[container_key]
    async with container.uow_factory() as uow:
        orders = await uow.orders.list(open_only=True)
        people = await uow.parties.people()
    contacts = {c: p.id for p in people if p.role is Role.CUSTOMER for c in p.customers}
    running = [o for o in orders if o.status is OrderStatus.IN_PROGRESS]
    pick = next((o for o in running if o.customer_code in contacts), running[0])
    async with container.uow_factory() as uow:
        order = await uow.orders.get(pick.ref)
        assert order is not None
        order.change_due_date(order.due_date - timedelta(days=3), "screens")
        await uow.orders.save(order)
        await uow.commit()
    await container.planner.replan(f"due date {pick.ref}")
    return pick.ref, contacts.get(pick.customer_code, "")


async def shoot(out: Path) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        runner, base, app = await serve(f"sqlite+aiosqlite:///{tmp}/screens.db")
        try:
            ref, contact = await history(app)
            pages = {"chat": "/", "plan": "/plan", "order": f"/orders/{ref}"}
            links = app[container_key].links
            if contact and links is not None:
                pages["order-customer"] = links.relative(f"/orders/{ref}", contact)
            result: dict[str, Any] = {"order": ref, "shots": {}}
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                try:
                    for size, (w, h) in SIZES.items():
                        context = await browser.new_context(
                            viewport={"width": w, "height": h}, has_touch=size == "phone",
                            is_mobile=size == "phone", timezone_id="UTC")
                        page = await context.new_page()
                        for name, path in pages.items():
                            await page.goto(base + path, wait_until="networkidle")
                            await page.wait_for_timeout(300)
                            wide = await page.evaluate(
                                "document.documentElement.scrollWidth - window.innerWidth")
                            file = out / f"{name}-{size}.png"
                            await page.screenshot(path=str(file), full_page=True)
                            result["shots"][file.name] = {"sideways_px": wide}
                            if name == "plan":  # a tapped bar: the panel over the chart
                                bar = (await page.evaluate("planGantt.bars()"))[0]
                                await page.mouse.click(bar["x"], bar["y"])
                                tapped = out / f"plan-tapped-{size}.png"
                                await page.screenshot(path=str(tapped))
                                result["shots"][tapped.name] = {"order": bar["ref"]}
                        await context.close()
                finally:
                    await browser.close()
        finally:
            await runner.cleanup()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screens", help="folder for the PNGs")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(shoot(Path(args.out))), ensure_ascii=False))


if __name__ == "__main__":
    main()
