"""One contract, every adapter: the same conversations on aiogram, python-telegram-bot and Zalo,
each against its fake Bot API server on loopback, with the real core, planner and dispatcher.

Differences are the drivers' business (tests/contract/drivers.py): a button press is a callback
on Telegram and the number of a numbered choice on Zalo; Zalo has no reply-to, so there the
task code stands in for it.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.reports.digest import MEETING_KEY
from storage import kv
from storage.models import DONE, IN_PROGRESS, Inbox, Outbox
from storage.outbox import enqueue
from tests.contract.drivers import Unsupported

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

OFFICER, LEADER, ADMIN, STRANGER = 1, 2, 3, 9
UNIT = "Phòng Kinh tế thị xã"


def _reminders(bot, person: int, code: int):
    """Reminders about one task (its code in the first line; a weekly list names it lower)."""
    return [m for m in bot.to(person) if f"#{code}" in m.text.split("\n")[0]]


async def _reminder_for(bot, person: int, code: int):
    [reminder] = _reminders(bot, person, code)
    return reminder


# ---- registration ------------------------------------------------------------------------------


async def test_registration_welcome_wrong_code_and_strangers(bot):
    welcome = await bot.register(OFFICER, "officer", "Phòng Kinh tế", name="Chị Lan")
    assert UNIT in welcome.text
    [contact] = await bot.contacts(bot.driver.platform, bot.driver.chat_id(OFFICER))
    assert (contact.role, contact.name, contact.active) == ("officer", "Chị Lan", True)

    wrong = await bot.ask(STRANGER, "/start NOSUCHCODE")
    assert "không đúng" in wrong.text
    await bot.tasks((UNIT, "Khảo sát mô hình chuyển đổi cây trồng", date(2026, 4, 17)))
    for text in ("/status", "xong", "/tasks"):
        answer = await bot.ask(STRANGER, text)
        assert "mã mời" in answer.text and "Khảo sát" not in answer.text
    assert await bot.contacts(bot.driver.platform, bot.driver.chat_id(STRANGER)) == []
    async with bot.app.sessionmaker() as s:
        outcomes = (await s.scalars(select(Inbox.outcome).where(
            Inbox.chat_id == bot.driver.chat_id(STRANGER)))).all()
    assert outcomes[1:] == ["unregistered"] * 3


# ---- reminder and replies ------------------------------------------------------------------------


async def test_reminder_shows_code_deadline_and_how_to_answer(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    [code] = await bot.tasks((UNIT, "Khảo sát mô hình chuyển đổi cây trồng", date(2026, 4, 17)))

    await bot.tick(2026, 4, 14, 8, 0)  # D-3
    reminder = await _reminder_for(bot, OFFICER, code)
    assert "17/04/2026" in reminder.text and "Khảo sát mô hình" in reminder.text
    assert (f"Trả lời: #{code} xong / #{code} đang làm" in reminder.text
            and f"#{code} gia hạn" in reminder.text)

    before = len(bot.to(OFFICER))
    await bot.tick()  # the same instant again: nothing new
    assert len(bot.to(OFFICER)) == before


async def test_reminder_offers_the_four_answers_and_a_press_is_recorded(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    [code] = await bot.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)))
    await bot.tick(2026, 4, 14, 8, 0)
    reminder = await _reminder_for(bot, OFFICER, code)
    assert bot.driver.labels(reminder) == ["Đã xong", "Đang thực hiện", "Vướng mắc", "Xin gia hạn"]

    bot.clock.set(2026, 4, 15, 9, 12)
    readback = await bot.ask(OFFICER, press=(reminder, "Đã xong"))
    assert f"#{code}" in readback.text and "Khảo sát mô hình" in readback.text
    assert "09:12 ngày 15/04/2026" in readback.text
    assert (await bot.assignment(code)).status == DONE


async def test_reply_by_code_with_percent_then_undo_by_button(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    first, second = await bot.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)),
                                    (UNIT, "Báo cáo sơ kết quý II", date(2026, 4, 17)))
    await bot.tick(2026, 4, 14, 8, 0)

    bot.clock.set(2026, 4, 15, 9, 12)
    readback = await bot.ask(OFFICER, f"#{second} đang làm 70%")
    assert f"#{second}" in readback.text and "Báo cáo sơ kết" in readback.text
    assert "70%" in readback.text and "09:12 ngày 15/04/2026" in readback.text
    a = await bot.assignment(second)
    assert (a.status, a.percent) == (IN_PROGRESS, 70)

    assert bot.driver.labels(readback) == ["Hoàn tác"]
    undone = await bot.ask(OFFICER, press=(readback, "Hoàn tác"))
    assert "Đã hoàn tác" in undone.text
    assert (await bot.assignment(second)).status == "open"
    assert (await bot.assignment(first)).status == "open"


async def test_which_task_is_asked_with_choices_and_answered_by_a_press(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    first, second = await bot.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)),
                                    (UNIT, "Báo cáo sơ kết quý II", date(2026, 4, 17)))
    bot.clock.set(2026, 4, 15, 10, 0)
    ask = await bot.ask(OFFICER, "xong rồi ạ")
    assert "nhiệm vụ nào" in ask.text
    [label] = [lb for lb in bot.driver.labels(ask) if lb.startswith(f"#{second}")]
    readback = await bot.ask(OFFICER, press=(ask, label))
    assert f"#{second}" in readback.text and "10:00 ngày 15/04/2026" in readback.text
    assert (await bot.assignment(second)).status == DONE
    assert (await bot.assignment(first)).status == "open"


async def test_reply_to_the_reminder_or_by_code_where_there_is_no_reply_to(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    first, second = await bot.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)),
                                    (UNIT, "Báo cáo sơ kết quý II", date(2026, 4, 17)))
    await bot.tick(2026, 4, 14, 8, 0)
    reminder = await _reminder_for(bot, OFFICER, second)
    bot.clock.set(2026, 4, 15, 10, 5)
    if bot.driver.supports_reply_to:
        readback = await bot.ask(OFFICER, "da xong roi a", reply_to=reminder)
    else:
        with pytest.raises(Unsupported):
            bot.driver.reply(OFFICER, reminder, "da xong roi a")
        readback = await bot.ask(OFFICER, f"#{second} da xong roi a")
    assert f"#{second}" in readback.text and "10:05 ngày 15/04/2026" in readback.text
    assert (await bot.assignment(second)).status == DONE
    assert (await bot.assignment(first)).status == "open"


# ---- status and digest ---------------------------------------------------------------------------


async def test_status_for_a_leader_in_the_official_categories(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    await bot.register(LEADER, "leader")
    done, _late, _ = await bot.tasks((UNIT, "Nhiệm vụ A", date(2026, 4, 17)),
                                     (UNIT, "Nhiệm vụ B", date(2026, 4, 10)),
                                     (UNIT, "Nhiệm vụ C", date(2026, 4, 30)))
    await bot.ask(OFFICER, f"#{done} xong")
    commands = ["/status"] + (["status"] if bot.driver.platform == "zalo" else [])
    for command in commands:
        status = await bot.ask(LEADER, command)
        assert "Đã hoàn thành đúng hạn: 1" in status.text, status.text
        assert "Chưa hoàn thành, quá hạn: 1" in status.text
        assert "Chưa hoàn thành, còn trong hạn: 1" in status.text


async def test_digest_reaches_the_leaders_on_the_digest_day(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    await bot.register(LEADER, "leader")
    await bot.register(ADMIN, "admin")
    await bot.tasks((UNIT, "Nhiệm vụ A", date(2026, 4, 10)), (UNIT, "Nhiệm vụ B", date(2026, 5, 30)))
    bot.clock.set(2026, 4, 14, 9, 0)
    answer = await bot.ask(ADMIN, "/meeting 17/04/2026")
    assert "17/04/2026" in answer.text and "15/04/2026" in answer.text  # two working days before
    async with bot.app.sessionmaker() as s:
        assert await kv.get(s, MEETING_KEY) == "2026-04-17"

    planned, _ = await bot.tick(2026, 4, 14, 17, 0)  # the day before the digest day
    assert planned.digest == 0
    leader_before = len(bot.to(LEADER))
    planned, _ = await bot.tick(2026, 4, 15, 8, 0)
    assert planned.digest == 1
    [digest] = bot.to(LEADER)[leader_before:]
    assert "cuộc họp ngày 17/04/2026" in digest.text and "quá hạn: 1" in digest.text
    assert not any("cuộc họp ngày" in m.text for m in bot.to(OFFICER) + bot.to(ADMIN))
    await bot.tick(2026, 4, 15, 9, 0)
    assert len(bot.to(LEADER)) == leader_before + 1  # once per meeting


# ---- failures --------------------------------------------------------------------------------------


async def test_a_429_is_waited_out_and_the_message_arrives_once(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    [code] = await bot.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)))
    bot.driver.throttle_next_send()
    _, sent = await bot.tick(2026, 4, 14, 8, 0)
    assert (sent.rate_limited, sent.sent) == (1, 0)  # the chat's other rows wait in order
    assert bot.driver.rate_limited() == 1
    assert _reminders(bot, OFFICER, code) == []

    _, sent = await bot.tick(2026, 4, 14, 8, 0, 0)  # retry_after not over yet: nothing claimed
    assert sent.claimed == 0
    _, sent = await bot.tick(2026, 4, 14, 8, 0, 2)
    assert sent.sent == sent.claimed >= 1 and sent.rate_limited == 0
    await bot.tick(2026, 4, 14, 8, 5)
    assert len(_reminders(bot, OFFICER, code)) == 1


async def test_a_gone_chat_is_deactivated_and_the_office_is_told(bot):
    await bot.register(ADMIN, "admin", name="Văn phòng")
    await bot.register(OFFICER, "officer", "Phòng Kinh tế", name="Chị Lan")
    await bot.tasks((UNIT, "Khảo sát mô hình", date(2026, 4, 17)))
    bot.driver.make_gone(OFFICER)
    _, sent = await bot.tick(2026, 4, 14, 8, 0)
    assert sent.dropped == sent.claimed >= 1 and sent.sent == 0
    [contact] = await bot.contacts(bot.driver.platform, bot.driver.chat_id(OFFICER))
    assert contact.active is False
    await bot.tick(2026, 4, 14, 8, 1)
    [notice] = [m for m in bot.to(ADMIN) if "Chị Lan" in m.text]
    assert "Không còn liên lạc được" in notice.text and UNIT in notice.text
    assert bot.driver.platform in notice.text


async def test_a_text_over_the_platform_limit_is_split_and_arrives_complete(bot):
    await bot.register(OFFICER, "officer", "Phòng Kinh tế")
    limit = bot.driver.max_text
    lines = [f"Dòng {i:04d}: nhiệm vụ được giao, thời hạn 30/04/2026." for i in range(limit // 20)]
    text = "\n".join(lines)
    assert len(text) > 2 * limit
    async with bot.app.sessionmaker() as s:
        [(contact)] = await bot.contacts(bot.driver.platform, bot.driver.chat_id(OFFICER))
        await enqueue(s, [{"key": "long:1", "kind": "notice", "channel": bot.driver.platform,
                           "chat_id": contact.chat_id, "contact_id": contact.id,
                           "due_at": bot.clock(), "text": text}], bot.clock())
        await s.commit()
    before = len(bot.to(OFFICER))
    _, sent = await bot.tick()
    assert sent.sent == 1 and sent.parts >= 3
    parts = bot.to(OFFICER)[before:]
    assert len(parts) == sent.parts and all(len(p.text) <= limit for p in parts)
    assert "\n".join(p.text for p in parts) == text
    async with bot.app.sessionmaker() as s:
        row = await s.scalar(select(Outbox).where(Outbox.key == "long:1"))
    assert row.status == "sent" and len(row.channel_message_ids) == len(parts)
