"""Benchmark: what keeping Zalo's numbered choices in the database costs (storage.choices).

    .venv/bin/python bench/bench_choices.py [--chats 2000] [--runs 3] [--db URL]

A temporary SQLite file migrated with Alembic (or an empty database given by --db). Every Zalo
send with buttons now writes one row (an upsert) before the message goes out, and every text
a person sends reads one back; before, both were a dict lookup in memory. Prints the time of one
save and of one load (best and median of the runs, wall clock) and the same through the
in-memory store for comparison. Asserts nothing about time.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line  # noqa: E402

from bot.channels.base import Button, MemoryChoices  # noqa: E402
from storage.choices import PendingChoices  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

CHOICES = [Button("#12 Báo cáo sơ kết quý II", "p:12:40210"),
           Button("#13 Khảo sát mô hình chuyển đổi cây trồng", "p:13:40210"),
           Button("#14 Rà soát hồ sơ đất đai", "p:14:40210")]


async def one_run(store, chats: int) -> tuple[float, float]:
    """Seconds per save and per load over `chats` chats (each saved twice: insert, then update)."""
    started = time.perf_counter()
    for round_ in range(2):
        for i in range(chats):
            await store.save("zalo", f"chat-{i}", CHOICES[: 2 + (i + round_) % 2])
    saved = time.perf_counter()
    for i in range(chats):
        assert await store.load("zalo", f"chat-{i}")
    loaded = time.perf_counter()
    return (saved - started) / (2 * chats), (loaded - saved) / chats


def show(name: str, runs: list[tuple[float, float]]) -> None:
    saves, loads = [r[0] * 1e6 for r in runs], [r[1] * 1e6 for r in runs]
    print(f"{name:>9}: save best {min(saves):8.1f} µs, median {statistics.median(saves):8.1f} µs; "
          f"load best {min(loads):8.1f} µs, median {statistics.median(loads):8.1f} µs")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", help="an empty database URL instead of a temporary SQLite file")
    args = parser.parse_args()
    print(machine_line())
    database, memory = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(args.db or f"sqlite+aiosqlite:///{Path(tmp) / 'choices.db'}")
            try:
                await upgrade(engine)
                database.append(await one_run(PendingChoices(make_sessionmaker(engine)),
                                              args.chats))
            finally:
                await engine.dispose()
        memory.append(await one_run(MemoryChoices(), args.chats))
    print(f"{args.chats} chats, {args.runs} runs, {engine.url.get_backend_name()}")
    show("database", database)
    show("memory", memory)


if __name__ == "__main__":
    asyncio.run(main())
