"""DingTalk Stream mode: the app dials out over a WebSocket; no public URL or certificate.

Protocol (DingTalk's documented Stream protocol, as the official
`dingtalk-stream` SDK speaks it):

1. POST {api_base}/v1.0/gateway/connections/open with clientId (AppKey),
   clientSecret and the subscribed topics -> {endpoint, ticket}; the ticket
   is single use and valid 90 s, so every (re)connect opens anew.
2. WebSocket to `endpoint?ticket=...`.
3. Frames {specVersion, type: SYSTEM|EVENT|CALLBACK, headers{topic, messageId,
   ...}, data: "<json>"}; each is acknowledged with {code, headers{contentType,
   messageId}, message, data}. SYSTEM `ping` is answered by echoing its data;
   SYSTEM `disconnect` means the server closes in 10 s: we reconnect at once.
4. Failures reconnect with exponential backoff (1 s -> 60 s, with jitter).

Why our own connection loop and not `DingTalkStreamClient.start()` (0.24.3):
- `open_connection` posts with blocking `requests`, without a timeout, on the
  event loop: one slow answer from DingTalk freezes every aiohttp request;
- its URL is fixed at import time (`DINGTALK_OPENAPI_ENDPOINT` env var, read
  through the class name), so it cannot follow GONGDAN_DINGTALK_API_BASE;
- `start()` catches `CancelledError` and loops on, so the app's shutdown
  cannot stop it; reconnects wait a fixed 10 s; frame tasks are fire-and-forget;
- `get_host_ip` opens a socket towards 8.8.8.8 on every connect.
What we do take from the SDK is the wire format: acknowledgements are built
with its `AckMessage`/`Headers`, and the topics are its constants, so our
frames stay exactly what the official client sends.

Replies never go over the socket (DingTalk does not accept them there): the
handler's replies go to the outbox, and the DingTalk sender posts them with
the project's aiohttp session (sessionWebhook, robot API, interactive cards).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from typing import Any
from urllib.parse import quote_plus

import aiohttp
from aiohttp import web
from dingtalk_stream.frames import AckMessage, Headers  # type: ignore[import-untyped]
from dingtalk_stream.handlers import CallbackHandler  # type: ignore[import-untyped]

from bot.channels.dingtalk.message import Inbound, parse_card_callback, parse_robot
from bot.channels.pipeline import ChannelDeps, ChannelRejected, Pipeline, TaskTracker
from core.errors import ConfigError
from core.messages import Channel
from core.ports import Claim

log = logging.getLogger(__name__)

ROBOT_TOPIC = "/v1.0/im/bot/messages/get"  # dingtalk_stream.ChatbotMessage.TOPIC
CARD_TOPIC: str = CallbackHandler.TOPIC_CARD_CALLBACK  # "/v1.0/card/instances/callback"
ACK_OK, ACK_BAD_REQUEST, ACK_NOT_IMPLEMENTED = 200, 400, 404  # AckMessage.STATUS_*
OPEN_PATH = "/v1.0/gateway/connections/open"
USER_AGENT = "gongdan/0.1 (dingtalk-stream protocol)"

# answers a frame: (ack code, response) or None for "no ACK" (DingTalk may redeliver)
FrameHandler = Callable[[str, dict[str, Any], str], Awaitable[int | None]]


def open_body(client_id: str, client_secret: str,
              topics: tuple[str, ...] = (ROBOT_TOPIC, CARD_TOPIC)) -> dict[str, Any]:
    """What connections/open is sent: the app's credentials and the topics it subscribes to.

    `gongdan doctor` sends the same body to check a Stream-mode deployment.
    """
    return {
        "clientId": client_id,
        "clientSecret": client_secret,
        "subscriptions": [{"type": "CALLBACK", "topic": t} for t in topics],
        "ua": USER_AGENT,
        "localIp": "",
    }


class StreamOpenError(Exception):
    """connections/open failed (credentials, network, or an answer without endpoint)."""


def ack_frame(message_id: str, code: int = ACK_OK, data: Any = None,
              message: str = "OK") -> str:
    """An ACK as the SDK builds it; `data` becomes a JSON string ({"response": null})."""
    ack = AckMessage()
    ack.code = code
    ack.message = message
    ack.headers.message_id = message_id
    ack.headers.content_type = Headers.CONTENT_TYPE_APPLICATION_JSON
    ack.data = {"response": None} if data is None else data
    text: str = json.dumps(ack.to_dict(), ensure_ascii=False)
    return text


class DingTalkStream:
    """One logical Stream connection, kept open (reconnecting) until `run` is cancelled."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        client_id: str,
        client_secret: str,
        on_callback: FrameHandler,
        *,
        topics: tuple[str, ...] = (ROBOT_TOPIC, CARD_TOPIC),
        min_backoff: float = 1.0,
        max_backoff: float = 60.0,
        open_timeout: float = 10.0,
        heartbeat: float = 30.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.session = session
        self.open_url = api_base.rstrip("/") + OPEN_PATH
        self.client_id = client_id
        self.client_secret = client_secret
        self.on_callback = on_callback
        self.topics = topics
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.open_timeout = aiohttp.ClientTimeout(total=open_timeout)
        self.heartbeat = heartbeat
        self._jitter = jitter
        self._tasks = TaskTracker()
        self._send_lock = asyncio.Lock()
        self.connections = 0  # successful connects, for tests and logs
        self.connected = asyncio.Event()

    async def open_connection(self) -> str:
        """The WebSocket URL with its one-time ticket."""
        body = open_body(self.client_id, self.client_secret, self.topics)
        try:
            async with self.session.post(self.open_url, json=body, timeout=self.open_timeout,
                                         headers={"Accept": "application/json"}) as resp:
                data = await resp.json(content_type=None)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise StreamOpenError(f"{type(exc).__name__}: {exc}") from None
        if status != 200 or not isinstance(data, dict) or not data.get("endpoint") \
                or not data.get("ticket"):
            raise StreamOpenError(f"HTTP {status}: {str(data)[:200]}")
        sep = "&" if "?" in data["endpoint"] else "?"
        return f"{data['endpoint']}{sep}ticket={quote_plus(str(data['ticket']))}"

    async def run(self) -> None:
        """Connect, serve, reconnect; forever, until cancelled."""
        failures = 0
        while True:
            try:
                url = await self.open_connection()
                asked_to_reconnect = await self._serve(url)
                failures = 0
                if asked_to_reconnect:
                    continue  # `disconnect`: the server is going away; a new one at once
                delay = self._backoff(0)
            except (StreamOpenError, aiohttp.ClientError, TimeoutError) as exc:
                failures += 1
                delay = self._backoff(failures)
                log.warning("dingtalk stream: %s; reconnecting in %.1fs", exc, delay)
            except Exception:  # a bug must not end the connection for good
                failures += 1
                delay = self._backoff(failures)
                log.exception("dingtalk stream failed; reconnecting in %.1fs", delay)
            await asyncio.sleep(delay)

    def _backoff(self, failures: int) -> float:
        ceiling = min(self.max_backoff, self.min_backoff * 2.0 ** max(0, failures - 1))
        return ceiling * (0.5 + 0.5 * self._jitter())

    async def _serve(self, url: str) -> bool:
        """One WebSocket session; True if the server sent `disconnect`."""
        async with self.session.ws_connect(url, heartbeat=self.heartbeat) as ws:
            self.connections += 1
            self.connected.set()
            log.info("dingtalk stream connected (%d)", self.connections)
            try:
                async for msg in ws:
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        continue
                    try:
                        frame = json.loads(msg.data)
                    except ValueError:
                        log.warning("dingtalk stream: a frame that is not JSON")
                        continue
                    if await self._frame(ws, frame):
                        return True
            finally:
                self.connected.clear()
        return False

    async def _frame(self, ws: aiohttp.ClientWebSocketResponse, frame: Any) -> bool:
        """Handle one frame; True for `disconnect`."""
        if not isinstance(frame, dict):
            return False
        headers = frame.get("headers") or {}
        topic = str(headers.get("topic", ""))
        message_id = str(headers.get("messageId", ""))
        kind = frame.get("type")
        if kind == "SYSTEM":
            # ping: echo its data (the opaque); disconnect: acknowledge, then reconnect
            await self._send(ws, ack_frame(message_id, data=_data(frame)))
            return topic == "disconnect"
        if kind == "CALLBACK":
            self._tasks.spawn(self._callback(ws, topic, frame, message_id))
        elif kind == "EVENT":
            await self._send(ws, ack_frame(message_id, data=_data(frame)))
        return False

    async def _callback(self, ws: aiohttp.ClientWebSocketResponse, topic: str,
                        frame: dict[str, Any], message_id: str) -> None:
        data = _data(frame)
        try:
            code = await self.on_callback(topic, data if isinstance(data, dict) else {},
                                          message_id)
        except Exception:
            log.exception("dingtalk stream: callback %s failed; not acknowledged", message_id)
            return
        if code is not None:
            await self._send(ws, ack_frame(message_id, code))

    async def _send(self, ws: aiohttp.ClientWebSocketResponse, text: str) -> None:
        if ws.closed:
            return
        async with self._send_lock:
            with suppress(ConnectionResetError):
                await ws.send_str(text)

    async def close(self) -> None:
        await self._tasks.drain(grace=2.0)


