"""Reply -> each channel's wire shapes, and Reply <-> outbox payload.

Pure functions only, so that the inbound routes, the senders and the tests
all agree on one rendering. Platform limits live here:
WeCom text and markdown take at most 2048 bytes of UTF-8, so long text is
split on character (preferably line) boundaries rather than truncated.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import quote

from core.i18n import render
from core.messages import Button, Reply
from core.messages import reply_from_payload as payload_to_reply
from core.messages import reply_to_payload as reply_to_payload

__all__ = ["payload_to_reply", "reply_to_payload"]  # the payload forms the senders share

WECOM_TEXT_LIMIT = 2048  # bytes, text and markdown content (90236)
WECOM_PASSIVE_LIMIT = 2048  # bytes, passive text reply Content (90241)
WECOM_CARD_BUTTONS = 6
WECOM_BUTTON_TEXT_CHARS = 10
WECOM_CARD_TITLE_CHARS = 36  # not confirmed by the official page; conservative
WECOM_CARD_SUBTITLE_CHARS = 100  # longer card bodies go out as text before the card
DINGTALK_TEXT_LIMIT = 5000  # bytes; the platform's exact limit is not published
DINGTALK_TITLE_CHARS = 20

TEXTS = {
    "reply_with": {"zh": "回复 {options}", "en": "Reply {options}"},
    "card_done": {"zh": "已处理", "en": "Done"},
    "settled_by": {"zh": "已由 {who} 处理", "en": "Handled by {who}"},
}

_TASK_ID_BAD = re.compile(r"[^0-9A-Za-z_\-@]")


# --- text helpers -----------------------------------------------------------

def split_utf8(text: str, limit: int) -> list[str]:
    """Split into pieces of at most `limit` UTF-8 bytes, never inside a character.

    Cuts at the last newline in the second half of a piece when there is one,
    so that lists and paragraphs stay whole.
    """
    data = text.encode("utf-8")
    if len(data) <= limit:
        return [text]
    parts: list[str] = []
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # continuation byte: back off
            cut -= 1
        newline = data.rfind(b"\n", 0, cut)
        if newline >= limit // 2:
            cut = newline + 1
        parts.append(data[:cut].decode("utf-8"))
        data = data[cut:]
    if data:
        parts.append(data.decode("utf-8"))
    return parts


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def fallback_text(reply: Reply, lang: str = "zh") -> str:
    """'回复 1 确认 / 2 取消': what a user types when a channel cannot click buttons."""
    if reply.fallback_text:
        return reply.fallback_text
    if not reply.buttons:
        return ""
    options = " / ".join(f"{i} {b.text}" for i, b in enumerate(reply.buttons, start=1))
    return render(TEXTS, "reply_with", lang, options=options)


def plain_text(reply: Reply) -> str:
    """The reply as one plain text (title, body and, for cards, the typed fallback)."""
    parts = [p for p in (reply.title, reply.text) if p]
    if reply.kind == "card":
        hint = fallback_text(reply)
        if hint:
            parts.append(hint)
    return "\n".join(parts)


def task_id_for(reply: Reply, dedupe_key: str, recipient: str = "") -> str:
    """WeCom task_id for one recipient's copy of a card (also the DingTalk cardBizId).

    WeCom requires task_id to be unique within the app, so one id for every
    supervisor's copy of an approval card is refused. The id is a readable
    prefix (the card id) plus a hash of card, recipient and outbox row: a retry
    of the same row keeps its id (duplicate check), another row or recipient
    gets a new one. Only [0-9A-Za-z_-@], at most 128 characters.
    """
    seed = f"{reply.card_id or ''}\0{recipient}\0{dedupe_key}"
    digest = hashlib.sha1(seed.encode()).hexdigest()[:20]
    prefix = _TASK_ID_BAD.sub("_", reply.card_id or "gd")[:64]
    return f"{prefix}-{digest}"


_TASK_ID = re.compile(r"(.+)-[0-9a-f]{20}")


def card_id_of_task(task_id: str) -> str | None:
    """The card id a `task_id_for` id was made from (card ids are plain [A-Za-z0-9-]).

    None for an id this code did not make, or one made for a card without an id.
    """
    m = _TASK_ID.fullmatch(task_id)
    return m.group(1) if m and m.group(1) != "gd" else None


# --- WeCom --------------------------------------------------------------------

def wecom_messages(reply: Reply, task_id: str) -> list[dict[str, Any]]:
    """message/send bodies without touser/agentid: one per piece, in order."""
    if reply.kind == "markdown":
        body = f"**{reply.title}**\n{reply.text}" if reply.title else reply.text
        return [
            {"msgtype": "markdown", "markdown": {"content": part}}
            for part in split_utf8(body, WECOM_TEXT_LIMIT)
        ]
    if reply.kind == "card" and reply.buttons:
        return _wecom_card(reply, task_id)
    return [
        {"msgtype": "text", "text": {"content": part}}
        for part in split_utf8(plain_text(reply), WECOM_TEXT_LIMIT)
    ]


def _wecom_card(reply: Reply, task_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    title = reply.title or reply.text.split("\n", 1)[0]
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": _clip(title, WECOM_CARD_TITLE_CHARS)},
        "task_id": task_id,
        "button_list": [
            {
                "type": 0,
                "text": _clip(b.text, WECOM_BUTTON_TEXT_CHARS),
                "style": min(max(b.style, 1), 4),
                "key": b.key,
            }
            for b in reply.buttons[:WECOM_CARD_BUTTONS]
        ],
    }
    if reply.text and len(reply.text) <= WECOM_CARD_SUBTITLE_CHARS:
        card["sub_title_text"] = reply.text
    elif reply.text:  # too long for a card: the full text first, then the card
        out.extend(
            {"msgtype": "text", "text": {"content": part}}
            for part in split_utf8(reply.text, WECOM_TEXT_LIMIT)
        )
    out.append({"msgtype": "template_card", "template_card": card})
    return out


def wecom_passive_text(reply: Reply) -> str | None:
    """Text for a passive reply, or None when the reply needs the send API.

    Passive replies carry text only (no markdown or new cards) and at most
    2048 bytes, so anything else waits for the outbox.
    """
    if reply.kind != "text" or reply.image_png is not None:
        return None
    text = plain_text(reply)
    if not text or len(text.encode("utf-8")) > WECOM_PASSIVE_LIMIT:
        return None
    return text


# --- DingTalk ---------------------------------------------------------------

def dingtalk_send_link(text: str) -> str:
    """A link that makes the DingTalk client send `text` as the user's message."""
    return "dtmd://dingtalkclient/sendMessage?content=" + quote(text, safe="")


