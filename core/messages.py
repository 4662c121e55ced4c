"""Channel-neutral chat messages and replies.

Channels (WeCom, DingTalk, web chat) translate their wire formats into these
and back, so that nothing in `core` or the conversation logic knows which
platform a person typed on.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    WEB = "web"
    WECOM_KF = "wecom_kf"  # WeCom Customer Service (微信客服): customers on personal WeChat


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One inbound message or card-button click, already authenticated.

    `msg_id` is the platform's idempotency key (WeCom MsgId, or user+time+event
    key for events; DingTalk msgId); the inbox dedupes on (channel, msg_id).
    `button_key` is set for card clicks, `text` for typed messages.
    """

    channel: Channel
    user_id: str  # WeCom UserID, DingTalk staffId, web person id, kf external_userid
    msg_id: str
    at: datetime
    text: str = ""
    button_key: str | None = None
    chat_id: str | None = None  # kf: the open_kfid (customer-service account) written to
    reply_hint: str | None = None  # e.g. DingTalk sessionWebhook URL, valid ~90 min


@dataclass(frozen=True, slots=True)
class Button:
    """A card button; `key` comes back in the click event (e.g. "confirm:CR-12")."""

    key: str
    text: str
    style: int = 1


@dataclass(frozen=True, slots=True)
class Reply:
    """One outgoing message, rendered per channel.

    `kind` is "text", "markdown" or "card"; a card has a title, a body and
    buttons, and every channel must also be able to fall back to `fallback_text`
    ("回复 1 确认 / 2 取消").
    """

    kind: str
    text: str
    title: str = ""
    buttons: tuple[Button, ...] = ()
    fallback_text: str = ""
    card_id: str | None = None  # stable task id, so a card can be updated after a click
    image_png: bytes | None = field(default=None, repr=False)
    # Set on the reply that announces a decision on a card sent to several people (an
    # approval): once this reply is delivered, every other recipient's copy of card
    # `settles_card` is closed with "已由 {settled_by} 处理", so nobody decides twice.
    settles_card: str | None = None
    settled_by: str = ""


@dataclass(frozen=True, slots=True)
class CardDelivery:
    """One copy of an interactive card as delivered to one recipient on one platform.

    `handle` is what the platform needs to change that copy later: the WeCom
    response_code (single use, valid 72 h), or the DingTalk cardBizId.
    """

    channel: str
    card_id: str
    recipient: str
    handle: str
    sent_at: datetime
    settled_at: datetime | None = None
    settled_by: str = ""


def reply_to_payload(reply: Reply) -> dict[str, Any]:
    """A JSON-safe dict for an outbox row; `reply_from_payload` reverses it."""
    payload: dict[str, Any] = {
        "kind": reply.kind,
        "text": reply.text,
        "title": reply.title,
        "buttons": [{"key": b.key, "text": b.text, "style": b.style} for b in reply.buttons],
        "fallback_text": reply.fallback_text,
        "card_id": reply.card_id,
    }
    if reply.settles_card:
        payload["settles_card"] = reply.settles_card
        payload["settled_by"] = reply.settled_by
    if reply.image_png is not None:
        payload["image_png_b64"] = base64.b64encode(reply.image_png).decode("ascii")
    return payload


def reply_from_payload(payload: dict[str, Any]) -> Reply:
    image = payload.get("image_png_b64")
    return Reply(
        kind=str(payload.get("kind", "text")),
        text=str(payload.get("text", "")),
        title=str(payload.get("title", "")),
        buttons=tuple(
            Button(str(b["key"]), str(b["text"]), int(b.get("style", 1)))
            for b in payload.get("buttons", ())
        ),
        fallback_text=str(payload.get("fallback_text", "")),
        card_id=payload.get("card_id"),
        image_png=base64.b64decode(image) if image else None,
        settles_card=payload.get("settles_card"),
        settled_by=str(payload.get("settled_by", "")),
    )
