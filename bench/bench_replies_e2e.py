"""Benchmark: 1,000 incoming "đã xong" replies end to end through App.core.handle (goal ≥ 200/s).

    .venv/bin/python bench/bench_replies_e2e.py [--replies 1000] [--runs 5] [--profile]

A temporary SQLite file migrated with Alembic; 1,000 units, each with one officer and one open
assignment (deadline ahead). Every officer sends "đã xong" once, one after the other as the
polling loop would hand them over: the inbox row is stored and committed, the contact looked up,
the reply grammar run, the assignment marked done with its report and audit row, the read-back
built. Each of `--runs` passes starts from a fresh database; prints replies/second (wall clock
and CPU) of each, then the best and the median (the machine is shared and noisy), and checks, by
counting rows, that every assignment is done with one report and one audit row each (exit 1 if
not). `--concurrency N`
hands N replies to the core at once, as the Telegram channel does (up to 64). `--profile` runs
the pass again with the time inside each SQL statement and under cProfile, and prints where the
time goes. Prints figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    TZ,
    incoming,
    insert_assignments,
    insert_contacts,
    insert_tasks,
    insert_units,
    machine_line,
    make_app,
)
from sqlalchemy import event, func, select  # noqa: E402

from storage.models import DONE, Assignment, AuditLog, Inbox, ProgressReport  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 12, tzinfo=TZ)


async def build(app, count: int) -> None:
    deadline = NOW.date() + timedelta(days=10)
    async with app.sessionmaker() as s:
        await insert_units(s, count)
        await insert_contacts(s, [(i, f"officer{i}", "officer", i) for i in range(1, count + 1)])
        await insert_tasks(s, [deadline] * count)
        await insert_assignments(s, [{"id": i, "task_id": i, "unit_id": i, "status": "open",
                                      "current_deadline": deadline} for i in range(1, count + 1)])
        await s.commit()


async def run_pass(app, count: int, concurrency: int = 1) -> tuple[float, float, list]:
    """Hand every reply to the core, `concurrency` at a time (the Telegram channel runs up to
    64 handlers at once; 1 is a single polling loop awaiting each)."""
    messages = [incoming(f"officer{i}", "đã xong", i) for i in range(1, count + 1)]
    gate = asyncio.Semaphore(concurrency)

    async def one(msg):
        async with gate:
            return await app.core.handle(msg)

    t0, c0 = time.perf_counter(), time.process_time()
    if concurrency == 1:
        answers = [await app.core.handle(msg) for msg in messages]
    else:
        answers = await asyncio.gather(*map(one, messages))
    return time.perf_counter() - t0, time.process_time() - c0, answers


async def check(app, count: int) -> bool:
    async with app.sessionmaker() as s:
        done = await s.scalar(select(func.count()).select_from(Assignment)
                              .where(Assignment.status == DONE))
        reports = await s.scalar(select(func.count()).select_from(ProgressReport))
        audits = await s.scalar(select(func.count()).select_from(AuditLog))
        inbox = await s.scalar(select(func.count()).select_from(Inbox)
                               .where(Inbox.outcome == "recorded_done"))
    ok = done == reports == audits == inbox == count
    print(f"check: {done:,} of {count:,} assignments done, {reports:,} reports, {audits:,} audit rows, "
          f"{inbox:,} inbox rows 'recorded_done' — {'OK' if ok else 'MISMATCH'}")
    return ok


def sql_timer(app) -> Counter:
    """Seconds spent in each kind of SQL statement (first 70 characters), via engine events."""
    spent: Counter[str] = Counter()
    started: dict[int, float] = {}

    @event.listens_for(app.engine.sync_engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        started[id(cursor)] = time.perf_counter()

    @event.listens_for(app.engine.sync_engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        # Counter adds floats fine; typeshed types its counts as int.
        spent[" ".join(statement.split())[:70]] += time.perf_counter() - started.pop(id(cursor))  # type: ignore[assignment]

    return spent


async def profile(count: int, concurrency: int) -> None:
    """Where the time goes: SQL per statement (engine events), then cProfile by own time."""
    with tempfile.TemporaryDirectory() as folder:
        app = await make_app(Path(folder) / "profile.db", NOW)
        await build(app, count)
        await app.core.handle(incoming("nobody", "đã xong", 0))
        spent = sql_timer(app)
        profiler = cProfile.Profile()
        profiler.enable()
        wall, _cpu, _ = await run_pass(app, count, concurrency)
        profiler.disable()
        await app.close()
    print(f"\nprofiled pass: {wall / count * 1000:.2f} ms per reply (cProfile slows it); "
          f"time inside SQL statements {sum(spent.values()) / count * 1000:.2f} ms per reply:")
    for statement, seconds in spent.most_common():
        print(f"  {seconds / count * 1000:6.3f} ms  {statement}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="passes, each on a fresh database")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="replies handled at once (1: one after the other)")
    parser.add_argument("--profile", action="store_true", help="also run a pass under cProfile")
    parser.add_argument("--db", help="an EMPTY database URL (e.g. postgresql+asyncpg://...) instead "
                                     "of a temporary SQLite file; emptied again afterwards")
    args = parser.parse_args()
    print(machine_line())
    backend = "PostgreSQL" if args.db and args.db.startswith("postgresql") else "SQLite file"
    rates, ok = [], True
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            app = await make_app(args.db or Path(folder) / "bench.db", NOW)
            await build(app, args.replies)
            # Warm up imports and the grammar on an unregistered chat, kept out of the figures.
            await app.core.handle(incoming("nobody", "đã xong", 0))
            wall, cpu, answers = await run_pass(app, args.replies, args.concurrency)
            rates.append(args.replies / wall)
            print(f"run {run}: {args.replies:,} replies, {args.concurrency} at a time, {backend}: "
                  f"{wall:.2f} s wall, {cpu:.2f} s CPU (all threads): "
                  f"{args.replies / wall:,.0f} replies/s; {wall / args.replies * 1000:.2f} ms each")
            if run == 1:
                sample = answers[0][0].text if answers and answers[0] else "(no answer)"
                print(f"first read-back: {sample}")
            ok = await check(app, args.replies) and ok
            if args.db:
                from storage.migrate import downgrade

                await downgrade(app.engine, "base")
            await app.close()
    print(f"best {max(rates):,.0f} replies/s, median {statistics.median(rates):,.0f} replies/s "
          f"over {len(rates)} runs (goal ≥ 200/s)")
    if args.profile:
        await profile(args.replies, args.concurrency)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
