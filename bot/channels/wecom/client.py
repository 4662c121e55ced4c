"""Asynchronous WeCom API client on aiohttp (wechatpy's client is sync `requests`).

- one access token per app, cached and refreshed before expiry; concurrent
  callers share one fetch (single flight);
- on 40014/42001 (token invalid/expired) the token is refetched and the call
  retried exactly once, never in a loop (wechatpy's auto_retry is unbounded);
- 45009 / -1 start a cool-down that later calls respect;
- at most 30 messages per minute and 1000 per hour per member, locally,
  because WeCom drops the excess silently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp

from bot.delivery.senders import SlidingWindowLimiter

log = logging.getLogger(__name__)

TOKEN_ERRORS = {40014, 42001}
BUSY_ERRORS = {45009, -1}
DUPLICATE_CHECK_SECONDS = 1800  # WeCom's default; at most 4 hours
MAX_DUPLICATE_CHECK_SECONDS = 4 * 3600


class WeComApiError(Exception):
    def __init__(self, errcode: int, errmsg: str, retry_after: float | None = None) -> None:
        super().__init__(f"wecom errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.retry_after = retry_after


class WeComTransportError(Exception):
    """Network failure, timeout or a non-JSON / 5xx answer."""


class MemberRateLimited(Exception):
    def __init__(self, user: str, after: float) -> None:
        super().__init__(f"member {user} at the per-app send limit; wait {after:.1f}s")
        self.after = after


class _Token:
    """A cached token with single-flight refresh."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self.value: str | None = None
        self.expires_at = 0.0
        self.lock = asyncio.Lock()
        self.now = monotonic

    def fresh(self) -> str | None:
        return self.value if self.value and self.now() < self.expires_at else None


MAX_IMAGE_BYTES = 2 * 1024 * 1024  # WeCom's limit for image media


class WeComClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.base = api_base.rstrip("/") + "/cgi-bin/"
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._now = monotonic
        self._token = _Token(monotonic)
        self._cooldown_until = 0.0
        self._busy_streak = 0
        self.per_minute = SlidingWindowLimiter(30, 60.0, monotonic)
        self.per_hour = SlidingWindowLimiter(1000, 3600.0, monotonic)

    # --- token ----------------------------------------------------------------

    async def access_token(self) -> str:
        token = self._token.fresh()
        if token:
            return token
        async with self._token.lock:
            token = self._token.fresh()  # another caller fetched while we waited
            if token:
                return token
            return await self._fetch_token()

    async def _fetch_token(self) -> str:
        data = await self._request(
            "GET", "gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
        )
        errcode = int(data.get("errcode", 0))
        if errcode != 0 or "access_token" not in data:
            raise WeComApiError(errcode or -1, str(data.get("errmsg", "no access_token")))
        expires_in = float(data.get("expires_in", 7200))
        # refresh early: 5 minutes before expiry, or a tenth of short lifetimes
        margin = min(300.0, expires_in / 10)
        self._token.value = str(data["access_token"])
        self._token.expires_at = self._now() + expires_in - margin
        log.info("wecom token fetched for corp %s, valid %.0fs", self.corp_id, expires_in)
        return self._token.value

    def _invalidate(self, token: str) -> None:
        if self._token.value == token:  # only the token that failed; a newer one stays
            self._token.value = None

    # --- calls ----------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        data: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        try:
            async with self.session.request(
                method, self.base + path, params=params, json=json, data=data, timeout=self.timeout
            ) as resp:
                if resp.status >= 500:
                    raise WeComTransportError(f"HTTP {resp.status} from {path}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WeComTransportError(f"{path}: {type(exc).__name__}: {exc}") from None
        if not isinstance(data, dict):
            raise WeComTransportError(f"{path}: answer is not a JSON object")
        return data

    async def call(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        form: Callable[[], aiohttp.FormData] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST an API call with the token; one refetch-and-retry on 40014/42001.

        `form` builds a multipart body afresh for each attempt (a FormData is
        consumed by sending it).
        """
        self._respect_cooldown()
        for attempt in (1, 2):
            token = await self.access_token()
            data = await self._request(
                "POST",
                path,
                params={"access_token": token, **(params or {})},
                json=body,
                data=form() if form else None,
            )
            errcode = int(data.get("errcode", 0))
            if errcode in TOKEN_ERRORS and attempt == 1:
                log.info("wecom token rejected (%d); refetching once", errcode)
                self._invalidate(token)
                continue
            if errcode in BUSY_ERRORS:
                raise WeComApiError(errcode, str(data.get("errmsg", "")), self._start_cooldown())
            if errcode != 0:
                raise WeComApiError(errcode, str(data.get("errmsg", "")))
            self._busy_streak = 0
            return data
        raise AssertionError("unreachable")

    def _respect_cooldown(self) -> None:
        left = self._cooldown_until - self._now()
        if left > 0:
            raise WeComApiError(45009, "local cool-down after a frequency error", left)

    def _start_cooldown(self) -> float:
        self._busy_streak += 1
        wait = min(60.0, 2.0**self._busy_streak)
        self._cooldown_until = self._now() + wait
        return wait

    # --- messages -------------------------------------------------------------

    async def send(
        self,
        user: str,
        bodies: Sequence[dict[str, Any]],
        duplicate_check_seconds: int = DUPLICATE_CHECK_SECONDS,
    ) -> list[dict[str, Any]]:
        """Send message/send bodies to one member, in order, within the member limits.

        All pieces are reserved together, so a split text never stops half way
        for the local limiter. Duplicate check is on: a piece that WeCom already
        got within `duplicate_check_seconds` (a retry after a crash or a
        timeout) is not shown twice.
        """
        interval = max(1, min(MAX_DUPLICATE_CHECK_SECONDS, duplicate_check_seconds))
        wait = max(
            self.per_minute.wait_for(user, len(bodies)), self.per_hour.wait_for(user, len(bodies))
        )
        if wait > 0:
            raise MemberRateLimited(user, wait)
        self.per_minute.record(user, len(bodies))
        self.per_hour.record(user, len(bodies))
        results = []
        for body in bodies:
            full = {
                "touser": user,
                "agentid": self.agent_id,
                "enable_duplicate_check": 1,
                "duplicate_check_interval": interval,
                **body,
            }
            results.append(await self.call("message/send", full))
        return results

    async def upload_image(self, content: bytes, filename: str = "plan.png") -> str:
        """Upload a PNG or JPG as temporary media (valid three days); returns its media_id."""
        if len(content) > MAX_IMAGE_BYTES:
            raise WeComApiError(40009, f"image of {len(content)} bytes is over {MAX_IMAGE_BYTES}")
        kind = "image/png" if content[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"

        def form() -> aiohttp.FormData:
            data = aiohttp.FormData()
            data.add_field("media", content, filename=filename, content_type=kind)
            return data

        answer = await self.call("media/upload", form=form, params={"type": "image"})
        media_id = answer.get("media_id")
        if not media_id:
            raise WeComApiError(-1, "media/upload answered without a media_id")
        return str(media_id)

    async def update_template_card(
        self,
        userids: Sequence[str],
        response_code: str,
        *,
        replace_name: str | None = None,
        template_card: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Grey out a card's button (replace_name) or replace the card; code is single-use."""
        body: dict[str, Any] = {
            "userids": list(userids),
            "agentid": self.agent_id,
            "response_code": response_code,
        }
        if template_card is not None:
            body["template_card"] = template_card
        else:
            body["button"] = {"replace_name": replace_name or ""}
        return await self.call("message/update_template_card", body)