# what a button's link types for the user: the parser reads "确认 CR-12" as confirm CR-12
BUTTON_WORDS = {"confirm": "确认", "reject": "取消", "approve": "批准", "deny": "驳回"}


def button_command(button: Button) -> str:
    """The text a click on `button` sends where a card cannot call back: "批准 CR-12".

    Never a bare "1"/"2": those were read as "the sender's first pending
    change", so a supervisor or a salesperson with two open cards acted on the
    wrong request. A key that is not "<intent>:<ref>" sends the button's label.
    """
    intent, _, ref = button.key.partition(":")
    word = BUTTON_WORDS.get(intent)
    return f"{word} {ref}" if word and ref else button.text


def dingtalk_hint(reply: Reply) -> str:
    """The typed alternative under a DingTalk card; the reply's own fallback text if it has one."""
    if reply.fallback_text or not reply.buttons:
        return reply.fallback_text
    options = " / ".join(button_command(b) for b in reply.buttons)
    return render(TEXTS, "reply_with", "zh", options=options)


def _dingtalk_title(reply: Reply) -> str:
    return _clip(reply.title or reply.text.split("\n", 1)[0] or "Gongdan", DINGTALK_TITLE_CHARS)


def _dingtalk_markdown(reply: Reply) -> str:
    head = f"### {reply.title}\n\n" if reply.title else ""
    body = head + reply.text
    if reply.kind == "card" and reply.buttons:
        hint = dingtalk_hint(reply)
        links = " ".join(
            f"[{b.text}]({dingtalk_send_link(button_command(b))})" for b in reply.buttons
        )
        body += f"\n\n{hint}\n\n{links}" if hint else f"\n\n{links}"
    return body


