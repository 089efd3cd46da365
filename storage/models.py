"""The tables. Every instant is a UTCDateTime; dates (deadlines) are plain local dates."""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.db import UTCDateTime


class Base(DeclarativeBase):
    # Every model here is mapped to a Table (SQLAlchemy's stubs say only FromClause), so that
    # insert()/update() on Model.__table__ type-check.
    __table__: ClassVar[Table]


# Assignment workflow states.
OPEN = "open"  # not started / nothing reported yet
IN_PROGRESS = "in_progress"
BLOCKED = "blocked"
AWAITING = "awaiting_confirmation"  # reported done, the Office must confirm (setting)
DONE = "done"
OPEN_STATES = (OPEN, IN_PROGRESS, BLOCKED, AWAITING)

ROLES = ("officer", "leader", "admin")

unit_members = Table(
    "unit_members",
    Base.metadata,
    Column("collective_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(30), default="department")  # department|commune|collective|other
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    members: Mapped[list[Unit]] = relationship(
        secondary=unit_members,
        primaryjoin=lambda: Unit.id == unit_members.c.collective_id,
        secondaryjoin=lambda: Unit.id == unit_members.c.member_id,
        # Loaded only where collectives are expanded (registry.all_units); never by accident.
        lazy="raise",
    )


class Contact(Base):
    """Someone (or a group chat) that the bot talks to, on one channel."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_contact_chat"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(10))  # officer|leader|admin
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Evidence files sent before the report they belong to (kept until the next report).
    pending_files: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unit: Mapped[Unit | None] = relationship(lazy="joined")


class Invite(Base):
    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    unit: Mapped[Unit | None] = relationship(lazy="joined")


class StartAttempt(Base):
    """A failed /start code, kept to slow down guessing."""

    __tablename__ = "start_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_start_attempts_chat", "channel", "chat_id", "at"),)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(100), index=True)
    issued_date: Mapped[date | None] = mapped_column(Date)
    meeting_date: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)
    report_deadline: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(500))  # file name
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    section: Mapped[str | None] = mapped_column(String(500))
    subsection: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str | None] = mapped_column(String(300))
    recurrence: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document: Mapped[Document | None] = relationship(lazy="joined")


class Assignment(Base):
    """One task given to one unit. Its id is the task code shown to people (#17)."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", name="uq_assignment_task_unit"),
        Index("ix_assignments_status_deadline", "status", "current_deadline"),
        # Serves "a unit's assignments" and, covering every column the status categories read,
        # lets /status count 100,000 assignments from the index alone.
        Index("ix_assignments_unit_category", "unit_id", "status", "current_deadline", "done_on",
              "done_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(12), default="lead")  # lead|coordinate
    status: Mapped[str] = mapped_column(String(24), default=OPEN)
    percent: Mapped[int | None] = mapped_column(Integer)
    original_deadline: Mapped[date | None] = mapped_column(Date)
    current_deadline: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_on: Mapped[date | None] = mapped_column(Date)  # local date of done_at: status categories in SQL
    last_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminder_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    task: Mapped[Task] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")

    @property
    def code(self) -> str:
        return f"#{self.id}"


class ProgressReport(Base):
    __tablename__ = "progress_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"), index=True)
    intent: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")  # the officer's words, kept as written
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ExtensionRequest(Base):
    __tablename__ = "extension_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    requested_until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|approved|rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Outbox(Base):
    """Every proactive message. `key` is unique: the same reminder is never queued twice."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_ready", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # reminder|overdue|weekly|digest|new_tasks|notice
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sending|sent|failed|dropped|expired
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_message_ids: Mapped[list] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Transient failures are retried until then (a reminder: the end of its deadline day);
    # None: `created_at` plus the dispatcher's default lifetime.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SentMessage(Base):
    """Platform message id → assignment, so a reply to a reminder finds its task."""

    __tablename__ = "sent_messages"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id", name="uq_sent_message"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Inbox(Base):
    """Every incoming update, stored before it is handled, kept even when not understood."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "update_key", name="uq_inbox_update"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    update_key: Mapped[str] = mapped_column(String(120))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(40))  # None while waiting; "error"; "set_aside"
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # failed handlings


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    actor_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    actor: Mapped[str] = mapped_column(String(100), default="")  # "cli", "scheduler", contact name
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # enough to undo
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PendingChoice(Base):
    """The numbered choices a channel without buttons (Zalo) last offered a chat: "1. Đã xong,
    2. …" answered later with "1" or the words. Kept here so that a restart loses none."""

    __tablename__ = "pending_choices"
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    choices: Mapped[list] = mapped_column(JSON)  # [{"text": ..., "data": ...}, ...] in order
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
