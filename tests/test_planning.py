"""The pure reminder planner, driven by a controlled clock (local Asia/Ho_Chi_Minh times)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import ReminderPolicy
from bot.dates.workdays import WorkCalendar
from bot.followup.planning import (
    PlanItem,
    before_schedule,
    digest_due,
    in_quiet_hours,
    plan,
    plan_horizon,
    send_time,
    weekly_due,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = ReminderPolicy()
FRIDAY_DEADLINE = date(2025, 11, 21)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(years_hint=[2024, 2025, 2026])


def at(y, m, d, hh=8, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def one(deadline, now, cal, last_key=None, policy=POLICY, aid=17):
    dues = plan([PlanItem(aid, 5, deadline, last_key)], now, policy, cal, TZ)
    assert len(dues) <= 1
    return dues[0] if dues else None


def test_nothing_before_the_first_reminder(cal):
    assert one(FRIDAY_DEADLINE, at(2025, 11, 13, 12), cal) is None
    assert one(FRIDAY_DEADLINE, at(2025, 11, 14, 7, 59), cal) is None


def test_seven_days_before_at_send_time(cal):
    due = one(FRIDAY_DEADLINE, at(2025, 11, 14, 8, 0), cal)
    assert (due.kind, due.occurrence, due.nudge, due.escalate) == ("before", "d7", 0, False)
    assert due.due_at == datetime(2025, 11, 14, 1, 0, tzinfo=timezone.utc)
    assert due.due_at.tzinfo is not None
    assert due.key == "before:17:2025-11-21:d7"
    assert (due.assignment_id, due.unit_id, due.deadline) == (17, 5, FRIDAY_DEADLINE)


@pytest.mark.parametrize("now, kind, occurrence", [
    (at(2025, 11, 18, 8), "before", "d3"),
    (at(2025, 11, 19, 15), "before", "d3"),
    (at(2025, 11, 20, 8), "before", "d1"),
    (at(2025, 11, 21, 8), "due_today", "d0"),
    (at(2025, 11, 24, 10), "due_today", "d0"),  # one working day late: no nudge yet
    (at(2025, 11, 25, 8), "overdue", "o1"),
    (at(2025, 11, 27, 8), "overdue", "o2"),
    (at(2025, 12, 1, 8), "overdue", "o3"),
])
def test_schedule_of_a_friday_deadline(cal, now, kind, occurrence):
    due = one(FRIDAY_DEADLINE, now, cal)
    assert (due.kind, due.occurrence) == (kind, occurrence)
    assert due.key == f"{kind}:17:2025-11-21:{occurrence}"
    assert due.due_at <= now


def test_escalation_from_the_second_overdue_nudge(cal):
    first = one(FRIDAY_DEADLINE, at(2025, 11, 25, 9), cal)
    second = one(FRIDAY_DEADLINE, at(2025, 11, 27, 9), cal)
    assert (first.nudge, first.escalate) == (1, False)
    assert (second.nudge, second.escalate) == (2, True)
    later = one(FRIDAY_DEADLINE, at(2025, 11, 27, 9), cal, policy=replace(POLICY, escalate_from_nudge=3))
    assert later.escalate is False


def test_catch_up_after_downtime_sends_only_the_latest(cal):
    # The bot was off from 13/11 to 26/11: d7, d3, d1, d0 and o1 all fell due; only o1 is sent.
    dues = plan([PlanItem(17, 5, FRIDAY_DEADLINE, None)], at(2025, 11, 26, 14), POLICY, cal, TZ)
    assert [d.occurrence for d in dues] == ["o1"]


def test_already_queued_key_is_not_planned_again(cal):
    now = at(2025, 11, 18, 9)
    due = one(FRIDAY_DEADLINE, now, cal)
    assert one(FRIDAY_DEADLINE, now, cal, last_key=due.key) is None
    # The next reminder supersedes the last queued one.
    nxt = one(FRIDAY_DEADLINE, at(2025, 11, 20, 8), cal, last_key=due.key)
    assert nxt.occurrence == "d1"


def test_clock_going_back_does_not_replan_an_earlier_reminder(cal):
    assert one(FRIDAY_DEADLINE, at(2025, 11, 20, 9), cal, last_key="overdue:17:2025-11-21:o1") is None
    # ... but a key of another assignment or deadline does not count.
    assert one(FRIDAY_DEADLINE, at(2025, 11, 20, 9), cal, last_key="overdue:18:2025-11-21:o1")
    assert one(FRIDAY_DEADLINE, at(2025, 11, 20, 9), cal, last_key="overdue:17:2025-11-01:o9")


def test_extension_starts_a_new_schedule(cal):
    now = at(2025, 11, 27, 9)
    old = one(FRIDAY_DEADLINE, now, cal)
    assert old.kind == "overdue"
    extended = one(date(2025, 12, 3), now, cal, last_key=old.key)
    assert extended.key == "before:17:2025-12-03:d7"
    assert extended.key != old.key


def test_weekend_moves_back_and_shared_days_keep_the_later_offset(cal):
    monday = date(2025, 11, 24)  # d1 on Sunday → Friday, where d3 already is: d1 kept
    assert before_schedule(monday, POLICY, cal) == [
        (date(2025, 11, 17), 7), (date(2025, 11, 21), 1), (monday, 0)]
    sunday = date(2025, 11, 23)  # d0 and d1 both move to Friday: d0 kept
    assert before_schedule(sunday, POLICY, cal) == [
        (date(2025, 11, 14), 7), (date(2025, 11, 20), 3), (date(2025, 11, 21), 0)]
    due = one(sunday, at(2025, 11, 21, 8), cal)
    assert (due.kind, due.occurrence) == ("due_today", "d0")


def test_holiday_moves_back_over_tet(cal):
    deadline = date(2025, 2, 3)  # the Monday after Tết Ất Tỵ
    assert before_schedule(deadline, POLICY, cal) == [(date(2025, 1, 24), 1), (deadline, 0)]
    due = one(deadline, at(2025, 1, 29, 10), cal)  # during Tết: the 24/1 reminder is the latest
    assert due.occurrence == "d1"


def test_overdue_nudges_count_working_days_over_holidays(cal):
    deadline = date(2024, 4, 26)  # Friday before the 29/4–1/5 days off; Saturday 4/5 worked
    assert one(deadline, at(2024, 5, 2, 9), cal).occurrence == "d0"
    assert one(deadline, at(2024, 5, 3, 9), cal).occurrence == "o1"
    o2 = one(deadline, at(2024, 5, 4, 9), cal)
    assert o2.occurrence == "o1"
    assert one(deadline, at(2024, 5, 6, 9), cal).occurrence == "o2"


def test_overdue_every_n_workdays_is_configurable(cal):
    every_day = replace(POLICY, overdue_every_workdays=1)
    assert one(FRIDAY_DEADLINE, at(2025, 11, 24, 9), cal, policy=every_day).occurrence == "o1"
    assert one(FRIDAY_DEADLINE, at(2025, 11, 25, 9), cal, policy=every_day).occurrence == "o2"


def test_custom_offsets(cal):
    policy = replace(POLICY, days_before=(10, 2))
    assert one(FRIDAY_DEADLINE, at(2025, 11, 11, 9), cal, policy=policy).occurrence == "d10"
    assert one(FRIDAY_DEADLINE, at(2025, 11, 19, 9), cal, policy=policy).occurrence == "d2"
    assert one(FRIDAY_DEADLINE, at(2025, 11, 21, 9), cal, policy=policy).occurrence == "d2"


@pytest.mark.parametrize("hh, mm, quiet", [
    (20, 0, True), (23, 30, True), (0, 0, True), (6, 59, True),
    (7, 0, False), (8, 0, False), (19, 59, False),
])
def test_quiet_hours_wrap_midnight(hh, mm, quiet):
    assert in_quiet_hours(at(2025, 11, 20, hh, mm), POLICY, TZ) is quiet


def test_quiet_hours_without_wrap_and_disabled():
    lunch = replace(POLICY, quiet_start=time(12, 0), quiet_end=time(13, 0))
    assert in_quiet_hours(at(2025, 11, 20, 12, 30), lunch, TZ)
    assert not in_quiet_hours(at(2025, 11, 20, 13, 0), lunch, TZ)
    assert not in_quiet_hours(at(2025, 11, 20, 23, 0), lunch, TZ)
    off = replace(POLICY, quiet_start=time(0, 0), quiet_end=time(0, 0))
    assert not in_quiet_hours(at(2025, 11, 20, 3, 0), off, TZ)
    # Works from any zone: 14:00 UTC is 21:00 in Hà Nội.
    assert in_quiet_hours(datetime(2025, 11, 20, 14, 0, tzinfo=timezone.utc), POLICY, TZ)


def test_nothing_is_due_in_quiet_hours(cal):
    assert one(FRIDAY_DEADLINE, at(2025, 11, 27, 21), cal) is None
    assert one(FRIDAY_DEADLINE, at(2025, 11, 28, 6, 30), cal) is None
    assert one(FRIDAY_DEADLINE, at(2025, 11, 28, 7, 0), cal).occurrence == "o2"


def test_send_time_inside_quiet_hours_moves_to_quiet_end(cal):
    early = replace(POLICY, send_at=time(6, 0))
    assert send_time(early) == time(7, 0)
    due = one(FRIDAY_DEADLINE, at(2025, 11, 14, 7, 0), cal, policy=early)
    assert due.due_at == at(2025, 11, 14, 7, 0)
    assert send_time(POLICY) == time(8, 0)


def test_items_without_deadline_are_skipped(cal):
    assert plan([PlanItem(1, 1, None, None)], at(2025, 11, 20, 9), POLICY, cal, TZ) == []


def test_naive_now_is_refused(cal):
    with pytest.raises(ValueError):
        plan([], datetime(2025, 11, 20, 9), POLICY, cal, TZ)


def test_many_items_give_the_same_answer_as_one_by_one(cal):
    deadlines = [date(2025, 10, 1) + timedelta(days=i) for i in range(0, 90, 3)]
    items = [PlanItem(i, i % 7, deadlines[i % len(deadlines)], None) for i in range(300)]
    now = at(2025, 11, 19, 10)
    together = plan(items, now, POLICY, cal, TZ)
    alone = [d for item in items for d in plan([item], now, POLICY, cal, TZ)]
    assert together == alone
    assert {d.kind for d in together} == {"before", "due_today", "overdue"}
    assert len({d.key for d in together}) == len(together)


def test_rows_in_column_order_are_accepted_like_plan_items(cal):
    now = at(2025, 11, 19, 10)
    items = [PlanItem(1, 2, FRIDAY_DEADLINE, None), PlanItem(3, 4, date(2025, 11, 3), None)]
    rows = [(i.assignment_id, i.unit_id, i.deadline, i.last_key) for i in items]
    assert plan(rows, now, POLICY, cal, TZ) == plan(items, now, POLICY, cal, TZ)
    assert len(plan(rows, now, POLICY, cal, TZ)) == 2


def test_horizon_bounds_every_deadline_with_something_due(cal):
    for now in (at(2025, 11, 19, 10), at(2025, 1, 20, 9), at(2025, 1, 24, 7, 30), at(2024, 4, 26, 9)):
        horizon = plan_horizon(now, POLICY, cal, TZ)
        today = now.date()
        due_deadlines = [today + timedelta(days=i) for i in range(-5, 40)
                         if one(today + timedelta(days=i), now, cal)]
        assert due_deadlines and max(due_deadlines) <= horizon
        assert horizon - today < timedelta(days=30)


def test_weekly_due_on_monday_morning(cal):
    assert weekly_due(at(2025, 11, 24, 7, 59), POLICY, cal, TZ) is None
    assert weekly_due(at(2025, 11, 24, 8, 0), POLICY, cal, TZ) == "2025-W48"
    assert weekly_due(at(2025, 11, 26, 15), POLICY, cal, TZ) == "2025-W48"
    assert weekly_due(at(2025, 11, 26, 22), POLICY, cal, TZ) is None  # quiet hours


def test_weekly_due_after_a_monday_holiday(cal):
    # 1/9 and 2/9/2025 are off: the week starts on Wednesday 3/9.
    assert weekly_due(at(2025, 9, 2, 10), POLICY, cal, TZ) is None
    assert weekly_due(at(2025, 9, 3, 8), POLICY, cal, TZ) == "2025-W36"


def test_no_weekly_nudge_in_the_tet_week(cal):
    for day in range(16, 21):
        assert weekly_due(at(2026, 2, day, 10), POLICY, cal, TZ) is None


def test_digest_two_working_days_before_the_meeting(cal):
    meeting = date(2025, 11, 27)  # Thursday → digest Tuesday 25/11
    assert digest_due(at(2025, 11, 25, 7, 59), meeting, POLICY, cal, TZ) is None
    assert digest_due(at(2025, 11, 25, 8, 0), meeting, POLICY, cal, TZ) == "digest:2025-11-27"
    assert digest_due(at(2025, 11, 27, 19, 0), meeting, POLICY, cal, TZ) == "digest:2025-11-27"
    assert digest_due(at(2025, 11, 27, 21, 0), meeting, POLICY, cal, TZ) is None
    assert digest_due(at(2025, 11, 28, 8, 0), meeting, POLICY, cal, TZ) is None
    assert digest_due(at(2025, 11, 25, 8, 0), None, POLICY, cal, TZ) is None
    monday = date(2025, 12, 1)  # → Thursday 27/11, over the weekend
    assert digest_due(at(2025, 11, 26, 10), monday, POLICY, cal, TZ) is None
    assert digest_due(at(2025, 11, 27, 8), monday, POLICY, cal, TZ) == "digest:2025-12-01"


def test_reminders_scheduled_before_the_task_existed_are_not_caught_up(cal):
    # Stored at 07:45 on Tuesday 18/11 with a Friday deadline: the D-7 slot (14/11) predates it.
    created = at(2025, 11, 18, 7, 45)
    item = PlanItem(17, 5, FRIDAY_DEADLINE, None, created)
    assert plan([item], at(2025, 11, 18, 7, 50), POLICY, cal, TZ) == []
    [due] = plan([item], at(2025, 11, 18, 8, 0), POLICY, cal, TZ)
    assert due.occurrence == "d3"
    # Rows as the database gives them: the fifth column is the creation time.
    assert plan([(17, 5, FRIDAY_DEADLINE, None, created)], at(2025, 11, 18, 7, 50), POLICY, cal, TZ) == []
    assert len(plan([(17, 5, FRIDAY_DEADLINE, None)], at(2025, 11, 18, 7, 50), POLICY, cal, TZ)) == 1
