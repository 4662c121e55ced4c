"""A DingTalk stand-in: robot accessToken (with expiry), batchSend (with a QPS limit),
and sessionWebhook endpoints that record what arrives. Plus a signer for our callback."""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.dingtalk.verify import sign

MSG_KEYS = {
    "sampleText": {"content"},
    "sampleMarkdown": {"title", "text"},
    "sampleActionCard": {"title", "text", "singleTitle", "singleURL"},
    "sampleImageMsg": {"photoURL"},
}


def signed_headers(secret: str, timestamp_ms: int) -> dict[str, str]:
    return {"timestamp": str(timestamp_ms), "sign": sign(str(timestamp_ms), secret),
            "Content-Type": "application/json"}


def robot_message(msg_id: str, staff: str, text: str, webhook: str, created_ms: int,
                  group: bool = False) -> dict[str, Any]:
    return {
        "msgtype": "text", "text": {"content": f" {text}"}, "msgId": msg_id,
        "createAt": created_ms, "conversationType": "2" if group else "1",
        "conversationId": "cid-group-1" if group else "cid-1:1", "senderId": f"$:{staff}",
        "senderNick": staff, "senderStaffId": staff, "chatbotUserId": "$:bot",
        "robotCode": "dingstubkey", "isAdmin": False, "sessionWebhook": webhook,
        "sessionWebhookExpiredTime": created_ms + 90 * 60 * 1000,
    }


