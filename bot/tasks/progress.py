"""Recording what officers report: status changes with an audit trail, undo, extensions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    AWAITING,
    BLOCKED,
    DONE,
    IN_PROGRESS,
    OPEN,
    Assignment,
    AuditLog,
    Contact,
    ExtensionRequest,
    ProgressReport,
)

UNDO_WINDOW = timedelta(minutes=10)

# What each reported intent does to the assignment's workflow status (None: unchanged).
_STATUS_OF_INTENT = {
    "done": DONE,
    "in_progress": IN_PROGRESS,
    "blocked": BLOCKED,
    "not_done": OPEN,
}


@dataclass
class Recorded:
    assignment: Assignment
    report_id: int
    audit_id: int | None  # None when the report changed nothing (e.g. "done" twice)
    extension: ExtensionRequest | None = None


def _snapshot(a: Assignment) -> dict:
    return {"status": a.status, "percent": a.percent,
            "done_at": a.done_at.isoformat() if a.done_at else None,
            "done_on": a.done_on.isoformat() if a.done_on else None,
            "current_deadline": a.current_deadline.isoformat() if a.current_deadline else None}


def _restore(a: Assignment, snap: dict) -> None:
    a.status = snap["status"]
    a.percent = snap["percent"]
    a.done_at = datetime.fromisoformat(snap["done_at"]) if snap["done_at"] else None
    a.done_on = date.fromisoformat(snap["done_on"]) if snap["done_on"] else None
    a.current_deadline = (date.fromisoformat(snap["current_deadline"])
                          if snap["current_deadline"] else None)


def _audit_row(a: Assignment, actor: Contact | None, action: str, before: dict, now: datetime,
               inbox_id: int | None, **extra) -> dict:
    """The audit row of a change already made to `a` (`before` is its earlier snapshot)."""
    return {"assignment_id": a.id, "actor_contact_id": actor.id if actor else None,
            "actor": (actor.name if actor else extra.pop("actor", "system")) or "",
            "action": action, "from_status": before["status"], "to_status": a.status,
            "detail": {"before": before, **extra}, "inbox_id": inbox_id, "at": now,
            "undone": False}


def _audit(session, a: Assignment, actor: Contact | None, action: str, before: dict, now: datetime,
           inbox_id: int | None, **extra) -> AuditLog:
    entry = AuditLog(**_audit_row(a, actor, action, before, now, inbox_id, **extra))
    session.add(entry)
    return entry


# Every officer's report runs these: built once, and written through the tables, because
# building a statement and the ORM's unit of work cost more than the statements themselves.
_REPORTS, _AUDIT, _ASSIGNMENTS = ProgressReport.__table__, AuditLog.__table__, Assignment.__table__
_ADD_REPORT = insert(_REPORTS).returning(_REPORTS.c.id)
_ADD_AUDIT = insert(_AUDIT).returning(_AUDIT.c.id)
_REPORTED = update(_ASSIGNMENTS).where(_ASSIGNMENTS.c.id == bindparam("assignment_id")).values(
    {name: bindparam(f"new_{name}") for name in
     ("status", "percent", "done_at", "done_on", "last_report_at", "updated_at")})


async def record(session: AsyncSession, a: Assignment, contact: Contact, *, intent: str,
                 text: str, now: datetime, tz: ZoneInfo, percent: int | None = None,
                 until: date | None = None, reason: str | None = None,
                 inbox_id: int | None = None, confirm_done: bool = False) -> Recorded:
    """Record one report. The caller has checked that `contact` may report on `a`."""
    before = _snapshot(a)
    new = {"status": a.status, "percent": a.percent, "done_at": a.done_at, "done_on": a.done_on,
           "last_report_at": now, "updated_at": a.updated_at}
    new_status = _STATUS_OF_INTENT.get(intent)
    if intent == "done":
        new_status = AWAITING if confirm_done else DONE
        new.update(percent=100, done_at=now, done_on=now.astimezone(tz).date())
    elif intent == "in_progress" and percent is not None:
        new["percent"] = max(0, min(percent, 99))
    changed = new_status is not None and (
        new_status != a.status
        or any(new[key] != getattr(a, key) for key in ("percent", "done_at", "done_on")))
    if changed:
        if new_status not in (DONE, AWAITING):
            new.update(done_at=None, done_on=None)
        new.update(status=new_status, updated_at=now)
    report_id = await session.scalar(_ADD_REPORT, {
        "assignment_id": a.id, "contact_id": contact.id, "inbox_id": inbox_id, "intent": intent,
        "percent": percent, "text": text or "", "evidence": [], "created_at": now})
    await session.execute(_REPORTED, {"assignment_id": a.id,
                                      **{f"new_{key}": value for key, value in new.items()}})
    for key, value in new.items():  # the loaded object as the row now is: nothing to flush
        set_committed_value(a, key, value)
    audit_id = None
    if changed:
        audit_id = await session.scalar(_ADD_AUDIT, _audit_row(a, contact, "report", before, now,
                                                               inbox_id, intent=intent))
    extension = None
    if intent == "extension":
        extension = ExtensionRequest(assignment_id=a.id, contact_id=contact.id,
                                     requested_until=until, reason=reason, text=text or "",
                                     created_at=now)
        session.add(extension)
        await session.flush()  # its id goes on the Office's buttons
    assert report_id is not None  # INSERT … RETURNING gives the new row's id
    return Recorded(a, report_id, audit_id, extension)


class UndoError(ValueError):
    pass


async def undo(session: AsyncSession, audit_id: int, contact: Contact, now: datetime) -> Assignment:
    entry = await session.get(AuditLog, audit_id)
    if entry is None or entry.actor_contact_id != contact.id:
        raise UndoError("There is nothing of yours to undo.")
    if entry.undone:
        raise UndoError("This change has already been undone.")
    if now - entry.at > UNDO_WINDOW:
        raise UndoError("Undo is possible only within 10 minutes.")
    a = await session.get(Assignment, entry.assignment_id)
    assert a is not None  # a foreign key
    before = _snapshot(a)
    _restore(a, entry.detail["before"])
    a.updated_at = now
    entry.undone = True
    _audit(session, a, contact, "undo", before, now, None, undid=audit_id)
    await session.flush()
    return a


async def confirm(session: AsyncSession, a: Assignment, admin: Contact, now: datetime,
                  accept: bool, comment: str | None = None) -> AuditLog:
    """The Office confirms a reported result (it counts as done on the date reported) or returns it."""
    before = _snapshot(a)
    if accept:
        a.status = DONE
    else:
        a.status = IN_PROGRESS
        a.done_at = None
        a.done_on = None
        a.percent = None
    a.updated_at = now
    entry = _audit(session, a, admin, "confirm" if accept else "return", before, now, None,
                   comment=comment)
    await session.flush()
    return entry


async def decide_extension(session: AsyncSession, req: ExtensionRequest, decider: Contact,
                           now: datetime, approve: bool, new_date: date | None = None,
                           note: str | None = None, today: date | None = None) -> Assignment:
    """Approve (optionally with another date) or reject a pending request.

    Everything is checked before anything changes: a refused approval leaves the request
    pending (the caller's session is committed either way). `today` is the local date."""
    if req.status != "pending":
        raise UndoError("This request has already been decided.")
    until = (new_date or req.requested_until) if approve else None
    if approve:
        if until is None:
            raise UndoError("Please give the new deadline.")
        if until < (today or now.date()):
            raise UndoError("The new deadline cannot be in the past.")
    # Decided once even when two people press at the same instant: the conditional update
    # finds the request pending for one of them only (the other waits for the row lock).
    decision = {"status": "approved" if approve else "rejected", "decided_by": decider.id,
                "decided_at": now, "decision_note": note}
    claimed = cast(CursorResult, await session.execute(
        update(ExtensionRequest).where(ExtensionRequest.id == req.id,
                                       ExtensionRequest.status == "pending")
        .values(decision).execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        raise UndoError("This request has already been decided.")
    for key, value in decision.items():
        set_committed_value(req, key, value)
    a = await session.get(Assignment, req.assignment_id)
    assert a is not None  # a foreign key
    if approve:
        assert until is not None  # checked above
        before = _snapshot(a)
        a.current_deadline = until  # the original deadline stays for the report
        a.last_reminder_key = None  # re-plan reminders against the new deadline
        a.updated_at = now
        req.requested_until = req.requested_until or until
        _audit(session, a, decider, "extension", before, now, None, request=req.id,
               until=until.isoformat())
    await session.flush()
    return a


async def pending_extensions(session: AsyncSession) -> list[ExtensionRequest]:
    return list((await session.scalars(select(ExtensionRequest).where(
        ExtensionRequest.status == "pending").order_by(ExtensionRequest.id))).all())
