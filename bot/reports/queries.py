"""Loading assignments for status views. Rendering and categories live in bot.status (pure).

Two ways in:
  load_rows     every assignment (or one unit's, or only the overdue ones) as AssignmentRows,
                for lists, the JSON export and the digest;
  load_summary  counts only, computed by the database: what /status shows, without bringing
                100,000 rows into Python (bench/bench_status_db.py).

Unit names and task texts are loaded once and shared between rows (a task given to 50 units has
one text in memory, not 50), and the latest report texts come from their own small query.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from sqlalchemy import Date, String, and_, case, func, literal, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.status import (
    CATEGORIES,
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    NO_DEADLINE,
    OPEN_IN_TIME,
    OPEN_OVERDUE,
    AssignmentRow,
    StatusSummary,
    categorize,
)
from storage.models import Assignment, ProgressReport, Task, Unit


def _is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


async def _names(session: AsyncSession, unit_id: int | None) -> dict[int, str]:
    stmt = select(Unit.id, Unit.name)
    if unit_id is not None:
        stmt = stmt.where(Unit.id == unit_id)
    return dict((await session.execute(stmt)).tuples().all())


async def _latest_reports(session: AsyncSession, scope: list) -> dict[int, str]:
    """assignment id → the text of its latest report (the highest id), for assignments in scope."""
    latest = select(func.max(ProgressReport.id)).group_by(ProgressReport.assignment_id)
    if scope:
        latest = latest.join(Assignment, Assignment.id == ProgressReport.assignment_id).where(*scope)
    stmt = select(ProgressReport.assignment_id, ProgressReport.text).where(
        ProgressReport.id.in_(latest.scalar_subquery()))
    return dict((await session.execute(stmt)).tuples().all())


async def load_rows(session: AsyncSession, unit_id: int | None = None, *,
                    overdue_on: date | None = None) -> list[AssignmentRow]:
    """Every assignment (or one unit's) with its latest report text, by code.

    With `overdue_on` (a local date), only the assignments not done whose deadline is before
    it: what /overdue lists, without loading the rest."""
    # Any: a mapped column, or on SQLite the same column read as text.
    deadline: Any = Assignment.current_deadline
    done_at: Any = Assignment.done_at
    sqlite = _is_sqlite(session)
    if sqlite:  # SQLite keeps ISO text: the C parsers of datetime are far faster than SQLAlchemy's
        deadline, done_at = type_coerce(deadline, String), type_coerce(done_at, String)
    scope = []
    if unit_id is not None:
        scope.append(Assignment.unit_id == unit_id)
    if overdue_on is not None:
        scope += [Assignment.status != DONE, Assignment.current_deadline < overdue_on]
    found = (await session.execute(
        select(Assignment.id, Assignment.unit_id, Assignment.task_id, deadline, Assignment.status,
               done_at).where(*scope).order_by(Assignment.id))).all()
    if not found:
        return []
    units = await _names(session, unit_id)
    texts = dict((await session.execute(select(Task.id, Task.text).where(
        Task.id.in_(select(Assignment.task_id).where(*scope).scalar_subquery())))).tuples().all())
    reports = await _latest_reports(session, scope)
    rows: list[AssignmentRow] = []
    append, report = rows.append, reports.get
    to_date, to_datetime, utc = date.fromisoformat, datetime.fromisoformat, timezone.utc
    for code, unit, task, day, status, finished in found:
        if sqlite:
            day = to_date(day) if day is not None else None
            finished = to_datetime(finished).replace(tzinfo=utc) if finished is not None else None
        append(AssignmentRow(code, units[unit], texts[task], day, status, finished, report(code)))
    return rows


# --------------------------------------------------------------------------- counts in SQL

_NEEDS_PYTHON = "?"  # done, with a time but no local day stored: categorized in Python
_NO_DEADLINE_DONE = "no_deadline_done"


@dataclass
class CountedSummary(StatusSummary):
    """A StatusSummary whose figures were counted by the database: `rows` stays empty, so
    `items`, `overdue()` and `for_unit()` have nothing to list. Enough for render_status and
    the digest's counts."""

    count: int = 0

    @property
    def total(self) -> int:
        return self.count


def _category_sql(today: date):
    """bot.status._category written in SQL, on `done_on` (the local day of `done_at`)."""
    day = literal(today, Date)
    deadline, status, done_on = Assignment.current_deadline, Assignment.status, Assignment.done_on
    return case(
        (and_(deadline.is_(None), status == DONE), _NO_DEADLINE_DONE),
        (deadline.is_(None), NO_DEADLINE),
        (and_(status == DONE, done_on.is_(None), Assignment.done_at.is_not(None)), _NEEDS_PYTHON),
        (status == DONE, case((func.coalesce(done_on, day) <= deadline, DONE_ON_TIME),
                              else_=DONE_LATE)),
        (deadline >= day, OPEN_IN_TIME),
        else_=OPEN_OVERDUE)


async def load_summary(session: AsyncSession, as_of: datetime, tz: tzinfo,
                       unit_id: int | None = None) -> CountedSummary:
    """The figures of summarize(load_rows(...)) — totals, per-unit counts, done without a
    deadline — counted by the database in one grouped query."""
    local = as_of.astimezone(tz)
    today = local.date()
    category = _category_sql(today).label("category")
    # `+ 0`: SQLite then scans the covering index ix_assignments_unit_category whole and sorts,
    # faster than walking it in unit order.
    unit = (Assignment.unit_id + 0).label("unit")
    stmt = select(unit, category, func.count()).group_by(unit, category)
    if unit_id is not None:
        stmt = stmt.where(Assignment.unit_id == unit_id)
    counted = (await session.execute(stmt)).all()
    extra = []
    if any(c == _NEEDS_PYTHON for _, c, _ in counted):
        fix = select(Assignment.unit_id, Assignment.current_deadline, Assignment.done_at).where(
            Assignment.status == DONE, Assignment.done_on.is_(None),
            Assignment.done_at.is_not(None), Assignment.current_deadline.is_not(None))
        if unit_id is not None:
            fix = fix.where(Assignment.unit_id == unit_id)
        extra = [(u, categorize(DONE, at, d, as_of, tz), 1)
                 for u, d, at in (await session.execute(fix)).all()]
    names = await _names(session, unit_id)
    totals = dict.fromkeys(CATEGORIES, 0)
    units: dict[str, dict[str, int]] = {}
    count = no_deadline_done = 0
    for uid, cat, n in [*counted, *extra]:
        if cat == _NEEDS_PYTHON:
            continue
        if cat == _NO_DEADLINE_DONE:
            no_deadline_done += n
            cat = NO_DEADLINE
        count += n
        totals[cat] += n
        units.setdefault(names[uid], dict.fromkeys(CATEGORIES, 0))[cat] += n
    return CountedSummary(as_of=local, today=today, totals=totals,
                          units={name: units[name] for name in sorted(units, key=str.casefold)},
                          no_deadline_done=no_deadline_done, count=count)


async def reports_since(session: AsyncSession, since: datetime | None) -> list[tuple]:
    """(code, unit, intent, text, at) of reports after `since`, oldest first."""
    stmt = (select(ProgressReport.assignment_id, Unit.name, ProgressReport.intent,
                   ProgressReport.text, ProgressReport.created_at)
            .join(Assignment, Assignment.id == ProgressReport.assignment_id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .order_by(ProgressReport.id))
    if since is not None:
        stmt = stmt.where(ProgressReport.created_at > since)
    return [tuple(r) for r in (await session.execute(stmt)).all()]
