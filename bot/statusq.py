"""Loading assignments for status views. Rendering and categories live in bot.status (pure)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.status import AssignmentRow
from storage.models import Assignment, ProgressReport, Task, Unit


async def load_rows(session: AsyncSession, unit_id: int | None = None) -> list[AssignmentRow]:
    """Every assignment (or one unit's) with its latest report text, in one query."""
    latest = (select(ProgressReport.assignment_id, func.max(ProgressReport.id).label("rid"))
              .group_by(ProgressReport.assignment_id).subquery())
    stmt = (select(Assignment.id, Unit.name, Task.text, Assignment.current_deadline,
                   Assignment.status, Assignment.done_at, ProgressReport.text)
            .join(Unit, Unit.id == Assignment.unit_id)
            .join(Task, Task.id == Assignment.task_id)
            .outerjoin(latest, latest.c.assignment_id == Assignment.id)
            .outerjoin(ProgressReport, ProgressReport.id == latest.c.rid)
            .order_by(Assignment.id))
    if unit_id is not None:
        stmt = stmt.where(Assignment.unit_id == unit_id)
    result = await session.execute(stmt)
    return [AssignmentRow(code=r[0], unit=r[1], task=r[2], deadline=r[3], status=r[4],
                          done_at=r[5], last_report=r[6]) for r in result.all()]


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
