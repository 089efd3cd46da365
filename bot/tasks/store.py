"""Storing imported tasks (from a task table or a parsed notice) in one transaction."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates.timeutil import fmt_date
from bot.i18n import t
from bot.text.shorten import shorten
from storage.models import Assignment, Contact, Document, Task, Unit
from storage.outbox import enqueue


class DuplicateDocument(ValueError):
    def __init__(self, document: Document):
        super().__init__(f"document already imported: {document.number or document.source}")
        self.document = document


@dataclass
class NewDocument:
    number: str | None = None
    issued_date: date | None = None
    meeting_date: date | None = None
    issuer: str | None = None
    title: str | None = None
    report_deadline: date | None = None
    source: str | None = None
    content: str | None = None  # the text, hashed to refuse the same notice twice


@dataclass
class NewTask:
    text: str
    lead: list[int]  # unit ids
    coordinate: list[int] = field(default_factory=list)
    deadline: date | None = None
    deadline_text: str | None = None
    recurrence: str | None = None
    section: str | None = None
    subsection: str | None = None


@dataclass
class Stored:
    document: Document | None
    tasks: list[Task]
    assignments: list[Assignment]


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


async def store(session: AsyncSession, doc: NewDocument | None, tasks: list[NewTask],
                now: datetime) -> Stored:
    """Add the document, its tasks and their assignments. The caller commits (or rolls back)."""
    document = None
    if doc is not None:
        digest = content_hash(doc.content) if doc.content else None
        clauses = []
        if doc.number and doc.number.strip() not in {"", "/TB-VP"} and any(c.isdigit() for c in doc.number):
            clauses.append(Document.number == doc.number)
        if digest:
            clauses.append(Document.content_hash == digest)
        if clauses:
            existing = await session.scalar(select(Document).where(or_(*clauses)).limit(1))
            if existing is not None:
                raise DuplicateDocument(existing)
        document = Document(number=doc.number, issued_date=doc.issued_date,
                            meeting_date=doc.meeting_date, issuer=doc.issuer, title=doc.title,
                            report_deadline=doc.report_deadline, source=doc.source,
                            content_hash=digest, created_at=now)
        session.add(document)
    stored_tasks, assignments = [], []
    for new in tasks:
        # A task without a deadline of its own takes the notice's report deadline when stored.
        deadline = new.deadline or (doc.report_deadline if doc else None)
        task = Task(document=document, section=new.section, subsection=new.subsection,
                    text=new.text, deadline=deadline, deadline_text=new.deadline_text,
                    recurrence=new.recurrence, created_at=now)
        session.add(task)
        stored_tasks.append(task)
        seen: set[int] = set()
        for role, unit_ids in (("lead", new.lead), ("coordinate", new.coordinate)):
            for unit_id in unit_ids:
                if unit_id in seen:
                    continue
                seen.add(unit_id)
                assignment = Assignment(task=task, unit_id=unit_id, role=role,
                                        original_deadline=deadline, current_deadline=deadline,
                                        created_at=now, updated_at=now)
                session.add(assignment)
                assignments.append(assignment)
    await session.flush()
    return Stored(document, stored_tasks, assignments)


async def queue_new_task_notices(session: AsyncSession, assignments: list[Assignment],
                                 now: datetime, not_before: datetime | None = None) -> int:
    """Tell each unit with registered contacts about its new tasks: one message per contact.

    `not_before`: the end of the quiet hours when `now` is inside them (see quiet_until)."""
    by_unit: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_unit[a.unit_id].append(a)
    if not by_unit:
        return 0
    contacts = (await session.scalars(select(Contact).where(
        Contact.unit_id.in_(by_unit), Contact.active.is_(True), Contact.role == "officer"))).all()
    units = {u.id: u for u in (await session.scalars(select(Unit).where(Unit.id.in_(by_unit)))).all()}
    rows = []
    for contact in contacts:
        assert contact.unit_id is not None  # selected by unit
        items = sorted(by_unit[contact.unit_id], key=lambda a: a.id)
        lang = contact.locale
        lines = [t(lang, "New tasks for {unit} ({count}):", unit=units[contact.unit_id].name,
                   count=len(items))]
        for a in items:
            lines.append(task_line(a, lang))
        lines.append("")
        lines.append(t(lang, "Answer any time, e.g. \"{code} xong\" or \"{code} đang làm 50%\".",
                       code=items[0].code))
        rows.append({"key": f"new:{items[0].id}-{items[-1].id}:{contact.id}", "kind": "new_tasks",
                     "channel": contact.channel, "chat_id": contact.chat_id,
                     "contact_id": contact.id, "text": "\n".join(lines), "due_at": not_before or now})
    return await enqueue(session, rows, now)


def deadline_words(assignment: Assignment, lang: str) -> str:
    """The deadline as a date with the words it came from, e.g. "30/04/2023 (trong tháng 4/2023)"."""
    deadline = assignment.current_deadline
    if deadline is None:
        return t(lang, "no deadline")
    text = fmt_date(deadline)
    words = assignment.task.deadline_text
    # Words worth showing say more than the date itself ("trong tháng 4/2023", not "30/04/2023").
    if words and any(ch.isalpha() for ch in words) and deadline == assignment.original_deadline:
        text += f" ({words})"
    elif deadline != assignment.original_deadline and assignment.original_deadline:
        text += " " + t(lang, "(extended from {date})", date=fmt_date(assignment.original_deadline))
    return text


def task_line(assignment: Assignment, lang: str, limit: int = 160) -> str:
    return f"{assignment.code} {shorten(assignment.task.text, limit)} — " + t(
        lang, "deadline: {deadline}", deadline=deadline_words(assignment, lang))
