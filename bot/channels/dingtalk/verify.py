"""DingTalk callback headers: sign = base64(HMAC-SHA256(appSecret, timestamp + "\\n" + appSecret)).

The sign covers only the timestamp, not the body, so a captured header pair
is replayable for the hour it is valid: we also dedupe by msgId and accept a
sessionWebhook only on DingTalk's own host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from bot.channels.pipeline import ChannelRejected

WINDOW_MS = 3600 * 1000


def sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_headers(headers: Mapping[str, str], secret: str, now: datetime) -> None:
    """403 unless both the 1-hour window and the sign (constant time) pass."""
    timestamp = headers.get("timestamp", "")
    given = headers.get("sign", "")
    if not timestamp or not given or not secret:
        raise ChannelRejected(403, "missing timestamp or sign")
    if not timestamp.isdigit():
        raise ChannelRejected(403, "timestamp is not milliseconds")
    skew = abs(now.timestamp() * 1000 - int(timestamp))
    if skew > WINDOW_MS:
        raise ChannelRejected(403, f"timestamp off by {skew / 1000:.0f}s")
    if not hmac.compare_digest(sign(timestamp, secret).encode(), given.encode()):
        raise ChannelRejected(403, "bad sign")
