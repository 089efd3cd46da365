"""Which reminders are due at a given instant. Pure: no I/O, no clock; `now` is an argument.

For a deadline D, the schedule is (all at `policy.send_at` local time, on working days):
  - "before" d7, d3, d1 on D−7, D−3, D−1 calendar days, moved back to the previous working day;
  - "due_today" d0 on D (or the last working day before it when D is a weekend or holiday);
    when two offsets land on the same day only the later one (closer to D) is kept;
  - "overdue" o1, o2, ... every `overdue_every_workdays` working days after D.

At any instant only the LATEST reminder whose time has come counts: one that was missed (the bot
was down) is superseded by a later one, so catch-up sends one message, not a backlog. A reminder is
identified by a key that contains the deadline, so an extension starts a fresh schedule.

Many assignments share a deadline, so everything is computed once per distinct deadline and an
assignment costs a dictionary lookup and one string join.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Literal, NamedTuple, Sequence, Union
from zoneinfo import ZoneInfo

from bot.config import ReminderPolicy
from bot.dates.workdays import WorkCalendar

Kind = Literal["before", "due_today", "overdue"]
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PlanItem:
    """An open assignment, as the planner needs it."""

    assignment_id: int
    unit_id: int
    deadline: date | None
    last_key: str | None  # the key of the reminder last queued for it
    created_at: datetime | None = None  # reminders scheduled before this are not caught up


# What plan() accepts: PlanItems, or (assignment_id, unit_id, deadline, last_key) sequences such
# as database rows in that column order (unpacking a row is far cheaper than its attributes).
PlanInput = Union[PlanItem, Sequence]


class Due(NamedTuple):
    """A reminder to queue now. Immutable; a NamedTuple rather than a frozen dataclass because
    the planner may build 100,000 of them and a frozen dataclass is ten times slower to build."""

    assignment_id: int
    unit_id: int
    kind: Kind
    occurrence: str  # "d7", "d3", "d1", "d0", "o1", "o2", ...
    nudge: int  # overdue nudge number; 0 before the deadline
    escalate: bool  # the unit's leaders are told too
    due_at: datetime  # when it was scheduled (aware, UTC)
    key: str  # f"{kind}:{assignment_id}:{deadline iso}:{occurrence}"
    deadline: date


def in_quiet_hours(now: datetime, policy: ReminderPolicy, tz: ZoneInfo) -> bool:
    """True between quiet_start and quiet_end local time (the span may wrap past midnight)."""
    return _is_quiet(now.astimezone(tz).time(), policy)


def _is_quiet(moment: time, policy: ReminderPolicy) -> bool:
    start, end = policy.quiet_start, policy.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def send_time(policy: ReminderPolicy) -> time:
    """The local time of day reminders go out: send_at, or quiet_end if send_at is in quiet hours
    (on the same day, so the reminder stays on its working day)."""
    return policy.quiet_end if _is_quiet(policy.send_at, policy) else policy.send_at


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz).astimezone(timezone.utc)


def _last_send_day(now: datetime, policy: ReminderPolicy, tz: ZoneInfo) -> date:
    """The latest day whose send time has passed at `now`."""
    today = now.astimezone(tz).date()
    return today if now >= _at(today, send_time(policy), tz) else today - _ONE_DAY


def before_schedule(deadline: date, policy: ReminderPolicy,
                    calendar: WorkCalendar) -> list[tuple[date, int]]:
    """(send day, offset n) of the reminders before/on the deadline, earliest first, one per day."""
    by_day: dict[date, int] = {}
    for n in policy.days_before:
        day = calendar.previous_working_day(deadline - timedelta(days=n))
        if day not in by_day or n < by_day[day]:  # the later offset wins a shared day
            by_day[day] = n
    return sorted(by_day.items())


def _rank(kind: str, occurrence: str) -> int:
    """Order of reminders within one deadline: d7 < d3 < d1 < d0 < o1 < o2 ..."""
    number = int(occurrence[1:])
    return number if kind == "overdue" else -number


@dataclass(frozen=True, slots=True)
class _Slot:
    """The reminder due now for one deadline, shared by every assignment with that deadline."""

    kind: Kind
    occurrence: str
    nudge: int
    escalate: bool
    due_at: datetime
    prefix: str  # f"{kind}:"
    suffix: str  # f":{deadline iso}:{occurrence}"
    rank: int
    iso: str


def _slot_for(deadline: date, last_day: date, policy: ReminderPolicy,
              calendar: WorkCalendar, tz: ZoneInfo) -> _Slot | None:
    moment = send_time(policy)
    every = max(policy.overdue_every_workdays, 1)
    kind: Kind
    if last_day > deadline:
        nudge = calendar.working_days_between(deadline, last_day) // every
        if nudge >= 1:
            kind, occurrence = "overdue", f"o{nudge}"
            day = calendar.add_working_days(deadline, nudge * every)
            escalate = nudge >= policy.escalate_from_nudge
            return _make_slot(kind, occurrence, nudge, escalate, day, deadline, moment, tz)
    latest = None
    for day, n in before_schedule(deadline, policy, calendar):
        if day <= last_day:
            latest = (day, n)
    if latest is None:
        return None
    day, n = latest
    kind = "due_today" if n == 0 else "before"
    return _make_slot(kind, f"d{n}", 0, False, day, deadline, moment, tz)


def _make_slot(kind: Kind, occurrence: str, nudge: int, escalate: bool, day: date,
               deadline: date, moment: time, tz: ZoneInfo) -> _Slot:
    iso = deadline.isoformat()
    return _Slot(kind, occurrence, nudge, escalate, _at(day, moment, tz), f"{kind}:",
                 f":{iso}:{occurrence}", _rank(kind, occurrence), iso)


def plan(items: Iterable[PlanInput], now: datetime, policy: ReminderPolicy,
         calendar: WorkCalendar, tz: ZoneInfo) -> list[Due]:
    """The reminders to queue now: per assignment the latest one whose time has come, unless it
    (or a later one of the same deadline) is already its last queued key. Nothing in quiet hours."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: `now` must carry its time zone")
    if in_quiet_hours(now, policy, tz):
        return []
    last_day = _last_send_day(now, policy, tz)
    slots: dict[date, _Slot | None] = {}
    out: list[Due] = []
    append = out.append
    for item in items:
        if isinstance(item, PlanItem):
            aid, unit_id, deadline, last_key, created = (
                item.assignment_id, item.unit_id, item.deadline, item.last_key, item.created_at)
        elif len(item) == 5:  # a database row: load_plan_items' column order
            aid, unit_id, deadline, last_key, created = item
        else:
            aid, unit_id, deadline, last_key = item
            created = None
        if deadline is None:
            continue
        try:
            slot = slots[deadline]
        except KeyError:
            slot = slots[deadline] = _slot_for(deadline, last_day, policy, calendar, tz)
        if slot is None:
            continue
        if created is not None and slot.due_at < created:
            continue  # scheduled before the task existed: the new-task notice told them
        key = f"{slot.prefix}{aid}{slot.suffix}"
        if last_key is not None and (last_key == key or _is_later(last_key, aid, slot)):
            continue
        append(Due(aid, unit_id, slot.kind, slot.occurrence, slot.nudge, slot.escalate,
                   slot.due_at, key, deadline))
    return out


