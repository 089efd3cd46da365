"""bot.statusq on SQLite and PostgreSQL: load_rows (all, one unit, overdue only) and
load_summary (counts in SQL) give the figures summarize() gives over the same rows."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.reports.queries import load_rows, load_summary, reports_since
from bot.reports.status import render_status, summarize
from storage.models import Assignment, ProgressReport, Task, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
TODAY = AS_OF.date()
T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# (id, unit, task, deadline, status, done_at, done_on) — done_on is the local day of done_at,
# except #9, stored without it (older rows): its category must come from done_at.
ASSIGNMENTS = [
    (1, 1, 1, date(2026, 11, 20), "done", _at(2026, 11, 20, 3), date(2026, 11, 20)),  # on the day
    # 00:30 on 21/11 in Hà Nội is still 20/11 in UTC: late by the local day.
    (2, 1, 2, date(2026, 11, 20), "done", _at(2026, 11, 20, 17, 30), date(2026, 11, 21)),
    (3, 1, 3, date(2026, 11, 24), "in_progress", None, None),  # due today: in time
    (4, 1, 4, date(2026, 11, 23), "open", None, None),  # overdue
    (5, 2, 1, None, "done", _at(2026, 11, 1), date(2026, 11, 1)),  # no deadline, done
    (6, 2, 2, None, "blocked", None, None),  # no deadline
    (7, 2, 3, date(2026, 10, 1), "awaiting_confirmation", None, None),  # overdue
    (8, 2, 4, date(2026, 12, 1), "done", None, None),  # done, time unknown: done today, on time
    (9, 3, 1, date(2026, 11, 20), "done", _at(2026, 11, 20, 17, 30), None),  # late, from done_at
    (10, 3, 2, date(2026, 9, 1), "blocked", None, None),  # overdue
]
UNITS = {1: "Sở Tài chính", 2: "UBND xã Bình An", 3: "Công an tỉnh"}
TASKS = {1: "Rà soát thủ tục hành chính", 2: "Báo cáo kết quả giải ngân",
         3: "Xây dựng kế hoạch chuyển đổi số", 4: "Tổng kết công tác năm"}
# (assignment, text, created_at): the latest report is the one stored last (highest id).
REPORTS = [(1, "đang làm", _at(2026, 11, 10)), (1, "đã xong", _at(2026, 11, 19, 3)),
           (3, "đang thực hiện 60%", _at(2026, 11, 22)), (7, "vướng kinh phí", _at(2026, 11, 23)),
           (7, "xin gia hạn", _at(2026, 11, 2))]


async def _fill(session) -> None:
    await session.execute(insert(Unit), [
        {"id": i, "name": name, "aliases": [], "kind": "department", "created_at": T0}
        for i, name in UNITS.items()])
    await session.execute(insert(Task), [
        {"id": i, "text": text, "created_at": T0} for i, text in TASKS.items()])
    await session.execute(insert(Assignment), [
        {"id": a, "unit_id": u, "task_id": t, "role": "lead", "status": status,
         "original_deadline": deadline, "current_deadline": deadline, "done_at": done_at,
         "done_on": done_on, "created_at": T0, "updated_at": T0}
        for a, u, t, deadline, status, done_at, done_on in ASSIGNMENTS])
    for assignment, text, at in REPORTS:  # one by one: ids in this order
        await session.execute(insert(ProgressReport), [
            {"assignment_id": assignment, "intent": "in_progress", "text": text,
             "evidence": [], "created_at": at}])
    await session.commit()


async def test_load_rows_gives_every_assignment_with_its_latest_report(any_db):
    async with any_db.session() as s:
        await _fill(s)
        rows = await load_rows(s)
    assert [r.code for r in rows] == list(range(1, 11))
    first, second = rows[0], rows[1]
    assert (first.unit, first.task, first.deadline, first.status) == (
        "Sở Tài chính", "Rà soát thủ tục hành chính", date(2026, 11, 20), "done")
    assert first.done_at == _at(2026, 11, 20, 3) and first.done_at.tzinfo is not None
    assert second.done_at.astimezone(TZ).date() == date(2026, 11, 21)
    assert {r.code: r.last_report for r in rows if r.last_report} == {
        1: "đã xong", 3: "đang thực hiện 60%", 7: "xin gia hạn"}
    assert rows[4].deadline is None and rows[5].done_at is None


async def test_load_rows_for_one_unit_and_overdue_only(any_db):
    async with any_db.session() as s:
        await _fill(s)
        every = await load_rows(s)
        unit_two = await load_rows(s, 2)
        overdue = await load_rows(s, overdue_on=TODAY)
        overdue_one = await load_rows(s, 1, overdue_on=TODAY)
        nothing = await load_rows(s, 99)
    assert unit_two == [r for r in every if r.unit == "UBND xã Bình An"]
    assert [r.code for r in overdue] == [4, 7, 10]
    assert [r.code for r in overdue] == sorted(i.row.code for i in summarize(every, AS_OF, TZ).overdue())
    assert overdue[1].last_report == "xin gia hạn"
    assert [r.code for r in overdue_one] == [4]
    assert nothing == []


async def test_load_summary_counts_what_summarize_counts(any_db):
    async with any_db.session() as s:
        await _fill(s)
        counted = await load_summary(s, AS_OF, TZ)
        rows = await load_rows(s)
    assert counted.totals == {"done_on_time": 2, "done_late": 2, "open_in_time": 1,
                              "open_overdue": 3, "no_deadline": 2}
    assert counted.total == 10 and counted.no_deadline_done == 1
    assert counted.units["Công an tỉnh"] == {"done_on_time": 0, "done_late": 1, "open_in_time": 0,
                                             "open_overdue": 1, "no_deadline": 0}
    full = summarize(rows, AS_OF, TZ)
    assert (counted.totals, counted.units, counted.no_deadline_done, counted.total) == (
        full.totals, full.units, full.no_deadline_done, full.total)
    assert list(counted.units) == list(full.units)  # same order: by name, case-folded
    assert counted.completion_percent == full.completion_percent == 50  # 4 of 8 with a deadline
    assert counted.top_overdue_units() == full.top_overdue_units()
    for lang in ("vi", "en"):
        assert render_status(counted, lang, TZ) == render_status(full, lang, TZ)


async def test_load_summary_for_one_unit_and_on_an_empty_database(any_db):
    async with any_db.session() as s:
        empty = await load_summary(s, AS_OF, TZ)
        assert await load_rows(s) == []
        await _fill(s)
        one = await load_summary(s, AS_OF, TZ, unit_id=3)
        later = await load_summary(s, AS_OF + timedelta(days=10), TZ)
        rows_later = summarize(await load_rows(s), AS_OF + timedelta(days=10), TZ)
    assert empty.total == 0 and not any(empty.totals.values()) and empty.units == {}
    assert empty.completion_percent is None
    assert one.total == 2 and list(one.units) == ["Công an tỉnh"]
    assert one.totals["done_late"] == 1 and one.totals["open_overdue"] == 1
    # Ten days on, #3 (due 24/11) is overdue too and #8 (done, time unknown) is late.
    assert later.totals == rows_later.totals
    assert later.totals["open_overdue"] == 4 and later.totals["done_late"] == 3


async def test_reports_since(any_db):
    async with any_db.session() as s:
        await _fill(s)
        since = await reports_since(s, _at(2026, 11, 15))
        every = await reports_since(s, None)
    assert [(code, unit, text) for code, unit, _, text, _ in since] == [
        (1, "Sở Tài chính", "đã xong"), (3, "Sở Tài chính", "đang thực hiện 60%"),
        (7, "UBND xã Bình An", "vướng kinh phí")]
    assert len(every) == len(REPORTS)
