"""Conversation state in the database: shared by processes, each question answered once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.conversation.interpreter import Conversations, OrderBrief
from storage.conversations import SqlConversationStore
from storage.engine import create_engine

NOW = datetime(2026, 11, 18, 1, 30, tzinfo=UTC)
LATER = NOW + timedelta(minutes=15)


class _Directory:
    async def resolve(self, written: str, person_id: str) -> list[str]:
        return [written] if written in ("SO-12", "SO-13") else []

    async def recent_orders(self, person_id: str, limit: int) -> list[OrderBrief]:
        return [OrderBrief("SO-12", risk=2.0), OrderBrief("SO-13", risk=1.0)][:limit]


async def test_save_peek_take_purge(engine: AsyncEngine) -> None:
    store = SqlConversationStore(engine)
    assert await store.take("web", "p1") is None
    await store.save("web", "p1", {"format": 1, "x": ["二", 2]}, NOW, LATER)
    await store.save("web", "p1", {"format": 1, "x": ["三", 3]}, NOW, LATER)  # replaces
    await store.save("wecom", "p1", {"other": True}, NOW, NOW + timedelta(minutes=1))
    peeked = await store.peek("web", "p1")
    assert peeked is not None and peeked.state == {"format": 1, "x": ["三", 3]}
    assert peeked.saved_at == NOW and peeked.expires_at == LATER
    taken = await store.take("web", "p1")
    assert taken == peeked
    assert await store.take("web", "p1") is None and await store.peek("web", "p1") is None
    assert await store.purge(NOW + timedelta(minutes=2)) == 1
    assert await store.peek("wecom", "p1") is None
    await store.save("web", "p2", {}, NOW, LATER)
    await store.discard("web", "p2")
    assert await store.peek("web", "p2") is None


async def test_concurrent_takers_on_two_engines_get_one_entry_once(db_url: str,
                                                                   engine: AsyncEngine) -> None:
    """Two processes (two engines, two connection pools) take at the same moment, many times."""
    other = create_engine(db_url)
    try:
        stores = [SqlConversationStore(engine), SqlConversationStore(other)]
        for round_ in range(20):
            await stores[0].save("web", "p1", {"round": round_}, NOW, LATER)
            taken = await asyncio.gather(*(s.take("web", "p1") for s in stores * 2))
            got = [t for t in taken if t is not None]
            assert [t.state for t in got] == [{"round": round_}]
    finally:
        await other.dispose()


async def test_two_processes_one_conversation(db_url: str, engine: AsyncEngine) -> None:
    other = create_engine(db_url)
    try:
        a = Conversations(_Directory(), SqlConversationStore(engine))
        b = Conversations(_Directory(), SqlConversationStore(other))
        asked = await a.interpret("web", "p1", "SO-12 数量改一下", NOW)
        assert asked.kind == "question"
        answers = await asyncio.gather(b.interpret("web", "p1", "20件", NOW),
                                       a.interpret("web", "p1", "30件", NOW))
        done = [x for x in answers if x.kind == "command"]
        assert len(done) == 1 and done[0].command is not None
        assert done[0].command.order == "SO-12"
        # the other answer found no question and asked which order; a list asked for
        # replaces that question, and "2" picks from it wherever it arrives
        shown = await a.interpret("web", "p1", "我的订单", NOW)
        assert shown.kind == "orders"
        picked = await b.interpret("web", "p1", "2", NOW)
        assert picked.command is not None and picked.command.order == "SO-13"
    finally:
        await other.dispose()


async def test_a_take_for_a_message_is_recorded_with_its_key(engine: AsyncEngine) -> None:
    """A message handled again takes what it took the first time, not what came after."""
    from core.idempotency import Source

    store = SqlConversationStore(engine)
    first, second = Source("web", "m1"), Source("web", "m2")
    await store.save("web", "p1", {"q": 1}, NOW, LATER)
    taken = await store.take("web", "p1", by=first, at=NOW)
    assert taken is not None and taken.state == {"q": 1}
    await store.save("web", "p1", {"q": 2}, NOW, LATER)  # the first run asked a new question
    assert await store.take("web", "p1", by=first, at=NOW) == taken  # run again: the same
    again = await store.take("web", "p1", by=second, at=NOW)
    assert again is not None and again.state == {"q": 2}  # the next message: the new one
    nothing = Source("web", "m3")
    assert await store.take("web", "p1", by=nothing, at=NOW) is None
    await store.save("web", "p1", {"q": 3}, NOW, LATER)
    assert await store.take("web", "p1", by=nothing, at=NOW) is None  # found nothing before
    assert await store.peek("web", "p1") is not None


async def test_an_answer_handled_again_answers_its_question_again(engine: AsyncEngine) -> None:
    """As after a kill -9 between taking the question and the handled mark."""
    from core.idempotency import Source, handling

    conv = Conversations(_Directory(), SqlConversationStore(engine))
    asked = await conv.interpret("web", "p1", "SO-12 数量改一下", NOW)
    assert asked.kind == "question"
    with handling(Source("web", "answer-1")):
        done = await conv.interpret("web", "p1", "20件", NOW)
        again = await conv.interpret("web", "p1", "20件", NOW)
    assert done.kind == again.kind == "command"
    assert again.command == done.command and done.command is not None
    assert done.command.order == "SO-12"
