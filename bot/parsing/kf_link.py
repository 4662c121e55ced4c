"""kf_link: someone asks for a customer's 微信客服 binding link.

"给华兴发个绑定链接", "C01 客服链接", "华兴的微信客服二维码", "客户绑定二维码 华兴",
"binding link for C01", "kf link Huaxing". The cue (a binding / customer-service
link or QR code) is read before order references, because a customer code such
as C01 is shaped like an order number. The customer is what is left on either
side of the cue once the filler around it ("给 … 发个", "for", "客户") is
dropped, as written: the service matches it against the customers the sender
may act for.
"""

from __future__ import annotations

import re

from bot.parsing.command import Command, Intent

_CUE = re.compile(
    r"(?:微信)?(?:客服|绑定)(?:用的)?(?:链接|二维码|码|网址|地址|入口)"
    r"|(?<![a-z])(?:binding|bind|kf|wechat|customer[- ]service)[- ]?"
    r"(?:link|url|qr(?:[- ]?code)?)(?![a-z])",
    re.IGNORECASE)
#: Filler at the edges of what is left: who it is for, asking words, particles.
_LEAD = re.compile(
    r"^(?:请|麻烦|帮忙|帮我|帮|给我|我要|我想要|要|把|给|生成|做|弄|发|一下|客户|的|"
    r"(?:please|can you|could you|send|give|get|make|me|a|an|the|new|for|to|of|customer)"
    r"(?![a-z])|[\s,，.。:：!！?？~])+",
    re.IGNORECASE)
_TRAIL = re.compile(
    r"(?:发个|发一个|发一下|发过去|发给我|发我|给我|发|生成|做|弄|来|一个|个|一下|的|要|吧|呢|吗|客户|"
    r"(?<![a-z])(?:please|for|to|of|the|a|an)|[\s,，.。:：!！?？~])+$",
    re.IGNORECASE)
#: Longest customer name or code taken as written; longer leftovers are no name.
MAX_CUSTOMER_CHARS = 30


def read_kf_link(norm: str) -> Command | None:
    """The kf_link command when the message asks for a binding link, else None."""
    cue = _CUE.search(norm)
    if cue is None:
        return None
    pieces = (_strip(norm[:cue.start()]), _strip(norm[cue.end():]))
    named = [p for p in pieces if p]
    customer = named[0] if named and len(named[0]) <= MAX_CUSTOMER_CHARS else None
    return Command(Intent.KF_LINK, customer=customer)


def _strip(piece: str) -> str:
    previous = None
    while previous != piece:
        previous = piece
        piece = _TRAIL.sub("", _LEAD.sub("", piece))
    return piece.strip()
