"""Rules of WeCom Customer Service (微信客服, "kf") that shape what the product may do.

Customers outside the company reach the bot through a kf account. WeCom lets
the company answer a customer only within 48 hours after the customer's last
message, and at most 5 messages per customer message; past that the platform
refuses (errcode 95018). `KfWindow` is that rule as a value, so the delivery
layer can decide *before* sending whether a notice can reach the customer or
must go to their salesperson instead.

A customer binds their WeChat to a customer code by opening a link whose
`scene_param` we signed (`sign_scene` / `verify_scene`): the signature is what
stops anyone from claiming to speak for a customer by editing the link.
Pure functions and values only: no I/O, no platform client.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(hours=48)
MAX_MESSAGES = 5
SCENE_PARAM_MAX_BYTES = 128  # WeCom's limit for add_contact_way links' scene_param
_SCENE_VERSION = "k1"
_SIG_BYTES = 12  # 96 bits: far beyond guessing within a link's lifetime, and short


@dataclass(frozen=True, slots=True)
class KfWindow:
    """What may still be sent to one customer: since when, how many, through which account.

    `last_inbound` is the send time of the customer's last message; `sent`
    counts our messages since then; `open_kfid` is the kf account they wrote to
    (a proactive notice must come from the account the session is with).
    """

    last_inbound: datetime | None = None
    sent: int = 0
    open_kfid: str = ""

    def is_open(self, now: datetime) -> bool:
        return (self.last_inbound is not None and now < self.last_inbound + WINDOW
                and self.sent < MAX_MESSAGES)

    def remaining(self, now: datetime) -> int:
        return MAX_MESSAGES - self.sent if self.is_open(now) else 0

    def after_inbound(self, at: datetime, open_kfid: str) -> KfWindow:
        """A customer message opens a fresh window; an older one (pulled late) changes nothing."""
        if self.last_inbound is not None and at < self.last_inbound:
            return self
        return KfWindow(at, 0, open_kfid or self.open_kfid)

    def after_send(self) -> KfWindow:
        return replace(self, sent=self.sent + 1)

    def closed(self) -> KfWindow:
        """WeCom refused (95018): treat the window as used up until the customer writes."""
        return replace(self, sent=MAX_MESSAGES)

    def to_json(self) -> dict[str, Any]:
        return {"last_inbound": self.last_inbound.isoformat() if self.last_inbound else None,
                "sent": self.sent, "open_kfid": self.open_kfid}

    @classmethod
    def from_json(cls, data: Any) -> KfWindow:
        if not isinstance(data, dict):
            return cls()
        raw = data.get("last_inbound")
        try:
            last = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            last = None
        return cls(last, int(data.get("sent") or 0), str(data.get("open_kfid") or ""))


# --- signed scene_param for add_contact_way links -------------------------------------

class SceneRejected(Exception):
    """A scene_param that is malformed, forged or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, code: str, exp: int) -> str:
    message = f"gongdan-kf-scene-v1\n{code}\n{exp}".encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest()[:_SIG_BYTES])


def sign_scene(secret: bytes, customer_code: str, expires_at: datetime) -> str:
    """`k1.<code>.<exp>.<sig>`: only [A-Za-z0-9_.-], so URL-encoding leaves it as it is."""
    exp = int(expires_at.timestamp())
    code = _b64(customer_code.encode())
    param = f"{_SCENE_VERSION}.{code}.{exp:x}.{_mac(secret, customer_code, exp)}"
    if len(param.encode()) > SCENE_PARAM_MAX_BYTES:
        raise ValueError(f"customer code {customer_code!r} is too long for a kf link")
    return param


def verify_scene(secret: bytes, param: str, now: datetime) -> str:
    """The customer code a scene_param names; SceneRejected if it is not ours or has expired."""
    parts = param.split(".")
    if len(parts) != 4 or parts[0] != _SCENE_VERSION:
        raise SceneRejected("not a Gongdan scene_param")
    try:
        code = _unb64(parts[1]).decode()
        exp = int(parts[2], 16)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise SceneRejected("malformed scene_param") from None
    if not hmac.compare_digest(_mac(secret, code, exp).encode(), parts[3].encode()):
        raise SceneRejected("bad signature")
    if now.timestamp() >= exp:
        raise SceneRejected("expired")
    return code
