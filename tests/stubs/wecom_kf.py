"""WeCom Customer Service (微信客服) on top of the WeCom stub.

What our code depends on, the way the platform does it:
- kf/sync_msg pages through an account's messages from an opaque cursor
  (`limit`, `has_more`, `next_cursor`), checks the callback token (valid 10
  minutes) and, without one, throttles hard (45009);
- kf/send_msg enforces the session window: only within 48 hours after the
  customer's last message and at most 5 messages per customer message,
  else 95018; a msgid it has already taken is not delivered twice;
- kf/send_msg_on_event takes a welcome code once, within 20 seconds;
- kf/add_contact_way returns the account's link for a scene;
- every kf call counts against a per-second limit (45009 past it).
Times are wall-clock seconds from `wall`, which tests may move by hand.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.stubs.wecom import WeComStub

WINDOW_SECONDS = 48 * 3600
MAX_PER_CUSTOMER_MESSAGE = 5
TOKEN_SECONDS = 600
WELCOME_SECONDS = 20


def kf_event_xml(corp_id: str, token: str, open_kfid: str, created: int) -> str:
    """The decrypted `kf_msg_or_event` callback (doc 94670): no sender, no AgentID."""
    return ("<xml>"
            f"<ToUserName><![CDATA[{corp_id}]]></ToUserName><CreateTime>{created}</CreateTime>"
            "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"
            f"<Token><![CDATA[{token}]]></Token><OpenKfId><![CDATA[{open_kfid}]]></OpenKfId>"
            "</xml>")


@dataclass
class KfStub(WeComStub):
    wall: Callable[[], float] = time.time
    kf_calls_per_second: int = 50
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # per open_kfid
    kf_sent: list[dict[str, Any]] = field(default_factory=list)
    kf_refused: list[dict[str, Any]] = field(default_factory=list)
    welcomes: list[dict[str, Any]] = field(default_factory=list)
    sync_requests: list[dict[str, Any]] = field(default_factory=list)
    contact_ways: list[dict[str, Any]] = field(default_factory=list)
    _event_tokens: dict[str, float] = field(default_factory=dict)
    _welcome_codes: dict[str, float] = field(default_factory=dict)
    _last_customer: dict[str, float] = field(default_factory=dict)  # external_userid -> time
    _sent_since: dict[str, int] = field(default_factory=dict)
    _msgids: set[str] = field(default_factory=set)
    _kf_recent: deque[float] = field(default_factory=deque)
    _kf_inject: deque[int] = field(default_factory=deque)
    _seq: int = 0

    def app(self) -> web.Application:
        app = super().app()
        app.router.add_post("/cgi-bin/kf/sync_msg", self.sync_msg)
        app.router.add_post("/cgi-bin/kf/send_msg", self.send_msg)
        app.router.add_post("/cgi-bin/kf/send_msg_on_event", self.send_msg_on_event)
        app.router.add_post("/cgi-bin/kf/add_contact_way", self.add_contact_way)
        return app

    # --- what happens on WeChat (test controls) -------------------------------------

    def event_token(self) -> str:
        """The Token a kf_msg_or_event callback carries."""
        token = self._id("ENCTOKEN")
        self._event_tokens[token] = self.wall() + TOKEN_SECONDS
        return token

    def _append(self, open_kfid: str, msg: dict[str, Any]) -> str:
        self._seq += 1
        msgid = f"kfmsg{self._seq:06d}"
        self.messages.setdefault(open_kfid, []).append(
            {"msgid": msgid, "open_kfid": open_kfid, "send_time": int(self.wall()), **msg})
        return msgid

    def customer_says(self, open_kfid: str, external_userid: str, text: str) -> str:
        self._last_customer[external_userid] = self.wall()
        self._sent_since[external_userid] = 0
        return self._append(open_kfid, {"external_userid": external_userid, "origin": 3,
                                        "msgtype": "text", "text": {"content": text}})

    def servicer_says(self, open_kfid: str, external_userid: str, text: str) -> str:
        return self._append(open_kfid, {"external_userid": external_userid, "origin": 5,
                                        "servicer_userid": "zhangsan", "msgtype": "text",
                                        "text": {"content": text}})

    def enter_session(self, open_kfid: str, external_userid: str, scene_param: str = "",
                      scene: str = "gongdan") -> str:
        """The customer opens a kf link; returns the welcome code WeCom hands us."""
        code = self._id("WELCOME")
        self._welcome_codes[code] = self.wall() + WELCOME_SECONDS
        event: dict[str, Any] = {"event_type": "enter_session", "open_kfid": open_kfid,
                                 "external_userid": external_userid, "scene": scene,
                                 "welcome_code": code}
        if scene_param:
            event["scene_param"] = scene_param
        self._append(open_kfid, {"origin": 4, "msgtype": "event", "event": event})
        return code

    def fail_next_kf(self, errcode: int, times: int = 1) -> None:
        self._kf_inject.extend([errcode] * times)

    def script_kf(self, *errcodes: int) -> None:
        """The next kf calls answer these errcodes in turn; 0 lets that call through."""
        self._kf_inject.extend(errcodes)

    # --- the API ------------------------------------------------------------------------

    async def _kf_guard(self, request: web.Request) -> tuple[dict[str, Any] | None, Any]:
        """(error, body): token, JSON body, the per-second limit, injected failures."""
        error = self._check_token(request)
        if error:
            return error, None
        try:
            body = await request.json()
        except ValueError:
            return {"errcode": 47001, "errmsg": "data format error"}, None
        now = self.wall()
        while self._kf_recent and self._kf_recent[0] <= now - 1.0:
            self._kf_recent.popleft()
        if len(self._kf_recent) >= self.kf_calls_per_second:
            return {"errcode": 45009, "errmsg": "api freq out of limit"}, body
        self._kf_recent.append(now)
        if self._kf_inject and (code := self._kf_inject.popleft()):
            return {"errcode": code, "errmsg": "injected"}, body
        return None, body

    async def sync_msg(self, request: web.Request) -> web.Response:
        error, body = await self._kf_guard(request)
        if error:
            return web.json_response(error)
        self.sync_requests.append(body)
        open_kfid = body.get("open_kfid")
        if open_kfid not in self.messages and not isinstance(open_kfid, str):
            return web.json_response({"errcode": 95000, "errmsg": "invalid open_kfid"})
        token = body.get("token")
        if not token:  # without the callback's token the pull is strictly limited
            return web.json_response({"errcode": 45009, "errmsg": "sync_msg without token"})
        if self._event_tokens.get(token, 0) <= self.wall():
            return web.json_response({"errcode": 95007, "errmsg": "invalid msg token"})
        cursor = str(body.get("cursor") or "")
        start = int(cursor[2:]) if cursor.startswith("c-") else 0
        limit = min(1000, int(body.get("limit") or 1000))
        msgs = self.messages.get(open_kfid, [])
        page = msgs[start:start + limit]
        end = start + len(page)
        return web.json_response({"errcode": 0, "errmsg": "ok", "next_cursor": f"c-{end}",
                                  "has_more": int(end < len(msgs)), "msg_list": page})

    async def send_msg(self, request: web.Request) -> web.Response:
        error, body = await self._kf_guard(request)
        if error:
            if body is not None:
                self.kf_refused.append({**body, "errcode": error["errcode"]})
            return web.json_response(error)
        user = str(body.get("touser") or "")
        if body.get("msgtype") != "text" or not (body.get("text") or {}).get("content"):
            return web.json_response({"errcode": 40008, "errmsg": "stub takes text only"})
        if len(body["text"]["content"].encode()) > 2048:
            return web.json_response({"errcode": 45002, "errmsg": "content size out of limit"})
        msgid = body.get("msgid")
        if msgid and msgid in self._msgids:
            return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})
        last = self._last_customer.get(user)
        if (last is None or self.wall() >= last + WINDOW_SECONDS
                or self._sent_since.get(user, 0) >= MAX_PER_CUSTOMER_MESSAGE):
            self.kf_refused.append({**body, "errcode": 95018})
            return web.json_response({"errcode": 95018, "errmsg": "invalid session status"})
        self._sent_since[user] = self._sent_since.get(user, 0) + 1
        msgid = msgid or self._id("kfout")
        self._msgids.add(msgid)
        self.kf_sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    async def send_msg_on_event(self, request: web.Request) -> web.Response:
        error, body = await self._kf_guard(request)
        if error:
            return web.json_response(error)
        code = str(body.get("code") or "")
        if self._welcome_codes.pop(code, 0) <= self.wall():  # single use, 20 seconds
            return web.json_response({"errcode": 95016, "errmsg": "invalid welcome code"})
        self.welcomes.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": self._id("welcome")})

    async def add_contact_way(self, request: web.Request) -> web.Response:
        error, body = await self._kf_guard(request)
        if error:
            return web.json_response(error)
        if not body.get("open_kfid"):
            return web.json_response({"errcode": 95000, "errmsg": "invalid open_kfid"})
        self.contact_ways.append(body)
        scene = body.get("scene") or ""
        return web.json_response({"errcode": 0, "errmsg": "ok", "url": (
            f"https://work.weixin.qq.com/kfid/kfc{body['open_kfid'][-8:]}"
            f"?enc_scene=ENC{scene}")})
