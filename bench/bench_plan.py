"""Benchmark: plan and queue reminders for 100,000 open assignments on SQLite.

    .venv/bin/python bench/bench_plan.py [--assignments 100000] [--units 3000] [--deadlines 300]

Builds a temporary SQLite database (~3,000 units with one officer each and a leader for one unit
in ten, 100,000 open assignments sharing a few hundred deadlines from 150 days ago to 150 days
ahead), then times:
  (a) loading the open assignments + pure planning (goal: under 1 s), with and without the
      horizon filter that leaves out deadlines too far ahead to have anything due;
  (b) the whole queue_reminders pass with its outbox inserts and commit, then a second pass
      (steady state: everything already queued), and the weekly nudge.
Prints figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.config import ReminderPolicy  # noqa: E402
from bot.dates.workdays import WorkCalendar  # noqa: E402
from bot.followup.planning import plan, plan_horizon  # noqa: E402
from bot.followup.reminders import load_plan_items, queue_reminders, queue_weekly  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.models import Assignment, Base, Contact, Outbox, Task, Unit  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 11, 19, 9, 0, tzinfo=TZ)
CREATED = datetime(2025, 6, 1, tzinfo=timezone.utc)


async def build(sessionmaker, n_assignments: int, n_units: int, n_deadlines: int) -> None:
    rng = random.Random(2025)
    today = NOW.date()
    deadlines = sorted({today + timedelta(days=rng.randint(-150, 150)) for _ in range(n_deadlines * 3)})
    deadlines = rng.sample(deadlines, min(n_deadlines, len(deadlines)))
    per_task = 50
    n_tasks = -(-n_assignments // per_task)
    async with sessionmaker() as s:
        await s.execute(insert(Unit), [
            {"id": u, "name": f"Đơn vị số {u}", "aliases": [], "kind": "department",
             "created_at": CREATED} for u in range(1, n_units + 1)])
        contacts = [{"id": u, "channel": "telegram", "chat_id": str(10_000 + u), "user_id": str(10_000 + u),
                     "name": f"Cán bộ {u}", "role": "officer", "unit_id": u, "locale": "vi",
                     "is_group": False, "active": True, "created_at": CREATED}
                    for u in range(1, n_units + 1)]
        contacts += [{"id": n_units + u, "channel": "telegram", "chat_id": str(90_000 + u),
                      "user_id": str(90_000 + u), "name": f"Lãnh đạo {u}", "role": "leader",
                      "unit_id": u, "locale": "vi", "is_group": False, "active": True,
                      "created_at": CREATED} for u in range(1, n_units + 1, 10)]
        await s.execute(insert(Contact), contacts)
        tasks = []
        for task_id in range(1, n_tasks + 1):
            deadline = rng.choice(deadlines)
            tasks.append({"id": task_id, "text": f"Nhiệm vụ số {task_id}: triển khai, báo cáo kết quả "
                          "thực hiện kết luận của Chủ tịch UBND về công tác cải cách hành chính",
                          "deadline": deadline, "deadline_text": f"trước ngày {deadline:%d/%m}",
                          "created_at": CREATED})
        await s.execute(insert(Task), tasks)
        rows = []
        for i in range(n_assignments):
            task = tasks[i // per_task]
            unit = (i * 7919) % n_units + 1  # spreads one task's units; unique per (task, unit)
            rows.append({"id": i + 1, "task_id": task["id"], "unit_id": unit, "role": "lead",
                         "status": "open", "original_deadline": task["deadline"],
                         "current_deadline": task["deadline"], "created_at": CREATED,
                         "updated_at": CREATED})
        await s.execute(insert(Assignment), rows)
        await s.commit()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3_000)
    parser.add_argument("--deadlines", type=int, default=300)
    parser.add_argument("--plan-only", action="store_true", help="time (a) only")
    args = parser.parse_args()
    policy, calendar = ReminderPolicy(), WorkCalendar(years_hint=[2025, 2026])

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        sessionmaker = make_sessionmaker(engine)
        started = time.perf_counter()
        await build(sessionmaker, args.assignments, args.units, args.deadlines)
        print(f"built {args.assignments:,} open assignments, {args.units:,} units, "
              f"{args.deadlines} deadlines in {time.perf_counter() - started:.1f} s")
        load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"as of {NOW:%Y-%m-%d %H:%M} local; Python {sys.version.split()[0]}; "
              f"{os.cpu_count()} CPUs, load average {load_avg:.1f} (figures are wall-clock)")

        # (a) loading + pure planning
        for label, horizon in (("all open assignments", None),
                               ("up to the horizon", plan_horizon(NOW, policy, calendar, TZ))):
            best: tuple[float, float, float, float, int, int] | None = None
            for _ in range(3):
                async with sessionmaker() as s:
                    c0, t0 = time.process_time(), time.perf_counter()
                    items = await load_plan_items(s, horizon)
                    t1 = time.perf_counter()
                    dues = plan(items, NOW, policy, calendar, tz=TZ)
                    c2, t2 = time.process_time(), time.perf_counter()
                if best is None or t2 - t0 < best[0]:
                    best = (t2 - t0, t1 - t0, t2 - t1, c2 - c0, len(items), len(dues))
            assert best is not None
            total, load, planning, cpu, n_items, n_dues = best
            print(f"(a) load + plan, {label}: {total * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU "
                  f"(load {load * 1000:.0f} ms for {n_items:,} rows, plan {planning * 1000:.0f} ms, "
                  f"{n_dues:,} due) — goal < 1000 ms")

        if args.plan_only:
            await engine.dispose()
            return
        # (b) the whole pass with outbox inserts, then the steady state
        async def timed(work):
            """`work(session)` then commit: (its result, seconds)."""
            async with sessionmaker() as s:
                t0 = time.perf_counter()
                result = await work(s)
                await s.commit()
                return result, time.perf_counter() - t0

        added, elapsed = await timed(lambda s: queue_reminders(s, NOW, policy, calendar, TZ))
        print(f"(b) queue_reminders, first pass: {elapsed:.2f} s, {added:,} outbox rows "
              f"({added / elapsed:,.0f} rows/s)")
        again, elapsed = await timed(lambda s: queue_reminders(s, NOW, policy, calendar, TZ))
        print(f"(b) queue_reminders, second pass (nothing new): {elapsed * 1000:.0f} ms, {again} rows")
        later = NOW + timedelta(days=1)
        next_day, elapsed = await timed(lambda s: queue_reminders(s, later, policy, calendar, TZ))
        print(f"(b) queue_reminders, next morning: {elapsed * 1000:.0f} ms, {next_day:,} rows")

        monday = datetime(2025, 11, 24, 8, 5, tzinfo=TZ)
        weekly, elapsed = await timed(lambda s: queue_weekly(s, monday, policy, calendar, TZ))
        async with sessionmaker() as s:
            total_rows = await s.scalar(select(func.count()).select_from(Outbox))
        print(f"weekly nudge: {elapsed * 1000:.0f} ms, {weekly:,} messages; outbox now {total_rows:,} rows")
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