def _data(frame: dict[str, Any]) -> Any:
    raw = frame.get("data")
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {}
    return raw if raw is not None else {}


class DingTalkStreamInbound:
    """Stream frames -> ChatMessages for the pipeline, deduped in the inbox.

    A frame is acknowledged only after its inbox key is stored and its
    handler started, so a crash before that leaves it unacknowledged for
    DingTalk to redeliver, and a redelivery of a frame we took is ACKed
    without running the handler again.
    """

    def __init__(self, deps: ChannelDeps, pipeline: Pipeline) -> None:
        self.deps = deps
        self.pipeline = pipeline

    async def __call__(self, topic: str, data: dict[str, Any], message_id: str) -> int | None:
        now = self.deps.clock.now()
        try:
            inbound = self._parse(topic, data, message_id, now)
        except ChannelRejected as exc:
            log.warning("dingtalk stream frame %s rejected: %s", message_id, exc.reason)
            return ACK_BAD_REQUEST  # acknowledged, so it is not redelivered
        if inbound is None:
            log.info("dingtalk stream topic %s not handled", topic)
            return ACK_NOT_IMPLEMENTED
        if inbound.message is None:
            await self.deps.inbox.first_seen(Channel.DINGTALK, inbound.key, now)
            return ACK_OK
        # claimed like an HTTP-mode message: a frame whose handler died is taken over by
        # the recovery sweep, and a redelivered one is handled once
        claim = await self.pipeline.claim(inbound.message)
        if claim in (Claim.HANDLED, Claim.BUSY):
            log.info("dingtalk repeat of %s ignored (%s)", inbound.key, claim.value)
            return ACK_OK
        await self.pipeline.run_detached(inbound.message)
        return ACK_OK

    def _parse(self, topic: str, data: dict[str, Any], message_id: str,
               now: Any) -> Inbound | None:
        if topic == ROBOT_TOPIC:
            return parse_robot(data, self.deps.settings.dingtalk_oapi_base, now)
        if topic == CARD_TOPIC:
            return parse_card_callback(data, message_id, now)
        return None


