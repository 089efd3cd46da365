"""Benchmark: /status over 100,000 assignments on SQLite, end to end (goal < 300 ms, RSS < 200 MB).

    .venv/bin/python bench/bench_status_db.py [--assignments 100000] [--units 3000] [--repeat 5]

A child process builds a temporary SQLite file migrated with Alembic: 3,000 units, 2,000 tasks
of 50 units each, 100,000 assignments (deadlines from 150 days ago to 150 days ahead, one in ten
without one; about a third done, the rest open / in progress / blocked / awaiting confirmation),
about 30% of them with one to three progress reports. This process then builds the App on that
file (as `nhacviec run` would, without channels' network), and times, as a leader through
App.core.handle (inbox row, contact, routing, query, summary, text, commit):
  /status, /status <unit>, /overdue (handlers/status.py uses the lean paths of the queries:
load_summary for /status, load_rows(overdue_on=...) for /overdue);
then the resident memory (psutil RSS) of this process, which has the App built and has answered
them (the data were built in the child so that they do not count); then the `nhacviec status
--json` path (load_rows + summarize + status_json + json.dumps), load_rows and load_summary
alone. Each figure is the best of `--repeat` runs and the first (cold) run, wall clock.
Prints figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402
from common import (  # noqa: E402
    TZ,
    incoming,
    insert_assignments,
    insert_contacts,
    insert_reports,
    insert_tasks,
    insert_units,
    machine_line,
    make_app,
)

from bot.reports.queries import load_rows, load_summary  # noqa: E402
from bot.reports.status import status_json, summarize  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
OPEN_STATES = ("open", "in_progress", "blocked", "awaiting_confirmation")
PER_TASK = 50
REPORT_TEXTS = ("đã xong", "đang thực hiện 60%", "vướng kinh phí, chờ Sở Tài chính thẩm định",
                "Đơn vị đã triển khai, đang tổng hợp báo cáo gửi Văn phòng", "chưa xong")


async def build(db_path: Path, n_assignments: int, n_units: int) -> None:
    """The data set (run in a child process)."""
    rng = random.Random(2026)
    today = NOW.date()
    n_tasks = -(-n_assignments // PER_TASK)
    deadlines = [None if rng.random() < 0.1 else today + timedelta(days=rng.randint(-150, 150))
                 for _ in range(n_tasks)]
    app = await make_app(db_path, NOW)
    rows, reports = [], []
    for i in range(n_assignments):
        task = i // PER_TASK + 1
        deadline = deadlines[task - 1]
        row = {"id": i + 1, "task_id": task, "unit_id": (i * 7919) % n_units + 1,
               "current_deadline": deadline, "status": rng.choice(OPEN_STATES)}
        if rng.random() < 0.35:
            row["status"] = "done"
            row["done_at"] = datetime.combine(
                (deadline or today) + timedelta(days=rng.randint(-10, 5)), datetime.min.time(),
                timezone.utc) + timedelta(hours=rng.randint(0, 23))
        rows.append(row)
        if rng.random() < 0.3:
            for k in range(rng.randint(1, 3)):
                reports.append({"assignment_id": i + 1, "intent": "in_progress",
                                "text": rng.choice(REPORT_TEXTS),
                                "created_at": NOW - timedelta(days=rng.randint(0, 90), minutes=k)})
    rng.shuffle(reports)  # ids are not in assignment order, as in real life
    async with app.sessionmaker() as s:
        await insert_units(s, n_units)
        await insert_contacts(s, [(1, "leader", "leader", None), (2, "officer1", "officer", 1)])
        await insert_tasks(s, deadlines)
        await insert_assignments(s, rows)
        await insert_reports(s, reports)
        await s.commit()
    await app.close()
    print(f"built {n_assignments:,} assignments, {n_units:,} units, {n_tasks:,} tasks, "
          f"{len(reports):,} reports", flush=True)


async def timed(fn, repeat: int) -> tuple[float, float, Any]:
    """(first run ms, best run ms, last result)."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = await fn()
        times.append((time.perf_counter() - start) * 1000)
    return times[0], min(times), result


def _line(name: str, first_ms: float, best_ms: float, result, goal: str = "") -> None:
    if isinstance(result, str):
        size = f"{len(result):,} chars"
    elif isinstance(result, list):
        size = f"{len(result):,} rows"
    else:
        size = f"{result.total:,} counted"
    print(f"  {name:<46} {best_ms:7.0f} ms best {first_ms:7.0f} ms first  {size:>16}  {goal}")


async def measure(db_path: Path, repeat: int) -> None:
    process = psutil.Process()
    rss_start = process.memory_info().rss
    app = await make_app(db_path, NOW)
    counter = iter(range(1, 1_000_000))

    def ask(text: str):
        async def run():
            answers = await app.core.handle(incoming("leader", text, next(counter)))
            return "\n".join(a.text for a in answers)
        return run

    async def json_path():
        async with app.sessionmaker() as session:
            summary = summarize(await load_rows(session), NOW, TZ)
        return json.dumps(status_json(summary), ensure_ascii=False)

    async def in_session(fn):
        async with app.sessionmaker() as session:
            return await fn(session)

    print(f"as a leader through App.core.handle, best of {repeat} (first = cold):")
    first_ms, best_ms, text = await timed(ask("/status"), repeat)
    _line("/status (handlers/status.py as it is)", first_ms, best_ms, text, "goal < 300 ms")
    _line("/status UBND xã số 17", *await timed(ask("/status UBND xã số 17"), repeat))
    _line("/overdue (as it is)", *await timed(ask("/overdue"), repeat))
    rss_bot = process.memory_info().rss
    peak_bot = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"RSS (psutil) of this process: {rss_start / 2**20:.0f} MB before the App; "
          f"{rss_bot / 2**20:.0f} MB with the App built and /status, /overdue answered "
          f"(peak so far {peak_bot:.0f} MB) — goal < 200 MB")
    print("the CLI and the queries alone:")
    _line("status --json (rows+summarize+json.dumps)", *await timed(json_path, repeat))
    _line("load_rows alone", *await timed(lambda: in_session(load_rows), repeat))
    _line("load_summary alone", *await timed(
        lambda: in_session(lambda s: load_summary(s, NOW, TZ)), repeat))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"RSS after the JSON export too: {process.memory_info().rss / 2**20:.0f} MB, "
          f"peak {peak:.0f} MB (the export is the CLI's, in its own process)")
    print("/status text:\n" + "\n".join("    " + line for line in text.splitlines()))
    await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--build", metavar="DB", help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args()
    if args.build:
        asyncio.run(build(Path(args.build), args.assignments, args.units))
        return
    print(machine_line())
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "status.db"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", str(db_path), "--assignments",
                        str(args.assignments), "--units", str(args.units)], check=True)
        print(f"  (built in {time.perf_counter() - started:.1f} s; SQLite file "
              f"{db_path.stat().st_size / 2**20:.0f} MB)")
        asyncio.run(measure(db_path, args.repeat))


if __name__ == "__main__":
    main()
