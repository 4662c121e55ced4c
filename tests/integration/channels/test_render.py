"""Rendering: UTF-8 splitting, passive-reply rules, per-channel shapes, payload round trip."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.channels.render import (
    button_command,
    dingtalk_hint,
    dingtalk_interactive_card,
    dingtalk_robot_messages,
    dingtalk_send_link,
    dingtalk_session_bodies,
    fallback_text,
    payload_to_reply,
    reply_to_payload,
    split_utf8,
    task_id_for,
    wecom_messages,
    wecom_passive_text,
)
from bot.channels.wecom.cards import textcard_body
from bot.channels.wecom.client import WeComClient
from bot.settings import Settings
from core.errors import ConfigError
from core.messages import Button, Reply
from tests.stubs.wecom import TASK_ID, WeComStub

CARD = Reply(kind="card", title="变更确认", text="SO-1 数量改为 500 件", card_id="CR-12",
             buttons=(Button("confirm:CR-12", "确认"), Button("reject:CR-12", "取消", 2)))


@pytest.mark.parametrize("text,limit", [
    ("a" * 5000, 2048), ("中" * 1000, 2048), ("😀" * 700, 2048), ("ab中😀" * 500, 7),
    ("行\n" * 1500, 2048), ("", 10), ("x" * 2048, 2048),
])
def test_split_utf8_never_breaks_a_character_or_the_limit(text: str, limit: int) -> None:
    parts = split_utf8(text, limit)
    assert "".join(parts) == text
    assert all(len(p.encode()) <= limit for p in parts)
    assert all(p for p in parts) or text == ""


def test_split_prefers_line_breaks() -> None:
    text = "\n".join(["工单进度" * 30] * 20)
    parts = split_utf8(text, 2048)
    assert all(p.endswith("\n") for p in parts[:-1])


def test_payload_round_trip() -> None:
    reply = Reply(kind="card", text="t", title="T", buttons=CARD.buttons, fallback_text="f",
                  card_id="CR-1", image_png=b"\x89PNG")
    assert payload_to_reply(reply_to_payload(reply)) == reply


def test_passive_text_only_for_short_plain_text() -> None:
    assert wecom_passive_text(Reply(kind="text", text="好")) == "好"
    assert wecom_passive_text(Reply(kind="markdown", text="**b**")) is None
    assert wecom_passive_text(CARD) is None
    assert wecom_passive_text(Reply(kind="text", text="中" * 700)) is None  # > 2048 bytes


def test_card_fallback_text_is_generated_when_missing() -> None:
    assert fallback_text(CARD) == "回复 1 确认 / 2 取消"
    assert fallback_text(CARD, "en") == "Reply 1 确认 / 2 取消"


def test_wecom_card_with_long_text_sends_the_text_first() -> None:
    long_card = Reply(kind="card", title="T", text="很长的说明。" * 100, buttons=CARD.buttons)
    bodies = wecom_messages(long_card, "task-1")
    assert [b["msgtype"] for b in bodies] == ["text", "template_card"]
    assert "sub_title_text" not in bodies[-1]["template_card"]


def test_task_id_is_stable_and_valid() -> None:
    reply = Reply(kind="card", text="x", buttons=CARD.buttons)
    assert task_id_for(reply, "k") == task_id_for(reply, "k")
    odd = task_id_for(Reply(kind="card", text="x", card_id="CR 12/审批" * 40), "k", "a.b")
    assert odd.startswith("CR_12___") and TASK_ID.match(odd)


def test_task_id_is_unique_per_recipient_and_row() -> None:
    """WeCom wants task_id unique in the app: one per supervisor's copy of a card."""
    ids = {task_id_for(CARD, key, user) for key in ("k1", "k2") for user in ("a.b", "a_b", "c")}
    assert len(ids) == 6 and all(TASK_ID.match(i) and i.startswith("CR-12-") for i in ids)


@pytest.mark.parametrize("key,typed", [
    ("confirm:CR-12", "确认 CR-12"), ("reject:CR-12", "取消 CR-12"),
    ("approve:CR-12", "批准 CR-12"), ("deny:CR-12", "驳回 CR-12"), ("other", "label"),
])
def test_dingtalk_links_type_the_command_with_its_request(key: str, typed: str) -> None:
    reply = Reply(kind="card", title="T", text="x", buttons=(Button(key, "label"),))
    assert button_command(reply.buttons[0]) == typed
    [(_, param)] = dingtalk_robot_messages(reply)
    assert param["singleURL"] == dingtalk_send_link(typed)
    [body] = dingtalk_session_bodies(reply)
    assert body["actionCard"]["btns"][0]["actionURL"] == dingtalk_send_link(typed)


def test_dingtalk_hint_names_the_request_when_the_reply_has_none() -> None:
    assert dingtalk_hint(CARD) == "回复 确认 CR-12 / 取消 CR-12"
    assert "content=2" not in dingtalk_robot_messages(CARD)[0][1]["text"]


def test_dingtalk_interactive_card_buttons_carry_their_keys() -> None:
    data = dingtalk_interactive_card(CARD)
    [actions] = [c for c in data["contents"] if c["type"] == "action"]
    assert [(a["id"], a["params"], a["actionType"]) for a in actions["actions"]] == [
        ("confirm:CR-12", {"key": "confirm:CR-12"}, "request"),
        ("reject:CR-12", {"key": "reject:CR-12"}, "request")]


def test_dingtalk_shapes() -> None:
    [text] = dingtalk_session_bodies(Reply(kind="text", text="hi"))
    assert text == {"msgtype": "text", "text": {"content": "hi"}}
    [md] = dingtalk_session_bodies(Reply(kind="markdown", text="**x**", title="日报"))
    assert md["markdown"]["title"] == "日报"
    [(key, param)] = dingtalk_robot_messages(CARD)
    assert key == "sampleMarkdown" and "回复 确认 CR-12 / 取消 CR-12" in param["text"]
    assert dingtalk_send_link("取消 CR-12") in param["text"]


async def test_textcard_is_accepted_by_the_stub(aiohttp_server: Any) -> None:
    stub = WeComStub()
    server = await aiohttp_server(stub.app())
    async with aiohttp.ClientSession() as session:
        client = WeComClient(session, str(server.make_url("")), stub.corp_id, stub.secret,
                             stub.agent_id)
        gray = '<div class="gray">今天</div>'
        await client.send("zhangsan", [textcard_body("排产已更新", gray,
                                                     "https://example.com/plan", "查看计划")])
    assert stub.delivered[0]["textcard"]["btntxt"] == "查看计划"
    with pytest.raises(ValueError):
        textcard_body("t", "d", "example.com")


def test_setup_refuses_incomplete_configuration(make_deps: Any) -> None:
    from aiohttp import web

    from bot.channels.dingtalk.routes import setup_dingtalk
    from bot.channels.wecom.routes import setup_wecom
    with pytest.raises(ConfigError):
        setup_wecom(web.Application(), make_deps(settings=Settings(wecom_corp_id="x")))
    with pytest.raises(ConfigError):
        setup_dingtalk(web.Application(), make_deps(settings=Settings()))


async def test_sending_needs_a_numeric_agent_id() -> None:
    from bot.delivery.dispatcher import build_senders
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ConfigError, match="AGENT_ID"):
            build_senders(session, Settings(wecom_corp_id="c", wecom_secret="s"))
        senders = build_senders(session, Settings(
            wecom_corp_id="c", wecom_secret="s", wecom_agent_id="1000002",
            dingtalk_app_secret="x", dingtalk_robot_code="k"))
    assert set(senders) == {"web", "wecom", "dingtalk"}
