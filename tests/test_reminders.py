"""Queueing reminders into the outbox, on SQLite and (when configured) PostgreSQL."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.config import ReminderPolicy
from bot.dates.workdays import WorkCalendar
from bot.followup.reminders import queue_reminders, queue_weekly
from bot.i18n import t
from bot.text.shorten import shorten
from storage.models import DONE, IN_PROGRESS, Assignment, Contact, Outbox, Task, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = ReminderPolicy()
CAL = WorkCalendar(years_hint=[2025])
CREATED = datetime(2025, 11, 1, 1, 0, tzinfo=timezone.utc)
DEADLINE = date(2025, 11, 21)  # a Friday: d3 Tue 18/11, d1 Thu 20/11, o1 Tue 25/11, o2 Thu 27/11
TASK_TEXT = "Hoàn thành rà soát hồ sơ đất đai tồn đọng trên địa bàn và báo cáo UBND thị xã"


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def _contact(cid, unit, role, locale="vi", active=True):
    return Contact(id=cid, channel="telegram", chat_id=str(1000 + cid), user_id=str(1000 + cid),
                   name=f"Contact {cid}", role=role, unit_id=unit, locale=locale, active=active,
                   created_at=CREATED)


def _assignment(aid, task_id, unit, deadline=DEADLINE, status="open"):
    return Assignment(id=aid, task_id=task_id, unit_id=unit, status=status,
                      original_deadline=deadline, current_deadline=deadline,
                      created_at=CREATED, updated_at=CREATED)


@pytest.fixture
async def seeded(any_db):
    """Two units: A (two officers vi/en, one inactive officer, a leader) and B (officer, leader)."""
    async with any_db.session() as s:
        s.add_all([
            Unit(id=1, name="Phòng Tài nguyên và Môi trường", created_at=CREATED),
            Unit(id=2, name="UBND phường Bắc Sơn", created_at=CREATED),
            Unit(id=3, name="Phòng Văn hóa", created_at=CREATED),  # nobody registered
        ])
        await s.flush()
        s.add_all([
            _contact(11, 1, "officer", "vi"), _contact(12, 1, "officer", "en"),
            _contact(13, 1, "officer", "vi", active=False), _contact(14, 1, "leader", "vi"),
            _contact(21, 2, "officer", "vi"), _contact(22, 2, "leader", "vi"),
            _contact(30, None, "admin", "vi"),
            Task(id=1, text=TASK_TEXT, deadline=DEADLINE, deadline_text="chậm nhất ngày 21/11",
                 created_at=CREATED),
            Task(id=2, text="Báo cáo tình hình giải ngân vốn đầu tư công", deadline=DEADLINE,
                 created_at=CREATED),
            Task(id=3, text="Tổng kết phong trào toàn dân đoàn kết", deadline=None, created_at=CREATED),
        ])
        await s.flush()
        s.add_all([
            _assignment(17, 1, 1),
            _assignment(18, 2, 2),
            _assignment(19, 2, 1, status=DONE),
            _assignment(20, 3, 1, deadline=None),
            _assignment(21, 1, 3),
        ])
        await s.commit()
    return any_db


async def run(database, now, policy=POLICY) -> int:
    async with database.session() as s:
        added = await queue_reminders(s, now, policy, CAL, TZ)
        await s.commit()
    return added


async def outbox(database, **where) -> list[Outbox]:
    async with database.session() as s:
        stmt = select(Outbox).order_by(Outbox.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(Outbox, column) == value)
        return list((await s.execute(stmt)).scalars())


async def last_key(database, aid) -> str | None:
    async with database.session() as s:
        return await s.scalar(select(Assignment.last_reminder_key).where(Assignment.id == aid))


async def test_reminder_goes_to_the_active_officers_of_the_unit(seeded):
    now = at(2025, 11, 18)
    assert await run(seeded, now) == 3  # #17 → contacts 11, 12; #18 → 21
    rows = await outbox(seeded, assignment_id=17)
    assert [(r.contact_id, r.key, r.kind) for r in rows] == [
        (11, "before:17:2025-11-21:d3:11", "reminder"),
        (12, "before:17:2025-11-21:d3:12", "reminder"),
    ]
    for row in rows:
        assert row.status == "pending" and row.channel == "telegram"
        assert row.chat_id == str(1000 + row.contact_id)
        assert row.due_at == now
        assert [b["data"] for b in row.buttons[0]] == [
            "r:done:17", "r:progress:17", "r:blocked:17", "r:extend:17"]
    assert [r.contact_id for r in await outbox(seeded, assignment_id=18)] == [21]
    assert await outbox(seeded, assignment_id=19) == []  # done
    assert await outbox(seeded, assignment_id=20) == []  # no deadline
    assert await last_key(seeded, 17) == "before:17:2025-11-21:d3"


async def test_texts_in_vietnamese_and_english(seeded):
    await run(seeded, at(2025, 11, 18))
    vi, en = await outbox(seeded, assignment_id=17)
    assert vi.text.splitlines()[0] == "🔔 Nhắc việc — nhiệm vụ #17"
    assert TASK_TEXT in vi.text
    assert "Đơn vị: Phòng Tài nguyên và Môi trường" in vi.text
    assert "Thời hạn: 21/11/2025 (chậm nhất ngày 21/11)" in vi.text
    assert "Còn 3 ngày nữa là đến hạn." in vi.text
    assert "Trả lời: #17 xong / #17 đang làm 50% / #17 gia hạn 28/11" in vi.text
    assert [b["text"] for b in vi.buttons[0]] == ["Đã xong", "Đang thực hiện", "Vướng mắc", "Xin gia hạn"]
    assert en.text.splitlines()[0] == "🔔 Reminder — task #17"
    assert "Deadline: 21/11/2025 (chậm nhất ngày 21/11)" in en.text
    assert "3 days left until the deadline." in en.text
    assert [b["text"] for b in en.buttons[0]] == ["Done", "In progress", "Blocked", "Ask for more time"]


async def test_running_twice_and_after_a_restart_queues_nothing_new(seeded):
    now = at(2025, 11, 20, 8)
    first = await run(seeded, now)
    assert first == 3
    assert await run(seeded, now) == 0
    assert await run(seeded, at(2025, 11, 20, 15)) == 0
    # A restart: every pooled connection closed, then the same pass in a fresh session.
    await seeded.engine.dispose()
    async with seeded.session() as s:
        assert await queue_reminders(s, now, POLICY, CAL, TZ) == 0
        await s.commit()
    assert len(await outbox(seeded)) == first


async def test_a_crash_before_commit_loses_nothing_and_sends_once(seeded):
    now = at(2025, 11, 20, 8)
    async with seeded.session() as s:
        assert await queue_reminders(s, now, POLICY, CAL, TZ) == 3
        await s.rollback()  # the process died before committing
    assert await outbox(seeded) == []
    assert await last_key(seeded, 17) is None
    assert await run(seeded, now) == 3
    assert await run(seeded, now) == 0
    keys = [r.key for r in await outbox(seeded)]
    assert len(keys) == len(set(keys)) == 3


async def test_catch_up_after_downtime_sends_only_the_latest(seeded):
    assert await run(seeded, at(2025, 11, 27, 10)) > 0  # d7 .. o1 were all missed
    rows = await outbox(seeded, assignment_id=17)
    assert {r.key.rsplit(":", 1)[0] for r in rows} == {"overdue:17:2025-11-21:o2"}


async def test_escalation_to_leaders_from_the_second_overdue_nudge(seeded):
    await run(seeded, at(2025, 11, 25, 8))  # o1: officers only
    o1 = await outbox(seeded, assignment_id=17)
    assert {r.contact_id for r in o1} == {11, 12}
    assert all(r.kind == "overdue" for r in o1)
    assert "⚠️ Quá hạn — nhiệm vụ #17 (nhắc lần 1)" in o1[0].text
    assert "Đã quá hạn 4 ngày." in o1[0].text

    await run(seeded, at(2025, 11, 27, 8))  # o2: officers and the unit's leader
    o2 = [r for r in await outbox(seeded, assignment_id=17) if ":o2:" in r.key]
    assert {r.contact_id for r in o2} == {11, 12, 14}
    leader = next(r for r in o2 if r.contact_id == 14)
    assert leader.key == "overdue:17:2025-11-21:o2:14"
    assert "Phòng Tài nguyên và Môi trường" in leader.text.splitlines()[0]
    assert "#17" in leader.text and "quá hạn 6 ngày" in leader.text
    # Unit B's leader hears about B's task only.
    b = [r for r in await outbox(seeded, assignment_id=18) if ":o2:" in r.key]
    assert {r.contact_id for r in b} == {21, 22}
    assert all(r.contact_id not in (22, 30) for r in await outbox(seeded, assignment_id=17))


async def test_a_later_reminder_drops_the_pending_earlier_one(seeded):
    await run(seeded, at(2025, 11, 18))
    await run(seeded, at(2025, 11, 20, 8))
    rows = await outbox(seeded, assignment_id=17)
    assert {(r.key.split(":")[3], r.status) for r in rows} == {("d3", "dropped"), ("d1", "pending")}
    # A reminder already sent is left alone.
    async with seeded.session() as s:
        await s.execute(update(Outbox).where(Outbox.key.like("before:17:%:d1:%")).values(status="sent"))
        await s.commit()
    await run(seeded, at(2025, 11, 21, 8))
    statuses = {r.key.split(":")[3]: r.status for r in await outbox(seeded, assignment_id=17)}
    assert statuses == {"d3": "dropped", "d1": "sent", "d0": "pending"}


async def test_an_extension_starts_a_new_schedule(seeded):
    await run(seeded, at(2025, 11, 25, 8))
    assert await last_key(seeded, 17) == "overdue:17:2025-11-21:o1"
    async with seeded.session() as s:
        await s.execute(update(Assignment).where(Assignment.id == 17)
                        .values(current_deadline=date(2025, 12, 2), status=IN_PROGRESS))
        await s.commit()
    assert await run(seeded, at(2025, 11, 25, 10)) == 2  # d7 of 2/12 is 25/11
    rows = [r for r in await outbox(seeded, assignment_id=17) if "2025-12-02" in r.key]
    assert {r.key for r in rows} == {"before:17:2025-12-02:d7:11", "before:17:2025-12-02:d7:12"}
    vi = next(r for r in rows if r.contact_id == 11)
    assert "Thời hạn: 02/12/2025 (đã gia hạn từ 21/11/2025)" in vi.text
    assert "chậm nhất ngày 21/11" not in vi.text  # the old deadline's words no longer apply


async def test_a_unit_without_contacts_gets_its_reminder_once_someone_registers(seeded):
    await run(seeded, at(2025, 11, 20, 8))
    assert await outbox(seeded, assignment_id=21) == []
    assert await last_key(seeded, 21) is None
    async with seeded.session() as s:
        s.add(_contact(31, 3, "officer", "vi"))
        await s.commit()
    assert await run(seeded, at(2025, 11, 20, 11)) == 1
    [row] = await outbox(seeded, assignment_id=21)
    assert row.key == "before:21:2025-11-21:d1:31"


async def test_quiet_hours_and_nothing_yet_due(seeded):
    assert await run(seeded, at(2025, 11, 25, 21)) == 0
    assert await run(seeded, at(2025, 11, 14, 7, 59)) == 0
    assert await outbox(seeded) == []
    assert await run(seeded, at(2025, 11, 14, 8, 0)) == 3


async def test_weekly_nudge_lists_the_units_open_tasks_once(seeded):
    monday = at(2025, 11, 24, 8)
    assert await _weekly(seeded, at(2025, 11, 24, 7, 59)) == 0
    assert await _weekly(seeded, monday) == 3  # officers 11 and 12 of A, 21 of B
    rows = await outbox(seeded, kind="weekly")
    assert {r.key for r in rows} == {"weekly:2025-W48:11", "weekly:2025-W48:12", "weekly:2025-W48:21"}
    vi = next(r for r in rows if r.contact_id == 11)
    assert vi.text.splitlines()[0] == "📋 Nhắc việc đầu tuần — Phòng Tài nguyên và Môi trường"
    assert "Số nhiệm vụ chưa hoàn thành của đơn vị: 2" in vi.text
    assert re.search(r"#17 — .* — hạn 21/11/2025 ⚠️ quá hạn", vi.text)
    assert re.search(r"#20 — .* — không có hạn", vi.text)
    assert "#19" not in vi.text and "#18" not in vi.text
    assert vi.text.index("#17") < vi.text.index("#20")
    en = next(r for r in rows if r.contact_id == 12)
    assert "Open tasks of your unit: 2" in en.text and "⚠️ overdue" in en.text
    assert await _weekly(seeded, at(2025, 11, 26, 10)) == 0
    assert await _weekly(seeded, at(2025, 12, 1, 8)) == 3  # a new week


async def _weekly(database, now) -> int:
    async with database.session() as s:
        added = await queue_weekly(s, now, POLICY, CAL, TZ)
        await s.commit()
    return added


async def test_long_task_text_is_shortened(seeded):
    long_text = "Triển khai " + "nhiệm vụ trọng tâm " * 40
    async with seeded.session() as s:
        await s.execute(update(Task).where(Task.id == 1).values(text=long_text))
        await s.commit()
    await run(seeded, at(2025, 11, 18))
    row = (await outbox(seeded, assignment_id=17))[0]
    task_line = row.text.splitlines()[1]
    assert task_line.endswith("…") and len(task_line) <= 300
    assert shorten("ngắn", 300) == "ngắn"


async def test_custom_escalation_policy(seeded):
    policy = replace(POLICY, escalate_from_nudge=1)
    await run(seeded, at(2025, 11, 25, 8), policy)
    assert 14 in {r.contact_id for r in await outbox(seeded, assignment_id=17)}


def test_every_reminder_sentence_is_translated():
    source = (Path(__file__).resolve().parents[1] / "bot" / "followup" / "reminders.py").read_text(encoding="utf-8")
    msgids = re.findall(r't\(lang, "((?:[^"\\]|"\s*\n\s*")+)"', source)
    msgids = [re.sub(r'"\s*\n\s*"', "", m) for m in msgids]
    assert len(msgids) >= 20
    for msgid in msgids:
        assert t("vi", msgid) != msgid, msgid