@dataclass
class DingTalkStub:
    app_key: str = "dingstubkey"
    app_secret: str = "dingstubsecret"
    token_ttl: float = 7200.0
    qps: int = 20
    staff: set[str] = field(default_factory=lambda: {"staff-1", "staff-2"})
    token_calls: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    session_posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    expired_sessions: set[str] = field(default_factory=set)
    throttled: int = 0
    _tokens: dict[str, float] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=deque)
    _n: int = 0
    media: dict[str, bytes] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # cardBizId -> sent body
    card_updates: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        self.add_routes(app)
        return app

    def add_routes(self, app: web.Application) -> None:
        """The API routes on `app` (the Stream gateway stub shares one server)."""
        app.router.add_post("/v1.0/oauth2/accessToken", self.access_token)
        app.router.add_post("/v1.0/im/v1.0/robot/interactiveCards/send", self.card_send)
        app.router.add_put("/v1.0/im/robots/interactiveCards", self.card_update)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self.batch_send)
        app.router.add_post("/robot/sendBySession", self.send_by_session)
        app.router.add_post("/media/upload", self.media_upload)  # the legacy (oapi) host

    def expire_tokens(self) -> None:
        self._tokens = {t: 0.0 for t in self._tokens}

    async def access_token(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        body = await request.json()
        if body.get("appKey") != self.app_key or body.get("appSecret") != self.app_secret:
            return web.json_response({"code": "invalidClientIdOrSecret",
                                      "message": "无效的clientId或者clientSecret"}, status=400)
        self._n += 1
        token = f"dt-{self._n}"
        self._tokens[token] = time.monotonic() + self.token_ttl
        return web.json_response({"accessToken": token, "expireIn": int(self.token_ttl)})

    async def batch_send(self, request: web.Request) -> web.Response:
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        if self._tokens.get(token, 0.0) <= time.monotonic():
            return web.json_response({"code": "InvalidAuthentication",
                                      "message": "不合法的access_token"}, status=401)
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1:
            self._recent.popleft()
        if len(self._recent) >= self.qps:
            self.throttled += 1
            return web.json_response({"code": "Forbidden.AccessDenied.QpsLimitForApi",
                                      "message": "qps limit"}, status=403)
        self._recent.append(now)
        body = await request.json()
        problem = _validate(body, self.app_key)
        if problem:
            return web.json_response({"code": "invalidParameter", "message": problem},
                                     status=400)
        users = body["userIds"]
        if not any(u in self.staff for u in users):
            return web.json_response({"code": "staffId.notExisted",
                                      "message": "staffId not existed"}, status=400)
        self.sent.append({**body, "msgParam": json.loads(body["msgParam"])})
        return web.json_response({"processQueryKey": f"pqk-{len(self.sent)}",
                                  "invalidStaffIdList": [u for u in users if u not in self.staff],
                                  "flowControlledStaffIdList": []})

    def _authorized(self, request: web.Request) -> bool:
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        return self._tokens.get(token, 0.0) > time.monotonic()

    async def card_send(self, request: web.Request) -> web.Response:
        """Interactive card (普通版): StandardCard, cardData a JSON string, one receiver."""
        if not self._authorized(request):
            return web.json_response({"code": "InvalidAuthentication"}, status=401)
        body = await request.json()
        try:
            data = json.loads(body.get("cardData", ""))
        except (TypeError, ValueError):
            return web.json_response({"code": "invalidParameter", "message": "cardData"},
                                     status=400)
        receiver = body.get("singleChatReceiver")
        if body.get("robotCode") != self.app_key or body.get("cardTemplateId") != "StandardCard" \
                or not body.get("cardBizId") or not (receiver or body.get("openConversationId")):
            return web.json_response({"code": "invalidParameter", "message": "card"}, status=400)
        if receiver and json.loads(receiver).get("userId") not in self.staff:
            return web.json_response({"code": "staffId.notExisted"}, status=400)
        self.cards[body["cardBizId"]] = {**body, "cardData": data}
        return web.json_response({"processQueryKey": f"card-{len(self.cards)}"})

    async def card_update(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"code": "InvalidAuthentication"}, status=401)
        body = await request.json()
        if body.get("cardBizId") not in self.cards:
            return web.json_response({"code": "card.notExisted"}, status=400)
        self.card_updates.append({**body, "cardData": json.loads(body["cardData"])})
        return web.json_response({"success": True})

    async def media_upload(self, request: web.Request) -> web.Response:
        """Legacy media upload: token in the query, multipart field "media"."""
        token = request.query.get("access_token", "")
        if self._tokens.get(token, 0.0) <= time.monotonic():
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if request.query.get("type") not in ("image", "voice", "file"):
            return web.json_response({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
        form = await request.post()
        part = form.get("media")
        if not hasattr(part, "file"):
            return web.json_response({"errcode": 41005, "errmsg": "缺少多媒体文件数据"})
        content = part.file.read()  # type: ignore[union-attr]
        if not (content.startswith(b"\x89PNG\r\n\x1a\n") or content.startswith(b"\xff\xd8")):
            return web.json_response({"errcode": 40005, "errmsg": "不合法的文件类型"})
        self._n += 1
        media_id = f"@lADPstub{self._n}"
        self.media[media_id] = content
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "image",
                                  "media_id": media_id, "created_at": int(time.time() * 1000)})

    async def send_by_session(self, request: web.Request) -> web.Response:
        session = request.query.get("session", "")
        body = await request.json()
        if session in self.expired_sessions:
            return web.json_response({"errcode": 300001, "errmsg": "session expired"})
        msgtype = body.get("msgtype")
        if msgtype not in ("text", "markdown", "actionCard") or not isinstance(
                body.get(msgtype), dict):
            return web.json_response({"errcode": 40035, "errmsg": "invalid msgtype"})
        self.session_posts.append((session, body))
        return web.json_response({"errcode": 0, "errmsg": "ok"})


def _validate(body: dict[str, Any], app_key: str) -> str | None:
    if body.get("robotCode") != app_key:
        return "robotCode"
    if not isinstance(body.get("userIds"), list) or not body["userIds"]:
        return "userIds"
    fields = MSG_KEYS.get(body.get("msgKey", ""))
    if fields is None:
        return "msgKey"
    try:
        param = json.loads(body.get("msgParam", ""))
    except (TypeError, ValueError):
        return "msgParam is not a JSON string"
    if not isinstance(param, dict) or not fields <= set(param):
        return f"msgParam needs {sorted(fields)}"
    if len(body["msgParam"].encode()) > 15000:
        return "msgParam too long"
    return None
