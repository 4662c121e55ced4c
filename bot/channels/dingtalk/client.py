"""Asynchronous DingTalk client: robot OpenAPI (with its token) and sessionWebhook posts.

The token is cached and refreshed before expiry with one fetch in flight;
a 401 refetches it once. Throttling (HTTP 429 or a QpsLimit code) becomes
`DingTalkApiError(throttled=True)` so the dispatcher backs off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class DingTalkApiError(Exception):
    def __init__(self, status: int, code: str, message: str, throttled: bool = False) -> None:
        super().__init__(f"dingtalk {status} {code}: {message}")
        self.status = status
        self.code = code
        self.throttled = throttled


class DingTalkTransportError(Exception):
    """Network failure, timeout, 5xx or a non-JSON answer."""


class DingTalkClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        app_key: str,
        app_secret: str,
        *,
        oapi_base: str | None = None,
        timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.base = api_base.rstrip("/")
        self.oapi_base = (oapi_base or api_base).rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._now = monotonic
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        if self._token and self._now() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and self._now() < self._expires_at:
                return self._token
            status, data = await self._post(f"{self.base}/v1.0/oauth2/accessToken",
                                            {"appKey": self.app_key, "appSecret": self.app_secret})
            if status != 200 or "accessToken" not in data:
                raise _api_error(status, data)
            expire_in = float(data.get("expireIn", 7200))
            self._token = str(data["accessToken"])
            self._expires_at = self._now() + expire_in - min(300.0, expire_in / 10)
            return self._token

    async def batch_send(self, user_ids: Sequence[str], msg_key: str,
                         msg_param: dict[str, Any]) -> dict[str, Any]:
        """Robot 1:1 message to staff ids (alerts, digests, expired sessions)."""
        body = {"robotCode": self.app_key, "userIds": list(user_ids), "msgKey": msg_key,
                "msgParam": json.dumps(msg_param, ensure_ascii=False)}
        return await self._api("POST", "/v1.0/robot/oToMessages/batchSend", body)

    async def send_interactive_card(self, card_biz_id: str, card_data: dict[str, Any], *,
                                    user_id: str | None = None,
                                    open_conversation_id: str | None = None) -> dict[str, Any]:
        """An interactive card (普通版, StandardCard) whose button clicks call back.

        Sent through the OpenAPI because a sessionWebhook cannot carry one;
        `card_biz_id` names this copy for a later `update_interactive_card`.
        """
        body: dict[str, Any] = {
            "cardTemplateId": "StandardCard", "robotCode": self.app_key,
            "cardBizId": card_biz_id, "cardData": json.dumps(card_data, ensure_ascii=False),
            "sendOptions": {"atAll": False},
        }
        if open_conversation_id:
            body["openConversationId"] = open_conversation_id
        else:
            body["singleChatReceiver"] = json.dumps({"userId": user_id})
        return await self._api("POST", "/v1.0/im/v1.0/robot/interactiveCards/send", body)

    async def update_interactive_card(self, card_biz_id: str,
                                      card_data: dict[str, Any]) -> dict[str, Any]:
        """Replace the content of a card sent with `send_interactive_card`."""
        body = {"cardBizId": card_biz_id,
                "cardData": json.dumps(card_data, ensure_ascii=False)}
        return await self._api("PUT", "/v1.0/im/robots/interactiveCards", body)

    async def _api(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """An OpenAPI call with the token header; one token refetch on 401."""
        for attempt in (1, 2):
            token = await self.access_token()
            status, data = await self._post(f"{self.base}{path}", body,
                                            {"x-acs-dingtalk-access-token": token}, method)
            if status == 401 and attempt == 1:
                if self._token == token:
                    self._token = None
                continue
            if status != 200:
                raise _api_error(status, data)
            return data
        raise AssertionError("unreachable")

    async def upload_image(self, content: bytes, filename: str = "plan.png") -> str:
        """Upload a picture on the legacy media API; returns its media_id for sampleImageMsg.

        The app's access token serves the legacy (oapi) endpoints as well.
        """
        kind = "image/png" if content[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
        for attempt in (1, 2):
            token = await self.access_token()
            form = aiohttp.FormData()
            form.add_field("media", content, filename=filename, content_type=kind)
            try:
                async with self.session.post(f"{self.oapi_base}/media/upload",
                                             params={"access_token": token, "type": "image"},
                                             data=form, timeout=self.timeout) as resp:
                    if resp.status >= 500:
                        raise DingTalkTransportError(f"HTTP {resp.status} from media/upload")
                    data = await resp.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                raise DingTalkTransportError(f"{type(exc).__name__}: {exc}") from None
            errcode = int(data.get("errcode", 0)) if isinstance(data, dict) else -1
            if errcode in (40014, 42001) and attempt == 1:
                if self._token == token:
                    self._token = None
                continue
            if errcode != 0 or not data.get("media_id"):
                raise DingTalkApiError(200, str(errcode), str(data.get("errmsg", "")))
            return str(data["media_id"])
        raise AssertionError("unreachable")

    async def session_send(self, webhook: str, body: dict[str, Any]) -> None:
        """Reply through a message's sessionWebhook (no token needed)."""
        status, data = await self._post(webhook, body)
        errcode = data.get("errcode", 0)
        if status != 200 or errcode not in (0, "0"):
            raise DingTalkApiError(status, str(errcode), str(data.get("errmsg", "")),
                                   throttled=status == 429)

    async def _post(self, url: str, body: dict[str, Any], headers: dict[str, str] | None = None,
                    method: str = "POST") -> tuple[int, dict[str, Any]]:
        try:
            async with self.session.request(method, url, json=body, headers=headers,
                                            timeout=self.timeout) as resp:
                if resp.status >= 500:
                    raise DingTalkTransportError(f"HTTP {resp.status} from {url}")
                data = await resp.json(content_type=None)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise DingTalkTransportError(f"{type(exc).__name__}: {exc}") from None
        if not isinstance(data, dict):
            raise DingTalkTransportError("answer is not a JSON object")
        return status, data


def _api_error(status: int, data: dict[str, Any]) -> DingTalkApiError:
    code = str(data.get("code", ""))
    throttled = status == 429 or "QpsLimit" in code or "Throttling" in code
    return DingTalkApiError(status, code, str(data.get("message", "")), throttled)
