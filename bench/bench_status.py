"""Benchmark: status categories, summary and texts over 100,000 assignments (the pure side).

    .venv/bin/python bench/bench_status.py [--assignments 100000] [--units 3000] [--repeat 5]

Builds AssignmentRows in memory (3,000 units, deadlines from 150 days ago to 150 days ahead,
one in ten without a deadline, about a third done), then times summarize and each renderer
(/status, /status <unit>, /overdue, the digest) and status_json, and prints the best of
`--repeat` runs in milliseconds (wall clock and CPU) plus the memory the rows and the summary take. The database
query that produces the rows is timed elsewhere. Prints figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.reports.status import (  # noqa: E402
    AssignmentRow,
    render_digest,
    render_overdue,
    render_status,
    render_unit_status,
    status_json,
    summarize,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2026, 11, 24, 8, 0, tzinfo=TZ)
STATUSES = ("open", "in_progress", "blocked", "awaiting_confirmation")


def make_rows(count: int, units: int, seed: int = 7) -> list[AssignmentRow]:
    rng = random.Random(seed)
    names = [f"UBND xã số {i}" for i in range(units)]
    today = AS_OF.date()
    rows = []
    for code in range(1, count + 1):
        deadline = None if rng.random() < 0.1 else today + timedelta(days=rng.randint(-150, 150))
        if rng.random() < 0.35:
            done_at = datetime.combine(
                (deadline or today) + timedelta(days=rng.randint(-10, 5)), datetime.min.time(), timezone.utc
            ) + timedelta(hours=rng.randint(0, 23))
            status, report = "done", "đã xong"
        else:
            done_at, status, report = None, rng.choice(STATUSES), None
        rows.append(AssignmentRow(code, rng.choice(names), f"Nhiệm vụ số {code} theo thông báo kết luận",
                                  deadline, status, done_at, report))
    return rows


def best_ms(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and best CPU time in ms (CPU time is steadier on a busy machine)."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, (time.perf_counter() - start) * 1000)
        cpu = min(cpu, (time.process_time() - start_cpu) * 1000)
    return wall, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    tracemalloc.start()
    rows = make_rows(args.assignments, args.units)
    rows_bytes = tracemalloc.get_traced_memory()[0]
    summary = summarize(rows, AS_OF, TZ)
    summary_bytes = tracemalloc.get_traced_memory()[0] - rows_bytes
    tracemalloc.stop()

    unit = summary.top_overdue_units(1)[0][0]
    reports = [(r.code, r.unit, "done", "đã xong", AS_OF - timedelta(hours=i)) for i, r in enumerate(rows[:500])]
    meeting = date(2026, 11, 28)
    figures = [
        ("summarize", lambda: summarize(rows, AS_OF, TZ)),
        ("render_status (vi)", lambda: render_status(summary, "vi", TZ)),
        ("summarize + render_status (/status)", lambda: render_status(summarize(rows, AS_OF, TZ), "vi", TZ)),
        ("render_unit_status", lambda: render_unit_status(summary, unit, "vi", TZ)),
        ("render_overdue", lambda: render_overdue(summary, "vi", TZ)),
        ("render_digest (500 reports)", lambda: render_digest(summary, reports, meeting, "vi", TZ)),
        ("status_json + json.dumps", lambda: json.dumps(status_json(summary), ensure_ascii=False)),
    ]
    print(f"{args.assignments:,} assignments, {args.units:,} units, best of {args.repeat} runs "
          f"(Python {sys.version.split()[0]})")
    print(f"  totals: {summary.totals}")
    for name, fn in figures:
        wall, cpu, result = best_ms(fn, args.repeat)
        size = f"{len(result):,} chars" if isinstance(result, str) else ""
        print(f"  {name:<40} {wall:8.1f} ms wall {cpu:8.1f} ms CPU  {size}")
    print(f"  memory: rows {rows_bytes / 2**20:.1f} MiB, summary {summary_bytes / 2**20:.1f} MiB (tracemalloc)")


if __name__ == "__main__":
    main()
