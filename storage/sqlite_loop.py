"""SQLite for the async engine, run on the event loop's own thread.

Why not aiosqlite's worker thread: the bot's statements take SQLite a few microseconds, while a
trip to a worker thread and back (two thread wake-ups and a turn of the event loop) costs about
60 µs, and SQLAlchemy's aiosqlite adapter makes three or four trips per statement. An officer's
reply is seven statements and two commits; the trips were a third of its time.

What the thread gave is kept another way: waiting for another connection's write lock never
blocks the loop, and a long job of many statements still lets other tasks have turns. SQLite's own
busy wait (which would sleep inside the loop) is off; a statement
that finds the database locked gives the loop back (asyncio.sleep) and is tried again, for as
long as the connection's `timeout` allows. Retrying is safe because the bot never holds a read
snapshot when it first writes: Python's sqlite3 begins a transaction just before the first
INSERT/UPDATE/DELETE, and SQLite releases the snapshot of a write that found the lock taken.

SQLAlchemy is given this connection through create_async_engine(async_creator=...), and wraps
it in its own aiosqlite adapter: only the part of aiosqlite's interface that adapter uses is here.
"""
from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from typing import Any, Callable

SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT = 5, 517
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    """Another connection holds the lock: worth trying again. Not BUSY_SNAPSHOT, which says this
    transaction's snapshot is stale: trying again cannot help, the transaction must end."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(error)
    return code & 0xFF == SQLITE_BUSY and code != SQLITE_BUSY_SNAPSHOT


# A long job of many statements (a planning pass over a large directory) would otherwise keep
# the loop to itself, since statements here never wait: every SLICE it lets others have a turn.
SLICE = 0.02
_last_turn = 0.0


async def _share_the_loop() -> None:
    global _last_turn
    now = time.monotonic()
    if now - _last_turn >= SLICE:
        _last_turn = now
        await asyncio.sleep(0)


class LoopCursor:
    """A statement run at once, its rows read at once (they are few, or wanted all anyway)."""

    arraysize = 1

    def __init__(self, connection: LoopConnection):
        self._connection = connection
        self.description: tuple | None = None
        self.lastrowid: int | None = None
        self.rowcount = -1
        self._rows: deque = deque()

    def _run(self, many: bool, sql: str, parameters: Any) -> None:
        cursor = self._connection._conn.cursor()
        try:
            if many:
                cursor.executemany(sql, parameters)
            elif parameters is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, parameters)
            self.description = cursor.description
            self._rows = deque(cursor.fetchall() if cursor.description else ())
            self.lastrowid, self.rowcount = cursor.lastrowid, cursor.rowcount
        finally:
            cursor.close()

    async def execute(self, sql: str, parameters: Any = None) -> LoopCursor:
        await self._connection.run(self._run, False, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> LoopCursor:
        await self._connection.run(self._run, True, sql, parameters)
        return self

    async def fetchall(self) -> list:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def fetchone(self):
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def close(self) -> None:
        self._rows.clear()


class LoopConnection:
    """A sqlite3 connection used from the event loop, with aiosqlite's method names."""

    def __init__(self, conn: sqlite3.Connection, lock_timeout: float):
        self._conn = conn
        self.lock_timeout = lock_timeout

    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        """Run `work` now; while the database is locked by another writer, let the loop run
        and try again, with pauses growing to 50 ms, until `lock_timeout` has passed."""
        pause, give_up = _FIRST_PAUSE, None
        while True:
            try:
                result = work(*args)
                break
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
                now = time.monotonic()
                give_up = give_up or now + self.lock_timeout
                if now >= give_up:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
        await _share_the_loop()
        return result

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        # The stub lists the three literals; SQLAlchemy passes them (or None) as plain str.
        self._conn.isolation_level = value  # type: ignore[assignment]

    async def cursor(self) -> LoopCursor:
        return LoopCursor(self)

    async def execute(self, sql: str, parameters: Any = None) -> LoopCursor:
        return await LoopCursor(self).execute(sql, parameters)

    async def commit(self) -> None:
        await self.run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)


def creator(database: str, lock_timeout: float = 30.0) -> Callable[[], Any]:
    """The async_creator for create_async_engine: a new connection to `database` each call."""

    async def connect() -> LoopConnection:
        # timeout=0: SQLite must not wait for locks itself (it would sleep inside the loop).
        # check_same_thread=False: the pool may close a connection from another thread at exit.
        conn = sqlite3.connect(database, timeout=0, check_same_thread=False)
        return LoopConnection(conn, lock_timeout)

    return connect
