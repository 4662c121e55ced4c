"""A WeCom API stand-in and a WeCom-side encryptor for our callback.

The stub follows the platform where our code depends on it: tokens expire and
can be invalidated (40014 / 42001), message/send validates each msgtype and
the 2048-byte limits (45002), answers 81013 when no recipient is known,
refuses a template_card task_id used before, returns a single-use
response_code per card that update_template_card consumes,
throttles with 45009, honours enable_duplicate_check, and counts what WeCom
would silently drop (more than 30 messages a minute to one member).
The encryptor is written on `cryptography` directly, independent of wechatpy,
so the callback tests cross-check two implementations.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")


# --- the WeCom side of the callback crypto ---------------------------------------

class WeComEncryptor:
    """Encrypts and signs exactly as WeCom does (doc 90968), for POSTing at our callback."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        self.token = token
        self.key = base64.b64decode(aes_key + "=")
        self.corp_id = corp_id

    def encrypt(self, plaintext: str, random16: bytes | None = None) -> str:
        msg = plaintext.encode()
        raw = (random16 or os.urandom(16)) + struct.pack(">I", len(msg)) + msg
        raw += self.corp_id.encode()
        pad = 32 - len(raw) % 32
        raw += bytes([pad]) * pad
        enc = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(enc.update(raw) + enc.finalize()).decode()

    def decrypt(self, encrypt: str) -> str:
        dec = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        raw = dec.update(base64.b64decode(encrypt)) + dec.finalize()
        raw = raw[: -raw[-1]]
        (length,) = struct.unpack(">I", raw[16:20])
        assert raw[20 + length:].decode() == self.corp_id
        return raw[20: 20 + length].decode()

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        joined = "".join(sorted([self.token, timestamp, nonce, encrypt]))
        return hashlib.sha1(joined.encode()).hexdigest()

    def envelope(
        self, plaintext: str, timestamp: str, nonce: str = "1372623149", agent_id: str = "1000002"
    ) -> tuple[dict[str, str], str]:
        """(query, body) for a callback POST."""
        encrypt = self.encrypt(plaintext)
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt>"
                f"<AgentID><![CDATA[{agent_id}]]></AgentID></xml>")
        query = {"msg_signature": self.sign(timestamp, nonce, encrypt),
                 "timestamp": timestamp, "nonce": nonce}
        return query, body


def text_xml(corp_id: str, user: str, content: str, created: int, msg_id: int,
             agent_id: int = 1000002) -> str:
    return ("<xml>"
            f"<ToUserName><![CDATA[{corp_id}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId>"
            f"<AgentID>{agent_id}</AgentID></xml>")


def card_event_xml(corp_id: str, user: str, created: int, key: str, task_id: str,
                   response_code: str = "rc-1", agent_id: int = 1000002) -> str:
    return ("<xml>"
            f"<ToUserName><![CDATA[{corp_id}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[template_card_event]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
            "<CardType><![CDATA[button_interaction]]></CardType>"
            f"<ResponseCode><![CDATA[{response_code}]]></ResponseCode>"
            f"<AgentID>{agent_id}</AgentID></xml>")


# --- the WeCom API -------------------------------------------------------------------

@dataclass
class _Issued:
    token: str
    expires_at: float
    valid: bool = True


