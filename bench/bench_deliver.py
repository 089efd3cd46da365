"""Benchmark: the weekly nudge to 3,000 units, delivered through Telegram's limits.

3,000 outbox rows to 3,000 distinct private chats go through the real dispatcher and the aiogram
TelegramChannel to the fake Bot API server (tests/fakes/fake_telegram.py) with its flood limits on
(30 a second overall, 1 a second per chat). Prints the sustained rate and the number of 429s.
Goal: at least 24 messages/s sustained, no 429.

    .venv/bin/python bench/bench_deliver.py [--rows 3000] [--db URL]

`--db` defaults to a temporary SQLite file; a PostgreSQL URL (postgresql+asyncpg://...) works too,
its tables are created in a throwaway schema.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.dates.timeutil import utcnow  # noqa: E402
from bot.delivery.dispatch import Dispatcher  # noqa: E402
from storage import outbox  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.models import Base, Outbox  # noqa: E402
from tests.fakes.fake_telegram import FakeTelegram  # noqa: E402

NUDGE = (
    "Nhắc việc hằng tuần — {unit}\n"
    "Đơn vị còn 3 nhiệm vụ chưa hoàn thành:\n"
    "#{a} Báo cáo kết quả rà soát hộ nghèo — hạn 05/12/2026\n"
    "#{b} Hoàn thiện hồ sơ giải phóng mặt bằng tuyến đường ĐT 743 — hạn 12/12/2026\n"
    "#{c} Tổng hợp ý kiến cử tri trước kỳ họp — hạn 19/12/2026 (quá hạn)\n"
    "Trả lời tin nhắn này để cập nhật tiến độ."
)


async def setup_db(url: str | None):
    """An empty schema: a temporary SQLite file, or a throwaway PostgreSQL schema."""
    if url is None or url.startswith("sqlite"):
        if url is None:
            url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='bench-deliver-')}/bench.db"
        engine = make_engine(url)
        cleanup = None
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(url, connect_args={"server_settings": {"search_path": schema}})

        async def cleanup():
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return engine, make_sessionmaker(engine), cleanup


async def main(rows: int, db_url: str | None) -> int:
    logging.basicConfig(level=logging.WARNING)
    engine, sessionmaker, cleanup = await setup_db(db_url)
    now = utcnow()
    async with sessionmaker() as session:
        await outbox.enqueue(session, [
            {"key": f"weekly:{i}", "kind": "weekly", "channel": "telegram",
             "chat_id": str(700_000_000 + i), "text": NUDGE.format(unit=f"Đơn vị số {i}", a=3 * i,
                                                                    b=3 * i + 1, c=3 * i + 2),
             "due_at": now - timedelta(seconds=1)}
            for i in range(rows)], now)
        await session.commit()

    async with FakeTelegram() as tg:  # flood limits on (the defaults)
        channel = TelegramChannel(tg.token, tg.base_url)
        done_at: list[float] = []
        send = channel.send

        async def timed_send(chat_id, message):
            sent = await send(chat_id, message)
            done_at.append(time.perf_counter())
            return sent

        channel.send = timed_send  # type: ignore[method-assign]  # timing wrapper for this run only
        dispatcher = Dispatcher(sessionmaker, {"telegram": channel})
        started = time.perf_counter()
        totals: dict[str, int] = {}
        while True:
            result = await dispatcher.run_once()
            for name, value in vars(result).items():
                totals[name] = totals.get(name, 0) + value
            if not result.claimed:
                async with sessionmaker() as session:
                    left = await session.scalar(select(func.count()).select_from(Outbox).where(
                        Outbox.status.in_(["pending", "sending"])))
                if not left:
                    break
                await asyncio.sleep(0.2)  # rows handed back after a 429 come due shortly
        wall = time.perf_counter() - started
        await channel.aclose()
        rate_limited, limited_by = tg.rate_limited, dict(tg.rate_limited_by)
        delivered = len(tg.sent)

    async with sessionmaker() as session:
        sent_rows = await session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status == "sent"))
    await engine.dispose()
    if cleanup:
        await cleanup()

    sustained = (len(done_at) - 1) / (done_at[-1] - done_at[0]) if len(done_at) > 1 else 0.0
    backend = "sqlite" if db_url is None or db_url.startswith("sqlite") else "postgresql"
    print(f"deliver {rows} weekly nudges ({backend}, aiogram → fake Bot API with limits on)")
    print(f"  machine        {platform.machine()} {platform.processor() or ''}, "
          f"Python {platform.python_version()}")
    print(f"  delivered      {delivered} messages, {sent_rows} rows marked sent in {wall:.1f} s")
    print(f"  sustained      {sustained:.1f} messages/s (first to last delivery; goal >= 24)")
    print(f"  overall        {delivered / wall:.1f} messages/s (including claims and marks)")
    print(f"  429 answers    {rate_limited} (goal 0) {limited_by or ''}")
    print(f"  dispatcher     {totals}")
    ok = sent_rows == rows and sustained >= 24 and rate_limited == 0
    print("  result         " + ("OK" if ok else "BELOW GOAL"))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--db", default=None, help="database URL (default: temporary SQLite)")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.rows, args.db)))
