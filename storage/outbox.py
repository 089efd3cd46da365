"""Queueing outgoing messages. The unique `key` makes queueing idempotent on every backend."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox

_BATCH = 500


async def enqueue(session: AsyncSession, rows: Iterable[dict], now: datetime) -> int:
    """Insert outbox rows, silently skipping any whose key is already queued.

    Each row: key, kind, channel, chat_id, text, due_at; optional contact_id, assignment_id,
    buttons (list of rows of {"text", "data"}). Returns how many rows were new."""
    rows = [
        {"status": "pending", "attempts": 0, "buttons": [], "channel_message_ids": [],
         "created_at": now, **row}
        for row in rows
    ]
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = 0
    for start in range(0, len(rows), _BATCH):
        stmt = insert(Outbox).values(rows[start:start + _BATCH]).on_conflict_do_nothing(
            index_elements=["key"])
        result = await session.execute(stmt)
        added += max(result.rowcount or 0, 0)
    return added