def dingtalk_session_bodies(reply: Reply) -> list[dict[str, Any]]:
    """sessionWebhook bodies (custom-robot schema): text, markdown or actionCard."""
    if reply.kind == "card" and reply.buttons:
        hint = dingtalk_hint(reply)
        text = (f"### {reply.title}\n\n" if reply.title else "") + reply.text
        if hint:
            text += f"\n\n{hint}"
        return [{
            "msgtype": "actionCard",
            "actionCard": {
                "title": _dingtalk_title(reply),
                "text": text,
                "btnOrientation": "1" if len(reply.buttons) > 2 else "0",
                "btns": [
                    {"title": b.text, "actionURL": dingtalk_send_link(button_command(b))}
                    for b in reply.buttons
                ],
            },
        }]
    if reply.kind == "markdown":
        return [{
            "msgtype": "markdown",
            "markdown": {"title": _dingtalk_title(reply), "text": part},
        } for part in split_utf8(_dingtalk_markdown(reply), DINGTALK_TEXT_LIMIT)]
    return [{"msgtype": "text", "text": {"content": part}}
            for part in split_utf8(plain_text(reply), DINGTALK_TEXT_LIMIT)]


def dingtalk_robot_messages(reply: Reply) -> list[tuple[str, dict[str, str]]]:
    """(msgKey, msgParam) pairs for the robot OpenAPI (batchSend)."""
    if reply.kind == "card" and len(reply.buttons) == 1:
        b = reply.buttons[0]
        return [("sampleActionCard", {
            "title": _dingtalk_title(reply),
            "text": _dingtalk_markdown(Reply(kind="markdown", text=reply.text, title=reply.title)),
            "singleTitle": b.text,
            "singleURL": dingtalk_send_link(button_command(b)),
        })]
    if reply.kind in ("markdown", "card"):
        return [("sampleMarkdown", {"title": _dingtalk_title(reply), "text": part})
                for part in split_utf8(_dingtalk_markdown(reply), DINGTALK_TEXT_LIMIT)]
    return [("sampleText", {"content": part})
            for part in split_utf8(plain_text(reply), DINGTALK_TEXT_LIMIT)]


def dingtalk_interactive_card(reply: Reply) -> dict[str, Any]:
    """StandardCard cardData (interactive card, 普通版) whose buttons call back.

    Each button is a "request" action whose id is the button's key, so the
    click arrives on the Stream topic /v1.0/card/instances/callback with
    cardPrivateData.actionIds == [key] (and params.key, for templates that
    pass params): the click acts on the card's own request.
    """
    body = reply.text
    hint = dingtalk_hint(reply)
    if hint:
        body += f"\n\n{hint}"
    return {
        "config": {"autoLayout": True, "enableForward": False},
        "header": {"title": {"type": "text", "text": _clip(reply.title or "Gongdan", 64)}},
        "contents": [
            {"type": "markdown", "text": body, "id": "gd_text"},
            {"type": "action", "id": "gd_actions", "actions": [
                {
                    "type": "button",
                    "label": {"type": "text", "text": b.text, "id": f"gd_label_{i}"},
                    "actionType": "request",
                    "status": "primary" if b.style == 1 else "normal",
                    "id": b.key,
                    "params": {"key": b.key},
                }
                for i, b in enumerate(reply.buttons)
            ]},
        ],
    }


def dingtalk_settled_card(note: str) -> dict[str, Any]:
    """The cardData that replaces a decided card for everyone else: no buttons, who decided."""
    return {
        "config": {"autoLayout": True, "enableForward": False},
        "header": {"title": {"type": "text", "text": _clip(note, 64)}},
        "contents": [{"type": "markdown", "text": note, "id": "gd_text"}],
    }


# --- web chat -----------------------------------------------------------------

def web_reply(reply: Reply) -> dict[str, Any]:
    """What /api/chat returns per reply; the page draws cards with real buttons."""
    out = reply_to_payload(reply)
    out["fallback_text"] = fallback_text(reply)
    return out
