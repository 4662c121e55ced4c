"""Signed page links: open without headers, scoped to a person, 403 when bad; the order page."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.keys import container_key
from bot.pages.links import LinkRejected, LinkSigner, load_secret
from bot.settings import Settings
from core.model.parties import Person, Role
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.proactive.helpers import FakeClock, open_orders
from tests.integration.proactive.plan_app import NOW, TOKEN, plan_app, seeded_plans
from tests.integration.proactive.test_plan_page import plan_data

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def signer(clock: FakeClock | None = None) -> LinkSigner:
    return LinkSigner(b"k" * 32, "https://f.example", timedelta(days=7), clock or FakeClock(NOW))


def test_a_link_verifies_only_as_made() -> None:
    s = signer()
    url = s.url("/orders/SO-1", "sales.a", {"lang": "en"})
    assert url.startswith("https://f.example/orders/SO-1?lang=en&u=sales.a&exp=")
    q = s.signed_query("/orders/SO-1", "sales.a")
    assert s.verify("/orders/SO-1", q) == "sales.a"
    with pytest.raises(LinkRejected):
        s.verify("/orders/SO-2", q)  # another order
    with pytest.raises(LinkRejected):
        s.verify("/orders/SO-1", {**q, "u": "admin.x"})  # another person
    with pytest.raises(LinkRejected):
        s.verify("/orders/SO-1", {**q, "exp": str(int(q["exp"]) + 3600)})  # longer life
    with pytest.raises(LinkRejected):
        flipped = q["sig"][:-1] + ("A" if q["sig"][-1] != "A" else "B")
        s.verify("/orders/SO-1", {**q, "sig": flipped})
    with pytest.raises(LinkRejected):
        s.verify("/orders/SO-1", {"u": "sales.a"})
    other = LinkSigner(b"x" * 32, "", timedelta(days=7), FakeClock(NOW))
    with pytest.raises(LinkRejected):
        other.verify("/orders/SO-1", q)  # another server's secret
    late = FakeClock(NOW)
    s2 = signer(late)
    q2 = s2.signed_query("/plan", "sales.a")
    late.advance(days=7, seconds=1)
    with pytest.raises(LinkRejected):
        s2.verify("/plan", q2)


async def test_the_secret_is_kept_in_the_database(uow_factory: SqlUnitOfWorkFactory) -> None:
    clock = FakeClock(NOW)
    first = await load_secret(Settings(), uow_factory, clock)
    assert len(first) >= 64 and await load_secret(Settings(), uow_factory, clock) == first
    mine = replace(Settings(), link_secret="mine")
    assert await load_secret(mine, uow_factory, clock) == b"mine"


async def _contact(uow_factory: SqlUnitOfWorkFactory, refs: set[str]) -> tuple[Person, str, str]:
    """A customer contact with an order in the plan, that order and another customer's order."""
    async with uow_factory() as uow:
        people = await uow.parties.people()
    orders = [o for o in await open_orders(uow_factory) if o.ref in refs]
    for p in people:
        if p.role is Role.CUSTOMER:
            own = [o for o in orders if o.customer_code in p.customers]
            other = [o for o in orders if o.customer_code not in p.customers]
            if own and other:
                return p, own[0].ref, other[0].ref
    raise AssertionError("no customer contact with an order in the plan")


