"""The whole story over HTTP: a fake Telegram Bot API on 127.0.0.1, the real aiogram (and
python-telegram-bot) adapter polling it, the core, the planner and the dispatcher.

invite → /start → tasks loaded → reminder → reply to it → read-back → undo → /status.
"""
from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_ptb import PTBTelegramChannel
from bot.config import load_settings
from bot.directory.registry import add_unit, create_invite
from bot.tasks.store import NewTask, queue_new_task_notices, store
from storage.models import Assignment, Inbox, Unit
from tests.fakes.fake_telegram import FakeTelegram
from tests.world import TZ, Clock

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

OFFICER, LEADER = 5001, 5002
ADAPTERS = {"aiogram": TelegramChannel, "ptb": PTBTelegramChannel}


@pytest.fixture(params=sorted(ADAPTERS))
def adapter(request):
    return ADAPTERS[request.param]


async def test_the_whole_story_on_telegram(tmp_path, adapter):
    clock = Clock(datetime(2026, 4, 13, 7, 45, tzinfo=TZ))
    async with FakeTelegram() as fake:
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"}, dotenv=None)
        channel = adapter(fake.token, fake.base_url, poll_timeout=1)
        app = App(settings, channels={"telegram": channel}, clock=clock)
        await app.migrate()
        async with app.sessionmaker() as s:
            await add_unit(s, "Phòng Kinh tế thị xã", clock(), ["Phòng Kinh tế"])
            officer_code = (await create_invite(s, "officer", "Phòng Kinh tế", clock(), 7)).code
            leader_code = (await create_invite(s, "leader", None, clock(), 7)).code
            await s.commit()
        polling = asyncio.create_task(channel.start(app.core.handle))
        try:
            # Registration by the deep link's /start CODE.
            fake.push_text(OFFICER, OFFICER, f"/start {officer_code}", first_name="Lan")
            fake.push_text(LEADER, LEADER, f"/start {leader_code}", first_name="Chủ tịch")
            await fake.wait_for_sent(2, timeout=20)
            welcome = {m.chat_id: m.text for m in fake.sent}
            assert "Phòng Kinh tế thị xã" in welcome[OFFICER] and "lãnh đạo" in welcome[LEADER]

            # Tasks loaded; the unit is told.
            async with app.sessionmaker() as s:
                unit_id = (await s.scalars(select(Unit.id))).one()
                stored = await store(s, None, [
                    NewTask("Khảo sát mô hình chuyển đổi cây trồng", [unit_id], deadline=date(2026, 4, 16),
                            deadline_text="trước ngày 16/4/2026"),
                    NewTask("Báo cáo sơ kết quý II", [unit_id], deadline=date(2026, 5, 20))], clock())
                await queue_new_task_notices(s, stored.assignments, clock())
                await s.commit()
            first, second = (a.id for a in stored.assignments)

            # 08:00: the planner queues the D-3 reminder, the dispatcher sends it with buttons.
            clock.set(2026, 4, 13, 8, 0)
            await app.tick()
            reminder = next(m for m in fake.sent
                            if m.chat_id == OFFICER and f"#{first}" in (m.text or "").split("\n")[0])
            assert "16/04/2026 (trước ngày 16/4/2026)" in reminder.text
            assert [t for t, _ in reminder.buttons[0]][:2] == ["Đã xong", "Đang thực hiện"]
            before = len(fake.sent)
            await app.tick()  # the same instant again: nothing new
            assert len(fake.sent) == before

            # A Telegram reply to the reminder, without diacritics.
            clock.set(2026, 4, 14, 9, 12)
            fake.push_text(OFFICER, OFFICER, "da xong roi a", reply_to_message_id=reminder.message_id)
            readback = (await fake.wait_for_sent(before + 1, timeout=20))[-1]
            assert f"#{first}" in readback.text and "09:12 ngày 14/04/2026" in readback.text
            async with app.sessionmaker() as s:
                assert (await s.get(Assignment, first)).status == "done"
                assert (await s.get(Assignment, second)).status == "open"

            # Undo by the button under the read-back.
            undo_text, undo_data = readback.buttons[0][0]
            assert undo_text == "Hoàn tác"
            fake.push_callback(OFFICER, OFFICER, undo_data, readback.message_id)
            await fake.wait_for_sent(before + 2, timeout=20)
            assert "Đã hoàn tác" in fake.sent[-1].text
            await fake.wait_until(lambda: fake.answered_callbacks, timeout=10, what="callback answered")

            # Report again with the reminder's button, then the leader asks /status.
            fake.push_callback(OFFICER, OFFICER, f"r:done:{first}", reminder.message_id)
            await fake.wait_for_sent(before + 3, timeout=20)
            fake.push_text(LEADER, LEADER, "/status")
            await fake.wait_for_sent(before + 4, timeout=20)
            status = fake.sent[-1].text
            assert fake.sent[-1].chat_id == LEADER
            assert "Đã hoàn thành đúng hạn: 1" in status and "Chưa hoàn thành, còn trong hạn: 1" in status

            # A stranger learns nothing.
            fake.push_text(7777, 7777, "/status")
            await fake.wait_for_sent(before + 5, timeout=20)
            assert "mã mời" in fake.sent[-1].text and "Khảo sát" not in fake.sent[-1].text
            async with app.sessionmaker() as s:
                outcomes = (await s.scalars(select(Inbox.outcome).order_by(Inbox.id))).all()
            assert outcomes[-1] == "unregistered" and len(outcomes) == 7
        finally:
            await channel.stop()
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            await app.close()