@dataclass
class WeComStub:
    corp_id: str = "wwstubcorp"
    secret: str = "stub-secret"
    agent_id: int = 1000002
    users: set[str] = field(default_factory=lambda: {"zhangsan", "lisi", "mycreate"})
    token_ttl: float = 7200.0
    expired_code: int = 42001  # set 40014 to mimic tenants that answer that instead
    per_member_per_minute: int = 30
    clock: Callable[[], float] = time.monotonic  # tests may share a hand-moved clock
    gettoken_calls: int = 0
    tokens: list[_Issued] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    card_updates: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    _inject: deque[int] = field(default_factory=deque)
    _response_codes: set[str] = field(default_factory=set)
    _recent: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _seen: dict[str, float] = field(default_factory=dict)
    _task_ids: set[str] = field(default_factory=set)
    _next: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self.gettoken)
        app.router.add_post("/cgi-bin/message/send", self.message_send)
        app.router.add_post("/cgi-bin/message/update_template_card", self.update_card)
        app.router.add_post("/cgi-bin/media/upload", self.media_upload)
        return app

    # test controls
    def fail_next(self, errcode: int, times: int = 1) -> None:
        self._inject.extend([errcode] * times)

    def invalidate_tokens(self) -> None:
        for t in self.tokens:
            t.valid = False

    def _id(self, prefix: str) -> str:
        self._next += 1
        return f"{prefix}{self._next}"

    async def gettoken(self, request: web.Request) -> web.Response:
        self.gettoken_calls += 1
        q = request.query
        if q.get("corpid") != self.corp_id:
            return web.json_response({"errcode": 40013, "errmsg": "invalid corpid"})
        if q.get("corpsecret") != self.secret:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        now = self.clock()
        live = [t for t in self.tokens if t.valid and t.expires_at > now]
        if live:  # repeated gettoken within validity returns the same token
            t = live[-1]
        else:
            t = _Issued(self._id("tok-"), now + self.token_ttl)
            self.tokens.append(t)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": t.token,
                                  "expires_in": max(1, round(t.expires_at - now))})

    def _check_token(self, request: web.Request) -> dict[str, Any] | None:
        token = request.query.get("access_token", "")
        issued = next((t for t in self.tokens if t.token == token), None)
        if issued is None or not issued.valid:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if issued.expires_at <= self.clock():
            return {"errcode": self.expired_code, "errmsg": "access_token expired"}
        return None

    async def message_send(self, request: web.Request) -> web.Response:
        error = self._check_token(request)
        if error:
            return web.json_response(error)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        self.requests.append(body)
        if self._inject:
            code = self._inject.popleft()
            return web.json_response({"errcode": code, "errmsg": "injected"})
        problem = _validate(body, self.agent_id)
        if problem:
            return web.json_response({"errcode": problem[0], "errmsg": problem[1]})
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        known = [u for u in users if u in self.users]
        if not known:
            return web.json_response({"errcode": 81013, "errmsg": "user & party & tag all invalid",
                                      "invaliduser": "|".join(users)})
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok",
                                  "invaliduser": "|".join(u for u in users if u not in known),
                                  "msgid": self._id("msg-")}
        if self._is_duplicate(body):
            self.duplicates.append(body)
            return web.json_response(answer)
        if body["msgtype"] == "template_card":  # task_id is unique within the app
            task_id = body["template_card"]["task_id"]
            if task_id in self._task_ids:
                return web.json_response({"errcode": 40058, "errmsg": "task_id already exists"})
            self._task_ids.add(task_id)
        now = self.clock()
        for user in known:
            recent = self._recent[user]
            while recent and recent[0] <= now - 60:
                recent.popleft()
            if len(recent) >= self.per_member_per_minute:
                self.dropped.append({"user": user, **body})  # WeCom drops silently
                continue
            recent.append(now)
            self.delivered.append({"user": user, **body})
        if body["msgtype"] == "template_card":
            response_code = self._id("rc-")
            self._response_codes.add(response_code)
            answer["response_code"] = response_code
        return web.json_response(answer)

    def _is_duplicate(self, body: dict[str, Any]) -> bool:
        if not body.get("enable_duplicate_check"):
            return False
        interval = float(body.get("duplicate_check_interval", 1800))
        content = {k: v for k, v in body.items()
                   if k not in ("enable_duplicate_check", "duplicate_check_interval")}
        key = json.dumps(content, sort_keys=True, ensure_ascii=False)
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen < interval:
            return True
        self._seen[key] = now
        return False

    async def update_card(self, request: web.Request) -> web.Response:
        error = self._check_token(request)
        if error:
            return web.json_response(error)
        body = await request.json()
        code = body.get("response_code")
        if code not in self._response_codes:  # single use, from send or a click
            return web.json_response({"errcode": 40127, "errmsg": "invalid response_code"})
        if not isinstance(body.get("userids"), list) or not ("button" in body
                                                              or "template_card" in body):
            return web.json_response({"errcode": 40058, "errmsg": "invalid parameter"})
        self._response_codes.discard(code)
        self.card_updates.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})

    async def media_upload(self, request: web.Request) -> web.Response:
        """Temporary media: multipart field "media"; images are PNG/JPG up to 2 MB."""
        error = self._check_token(request)
        if error:
            return web.json_response(error)
        kind = request.query.get("type")
        if kind not in ("image", "voice", "video", "file"):
            return web.json_response({"errcode": 40004, "errmsg": "invalid media type"})
        try:
            form = await request.post()
        except ValueError:
            return web.json_response({"errcode": 41005, "errmsg": "media data missing"})
        field_ = form.get("media")
        if not hasattr(field_, "file"):
            return web.json_response({"errcode": 41005, "errmsg": "media data missing"})
        content = field_.file.read()  # type: ignore[union-attr]
        if kind == "image":
            if not (content.startswith(b"\x89PNG\r\n\x1a\n") or content.startswith(b"\xff\xd8")):
                return web.json_response({"errcode": 40005, "errmsg": "invalid file type"})
            if len(content) > 2 * 1024 * 1024:
                return web.json_response({"errcode": 40009, "errmsg": "invalid image size"})
        media_id = self._id("media-")
        self.media[media_id] = content
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": kind,
                                  "media_id": media_id, "created_at": str(int(self.clock()))})

    def allow_response_code(self, code: str) -> None:
        """A code from a click event (the stub did not issue it through send)."""
        self._response_codes.add(code)


