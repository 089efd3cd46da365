"""Contacts are (channel, chat id): one unit reached on Telegram and on Zalo at once, one person
registered on both. Both fake servers run, both adapters poll, one App sends."""
from __future__ import annotations

from datetime import date

import pytest
import pytest_asyncio

from storage.models import DONE
from tests.contract.conftest import Harness
from tests.contract.drivers import make_driver

UNIT = "Phòng Kinh tế thị xã"
LAN, MINH, HOA, CHAIR = 1, 2, 3, 4  # Lan on Telegram, Minh on Zalo, Hoa and the Chair on both


@pytest_asyncio.fixture
async def both(tmp_path):
    telegram, zalo = make_driver("aiogram"), make_driver("zalo")
    await telegram.start()
    await zalo.start()
    harness = Harness(tmp_path, {"telegram": telegram, "zalo": zalo})
    try:
        await harness.start()
        await harness.unit(UNIT, "Phòng Kinh tế")
        yield harness, telegram, zalo
    finally:
        await harness.close()
        await telegram.stop()
        await zalo.stop()


def _reminders(bot, person, driver, code):
    return [m for m in bot.to(person, driver) if f"#{code}" in m.text.split("\n")[0]]


async def test_a_reminder_reaches_every_active_contact_on_its_own_channel(both):
    bot, telegram, zalo = both
    await bot.register(LAN, "officer", "Phòng Kinh tế", driver=telegram, name="Lan")
    await bot.register(MINH, "officer", "Phòng Kinh tế", driver=zalo, name="Minh")
    await bot.register(HOA, "officer", "Phòng Kinh tế", driver=telegram, name="Hoa")
    await bot.register(HOA, "officer", "Phòng Kinh tế", driver=zalo, name="Hoa")
    assert len(await bot.contacts("telegram", telegram.chat_id(HOA))) == 1
    assert len(await bot.contacts("zalo", zalo.chat_id(HOA))) == 1

    [code] = await bot.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)))
    await bot.tick(2026, 4, 14, 8, 0)
    for person, driver in ((LAN, telegram), (MINH, zalo), (HOA, telegram), (HOA, zalo)):
        [reminder] = _reminders(bot, person, driver, code)
        assert "17/04/2026" in reminder.text
    # Nothing crossed over: each platform only saw its own chats.
    assert {m.chat_id for m in telegram.sent()} == {telegram.chat_id(LAN), telegram.chat_id(HOA)}
    assert {m.chat_id for m in zalo.sent()} == {zalo.chat_id(MINH), zalo.chat_id(HOA)}

    # Hoa answers on Zalo: recorded once, read back on Zalo only.
    tg_before = len(telegram.sent())
    readback = await bot.ask(HOA, f"#{code} xong", driver=zalo)
    assert f"#{code}" in readback.text
    assert (await bot.assignment(code)).status == DONE
    assert len(telegram.sent()) == tg_before

    # A blocked Telegram chat deactivates only that contact; Zalo still reaches Hoa.
    telegram.make_gone(HOA)
    [second] = await bot.tasks((UNIT, "Báo cáo sơ kết quý II", date(2026, 4, 20)))
    await bot.tick(2026, 4, 17, 8, 0)
    [tg_contact] = await bot.contacts("telegram", telegram.chat_id(HOA))
    [zalo_contact] = await bot.contacts("zalo", zalo.chat_id(HOA))
    assert (tg_contact.active, zalo_contact.active) == (False, True)
    assert len(_reminders(bot, HOA, zalo, second)) == 1
    assert len(_reminders(bot, LAN, telegram, second)) == 1


async def test_the_digest_goes_to_leaders_on_both_channels(both):
    bot, telegram, zalo = both
    await bot.register(LAN, "officer", "Phòng Kinh tế", driver=telegram)
    await bot.register(CHAIR, "leader", driver=telegram, name="Chủ tịch")
    await bot.register(CHAIR, "leader", driver=zalo, name="Chủ tịch")
    await bot.register(MINH, "admin", driver=zalo, name="Văn phòng")
    await bot.tasks((UNIT, "Nhiệm vụ A", date(2026, 4, 10)))
    answer = await bot.ask(MINH, "meeting 17/04/2026", driver=zalo)  # no slash on Zalo
    assert "17/04/2026" in answer.text
    planned, _ = await bot.tick(2026, 4, 15, 8, 0)
    assert planned.digest == 2
    for driver in (telegram, zalo):
        [digest] = [m for m in bot.to(CHAIR, driver) if "cuộc họp ngày 17/04/2026" in m.text]
        assert "quá hạn: 1" in digest.text


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
async def test_a_registration_is_per_channel(both, platform):
    """The same invite code cannot be used twice, whatever the channel."""
    bot, telegram, zalo = both
    first, other = (telegram, zalo) if platform == "telegram" else (zalo, telegram)
    code = await bot.invite("officer", "Phòng Kinh tế")
    assert "Chào mừng" in (await bot.ask(LAN, f"/start {code}", driver=first)).text
    again = await bot.ask(LAN, f"/start {code}", driver=other)
    assert "đã được sử dụng" in again.text
    assert await bot.contacts(other.platform, other.chat_id(LAN)) == []
