"""The contract harness: the real App (core, planner, dispatcher) on a temporary SQLite file,
one channel adapter polling its fake Bot API server on 127.0.0.1, and a controlled clock.

`bot` is parametrized over aiogram, python-telegram-bot and Zalo; tests talk to it through
`Harness` and its driver only, never to a platform directly.
"""
from __future__ import annotations

import asyncio
from datetime import datetime

import pytest_asyncio
from sqlalchemy import select

from bot.app import App
from bot.config import load_settings
from bot.delivery.dispatch import RateLimits
from storage.models import Contact
from tests.contract.drivers import Seen, make_driver, wait_for
from tests.world import TZ, Clock, OfficeSide

ADAPTERS = ["aiogram", "ptb", "zalo"]
START = datetime(2026, 4, 14, 7, 45, tzinfo=TZ)  # a Tuesday: no weekly nudge in the way
# The dispatcher's pacing follows the test clock, which stands still: relax it where the test
# is not about limits.
FAST = RateLimits(per_second=10_000, private_interval=0.0, group_per_minute=1_000_000)

class Harness(OfficeSide):
    def __init__(self, tmp_path, drivers: dict, clock: Clock | None = None):
        self.drivers = drivers  # platform ("telegram" | "zalo") → driver
        self.clock = clock or Clock(START)
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"},
            dotenv=None)
        self.app = App(settings, channels={p: d.channel for p, d in drivers.items()},
                       clock=self.clock, limits=FAST)
        self._receivers: list[asyncio.Task] = []

    @property
    def driver(self):
        """The only driver (single-platform tests)."""
        [driver] = self.drivers.values()
        return driver

    async def start(self) -> "Harness":
        await self.app.migrate()
        for platform, driver in self.drivers.items():
            self._receivers.append(asyncio.create_task(
                driver.channel.start(self.app.core.handle), name=f"receive:{platform}"))
        return self

    async def close(self) -> None:
        for driver in self.drivers.values():
            await driver.channel.stop()
        # Let the receivers end by themselves (cancelling mid-poll leaves a poll behind).
        await asyncio.wait(self._receivers, timeout=10)
        for task in self._receivers:
            task.cancel()
        await asyncio.gather(*self._receivers, return_exceptions=True)
        await self.app.close()  # and each channel's aclose

    # ---- the Office's side (database) ------------------------------------------------------

    async def contacts(self, platform: str, chat_id: str) -> list[Contact]:
        async with self.app.sessionmaker() as s:
            return (await s.scalars(select(Contact).where(
                Contact.channel == platform, Contact.chat_id == chat_id))).all()

    # ---- the people's side (through the fake servers) --------------------------------------

    def to(self, person: int, driver=None) -> list[Seen]:
        driver = driver or self.driver
        return [m for m in driver.sent() if m.chat_id == driver.chat_id(person)]

    async def ask(self, person: int, text: str = "", *, driver=None, reply_to: Seen | None = None,
                  press: tuple[Seen, str] | None = None, name: str = "Lan") -> Seen:
        """Say something (or press a button, or reply to a message) and wait for the answer."""
        driver = driver or self.driver
        before = len(self.to(person, driver))
        if press is not None:
            driver.press(person, *press)
        elif reply_to is not None:
            driver.reply(person, reply_to, text)
        else:
            driver.say(person, text, name=name)
        answers = await wait_for(lambda: self.to(person, driver)[before:], what=f"answer to {text!r}")
        return answers[-1]

    async def register(self, person: int, role: str, unit: str | None = None, *,
                       driver=None, name: str = "Lan") -> Seen:
        code = await self.invite(role, unit)
        welcome = await self.ask(person, f"/start {code}", driver=driver, name=name)
        assert "Chào mừng" in welcome.text, welcome.text
        return welcome

    async def tick(self, *when: int):
        """Move the clock (local time: year, month, day, hour, minute[, second]) and run one pass."""
        if when:
            self.clock.set(*when)
        return await self.app.tick(self.clock())


@pytest_asyncio.fixture(params=ADAPTERS)
async def bot(request, tmp_path):
    driver = make_driver(request.param)
    await driver.start()
    harness = Harness(tmp_path, {driver.platform: driver})
    try:
        await harness.start()
        await harness.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
        yield harness
    finally:
        await harness.close()
        await driver.stop()
