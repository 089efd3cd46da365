"""The pending numbered choices of channels without buttons (bot.channels.base.ChoiceStore),
one row per (channel, chat): the latest choices offered replace the earlier ones."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.base import Button
from bot.dates.timeutil import utcnow
from storage.models import PendingChoice


class PendingChoices:
    """A ChoiceStore in the database, given to the Zalo channel by the composition root."""

    def __init__(self, sessionmaker: async_sessionmaker,
                 clock: Callable[[], datetime] = utcnow):
        self.sessionmaker, self.clock = sessionmaker, clock

    async def save(self, channel: str, chat_id: str, choices: Sequence[Button]) -> None:
        rows = [{"text": b.text, "data": b.data} for b in choices]
        async with self.sessionmaker() as session:
            # An upsert: a reply and a reminder may offer choices to one chat at the same time.
            values = {"channel": channel, "chat_id": chat_id, "choices": rows,
                      "offered_at": self.clock()}
            statement: PgInsert | SqliteInsert
            if session.get_bind().dialect.name == "postgresql":
                statement = pg_insert(PendingChoice).values(values)
            else:
                statement = sqlite_insert(PendingChoice).values(values)
            await session.execute(statement.on_conflict_do_update(
                index_elements=["channel", "chat_id"],
                set_={"choices": statement.excluded.choices,
                      "offered_at": statement.excluded.offered_at}))
            await session.commit()

    async def load(self, channel: str, chat_id: str) -> list[Button]:
        async with self.sessionmaker() as session:
            stored = await session.scalar(select(PendingChoice.choices).where(
                PendingChoice.channel == channel, PendingChoice.chat_id == chat_id))
        return [Button(row["text"], row["data"]) for row in stored or []]
