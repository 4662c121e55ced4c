"""WeCom callback crypto: signature in constant time, then wechatpy's AES.

wechatpy compares signatures with `!=` and enforces no timestamp window, so
we check `msg_signature` ourselves with `hmac.compare_digest` first and only
then let wechatpy decrypt. `InvalidCorpIdException` is not a subclass of
`InvalidSignatureException`, so both are mapped to one `ChannelRejected(403)`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime

from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.channels.pipeline import ChannelRejected

log = logging.getLogger(__name__)

MAX_SKEW_SECONDS = 300


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """sha1 over the lexicographically sorted four strings, lowercase hex."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


class WeComCrypto:
    """One app's callback crypto (token, EncodingAESKey, corp id)."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        self.token = token
        self.corp_id = corp_id
        self._crypto = WeChatCrypto(token, aes_key, corp_id)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode()):
            raise ChannelRejected(403, "bad msg_signature")

    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        """Plaintext of a verified `Encrypt` value; 403 on a bad signature or corp id."""
        self.verify(msg_signature, timestamp, nonce, encrypt)
        try:
            return str(self._crypto.decrypt_message(
                {"Encrypt": encrypt}, msg_signature.lower(), timestamp, nonce
            ))
        except (InvalidSignatureException, InvalidCorpIdException) as exc:
            raise ChannelRejected(403, f"rejected by crypto: {type(exc).__name__}") from None
        except Exception as exc:  # bad base64, padding or length: authentic but garbled
            raise ChannelRejected(400, f"undecryptable payload: {type(exc).__name__}") from None

    def encrypt_reply(self, plaintext_xml: str, nonce: str, timestamp: str) -> str:
        """The passive-reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce)."""
        return str(self._crypto.encrypt_message(plaintext_xml, nonce, timestamp))


def check_window(timestamp: str, now: datetime, max_skew: int = MAX_SKEW_SECONDS) -> None:
    """Reject a (signed) timestamp more than `max_skew` seconds from our clock."""
    try:
        ts = int(timestamp)
    except ValueError:
        raise ChannelRejected(400, "timestamp is not an integer") from None
    skew = abs(now.timestamp() - ts)
    if skew > max_skew:
        raise ChannelRejected(403, f"timestamp off by {skew:.0f}s")
