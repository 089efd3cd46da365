"""SQLite runs on the event loop's thread: waiting for another writer's lock must not block it."""
from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import make_engine


async def _ticker(ticks: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        ticks[0] += 1
        await asyncio.sleep(0.005)


@pytest.fixture
async def two_engines(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'lock.db'}"
    first, second = make_engine(url), make_engine(url, lock_timeout=0.4)
    async with first.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield first, second
    await first.dispose()
    await second.dispose()


async def test_a_writer_waits_for_the_lock_without_stopping_the_loop(two_engines):
    first, second = two_engines
    ticks, stop = [0], asyncio.Event()
    ticker = asyncio.create_task(_ticker(ticks, stop))
    async with first.connect() as holder:
        await holder.execute(text("INSERT INTO notes (body) VALUES ('first')"))  # holds the lock

        async def write_second():
            async with second.begin() as conn:
                await conn.execute(text("INSERT INTO notes (body) VALUES ('second')"))

        waiting = asyncio.create_task(write_second())
        await asyncio.sleep(0.2)
        assert not waiting.done()  # it waits for the lock...
        assert ticks[0] >= 10  # ...while the loop goes on serving others
        await holder.commit()
    await asyncio.wait_for(waiting, timeout=5)
    stop.set()
    await ticker
    async with second.connect() as conn:
        bodies = (await conn.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
    assert bodies == ["first", "second"]


async def test_a_writer_gives_up_after_its_lock_timeout_and_nothing_is_half_written(two_engines):
    first, second = two_engines
    async with first.connect() as holder:
        await holder.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            async with second.begin() as conn:
                await conn.execute(text("INSERT INTO notes (body) VALUES ('second')"))
        assert 0.35 <= time.monotonic() - started < 3
        await holder.commit()
    async with second.connect() as conn:
        bodies = (await conn.execute(text("SELECT body FROM notes"))).scalars().all()
    assert bodies == ["first"]


async def test_readers_are_not_held_up_by_a_writer(two_engines):
    """WAL: a reader sees the last committed state while another connection writes."""
    first, second = two_engines
    async with first.connect() as holder:
        await holder.execute(text("INSERT INTO notes (body) VALUES ('uncommitted')"))
        async with second.connect() as reader:
            count = await reader.scalar(text("SELECT count(*) FROM notes"))
            mode = await reader.scalar(text("PRAGMA journal_mode"))
        await holder.rollback()
    assert count == 0 and mode == "wal"


async def test_rows_come_back_whole_and_streamed(two_engines):
    first, _ = two_engines
    async with first.begin() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES (:body)"),
                           [{"body": f"n{i}"} for i in range(250)])
    async with first.connect() as conn:
        whole = (await conn.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
        streamed = [row.body async for row in await conn.stream(
            text("SELECT body FROM notes ORDER BY id"))]
        one = (await conn.execute(text("SELECT count(*) AS n FROM notes"))).one()
    assert whole == streamed == [f"n{i}" for i in range(250)] and one.n == 250


async def test_a_long_job_of_many_statements_lets_others_have_turns(two_engines):
    first, _ = two_engines
    ticks, stop = [0], asyncio.Event()
    ticker = asyncio.create_task(_ticker(ticks, stop))
    await asyncio.sleep(0)
    started, job_ticks = time.monotonic(), None
    async with first.begin() as conn:
        while time.monotonic() - started < 0.3:  # one job, statement after statement
            await conn.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        job_ticks = ticks[0]
    stop.set()
    await ticker
    assert job_ticks >= 5  # about one turn every 20 ms, not none until the job ends
