"""Zalo's numbered choices live in the database: a bot restarted between the question and the
answer (a new App, a new Zalo channel, the same database) still reads "2" as the second choice.
The channel is built by the composition root (bot/app.py) from the settings, as in production."""
from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from bot.app import App
from bot.config import load_settings
from storage.models import DONE, PendingChoice
from tests.contract.conftest import FAST, START, Harness
from tests.contract.drivers import POLL_TIMEOUT, ZaloDriver
from tests.world import Clock

OFFICER = 1
UNIT = "Phòng Kinh tế thị xã"


class ZaloBot(Harness):
    """The contract harness, but the Zalo channel comes from the App's own settings."""

    def __init__(self, tmp_path, driver: ZaloDriver, clock: Clock):
        self.drivers, self.clock, self._receivers = {"zalo": driver}, clock, []
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}",
            "ZALO_BOT_TOKEN": driver.token, "ZALO_API_BASE_URL": driver.fake.base_url},
            dotenv=None)
        self.app = App(settings, clock=clock, limits=FAST)
        driver.channel = self.app.channels["zalo"]


async def test_choices_survive_a_restart_of_the_zalo_channel(tmp_path):
    driver, clock = ZaloDriver(), Clock(START)
    await driver.start()
    try:
        before = await ZaloBot(tmp_path, driver, clock).start()
        try:
            await before.unit(UNIT, "Phòng Kinh tế")
            await before.register(OFFICER, "officer", "Phòng Kinh tế")
            first, second = await before.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)),
                                               (UNIT, "Báo cáo sơ kết quý II", date(2026, 4, 17)))
            clock.set(2026, 4, 15, 10, 0)
            ask = await before.ask(OFFICER, "xong rồi ạ")
            assert "nhiệm vụ nào" in ask.text
            old_channel = driver.channel
        finally:
            await before.close()

        # The old channel's last poll may still wait on the fake server and would take the next
        # update (as real Zalo would hand it out): let it expire first.
        await asyncio.sleep(POLL_TIMEOUT + 0.5)
        after = await ZaloBot(tmp_path, driver, clock).start()
        try:
            assert driver.channel is not old_channel
            async with after.app.sessionmaker() as s:
                [row] = (await s.scalars(select(PendingChoice))).all()
            assert (row.channel, row.chat_id) == ("zalo", driver.chat_id(OFFICER))
            [label] = [lb for lb in driver.labels(ask) if lb.startswith(f"#{second}")]
            readback = await after.ask(OFFICER, press=(ask, label))  # answers with its number
            assert f"#{second}" in readback.text and "10:00 ngày 15/04/2026" in readback.text
            assert (await after.assignment(second)).status == DONE
            assert (await after.assignment(first)).status == "open"
        finally:
            await after.close()
    finally:
        await driver.stop()
