"""A DingTalk Stream gateway stand-in: connections/open, and the WebSocket that pushes frames.

It follows the documented protocol where our client depends on it: tickets are
single use, every frame is {specVersion, type, headers{topic, messageId, ...},
data: "<json string>"}, each ACK is recorded by messageId, `ping` expects its
data echoed, and `disconnect` expects the client to open a new connection.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

ROBOT_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"


def card_callback(user: str, key: str, out_track_id: str) -> dict[str, Any]:
    """A StandardCard button click as DingTalk reports it on the card topic."""
    content = {"cardPrivateData": {"actionIds": [key], "params": {}}}
    return {"outTrackId": out_track_id, "corpId": "dingcorp", "userId": user,
            "type": "actionCallback", "content": json.dumps(content),
            "extension": "{}", "spaceType": "im", "spaceId": "im-1"}


@dataclass
class StreamGateway:
    client_id: str = "dingstubkey"
    client_secret: str = "dingstubsecret"
    opens: list[dict[str, Any]] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    connects: int = 0
    refused_tickets: int = 0
    _tickets: set[str] = field(default_factory=set)
    _ws: web.WebSocketResponse | None = None
    _connected: asyncio.Event = field(default_factory=asyncio.Event)
    _acked: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1.0/gateway/connections/open", self.open)
        app.router.add_get("/connect", self.connect)
        app.on_shutdown.append(self._shutdown)

    async def _shutdown(self, app: web.Application) -> None:
        await self.drop()  # else the server waits for the socket on shutdown

    async def open(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.opens.append(body)
        if body.get("clientId") != self.client_id or body.get(
                "clientSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret"}, status=401)
        ticket = secrets.token_hex(8)
        self._tickets.add(ticket)
        return web.json_response({"endpoint": f"ws://{request.host}/connect", "ticket": ticket})

    async def connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:  # single use
            self.refused_tickets += 1
            return web.Response(status=403)
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connects += 1
        self._ws = ws
        self._connected.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                ack = json.loads(msg.data)
                async with self._acked:
                    self.acks[ack["headers"]["messageId"]] = ack
                    self._acked.notify_all()
        if self._ws is ws:
            self._ws = None
            self._connected.clear()
        return ws

    async def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while self.connects < count or self._ws is None:
                await asyncio.sleep(0.01)

    async def send(self, kind: str, topic: str, data: dict[str, Any],
                   message_id: str | None = None) -> str:
        """Push one frame on the current connection; returns its messageId."""
        assert self._ws is not None, "no client connected"
        message_id = message_id or f"frame-{next(self._ids)}"
        await self._ws.send_str(json.dumps({
            "specVersion": "1.0", "type": kind,
            "headers": {"appId": "app", "connectionId": f"conn-{self.connects}",
                        "contentType": "application/json", "messageId": message_id,
                        "time": "1732262400000", "topic": topic},
            "data": json.dumps(data, ensure_ascii=False),
        }))
        return message_id

    async def wait_ack(self, message_id: str, timeout: float = 5.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout), self._acked:
            await self._acked.wait_for(lambda: message_id in self.acks)
            return self.acks[message_id]

    async def drop(self) -> None:
        """Close the socket from the server side (a network failure, not `disconnect`)."""
        if self._ws is not None:
            await self._ws.close()
