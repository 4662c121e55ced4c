"""WeCom XML -> channel-neutral messages.

All XML from outside goes through defusedxml first (no DTDs, entities or
external references), because wechatpy parses with xmltodict/expat and would
otherwise expand a billion-laughs payload.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.enterprise import parse_message

from bot.channels.pipeline import ChannelRejected, bounded_key
from core.messages import Channel, ChatMessage

log = logging.getLogger(__name__)

CARD_EVENT = "template_card_event"
HANDLED_EVENTS = {CARD_EVENT, "click"}


def safe_xml(data: bytes | str) -> Element:
    """Parse untrusted XML; 400 on malformed input or any DTD/entity trick."""
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
        return root
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise ChannelRejected(400, f"bad XML: {type(exc).__name__}") from None


def envelope_encrypt(body: bytes) -> str:
    """The `Encrypt` field of a POSTed envelope (the only signed part)."""
    root = safe_xml(body)
    encrypt = root.findtext("Encrypt")
    if root.tag != "xml" or not encrypt:
        raise ChannelRejected(400, "envelope without Encrypt")
    return encrypt.strip()


@dataclass(frozen=True, slots=True)
class Inbound:
    """A decrypted WeCom message: its dedupe key, and the ChatMessage if we handle it."""

    key: str
    user_id: str
    message: ChatMessage | None
    is_card_click: bool = False
    response_code: str | None = None  # a click's fresh code for updating the clicked copy
    task_id: str | None = None  # which copy of a card was clicked


def parse_plaintext(xml: str) -> Inbound:
    """Decrypted plaintext -> Inbound; 400 if it is not a WeCom message."""
    safe_xml(xml)  # defuse before xmltodict sees it
    try:
        msg = parse_message(xml)
        data: dict[str, Any] = dict(msg._data)
    except Exception as exc:
        raise ChannelRejected(400, f"unparseable message: {type(exc).__name__}") from None
    user = str(data.get("FromUserName") or "")
    created = str(data.get("CreateTime") or "")
    if not user or not created.isdigit():
        raise ChannelRejected(400, "message without FromUserName/CreateTime")
    at = datetime.fromtimestamp(int(created), UTC)
    msg_type = str(data.get("MsgType", "")).lower()
    if msg_type == "event":
        return _event(data, user, created, at)
    key = bounded_key(f"msg:{data.get('MsgId') or f'{user}:{created}:{msg_type}'}")
    if msg_type != "text":
        return Inbound(key=key, user_id=user, message=None)
    return Inbound(key=key, user_id=user, message=ChatMessage(
        channel=Channel.WECOM, user_id=user, msg_id=key, at=at,
        text=str(data.get("Content") or "").strip(),
    ))


def _event(data: dict[str, Any], user: str, created: str, at: datetime) -> Inbound:
    event = str(data.get("Event", "")).lower()
    event_key = str(data.get("EventKey") or "")
    task_id = str(data.get("TaskId") or "")
    # user + time alone collide for two clicks in one second: add event, key and task
    key = bounded_key(f"evt:{user}:{created}:{event}:{event_key}:{task_id}")
    if event not in HANDLED_EVENTS or not event_key:
        return Inbound(key=key, user_id=user, message=None)
    message = ChatMessage(
        channel=Channel.WECOM, user_id=user, msg_id=key, at=at, button_key=event_key,
    )
    return Inbound(
        key=key, user_id=user, message=message, is_card_click=event == CARD_EVENT,
        response_code=str(data.get("ResponseCode") or "") or None, task_id=task_id or None,
    )
