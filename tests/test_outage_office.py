"""Issue 10, outbound, as the Office sees it: a platform down for 20 minutes with 10 reminders
due loses none; the Office is told on its other channel after 10 minutes and, once the platform
is back, gets one message with the outage's span and how many were delayed; what could not be
delivered while still useful is listed for it. Reminders are kept until their deadline day ends."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.channels.base import TransientError
from bot.config import load_settings
from bot.delivery.dispatch import RateLimits
from storage.models import Contact, Outbox
from tests.test_dispatch import FakeChannel, FakeClock
from tests.world import OfficeSide

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime(2026, 4, 13, 8, 0, tzinfo=TZ)  # a Monday, reminders go out


class TwoChannels(OfficeSide):
    def __init__(self, tmp_path):
        self.clock = FakeClock(MORNING)
        self.telegram = FakeChannel(self.clock, "telegram")
        self.zalo = FakeChannel(self.clock, "zalo")
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'two.db'}"}, dotenv=None)
        self.app = App(settings, channels={"telegram": self.telegram, "zalo": self.zalo},
                       clock=self.clock, limits=RateLimits(per_second=1000, private_interval=0))
        self.app.dispatcher.sleep = self.clock.sleep

    async def contact(self, channel: str, chat_id: str, role: str, unit: str | None = None):
        async with self.app.sessionmaker() as s:
            unit_id = None
            if unit:
                from storage.models import Unit
                unit_id = (await s.scalar(select(Unit).where(Unit.name == unit))).id
            s.add(Contact(channel=channel, chat_id=chat_id, user_id=chat_id, name=chat_id,
                          role=role, unit_id=unit_id, locale="vi", created_at=self.clock()))
            await s.commit()


async def office_with_ten_units(tmp_path) -> TwoChannels:
    w = TwoChannels(tmp_path)
    await w.app.migrate()
    for i in range(10):
        await w.unit(f"Phòng {i}")
        await w.contact("telegram", str(100 + i), "officer", f"Phòng {i}")
        await w.tasks((f"Phòng {i}", f"Nhiệm vụ {i}", date(2026, 4, 14)))  # due tomorrow
    await w.contact("telegram", "900", "admin")
    await w.contact("zalo", "z-vp", "admin")  # the Office is on Zalo too
    return w


async def test_telegram_down_twenty_minutes_ten_reminders_none_lost_office_told(tmp_path, caplog):
    w = await office_with_ten_units(tmp_path)
    down = TransientError("Cannot connect to host api.telegram.org")
    w.telegram.fail.update({str(100 + i): [down] * 10_000 for i in range(10)})
    w.telegram.fail["900"] = [down] * 10_000
    try:
        with caplog.at_level(logging.WARNING):
            planned, _ = await w.app.tick()
            assert planned.reminders == 10
            while w.clock.now < MORNING + timedelta(minutes=20):
                await w.app.dispatcher.run_once()
                w.clock.advance(15)
        assert any("telegram unreachable since" in r.getMessage() and r.levelno == logging.WARNING
                   for r in caplog.records)
        told = w.zalo.texts("z-vp")
        assert len(told) == 1 and "Telegram" in told[0] and "08:0" in told[0]
        w.telegram.fail.clear()  # back
        for _ in range(60):
            await w.app.dispatcher.run_once()
            w.clock.advance(15)
        sent = w.telegram.texts()
        assert sum("Nhiệm vụ" in text for text in sent) == 10  # every reminder, once each
        recovered = [t for t in w.zalo.texts("z-vp") + w.telegram.texts("900")
                     if "mất kết nối từ" in t]
        assert len(recovered) == 2  # one message to each of the Office's chats
        assert all("10 tin nhắn" in t and "08:00" in t for t in recovered)
        async with w.app.sessionmaker() as s:
            statuses = set((await s.scalars(select(Outbox.status))).all())
        assert statuses == {"sent"}
    finally:
        await w.app.close()


async def test_a_reminder_retried_until_its_deadline_day_is_over_then_listed_for_the_office(
        tmp_path):
    w = await office_with_ten_units(tmp_path)
    w.telegram.fail["100"] = [TransientError("502 Bad Gateway")] * 100_000
    try:
        await w.app.tick()
        async with w.app.sessionmaker() as s:
            row = await s.scalar(select(Outbox).where(Outbox.chat_id == "100"))
        assert row.expires_at == datetime(2026, 4, 15, 0, 0, tzinfo=TZ)  # end of 14/4
        w.clock.now = datetime(2026, 4, 14, 23, 50, tzinfo=TZ)
        for _ in range(5):
            await w.app.dispatcher.run_once()
            w.clock.advance(300)
        async with w.app.sessionmaker() as s:
            row = await s.get(Outbox, row.id)
        assert row.status == "expired"
        listed = [t for t in w.zalo.texts("z-vp") if "hết hạn" in t]
        assert len(listed) == 1 and "telegram 100" in listed[0] and "Nhiệm vụ 0" in listed[0]
    finally:
        await w.app.close()