dingtalk_stream_key = web.AppKey("dingtalk_stream", DingTalkStream)


def setup_dingtalk_stream(app: web.Application, deps: ChannelDeps, **options: Any) -> None:
    """Run the Stream connection for the app's lifetime (a cleanup_ctx entry).

    Needs GONGDAN_DINGTALK_ROBOT_CODE (the AppKey, i.e. clientId) and
    GONGDAN_DINGTALK_APP_SECRET; connections/open is called on
    GONGDAN_DINGTALK_API_BASE. `options` go to DingTalkStream (tests shorten
    the backoff). On shutdown the connection is cancelled first, then the
    handlers it started drain their replies into the outbox.
    """
    settings = deps.settings
    if not (settings.dingtalk_app_secret and settings.dingtalk_robot_code):
        raise ConfigError("DingTalk Stream mode needs GONGDAN_DINGTALK_ROBOT_CODE (AppKey) "
                          "and GONGDAN_DINGTALK_APP_SECRET")
    tasks = TaskTracker()
    inbound = DingTalkStreamInbound(deps, Pipeline(deps, tasks))

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            stream = DingTalkStream(session, settings.dingtalk_api_base,
                                    settings.dingtalk_robot_code, settings.dingtalk_app_secret,
                                    inbound, **options)
            app[dingtalk_stream_key] = stream
            task = asyncio.create_task(stream.run(), name="dingtalk-stream")
            try:
                yield
            finally:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
                await stream.close()
                await tasks.drain()

    app.cleanup_ctx.append(lifetime)
