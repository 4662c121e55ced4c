"""DingTalk robot callback JSON -> ChatMessage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.channels.pipeline import ChannelRejected, bounded_key
from core.messages import Channel, ChatMessage


@dataclass(frozen=True, slots=True)
class Inbound:
    key: str
    message: ChatMessage | None


def parse_body(body: bytes, webhook_host: str, now: datetime) -> Inbound:
    """400 on anything that is not a robot message; non-text messages are not handled."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ChannelRejected(400, "body is not JSON") from None
    return parse_robot(data, webhook_host, now)


def parse_robot(data: Any, webhook_host: str, now: datetime) -> Inbound:
    """A robot message as a dict: the HTTP callback body, or a Stream frame's data.

    Both transports key the inbox on "msg:{msgId}", so one message that
    arrived both ways (while switching modes) is handled once.
    """
    if not isinstance(data, dict):
        raise ChannelRejected(400, "body is not a JSON object")
    msg_id = data.get("msgId")
    staff = data.get("senderStaffId") or data.get("senderId")
    if not isinstance(msg_id, str) or not msg_id or not isinstance(staff, str) or not staff:
        raise ChannelRejected(400, "message without msgId or sender")
    key = bounded_key(f"msg:{msg_id}")
    text = _text(data)
    if text is None:
        return Inbound(key=key, message=None)
    created = data.get("createAt")
    at = datetime.fromtimestamp(created / 1000, UTC) if isinstance(created, int) else now
    group = str(data.get("conversationType", "1")) == "2"
    return Inbound(key=key, message=ChatMessage(
        channel=Channel.DINGTALK, user_id=staff, msg_id=key, at=at, text=text,
        chat_id=str(data.get("conversationId")) if group and data.get("conversationId") else None,
        reply_hint=_webhook(data.get("sessionWebhook"), webhook_host),
    ))


def _text(data: dict[str, Any]) -> str | None:
    if data.get("msgtype") != "text":
        return None
    body = data.get("text")
    content = body.get("content") if isinstance(body, dict) else None
    return content.strip() if isinstance(content, str) else None


def _webhook(url: Any, host: str) -> str | None:
    """The sessionWebhook, only if it points at DingTalk (the body is not signed)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    expected = urlsplit(host)
    if (parts.scheme, parts.netloc) != (expected.scheme, expected.netloc):
        return None
    return url


def parse_card_callback(data: Any, message_id: str, now: datetime) -> Inbound:
    """A Stream card callback (/v1.0/card/instances/callback) -> a button click.

    The clicked button's key is its action id (`cardPrivateData.actionIds`),
    or `params.key` where the template passes params; see
    bot.channels.render.dingtalk_interactive_card, which sets both.
    """
    if not isinstance(data, dict):
        raise ChannelRejected(400, "card callback is not a JSON object")
    user = data.get("userId")
    track = data.get("outTrackId")
    content = data.get("content")
    try:
        content = json.loads(content) if isinstance(content, str) else content
    except ValueError:
        content = None
    private = content.get("cardPrivateData") if isinstance(content, dict) else None
    key = None
    if isinstance(private, dict):
        params = private.get("params")
        actions = private.get("actionIds")
        if isinstance(params, dict) and isinstance(params.get("key"), str):
            key = params["key"]
        elif isinstance(actions, list) and actions and isinstance(actions[0], str):
            key = actions[0]
    if not isinstance(user, str) or not user or not isinstance(track, str):
        raise ChannelRejected(400, "card callback without userId or outTrackId")
    dedupe = bounded_key(f"card:{track}:{user}:{message_id}")
    if not key:
        return Inbound(key=dedupe, message=None)
    return Inbound(key=dedupe, message=ChatMessage(
        channel=Channel.DINGTALK, user_id=user, msg_id=dedupe, at=now, button_key=key))
