"""Engine, sessions and the UTC column type. Created by the composition root, never at import."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from sqlalchemy import DateTime, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

from storage import sqlite_loop


class UTCDateTime(TypeDecorator):
    """Timezone-aware instants, stored in UTC. SQLite keeps no zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def private_file(path: str) -> None:
    """Create the SQLite file readable by its owner only (0600) if it does not exist yet.

    It holds contacts and reports; SQLite gives its -wal and -shm files the database's mode."""
    if path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # a missing folder and the like: SQLite's own error says it better


def make_engine(url: str, *, lock_timeout: float = 30.0, **kwargs) -> AsyncEngine:
    """`lock_timeout`: on SQLite, how long a write waits for another connection's lock."""
    if is_sqlite(url):
        # Statements run on the loop's own thread (see sqlite_loop).
        database = make_url(url).database or ":memory:"
        private_file(database)
        kwargs.setdefault("async_creator", sqlite_loop.creator(database, lock_timeout))
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL: readers do not block the writer
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)
