"""From a parsed notice to tasks for the directory, and the texts the clerk reviews before storing.

Used by `nhacviec parse`/`import` and by the chat review (handlers/imports.py)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from bot.dates.timeutil import fmt_date
from bot.directory.registry import unit_entries
from bot.directory.unitmatch import match_units
from bot.i18n import t
from bot.notices.parser import ParsedNotice
from bot.tasks.store import NewDocument, NewTask
from bot.text.shorten import shorten


@dataclass
class ImportPlan:
    notice: ParsedNotice
    tasks: list[NewTask] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # lead units not in the directory: blocking
    unassigned: list[str] = field(default_factory=list)  # coordinating names left as words only
    units: set[int] = field(default_factory=set)

    def document(self, source: str | None, content: str | None) -> NewDocument:
        d = self.notice.document
        return NewDocument(number=d.number, issued_date=d.issued_date, meeting_date=d.meeting_date,
                           issuer=d.issuer, title=d.title, report_deadline=d.report_deadline,
                           source=source, content=content)


def apply_corrections(notice: ParsedNotice, corrections: dict | None) -> ParsedNotice:
    """The notice with the clerk's corrections: {"3": {"deadline": "2026-05-30"} | {"lead": [...]}}
    (task numbers as shown, from 1). The parse itself is never changed."""
    if not corrections:
        return notice
    tasks = []
    for number, task in enumerate(notice.tasks, 1):
        fix = corrections.get(str(number)) or {}
        if "deadline" in fix:
            task = replace(task, deadline=date.fromisoformat(fix["deadline"]),
                           deadline_text=fix.get("deadline_text"))
        if "lead" in fix:
            task = replace(task, lead=list(fix["lead"]),
                           coordinate=[c for c in task.coordinate if c not in fix["lead"]])
        tasks.append(task)
    return replace(notice, tasks=tasks)


def plan_import(notice: ParsedNotice, units) -> ImportPlan:
    """Match the notice's unit names against the directory (`units`: storage Unit rows)."""
    directory = unit_entries(units)
    ids = {u.name: u.id for u in units}
    names = sorted({n for task in notice.tasks for n in (*task.lead, *task.coordinate)})
    match = match_units(names, directory)
    unknown = set(match.unknown)
    plan = ImportPlan(notice)
    report = notice.document
    for task in notice.tasks:
        lead = [ids[m] for name in task.lead for m in match.units_for(name) if m in ids]
        coordinate = [ids[m] for name in task.coordinate for m in match.units_for(name) if m in ids]
        for name in task.lead:
            if name in unknown and name not in plan.unknown:
                plan.unknown.append(name)
        for name in task.coordinate:
            if name in unknown and name not in plan.unassigned:
                plan.unassigned.append(name)
        inherits = task.deadline is None and report.report_deadline is not None
        plan.tasks.append(NewTask(
            text=task.text, lead=lead, coordinate=[c for c in coordinate if c not in lead],
            deadline=task.deadline,
            deadline_text=task.deadline_text or (report.report_deadline_text if inherits else None),
            recurrence=task.recurrence, section=task.section, subsection=task.subsection))
        plan.units.update(lead, coordinate)
    return plan


def render_summary(notice: ParsedNotice, lang: str, plan: ImportPlan | None = None) -> str:
    d = notice.document
    lines = [t(lang, "Notice {number} of {date}", number=d.number or "—", date=fmt_date(d.issued_date))]
    if d.title:
        lines.append(f"«{shorten(d.title, 200)}»")
    leads = {n for task in notice.tasks for n in task.lead}
    lines.append(t(lang, "{tasks} tasks for {units} units.", tasks=len(notice.tasks),
                   units=len(plan.units) if plan else len(leads)))
    if d.report_deadline:
        words = f" ({d.report_deadline_text})" if d.report_deadline_text else ""
        lines.append(t(lang, "Report deadline for everything: {date}", date=fmt_date(d.report_deadline) + words))
    own = [i for i, task in enumerate(notice.tasks, 1) if task.deadline is None]
    if own:
        lines.append(t(lang, "Tasks without a deadline of their own ({count}): {numbers}",
                       count=len(own), numbers=", ".join(map(str, own[:30])) + (", …" if len(own) > 30 else "")))
    if plan and plan.unknown:
        lines.append(t(lang, "Units not in the directory: {names}", names="; ".join(plan.unknown)))
    if plan and plan.unassigned:
        lines.append(t(lang, "Coordinating names kept as words only: {names}",
                       names="; ".join(plan.unassigned)))
    return "\n".join(lines)


def render_tasks(notice: ParsedNotice, lang: str, start: int = 0, count: int | None = None) -> str:
    tasks = notice.tasks[start: None if count is None else start + count]
    lines = []
    for number, task in enumerate(tasks, start + 1):
        deadline = (fmt_date(task.deadline) + (f" ({task.deadline_text})" if task.deadline_text else "")
                    if task.deadline else t(lang, "report deadline"))
        recurrence = f" [{task.recurrence}]" if task.recurrence else ""
        head = "; ".join(task.lead)
        if task.coordinate:
            head += " — " + t(lang, "with {names}", names="; ".join(task.coordinate))
        lines.append(f"{number}. {head}: {shorten(task.text, 220)} — "
                     + t(lang, "deadline: {deadline}", deadline=deadline) + recurrence)
    return "\n".join(lines)