def _is_later(last_key: str, assignment_id: int, slot: _Slot) -> bool:
    """True when the last queued key is a later reminder of the same deadline (the clock went
    back, e.g. `remind --at` an earlier time): do not step the schedule backwards."""
    parts = last_key.split(":")
    if len(parts) != 4 or parts[1] != str(assignment_id) or parts[2] != slot.iso:
        return False
    try:
        return _rank(parts[0], parts[3]) > slot.rank
    except ValueError:
        return False


def plan_horizon(now: datetime, policy: ReminderPolicy, calendar: WorkCalendar,
                 tz: ZoneInfo) -> date:
    """The latest deadline that can have a reminder due at `now`; later deadlines can be left
    out of the database query."""
    last_day = _last_send_day(now, policy, tz)
    furthest = max(policy.days_before, default=0)
    deadline = last_day + timedelta(days=furthest)
    # Moving reminders back over weekends and holidays can bring a later deadline's first
    # reminder on or before last_day: walk forward while that is so.
    while calendar.previous_working_day(deadline + _ONE_DAY - timedelta(days=furthest)) <= last_day:
        deadline += _ONE_DAY
    return deadline


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_instant(now: datetime, policy: ReminderPolicy, calendar: WorkCalendar,
                   tz: ZoneInfo) -> datetime | None:
    """When this week's nudge was (or will be) due; None in a week without a working day."""
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    for offset in range(policy.weekly_weekday, 7):
        day = monday + timedelta(days=offset)
        if calendar.is_working_day(day):
            return _at(day, send_time(policy), tz)
    return None


def weekly_due(now: datetime, policy: ReminderPolicy, calendar: WorkCalendar,
               tz: ZoneInfo) -> str | None:
    """The ISO week ("2026-W48") once the week's nudge time has come, else None.

    The nudge goes on the first working day from `policy.weekly_weekday` on (Monday normally,
    Tuesday after a Monday holiday); a week without a working day (Tết) has none."""
    if in_quiet_hours(now, policy, tz):
        return None
    instant = weekly_instant(now, policy, calendar, tz)
    if instant is None or now < instant:
        return None
    return iso_week(now.astimezone(tz).date())


def digest_day(meeting: date, policy: ReminderPolicy, calendar: WorkCalendar) -> date:
    """The working day `digest_workdays_before` working days before the meeting."""
    return calendar.add_working_days(meeting, -policy.digest_workdays_before)


def digest_due(now: datetime, meeting: date | None, policy: ReminderPolicy,
               calendar: WorkCalendar, tz: ZoneInfo) -> str | None:
    """"digest:<meeting iso>" from send time on the digest day until the meeting day ends."""
    if meeting is None or in_quiet_hours(now, policy, tz):
        return None
    start = _at(digest_day(meeting, policy, calendar), send_time(policy), tz)
    end = datetime.combine(meeting + _ONE_DAY, time(0, 0), tzinfo=tz)
    if start <= now < end:
        return f"digest:{meeting.isoformat()}"
    return None