def _validate(body: dict[str, Any], agent_id: int) -> tuple[int, str] | None:
    if not any(body.get(k) for k in ("touser", "toparty", "totag")):
        return 40031, "missing touser/toparty/totag"
    if body.get("agentid") != agent_id or not isinstance(body.get("agentid"), int):
        return 40056, "invalid agentid"
    msgtype = body.get("msgtype")
    part = body.get(msgtype) if isinstance(msgtype, str) else None
    if not isinstance(part, dict):
        return 40008, f"invalid message type {msgtype!r} or missing its body"
    if msgtype in ("text", "markdown"):
        content = part.get("content")
        if not isinstance(content, str) or not content:
            return 44004, "empty content"
        if len(content.encode()) > 2048:
            return 45002, "content size out of limit"
    elif msgtype == "textcard":
        if not part.get("title") or not part.get("description") or not part.get("url"):
            return 41016, "missing title, description or url"
        if len(part["title"]) > 128 or len(part["description"]) > 512:
            return 45002, "textcard too long"
    elif msgtype == "template_card":
        return _validate_card(part)
    elif msgtype == "image":
        if not part.get("media_id"):
            return 40007, "invalid media_id"
    else:
        return 40008, f"stub does not take msgtype {msgtype}"
    return None


def _validate_card(card: dict[str, Any]) -> tuple[int, str] | None:
    if card.get("card_type") != "button_interaction":
        return 40008, "stub takes button_interaction cards only"
    if not TASK_ID.match(str(card.get("task_id", ""))):
        return 40058, "invalid task_id"
    if not (card.get("main_title", {}).get("title") or card.get("sub_title_text")):
        return 41016, "missing main_title.title and sub_title_text"
    buttons = card.get("button_list")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
        return 40058, "button_list must have 1..6 items"
    keys = [b.get("key") for b in buttons]
    if any(not k or len(str(k).encode()) > 1024 for k in keys) or len(set(keys)) != len(keys):
        return 40058, "button keys must be unique, 1..1024 bytes"
    return None
