"""Queueing outgoing messages. The unique `key` makes queueing idempotent on every backend."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Contact, Outbox, SentMessage


async def enqueue(session: AsyncSession, rows: Iterable[dict], now: datetime) -> int:
    """Insert outbox rows, silently skipping any whose key is already queued.

    Each row: key, kind, channel, chat_id, text, due_at; optional contact_id, assignment_id,
    buttons (list of rows of {"text", "data"}), expires_at (transient failures are retried
    until then). Returns how many rows were new."""
    rows = [
        # Every optional column given a value: a multi-row INSERT needs the same keys in each row.
        {"status": "pending", "attempts": 0, "buttons": [], "channel_message_ids": [],
         "contact_id": None, "assignment_id": None, "expires_at": None, "created_at": now, **row}
        for row in rows
    ]
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # One statement compiled once and run for every row ("insertmanyvalues" batches them);
    # RETURNING counts only the rows that were really new.
    stmt = insert(Outbox).on_conflict_do_nothing(index_elements=["key"]).returning(Outbox.id)
    return len((await session.execute(stmt, rows)).all())


# --- Claiming and marking (used by bot/dispatch.py) -------------------------------------------
#
# A row's life: pending ──claim──► sending ──► sent | pending (retry) | failed | dropped | expired.
# A claim is a lease: a dispatcher that dies leaves its rows in "sending" until `lease_until`
# passes, then any dispatcher may claim them again. Every mark below only applies while the
# caller still holds the lease, so a dispatcher whose lease ran out cannot overwrite the row.

PENDING, SENDING, SENT, FAILED, DROPPED = "pending", "sending", "sent", "failed", "dropped"
EXPIRED = "expired"  # transient failures until the message was no longer useful


def _ready(now: datetime):
    return or_(
        and_(Outbox.status == PENDING, Outbox.due_at <= now),
        and_(Outbox.status == SENDING, Outbox.lease_until < now),
    )


async def claim(session_maker: async_sessionmaker, owner: str, now: datetime, limit: int,
                lease_seconds: float, channels: Iterable[str] | None = None) -> list[Outbox]:
    """Lease up to `limit` ready rows (due pending rows, and rows whose lease ran out) to `owner`.

    One UPDATE of the ready ids AND <ready> ... RETURNING: on PostgreSQL the SELECT of ready ids
    takes FOR UPDATE SKIP LOCKED, so concurrent dispatchers pass over each other's rows instead of
    waiting; on SQLite the statement runs under the database's single write lock and the repeated
    readiness test makes it a compare-and-set. Either way no row is leased to two owners at once.
    `channels` limits the claim to rows this dispatcher can send (others stay for another).
    Returns the claimed rows (detached) in due order."""
    if limit <= 0:
        return []
    until = now + timedelta(seconds=lease_seconds)
    ready = _ready(now)
    if channels is not None:
        ready = and_(ready, Outbox.channel.in_(list(channels)))
    async with session_maker() as session:
        ready_ids = (select(Outbox.id).where(ready)
                     .order_by(Outbox.due_at, Outbox.id).limit(limit))
        if session.bind.dialect.name == "postgresql":
            # A MATERIALIZED CTE runs the locking SELECT exactly once; as an IN (subquery) the
            # planner may rescan it and lease more than `limit` rows.
            ready_cte = (ready_ids.with_for_update(skip_locked=True).cte("ready")
                         .prefix_with("MATERIALIZED"))
            which = Outbox.id == ready_cte.c.id
        else:
            which = Outbox.id.in_(ready_ids.scalar_subquery())
        stmt = (update(Outbox)
                .where(which, _ready(now))
                .values(status=SENDING, lease_owner=owner, lease_until=until)
                .returning(Outbox)
                .execution_options(synchronize_session=False))
        rows = list((await session.scalars(stmt)).all())
        await session.commit()
    rows.sort(key=lambda r: (r.due_at, r.id))
    return rows


def _owned(row: Outbox, owner: str):
    return and_(Outbox.id == row.id, Outbox.status == SENDING, Outbox.lease_owner == owner)


async def _record_parts(session: AsyncSession, row: Outbox, new_ids: list[str | None],
                        now: datetime) -> list:
    """SentMessage rows for parts just delivered, so a reply to any part finds the task.

    Returns the row's full list of part ids (earlier attempts' parts first)."""
    ids = [str(i) for i in new_ids if i is not None]
    if ids:
        dialect = session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = [{"channel": row.channel, "chat_id": row.chat_id, "message_id": i,
                   "assignment_id": row.assignment_id, "created_at": now} for i in ids]
        await session.execute(insert(SentMessage).values(values).on_conflict_do_nothing())
    return list(row.channel_message_ids or []) + [None if i is None else str(i) for i in new_ids]


async def _mark(session_maker, row: Outbox, owner: str, now: datetime, new_ids, **values) -> bool:
    async with session_maker() as session:
        all_ids = await _record_parts(session, row, list(new_ids), now)
        result = await session.execute(
            update(Outbox).where(_owned(row, owner))
            .values(channel_message_ids=all_ids, **values)
            .execution_options(synchronize_session=False))
        await session.commit()
    return (result.rowcount or 0) > 0


async def mark_progress(session_maker, row: Outbox, owner: str, now: datetime,
                        new_message_ids) -> bool:
    """Some parts of a split text were delivered: remember them, so a retry skips them."""
    return await _mark(session_maker, row, owner, now, new_message_ids)


async def mark_sent(session_maker, row: Outbox, owner: str, now: datetime,
                    new_message_ids=(), note: str | None = None) -> bool:
    """All parts delivered (`note`: e.g. unconfirmed). False if the lease was lost meanwhile."""
    return await _mark(session_maker, row, owner, now, new_message_ids, status=SENT, sent_at=now,
                       lease_until=None, last_error=note)


async def mark_retry(session_maker, row: Outbox, owner: str, now: datetime, next_at: datetime,
                     error: str | None = None, new_message_ids=(),
                     count_attempt: bool = True) -> bool:
    """Back to pending, due again at `next_at`. Parts already delivered are kept, so the retry
    sends only the rest. `count_attempt=False` for waits that are not failures (429, pacing)."""
    values = {"status": PENDING, "due_at": next_at, "lease_until": None, "lease_owner": None}
    if error is not None:
        values["last_error"] = error[:1000]
    if count_attempt:
        values["attempts"] = Outbox.attempts + 1
    return await _mark(session_maker, row, owner, now, new_message_ids, **values)


async def mark_failed(session_maker, row: Outbox, owner: str, now: datetime, error: str,
                      new_message_ids=()) -> bool:
    """Given up for good (refused by the platform, or too many transient errors)."""
    return await _mark(session_maker, row, owner, now, new_message_ids, status=FAILED,
                       lease_until=None, last_error=error[:1000], attempts=Outbox.attempts + 1)


async def mark_expired(session_maker, row: Outbox, owner: str, now: datetime, error: str) -> bool:
    """Retried through transient failures until its `expires_at`: no longer worth sending."""
    return await _mark(session_maker, row, owner, now, (), status=EXPIRED, lease_until=None,
                       last_error=error[:1000], attempts=Outbox.attempts + 1)


async def mark_dropped(session_maker, row: Outbox, owner: str, now: datetime, error: str,
                       new_message_ids=()) -> list[Contact]:
    """The chat is gone (bot blocked, chat deleted): drop this row and every other pending row for
    the same chat, and mark the chat's contacts inactive. Returns the contacts just deactivated."""
    async with session_maker() as session:
        all_ids = await _record_parts(session, row, list(new_message_ids), now)
        await session.execute(
            update(Outbox).where(_owned(row, owner))
            .values(status=DROPPED, lease_until=None, last_error=error[:1000],
                    channel_message_ids=all_ids)
            .execution_options(synchronize_session=False))
        await session.execute(
            update(Outbox)
            .where(Outbox.channel == row.channel, Outbox.chat_id == row.chat_id,
                   Outbox.status == PENDING)
            .values(status=DROPPED, last_error=error[:1000])
            .execution_options(synchronize_session=False))
        which = and_(Contact.channel == row.channel, Contact.chat_id == row.chat_id)
        if row.contact_id is not None:
            which = or_(which, Contact.id == row.contact_id)
        gone_ids = list((await session.scalars(
            update(Contact).where(which, Contact.active.is_(True)).values(active=False)
            .returning(Contact.id).execution_options(synchronize_session=False))).all())
        gone = []
        if gone_ids:  # loaded again so that `unit` comes along (no lazy loads after the session)
            gone = list((await session.scalars(
                select(Contact).where(Contact.id.in_(gone_ids)).order_by(Contact.id))).unique())
        await session.commit()
    return gone
