"""Queueing reminders into the outbox: the database side of bot/planning.py.

    added = await queue_reminders(session, now, settings.reminders, calendar, settings.tz)
    added += await queue_weekly(session, now, settings.reminders, calendar, settings.tz)
    await session.commit()

Every outbox row has a unique key (reminder key + contact id), and the assignment remembers the
last reminder key it was given, both written in the caller's transaction: running a pass twice,
or again after a crash or restart, queues nothing twice. Nothing is committed here.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ReminderPolicy
from bot.dates.timeutil import fmt_date
from bot.dates.workdays import WorkCalendar
from bot.followup.planning import Due, in_quiet_hours, plan, plan_horizon, weekly_due, weekly_instant
from bot.i18n import t
from bot.text.shorten import shorten
from handlers.callbacks import answer_buttons  # a leaf module: the button payloads
from storage.models import OPEN_STATES, Assignment, Contact, Outbox, Task, Unit
from storage.outbox import enqueue

_CHUNK = 900  # ids per IN (...) list: well under SQLite's and asyncpg's parameter limits
TASK_TEXT_MAX = 300
WEEKLY_TEXT_MAX = 80
WEEKLY_MAX_TASKS = 25
SUPERSEDED = "superseded by a later reminder"


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


# -- texts -------------------------------------------------------------------------------------

def buttons(lang: str, assignment_id: int) -> list[list[dict]]:
    """One row of the four answer buttons, as JSON for the outbox."""
    return [[{"text": b.text, "data": b.data} for b in row]
            for row in answer_buttons(lang, assignment_id, per_row=4)]


def _days(lang: str, n: int) -> str:
    return t(lang, "1 day") if n == 1 else t(lang, "{n} days", n=n)


def _deadline_line(lang: str, deadline: date, words: str | None, original: date | None) -> str:
    shown = fmt_date(deadline)
    if original and original != deadline:
        return t(lang, "Deadline: {date} (extended from {original})", date=shown,
                 original=fmt_date(original))
    if words and words.strip() and words.strip() != shown:
        return t(lang, "Deadline: {date} ({words})", date=shown, words=words.strip())
    return t(lang, "Deadline: {date}", date=shown)


def render_reminder(lang: str, due: Due, *, task_text: str, unit_name: str, today: date,
                    deadline_words: str | None = None, original_deadline: date | None = None,
                    for_leader: bool = False) -> str:
    """The reminder text for one contact. `today` is the local date the message goes out."""
    code = f"#{due.assignment_id}"
    deadline = due.deadline
    left = (deadline - today).days
    lines: list[str] = []
    if for_leader:
        lines.append(t(lang, "⚠️ Late unit: {unit}", unit=unit_name))
        lines.append(t(lang, "Task {code} is overdue by {days} (deadline {date}); the unit has been "
                             "reminded {nudge} times.", code=code, days=_days(lang, max(-left, 1)),
                       date=fmt_date(deadline), nudge=due.nudge))
        lines.append(shorten(task_text, TASK_TEXT_MAX))
        lines.append(t(lang, "Please ask the unit to report on this task."))
        return "\n".join(lines)
    if due.kind == "overdue":
        lines.append(t(lang, "⚠️ Overdue — task {code} (reminder {nudge})", code=code, nudge=due.nudge))
    elif left <= 0:
        lines.append(t(lang, "🔔 Due today — task {code}", code=code))
    else:
        lines.append(t(lang, "🔔 Reminder — task {code}", code=code))
    lines.append(shorten(task_text, TASK_TEXT_MAX))
    lines.append(t(lang, "Unit: {unit}", unit=unit_name))
    lines.append(_deadline_line(lang, deadline, deadline_words, original_deadline))
    if left > 0:
        lines.append(t(lang, "{days} left until the deadline.", days=_days(lang, left)))
    elif left == 0:
        lines.append(t(lang, "The deadline is today."))
    else:
        lines.append(t(lang, "Overdue by {days}.", days=_days(lang, -left)))
    example = max(deadline, today) + timedelta(days=7)
    lines.append(t(lang, "Reply: {code} xong (done) / {code} đang làm 50% (in progress) / "
                         "{code} gia hạn {date} (more time)", code=code,
                   date=f"{example.day}/{example.month}"))
    return "\n".join(lines)


# -- queries -----------------------------------------------------------------------------------

async def _contacts_by_unit(session: AsyncSession, unit_ids: Iterable[int],
                            roles: tuple[str, ...]) -> dict[tuple[int, str], list]:
    """(unit id, role) → active contacts (id, channel, chat_id, locale)."""
    found: dict[tuple[int, str], list] = defaultdict(list)
    ids = sorted(set(unit_ids))
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(Contact.id, Contact.channel, Contact.chat_id, Contact.locale, Contact.role,
                   Contact.unit_id)
            .where(Contact.active.is_(True), Contact.role.in_(roles), Contact.unit_id.in_(chunk))
            .order_by(Contact.id))
        for row in rows:
            found[(row.unit_id, row.role)].append(row)
    return found


async def _assignment_details(session: AsyncSession, ids: Sequence[int]) -> dict[int, Any]:
    """assignment id → (text, deadline_text, task_deadline, original_deadline, unit_name)."""
    details: dict[int, Any] = {}
    for chunk in _chunks(sorted(ids)):
        rows = await session.execute(
            select(Assignment.id, Task.text, Task.deadline_text, Task.deadline.label("task_deadline"),
                   Assignment.original_deadline, Unit.name.label("unit_name"))
            .join(Task, Assignment.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Assignment.id.in_(chunk)))
        for row in rows:
            details[row.id] = row
    return details


async def _drop_superseded(session: AsyncSession, keys_by_assignment: dict[int, list[str]]) -> None:
    """Pending reminders of these assignments that the new ones replace are not sent."""
    ids = sorted(keys_by_assignment)
    for chunk in _chunks(ids, 400):
        new_keys = [key for aid in chunk for key in keys_by_assignment[aid]]
        await session.execute(
            update(Outbox)
            .where(Outbox.assignment_id.in_(chunk), Outbox.status == "pending",
                   Outbox.kind.in_(("reminder", "overdue")), Outbox.key.not_in(new_keys))
            .values(status="dropped", last_error=SUPERSEDED)
            .execution_options(synchronize_session=False))


# -- the passes --------------------------------------------------------------------------------

async def load_plan_items(session: AsyncSession, horizon: date | None = None) -> list:
    """Open assignments with a deadline (up to `horizon`): rows of (assignment_id, unit_id,
    deadline, last_key, created_at), the column order plan() unpacks."""
    stmt = (select(Assignment.id.label("assignment_id"), Assignment.unit_id,
                   Assignment.current_deadline.label("deadline"),
                   Assignment.last_reminder_key.label("last_key"), Assignment.created_at)
            .where(Assignment.status.in_(OPEN_STATES), Assignment.current_deadline.is_not(None)))
    if horizon is not None:
        stmt = stmt.where(Assignment.current_deadline <= horizon)
    connection = await session.connection()  # Core rows: cheaper than the ORM result layer
    return list((await connection.execute(stmt)).all())


def _end_of_day(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


async def queue_reminders(session: AsyncSession, now: datetime, policy: ReminderPolicy,
                          calendar: WorkCalendar, tz: ZoneInfo) -> int:
    """Plan the reminders due at `now` and queue them; returns how many outbox rows are new.

    Officers of the assignment's unit get each reminder; from `policy.escalate_from_nudge` on,
    the unit's leaders get an escalation too. An assignment whose unit has nobody registered
    keeps its last key, so its latest reminder goes out once someone registers."""
    if in_quiet_hours(now, policy, tz):
        return 0
    items = await load_plan_items(session, plan_horizon(now, policy, calendar, tz))
    dues = plan(items, now, policy, calendar, tz)
    if not dues:
        return 0
    contacts = await _contacts_by_unit(session, (d.unit_id for d in dues), ("officer", "leader"))
    empty: list = []
    sendable = [d for d in dues if contacts.get((d.unit_id, "officer"))
                or (d.escalate and contacts.get((d.unit_id, "leader")))]
    if not sendable:
        return 0
    details = await _assignment_details(session, [d.assignment_id for d in sendable])
    today = now.astimezone(tz).date()
    rows: list[dict] = []
    keys_by_assignment: dict[int, list[str]] = {}
    marked: list[dict] = []
    for due in sendable:
        info = details.get(due.assignment_id)
        if info is None:  # deleted meanwhile
            continue
        words = info.deadline_text if info.task_deadline == due.deadline else None
        kind = "overdue" if due.kind == "overdue" else "reminder"
        recipients = [(c, False) for c in contacts.get((due.unit_id, "officer"), empty)]
        if due.escalate:
            recipients += [(c, True) for c in contacts.get((due.unit_id, "leader"), empty)]
        texts: dict[tuple[str, bool], tuple[str, list]] = {}
        keys = keys_by_assignment[due.assignment_id] = []
        for contact, for_leader in recipients:
            lang = contact.locale or "vi"
            rendered = texts.get((lang, for_leader))
            if rendered is None:
                rendered = texts[(lang, for_leader)] = (
                    render_reminder(lang, due, task_text=info.text, unit_name=info.unit_name,
                                    today=today, deadline_words=words,
                                    original_deadline=info.original_deadline,
                                    for_leader=for_leader),
                    buttons(lang, due.assignment_id))
            key = f"{due.key}:{contact.id}"
            keys.append(key)
            rows.append({"key": key, "kind": kind, "channel": contact.channel,
                         "chat_id": contact.chat_id, "contact_id": contact.id,
                         "assignment_id": due.assignment_id, "text": rendered[0],
                         "buttons": rendered[1], "due_at": now,
                         # Worth retrying through an outage until its day is over.
                         "expires_at": _end_of_day(due.deadline if kind == "reminder" else today,
                                                   tz)})
        marked.append({"aid": due.assignment_id, "key": due.key})
    await _drop_superseded(session, keys_by_assignment)
    added = await enqueue(session, rows, now)
    if marked:  # one executemany at the Core level: cheaper than ORM bulk updates
        table = Assignment.__table__
        await session.execute(
            update(table).where(table.c.id == bindparam("aid"))
            .values(last_reminder_key=bindparam("key")), marked)
    return added


async def queue_weekly(session: AsyncSession, now: datetime, policy: ReminderPolicy,
                       calendar: WorkCalendar, tz: ZoneInfo) -> int:
    """Once a week, each officer of a unit with open tasks gets the list of them."""
    week = weekly_due(now, policy, calendar, tz)
    if week is None:
        return 0
    # Tasks given after this week's nudge time wait for next week (their units were just told).
    since = weekly_instant(now, policy, calendar, tz)
    prefix = f"weekly:{week}:"
    already = set((await session.execute(
        select(Outbox.contact_id).where(Outbox.key.startswith(prefix, autoescape=True)))).scalars())
    open_units = set((await session.execute(
        select(Assignment.unit_id).where(Assignment.status.in_(OPEN_STATES),
                                         Assignment.created_at < since).distinct())).scalars())
    officers = await _contacts_by_unit(session, open_units, ("officer",))
    waiting = {unit: [c for c in people if c.id not in already]
               for (unit, _), people in officers.items()}
    waiting = {unit: people for unit, people in waiting.items() if people}
    if not waiting:
        return 0
    tasks: dict[int, list] = defaultdict(list)
    names: dict[int, str] = {}
    for chunk in _chunks(sorted(waiting)):
        rows = await session.execute(
            select(Assignment.id, Assignment.unit_id, Assignment.current_deadline, Task.text,
                   Unit.name.label("unit_name"))
            .join(Task, Assignment.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Assignment.status.in_(OPEN_STATES), Assignment.unit_id.in_(chunk),
                   Assignment.created_at < since))
        for row in rows:
            tasks[row.unit_id].append(row)
            names[row.unit_id] = row.unit_name
    today = now.astimezone(tz).date()
    rows_out: list[dict] = []
    for unit_id, people in waiting.items():
        unit_tasks = sorted(tasks.get(unit_id, ()),
                            key=lambda r: (r.current_deadline is None, r.current_deadline or today, r.id))
        if not unit_tasks:
            continue
        texts: dict[str, str] = {}
        for contact in people:
            lang = contact.locale or "vi"
            if lang not in texts:
                texts[lang] = render_weekly(lang, names[unit_id], unit_tasks, today)
            rows_out.append({"key": f"{prefix}{contact.id}", "kind": "weekly",
                             "channel": contact.channel, "chat_id": contact.chat_id,
                             "contact_id": contact.id, "text": texts[lang], "due_at": now})
    return await enqueue(session, rows_out, now)


def render_weekly(lang: str, unit_name: str, tasks: Sequence, today: date) -> str:
    """The weekly list: rows with id, text and current_deadline, soonest deadline first."""
    lines = [t(lang, "📋 Weekly reminder — {unit}", unit=unit_name),
             t(lang, "Open tasks of your unit: {n}", n=len(tasks))]
    for row in tasks[:WEEKLY_MAX_TASKS]:
        code, text = f"#{row.id}", shorten(row.text, WEEKLY_TEXT_MAX)
        deadline = row.current_deadline
        if deadline is None:
            lines.append(t(lang, "• {code} — {text} — no deadline", code=code, text=text))
        elif deadline < today:
            lines.append(t(lang, "• {code} — {text} — deadline {date} ⚠️ overdue", code=code,
                           text=text, date=fmt_date(deadline)))
        else:
            lines.append(t(lang, "• {code} — {text} — deadline {date}", code=code, text=text,
                           date=fmt_date(deadline)))
    if len(tasks) > WEEKLY_MAX_TASKS:
        lines.append(t(lang, "…and {n} more: send /tasks to see them all.",
                       n=len(tasks) - WEEKLY_MAX_TASKS))
    lines.append(t(lang, "Reply with the task code, e.g. {code} xong (done) or {code} đang làm 50% "
                         "(in progress).", code=f"#{tasks[0].id}"))
    return "\n".join(lines)
