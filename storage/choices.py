"""The pending numbered choices of channels without buttons (bot.channels.base.ChoiceStore),
one row per (channel, chat): the latest choices offered replace the earlier ones."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.base import Button
from bot.dates.timeutil import utcnow
from storage.models import PendingChoice

_TABLE = PendingChoice.__table__
_INSERT = {"sqlite": sqlite_insert, "postgresql": pg_insert}


class PendingChoices:
    """A ChoiceStore in the database, given to the Zalo channel by the composition root."""

    def __init__(self, sessionmaker: async_sessionmaker,
                 clock: Callable[[], datetime] = utcnow):
        self.sessionmaker, self.clock = sessionmaker, clock

    async def save(self, channel: str, chat_id: str, choices: Sequence[Button]) -> None:
        rows = [{"text": b.text, "data": b.data} for b in choices]
        async with self.sessionmaker() as session:
            # An upsert: a reply and a reminder may offer choices to one chat at the same time.
            insert = _INSERT[session.get_bind().dialect.name]
            statement = insert(_TABLE).values(channel=channel, chat_id=chat_id, choices=rows,
                                              offered_at=self.clock())
            await session.execute(statement.on_conflict_do_update(
                index_elements=[_TABLE.c.channel, _TABLE.c.chat_id],
                set_={"choices": statement.excluded.choices,
                      "offered_at": statement.excluded.offered_at}))
            await session.commit()

    async def load(self, channel: str, chat_id: str) -> list[Button]:
        async with self.sessionmaker() as session:
            rows = await session.scalar(select(_TABLE.c.choices).where(
                _TABLE.c.channel == channel, _TABLE.c.chat_id == chat_id))
        return [Button(row["text"], row["data"]) for row in rows or []]