async def test_signed_links_open_pages_for_their_person(  # type: ignore[no-untyped-def]
    aiohttp_client, db_url: str, uow_factory: SqlUnitOfWorkFactory
) -> None:
    late = await seeded_plans(uow_factory)
    client: TestClient[Any, Any] = await aiohttp_client(plan_app(db_url))
    links = client.server.app[container_key].links
    assert links is not None
    async with uow_factory() as uow:
        boss = await uow.parties.person("sup.zhanggang")
        planned = set((await uow.plans.latest()).etas)  # type: ignore[union-attr]
    assert boss is not None
    assert links.plan_link(boss).startswith("http://127.0.0.1:8080/plan?u=sup.zhanggang&exp=")

    # a supervisor's link: the whole shop, without any header
    staff = await client.get(links.relative("/plan", boss.id))
    assert staff.status == 200
    html = await staff.text()
    assert 'id="kpis"' in html and set(late) <= set(plan_data(html)["orders"])
    # the links on the page are signed for the same person
    assert f"/orders/{late[0]}?u=sup.zhanggang&amp;exp=" in html

    # tampered, expired, or naming nobody: 403 and no data
    good = links.relative("/plan", boss.id)
    for bad in (good.replace("sup.zhanggang", "admin.tanbo"), good[:-2] + "xx",
                good.replace("exp=", "exp=1"), "/plan?u=sup.zhanggang&sig=x",
                links.relative("/plan", "nobody")):
        response = await client.get(bad)
        body = await response.text()
        assert response.status == 403, bad
        assert "SO-" not in body and "plan-data" not in body
    # a bad signature is refused even with the admin token: it never turns into an admin view
    assert (await client.get(good[:-2] + "xx", headers=AUTH)).status == 403

    # a customer contact: only their own orders, none of the shop's numbers
    contact, own, foreign = await _contact(uow_factory, planned)
    mine = await client.get(links.relative("/plan", contact.id))
    html = await mine.text()
    data = plan_data(html)
    assert mine.status == 200 and own in data["orders"] and foreign not in data["orders"]
    assert {o["customerCode"] for o in data["orders"].values()} <= set(contact.customers)
    assert 'id="kpis"' not in html and 'id="history"' not in html and "FEASIBLE" not in html
    assert data["customers"] is None and data["trend"] is None
    page = await client.get(links.relative(f"/orders/{own}", contact.id))
    text = await page.text()
    assert page.status == 200 and own in text and 'id="steps"' in text
    for internal in ('id="changes"', 'id="materials"', "内部备注", 'class="note">电子', "v2"):
        assert internal not in text
    # the order link of another customer's order, validly signed for this contact: no data
    stranger = await client.get(links.relative(f"/orders/{foreign}", contact.id))
    assert stranger.status == 404 and foreign in await stranger.text()
    # a link for one order does not open another
    moved = links.relative(f"/orders/{own}", contact.id).replace(own, foreign)
    assert (await client.get(moved)).status == 403

    # an expired link
    client.server.app[container_key].clock.advance(days=8)  # type: ignore[attr-defined]
    assert (await client.get(good)).status == 403


async def test_order_page_for_staff(  # type: ignore[no-untyped-def]
    aiohttp_client, db_url: str, uow_factory: SqlUnitOfWorkFactory
) -> None:
    late = await seeded_plans(uow_factory)
    client: TestClient[Any, Any] = await aiohttp_client(plan_app(db_url))
    assert (await client.get(f"/orders/{late[0]}")).status == 401
    response = await client.get(f"/orders/{late[0]}", headers=AUTH)
    html = await response.text()
    assert response.status == 200
    assert 'id="status-word"' in html and "预计延误" in html
    assert "in_progress" not in html and "released" not in html  # words, not enums
    assert 'id="steps"' in html and 'id="changes"' in html and 'id="materials"' in html
    # the promised date's history: v1 on time, v2 five hours later on the same day
    promise = html[html.index('id="promise"'):]
    assert "v2" in promise and "v1" in promise and "首次排产" in promise
    english = await (await client.get(f"/orders/{late[0]}?lang=en", headers=AUTH)).text()
    assert "Steps" in english and "expected" in english
    missing = await client.get("/orders/SO-NOPE", headers=AUTH)
    assert missing.status == 404


async def test_digest_and_progress_answer_carry_signed_links(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    from core.services.proactive import ProactiveConfig, build_digest
    from core.services.progress import order_progress

    late = await seeded_plans(uow_factory)
    clock = FakeClock(NOW)
    links = signer(clock)
    messages = await build_digest("supervisor", uow_factory, clock, ProactiveConfig(links=links))
    assert messages
    for m in messages:
        text = m.reply.text
        assert f"https://f.example/plan?u={m.person.id}&exp=" in text
        assert "交期承诺兑现率" in text or "Promise-kept rate" in text
        url = text.rsplit("：", 1)[-1].rsplit(": ", 1)[-1].strip()
        query = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))
        assert links.verify("/plan", query) == m.person.id
    async with uow_factory() as uow:
        boss = await uow.parties.person("sup.zhanggang")
        assert boss is not None
        answer = await order_progress(uow, boss, late[0], "zh", "Asia/Shanghai", links.order_link)
    assert answer.lines[-1].startswith(f"详情：https://f.example/orders/{late[0]}?u=sup.zhanggang")


async def test_delay_alerts_carry_each_recipients_order_link(  # type: ignore[no-untyped-def]
    engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    from core.messages import reply_from_payload
    from core.services.proactive import ProactiveConfig, check_delays
    from tests.integration.proactive.helpers import outbox_rows

    late = await seeded_plans(uow_factory)
    clock = FakeClock(NOW)
    await check_delays(uow_factory, clock, ProactiveConfig(links=signer(clock)))
    rows = await outbox_rows(engine, "alert:")
    assert rows
    for row in rows:
        text = reply_from_payload(row["payload"]).text
        assert any(f"https://f.example/orders/{ref}?u=" in text for ref in late)
