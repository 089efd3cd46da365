"""Quiet hours (issue 10, item 9) hold back every message the bot sends on its own, not only
reminders: new-task notices, extension requests and decisions. The clock stands at 21:00."""
from __future__ import annotations

from argparse import Namespace
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest_asyncio

from bot.cli import commands
from bot.dates.timeutil import quiet_until
from tests.world import TZ, World

EVENING = datetime(2026, 4, 13, 21, 0, tzinfo=TZ)  # a Monday, inside 20:00-07:00
UTC = timezone.utc


def test_quiet_until_is_now_outside_and_the_end_inside():
    def q(local: datetime) -> datetime:
        return quiet_until(local, TZ, time(20, 0), time(7, 0)).astimezone(TZ)

    assert q(EVENING) == datetime(2026, 4, 14, 7, 0, tzinfo=TZ)
    assert q(datetime(2026, 4, 14, 6, 59, tzinfo=TZ)) == datetime(2026, 4, 14, 7, 0, tzinfo=TZ)
    assert q(datetime(2026, 4, 14, 7, 0, tzinfo=TZ)) == datetime(2026, 4, 14, 7, 0, tzinfo=TZ)
    assert q(datetime(2026, 4, 14, 12, 0, tzinfo=TZ)) == datetime(2026, 4, 14, 12, 0, tzinfo=TZ)
    lunch = quiet_until(datetime(2026, 4, 14, 12, 30, tzinfo=TZ), TZ, time(12, 0), time(13, 0))
    assert lunch.astimezone(TZ) == datetime(2026, 4, 14, 13, 0, tzinfo=TZ)
    assert quiet_until(EVENING, ZoneInfo("UTC"), time(20, 0), time(7, 0)) == EVENING  # 14:00 UTC


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, datetime(2026, 4, 13, 9, 0, tzinfo=TZ)).start()
    await w.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
    await w.register("lan", "officer", "Phòng Kinh tế")
    await w.register("office", "admin")
    yield w
    await w.close()


async def test_new_task_notices_wait_for_the_morning(world, tmp_path):
    table = tmp_path / "tasks.csv"
    table.write_text("Đơn vị,Nhiệm vụ,Thời hạn\nPhòng Kinh tế,Khảo sát mô hình,30/04/2026\n",
                     encoding="utf-8")
    world.clock.now = EVENING
    assert await commands.import_file(world.settings, Namespace(file=str(table), yes=True),
                                      now=EVENING) == 0
    await world.tick()
    assert [m for m in world.sent_to("lan") if "Khảo sát" in m.text] == []
    world.clock.set(2026, 4, 14, 7, 1)
    await world.tick()
    assert [m for m in world.sent_to("lan") if "Khảo sát" in m.text] != []


async def test_extension_requests_and_decisions_wait_for_the_morning(world):
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    await world.tick()  # the new-task notice, sent at 09:00
    world.clock.now = EVENING
    assert "15/05/2026" in await world.text("lan", f"#{code} xin gia hạn đến 15/5")
    await world.tick()
    assert [m for m in world.sent_to("office") if "15/05/2026" in m.text] == []
    world.clock.set(2026, 4, 14, 7, 0)
    await world.tick()
    [request] = [m for m in world.sent_to("office") if "15/05/2026" in m.text]
    world.clock.set(2026, 4, 14, 22, 30)  # the Office decides late in the evening
    assert "Đã đồng ý" in await world.text("office", button=request.buttons[0][0].data)
    told = len(world.sent_to("lan"))
    await world.tick()
    assert len(world.sent_to("lan")) == told
    world.clock.set(2026, 4, 15, 7, 5)
    await world.tick()
    assert "15/05/2026" in world.sent_to("lan")[-1].text
