"""storage.choices.PendingChoices on SQLite and PostgreSQL: the latest choices per (channel,
chat) replace the earlier ones, other chats and channels are untouched, concurrent offers to
one chat do not collide."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from bot.channels.base import Button, MemoryChoices
from storage.choices import PendingChoices

T0 = datetime(2026, 4, 14, 1, 0, tzinfo=timezone.utc)
FIRST = [Button("Đã xong", "r:done:17"), Button("Đang thực hiện", "r:progress:17")]
SECOND = [Button("#12 Báo cáo", "p:12:4021"), Button("#13 Khảo sát", "p:13:4021")]


async def _behaves_as_a_choice_store(store):
    assert await store.load("zalo", "chat-1") == []
    await store.save("zalo", "chat-1", FIRST)
    await store.save("zalo", "chat-2", SECOND)
    await store.save("zalo", "chat-1", SECOND)  # the latest offer replaces the earlier one
    assert await store.load("zalo", "chat-1") == SECOND
    assert await store.load("zalo", "chat-2") == SECOND
    assert await store.load("telegram", "chat-1") == []  # per channel
    await asyncio.gather(*(store.save("zalo", "chat-3", [Button(f"{i}", f"r:done:{i}")])
                           for i in range(10)))
    [only] = await store.load("zalo", "chat-3")
    assert only.data.startswith("r:done:")


async def test_pending_choices_in_the_database(any_db):
    await _behaves_as_a_choice_store(PendingChoices(any_db.sessionmaker, clock=lambda: T0))
    # A new store object over the same database (a restart) reads them back.
    assert await PendingChoices(any_db.sessionmaker).load("zalo", "chat-1") == SECOND


async def test_pending_choices_in_memory():
    await _behaves_as_a_choice_store(MemoryChoices())
    small = MemoryChoices(limit=2)
    for chat in ("a", "b", "c"):
        await small.save("zalo", chat, FIRST)
    assert await small.load("zalo", "a") == [] and await small.load("zalo", "c") == FIRST
