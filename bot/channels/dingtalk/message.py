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
