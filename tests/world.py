"""A small world for conversation tests: an App on a temporary SQLite file (migrated with
Alembic), a console channel that records what the dispatcher sends, and a controllable clock."""
from __future__ import annotations

import itertools
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.channels.base import Incoming, Outgoing
from bot.channels.console import ConsoleChannel
from bot.config import load_settings
from bot.delivery.dispatch import RateLimits
from bot.directory.registry import add_unit, create_invite
from bot.tasks.store import NewTask, store
from storage.models import Assignment, Contact, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, *args: int) -> datetime:
        self.now = datetime(*args, tzinfo=TZ)
        return self.now


class OfficeSide:
    """The Office's side, straight in the database: units, invites, tasks. Needs `app`, `clock`."""

    async def unit(self, name: str, *aliases: str, members: tuple[str, ...] = (), kind="department") -> Unit:
        async with self.app.sessionmaker() as s:
            unit = await add_unit(s, name, self.clock(), list(aliases), kind, list(members))
            await s.commit()
            return unit

    async def invite(self, role: str, unit: str | None = None, ttl_days: int = 7) -> str:
        async with self.app.sessionmaker() as s:
            inv = await create_invite(s, role, unit, self.clock(), ttl_days)
            await s.commit()
            return inv.code

    async def tasks(self, *specs: tuple[str, str, date | None]) -> list[int]:
        """Store tasks given as (unit name, text, deadline); returns the assignment codes."""
        async with self.app.sessionmaker() as s:
            units = {u.name: u.id for u in (await s.scalars(select(Unit))).all()}
            stored = await store(s, None, [NewTask(text=text, lead=[units[unit]], deadline=deadline)
                                           for unit, text, deadline in specs], self.clock())
            await s.commit()
            return [a.id for a in stored.assignments]

    async def assignment(self, code: int) -> Assignment:
        async with self.app.sessionmaker() as s:
            return await s.get(Assignment, code)


class World(OfficeSide):
    def __init__(self, tmp_path: Path, start: datetime, **env: str):
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'world.db'}", **env},
            dotenv=None)
        self.settings = settings
        self.clock = Clock(start)
        self.console = ConsoleChannel(show=lambda chat_id, out: None)
        self.app = App(settings, channels={"console": self.console}, clock=self.clock,
                       limits=RateLimits(per_second=10_000, private_interval=0.0,
                                         group_per_minute=1_000_000))
        self._ids = itertools.count(1)

    async def start(self) -> "World":
        await self.app.migrate()
        return self

    async def close(self) -> None:
        await self.app.close()

    async def say(self, chat_id: str, text: str = "", *, button: str | None = None,
                  reply_to: str | None = None, name: str = "", chat_type: str = "private",
                  language: str | None = None, kind: str | None = None) -> list[Outgoing]:
        n = next(self._ids)
        msg = Incoming(channel="console", chat_id=chat_id, user_id=chat_id, text=text,
                       user_name=name or chat_id, chat_type=chat_type, message_id=f"m{n}",
                       update_id=f"u{n}", reply_to=reply_to, button_data=button,
                       language=language,
                       kind=kind or ("button" if button else "text"))
        return await self.app.core.handle(msg)

    async def text(self, chat_id: str, text: str = "", **kw) -> str:
        """The bot's answer as one string (all replies joined)."""
        return "\n".join(r.text for r in await self.say(chat_id, text, **kw))

    async def register(self, chat_id: str, role: str, unit: str | None = None,
                       name: str = "", chat_type: str = "private") -> None:
        code = await self.invite(role, unit)
        answer = await self.text(chat_id, f"/start {code}", name=name or chat_id, chat_type=chat_type)
        assert "Chào mừng" in answer or "Welcome" in answer, answer

    async def contact(self, chat_id: str) -> Contact | None:
        async with self.app.sessionmaker() as s:
            return await s.scalar(select(Contact).where(Contact.chat_id == chat_id))

    async def tick(self):
        return await self.app.tick(self.clock())

    def sent_to(self, chat_id: str) -> list[Outgoing]:
        return [out for chat, out, _ in self.console.sent if chat == chat_id]
