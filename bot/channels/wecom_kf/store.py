"""The kf channel's durable state, in the database's small key-value store (`uow.state`).

- the sync_msg cursor per kf account: so a restart, or another process on the
  same database, resumes where the last pull stopped instead of re-reading
  three days of messages (the inbox would dedupe them, but the cursor keeps
  the pull short);
- the 48-hour/5-message window per customer (`core.kf.KfWindow`): so every
  process and every restart agrees on how many messages a customer may still get;
- the add_contact_way link per kf account and scene, fetched once;
- the HMAC secret for link scene_params when none is configured: random, and
  kept in the database so links survive restarts and work on every process.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from core.kf import KfWindow
from core.model.parties import Person
from core.ports import Clock, UnitOfWorkFactory

PREFIX = "wecom_kf."
_KEY_LIMIT = 200  # kv_state.key


def _key(kind: str, *parts: str) -> str:
    key = PREFIX + kind + "." + ".".join(parts)
    if len(key) <= _KEY_LIMIT:
        return key
    return PREFIX + kind + ".#" + hashlib.sha1(key.encode()).hexdigest()


class KfStore:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 configured_secret: str = "") -> None:
        self._uow = uow_factory
        self._clock = clock
        self._configured_secret = configured_secret
        self._secret: bytes | None = None

    async def _get(self, key: str) -> Any | None:
        async with self._uow() as uow:
            return await uow.state.get(key)

    async def _put(self, key: str, value: Any) -> None:
        async with self._uow() as uow:
            await uow.state.put(key, value, self._clock.now())
            await uow.commit()

    # cursor ---------------------------------------------------------------------

    async def cursor(self, open_kfid: str) -> str:
        value = await self._get(_key("cursor", open_kfid))
        return value if isinstance(value, str) else ""

    async def save_cursor(self, open_kfid: str, cursor: str) -> None:
        await self._put(_key("cursor", open_kfid), cursor)

    # window ---------------------------------------------------------------------

    async def window(self, external_userid: str) -> KfWindow:
        return KfWindow.from_json(await self._get(_key("window", external_userid)))

    async def _update_window(self, external_userid: str, change: Any) -> KfWindow:
        key = _key("window", external_userid)
        async with self._uow() as uow:
            window: KfWindow = change(KfWindow.from_json(await uow.state.get(key)))
            await uow.state.put(key, window.to_json(), self._clock.now())
            await uow.commit()
        return window

    async def customer_wrote(self, external_userid: str, at: Any, open_kfid: str) -> KfWindow:
        return await self._update_window(external_userid, lambda w: w.after_inbound(at, open_kfid))

    async def count_sent(self, external_userid: str) -> KfWindow:
        return await self._update_window(external_userid, lambda w: w.after_send())

    async def close_window(self, external_userid: str) -> KfWindow:
        return await self._update_window(external_userid, lambda w: w.closed())

    # contact links, people, secret -----------------------------------------------

    async def contact_way(self, open_kfid: str, scene: str) -> str | None:
        value = await self._get(_key("contact_way", open_kfid, scene))
        return value if isinstance(value, str) else None

    async def save_contact_way(self, open_kfid: str, scene: str, url: str) -> None:
        await self._put(_key("contact_way", open_kfid, scene), url)

    async def contact(self, external_userid: str) -> Person | None:
        async with self._uow() as uow:
            return await uow.parties.person_by_platform("wecom_kf", external_userid)

    async def link_secret(self) -> bytes:
        """GONGDAN_WECOM_KF_LINK_SECRET, else a random one stored once in the database.

        Two processes racing on an empty database may both write one; both then
        use what is stored after their write, so the last writer's wins for both.
        """
        if self._configured_secret:
            return self._configured_secret.encode()
        if self._secret is not None:
            return self._secret
        key = PREFIX + "link_secret"
        stored = await self._get(key)
        if not isinstance(stored, str) or len(stored) < 32:
            await self._put(key, secrets.token_hex(32))
            stored = await self._get(key)
        if not isinstance(stored, str):
            raise RuntimeError("the kf link secret could not be stored")
        self._secret = stored.encode()
        return self._secret
