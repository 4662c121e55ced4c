"""The kf calls on top of `WeComClient`, which already caches the token, refetches it
once on 40014/42001 and cools down after 45009 / -1.

kf errcodes that the callers act on: 95018 (the customer is outside the
48-hour/5-message window, or the session is with a human agent) is final for
that message; 45009 and -1 are worth a retry later.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.wecom.client import WeComClient
from bot.settings import Settings

SESSION_CLOSED = 95018
SYNC_LIMIT = 1000
KF_TEXT_LIMIT = 2048  # bytes of UTF-8, as for message/send text


class KfClient:
    def __init__(self, api: WeComClient) -> None:
        self.api = api

    @classmethod
    def from_settings(cls, session: aiohttp.ClientSession, settings: Settings) -> KfClient:
        """The app's own secret unless 微信客服 has one of its own (GONGDAN_WECOM_KF_SECRET)."""
        agent = settings.wecom_agent_id
        return cls(WeComClient(session, settings.wecom_api_base, settings.wecom_corp_id,
                               settings.wecom_kf_secret or settings.wecom_secret,
                               int(agent) if agent.isdigit() else 0))

    async def sync_msg(self, open_kfid: str, cursor: str, token: str,
                       limit: int = SYNC_LIMIT) -> dict[str, Any]:
        """One page of messages after `cursor`; `token` is the callback's (valid 10 minutes).

        Without the token WeCom rate-limits the pull hard, so it is always passed.
        """
        body: dict[str, Any] = {"open_kfid": open_kfid, "limit": limit}
        if cursor:
            body["cursor"] = cursor
        if token:
            body["token"] = token
        return await self.api.call("kf/sync_msg", body)

    async def send_text(self, touser: str, open_kfid: str, content: str,
                        msgid: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"touser": touser, "open_kfid": open_kfid, "msgtype": "text",
                                "text": {"content": content}}
        if msgid:
            body["msgid"] = msgid
        return await self.api.call("kf/send_msg", body)

    async def send_on_event(self, code: str, content: str) -> dict[str, Any]:
        """The welcome message for an enter_session event; `code` is single-use, 20 s."""
        return await self.api.call("kf/send_msg_on_event", {
            "code": code, "msgtype": "text", "text": {"content": content}})

    async def add_contact_way(self, open_kfid: str, scene: str) -> str:
        """The kf account's link; `scene` comes back in enter_session events."""
        answer = await self.api.call("kf/add_contact_way", {"open_kfid": open_kfid,
                                                            "scene": scene})
        url = answer.get("url")
        if not url:
            raise ValueError("kf/add_contact_way answered without a url")
        return str(url)
