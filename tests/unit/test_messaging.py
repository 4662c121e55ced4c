"""The seams of a message's path: typed commands, the bus, the intent table, the wording."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.conversation.commands import to_core
from bot.conversation.replies.cards import understood_lines
from bot.conversation.router import Router, Turn, button_command
from bot.parsing import Change, Command, Intent
from core import commands as core
from core.change_control.assess import AssessedPlans
from core.errors import ValidationError
from core.events import PlanRevised
from core.messagebus import MessageBus
from core.messages import Reply
from core.model.parties import Person, Role
from core.notices import BeforeAfter

PERSON = Person("sales.wangfang", "王芳", Role.SALES)
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


def test_change_item_keeps_the_contract_shape() -> None:
    item = core.ChangeItem("quantity", 150, unit="件")
    assert item.to_dict() == {"field": "quantity", "value": 150, "unit": "件"}
    assert core.ChangeItem.from_dict(item.to_dict()) == item
    cmd = core.RequestChange("u", "SO-31", (item,), "SO-31 数量改成150件")
    assert cmd.contract_dict() == {
        "intent": "change",
        "order": "SO-31",
        "changes": [item.to_dict()],
    }
    assert core.change_command_from_contract(cmd.contract_dict(), "u", cmd.raw_text) == cmd
    cancel = core.CancelOrder("u", "SO-31", "取消 SO-31")
    assert (
        core.change_command_from_contract(cancel.contract_dict(), "u", cancel.raw_text) == cancel
    )


def test_the_parsers_command_becomes_the_cores_typed_command() -> None:
    parsed = Command(
        Intent.WHAT_IF, "SO-31", (Change("spec", "胡桃木", key="color", canonical="胡桃木色"),)
    )
    typed = to_core(parsed, "u", "如果SO-31换胡桃木")
    assert typed == core.RequestChange(
        "u",
        "SO-31",
        (core.ChangeItem("spec", "胡桃木", key="color", canonical="胡桃木色"),),
        "如果SO-31换胡桃木",
        what_if=True,
    )
    assert isinstance(typed, core.RequestChange)
    assert typed.contract_dict() == parsed.to_contract_dict()
    assert to_core(Command(Intent.DENY, ref="CR-3"), "boss") == core.Decide(
        "boss", "CR-3", approve=False
    )
    assert to_core(Command(Intent.HELP), "u") is None


async def test_bus_routes_commands_and_survives_a_failing_event_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = MessageBus()
    seen: list[object] = []

    async def confirm(command: core.Confirm) -> str:
        return f"confirmed {command.cr_ref}"

    async def broken(event: PlanRevised) -> None:
        raise RuntimeError("metrics down")

    async def record(event: PlanRevised) -> None:
        seen.append(event)

    bus.register({core.Confirm: confirm})
    bus.subscribe(PlanRevised, broken)
    bus.subscribe(PlanRevised, record)
    assert await bus.handle(core.Confirm("u", "CR-1")) == "confirmed CR-1"
    event = PlanRevised(7, "test", "FEASIBLE", "repair", 0.1)
    await bus.publish(event)
    assert seen == [event] and "metrics down" in caplog.text
    with pytest.raises(LookupError):
        await bus.handle(core.Reject("u"))


async def test_router_sends_buttons_and_text_the_same_way_and_words_core_errors() -> None:
    calls: list[Command] = []

    async def decide(turn: Turn) -> list[Reply]:
        calls.append(turn.command)
        if turn.command.ref == "CR-9":
            raise ValidationError("SO-1: quantity below what is made")
        return [Reply("text", "ok")]

    async def fallback(turn: Turn) -> list[Reply]:
        return [Reply("text", "?")]

    router = Router(fallback)
    router.add(decide, Intent.CONFIRM, Intent.APPROVE)
    button = button_command("confirm:CR-12")
    assert button == Command(Intent.CONFIRM, ref="CR-12")
    assert (await router.dispatch(Turn(PERSON, "zh", button, "", NOW)))[0].text == "ok"
    typed = Command(Intent.CONFIRM, ref="CR-12")
    assert (await router.dispatch(Turn(PERSON, "zh", typed, "确认 CR-12", NOW)))[0].text == "ok"
    assert calls == [button, typed]
    refused = await router.dispatch(
        Turn(PERSON, "en", Command(Intent.APPROVE, ref="CR-9"), "", NOW)
    )
    assert refused[0].text == "Could not do that: SO-1: quantity below what is made"
    assert (await router.dispatch(Turn(PERSON, "zh", Command(Intent.HELP), "", NOW)))[
        0
    ].text == "?"
    assert button_command("explode:CR-1") is None and button_command("confirm:") is None


def test_understood_lines_restate_before_and_after_in_both_languages() -> None:
    understood = (
        BeforeAfter("quantity", 8, 20, unit="件"),
        BeforeAfter("due_date", date(2026, 12, 6), date(2026, 12, 9)),
        BeforeAfter("spec", "白色", "胡桃木", key="color"),
        BeforeAfter("priority", "normal", "rush"),
    )
    assert understood_lines(understood, "zh") == [
        "数量 8 → 20件",
        "交期 12-06 → 12-09",
        "颜色 白色 → 胡桃木",
        "加急",
    ]
    assert understood_lines(understood, "en") == [
        "Quantity 8 → 20 件",
        "Due date 12-06 → 12-09",
        "Colour 白色 → 胡桃木",
        "Rush",
    ]
    stored = [BeforeAfter.from_dict(u.to_dict()) for u in understood]
    assert tuple(stored) == understood


def test_assessed_plans_are_bounded_and_taken_once() -> None:
    cache = AssessedPlans(capacity=2)
    for ref in ("CR-1", "CR-2", "CR-3"):
        cache.put(ref, object())  # type: ignore[arg-type]
    assert len(cache) == 2 and cache.take("CR-1") is None
    assert cache.take("CR-3") is not None and cache.take("CR-3") is None
