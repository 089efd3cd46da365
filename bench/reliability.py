"""Reliability: the fault table of issue 10, reproduced; prints lost / duplicates per row.

    .venv/bin/python bench/reliability.py [--lock-seconds 60] [--replies 400] [--quick]

Rows (SQLite; every one runs the real code, the platforms are the fakes of tests/fakes/):
- a real `nhacviec run` killed with SIGKILL 4 times while consuming 400 queued replies, restarted
  (Telegram through aiogram and through python-telegram-bot; Zalo webhook with 400 POSTs, each
  POSTed again until it gets a 200, as Zalo resends);
- updates stored in the inbox by a process that died before handling them, then resent;
- Telegram unreachable for 20 minutes with 10 reminders due (virtual clock);
- SQLite locked by another connection (BEGIN IMMEDIATE) for 60 s while 20 replies arrive;
- the database full (no page left) while 10 replies arrive, then room again.
Lost means a reply confirmed to the platform (or a reminder queued) that was never handled (or
delivered); duplicates, a reply recorded twice or answered twice.
`--quick`: 100 replies, a 10 s lock. Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from bot.app import App  # noqa: E402
from bot.channels.base import (
    Incoming,  # noqa: E402
    TransientError,  # noqa: E402
)
from bot.channels.telegram import TelegramBase  # noqa: E402
from bot.config import load_settings  # noqa: E402
from storage.models import Inbox, Outbox, ProgressReport  # noqa: E402
from tests.fakes.fake_telegram import FakeTelegram  # noqa: E402
from tests.kill_scenarios import (  # noqa: E402
    _counts,
    close_engines,
    prepare_office,
    telegram_kill_run,
    zalo_webhook_kill_run,
)

CHATS = [str(5000 + i) for i in range(10)]


def _text(i: int, padding: int = 0) -> str:
    return f"đang làm {i % 99 + 1}%" + (" chi tiết" * padding)


async def _polling_app(url: str, fake: FakeTelegram) -> App:
    settings = load_settings(env={"NHACVIEC_DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": fake.token,
                                  "TELEGRAM_API_BASE_URL": fake.base_url}, dotenv=None)
    app = App(settings)
    channel = cast(TelegramBase, app.channels["telegram"])
    channel.poll_timeout = 1
    return app


async def _wait_handled(url: str, want: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        keys, _, _ = await _counts(url, "telegram")
        if len(keys) >= want:
            return
        await asyncio.sleep(0.25)


async def _fault_while_polling(workdir: Path, name: str, replies: int, padding: int,
                               fault, heal, seconds: float) -> dict:
    """The bot polls the fake Telegram in this process while `fault` holds; `heal` after
    `seconds`. Counts what was lost, recorded twice, and any apology claiming it was saved."""
    url = f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
    await prepare_office(url, "telegram", CHATS)
    async with FakeTelegram(limits=None) as fake:
        app = await _polling_app(url, fake)
        await app.migrate()
        held = fault(workdir / f"{name}.db", app)
        await app.engine.dispose()  # connections opened before the fault would not know it
        channel = app.channels["telegram"]
        receiving = asyncio.create_task(channel.start(app.core.handle))
        pushed = [fake.push_text(int(CHATS[i % 10]), int(CHATS[i % 10]), _text(i, padding))
                  for i in range(replies)]
        await asyncio.sleep(seconds)
        healing = heal(held)
        if asyncio.iscoroutine(healing):
            await healing
        # What was stored but not handled waits for the recovery tick (every 30 s in the bot).
        for _ in range(12):
            await _wait_handled(url, replies, 10)
            await app.recover(startup=True)
        await channel.stop()
        await receiving
        await app.close()
        saved_claims = sum("đã được lưu" in (m.text or "") for m in fake.sent)
        answers = sum("%" in (m.text or "") for m in fake.sent)
    keys, reports, distinct = await _counts(url, "telegram")
    await close_engines()
    handled = len({str(u["update_id"]) for u in pushed} & keys)
    return {"lost": replies - handled, "twice": reports - distinct,
            "answered_twice": max(0, answers - handled), "saved_claims": saved_claims}
    # (an apology saying "saved" is only sent once the inbox row is committed: none is lost)


async def locked(workdir: Path, seconds: float, replies: int = 20) -> dict:
    def fault(path, app):
        holder = sqlite3.connect(path, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        return holder

    def heal(holder):
        holder.execute("ROLLBACK")
        holder.close()

    return await _fault_while_polling(workdir, "locked", replies, 0, fault, heal, seconds)


async def disk_full(workdir: Path, replies: int = 10) -> dict:
    def fault(path, app):
        filler = sqlite3.connect(path, isolation_level=None)
        pages = filler.execute("PRAGMA page_count").fetchone()[0] + 2
        filler.execute(f"PRAGMA max_page_count = {pages}")
        filler.execute("CREATE TABLE filler (b BLOB)")
        try:
            while True:
                filler.execute("INSERT INTO filler VALUES (zeroblob(1000))")
        except sqlite3.OperationalError:
            pass  # full

        @event.listens_for(app.core.engine.sync_engine, "connect")
        def _no_growth(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA max_page_count = {pages}")
            cur.close()

        return filler, app, _no_growth

    async def heal(held):
        filler, app, limit = held
        filler.execute("DROP TABLE filler")
        filler.close()
        event.remove(app.core.engine.sync_engine, "connect", limit)  # the disk has room again
        await app.core.engine.dispose()

    # Replies long enough to need a new page whatever room is left in the last ones.
    return await _fault_while_polling(workdir, "full", replies, 400, fault, heal, 5.0)


async def stored_not_handled(workdir: Path, rows: int = 10) -> dict:
    """Rows a dead process stored and never handled; half resent by the platform, the rest
    left to the start-up recovery."""
    url = f"sqlite+aiosqlite:///{workdir / 'stored.db'}"
    await prepare_office(url, "telegram", CHATS)
    app = App(load_settings(env={"NHACVIEC_DATABASE_URL": url}, dotenv=None), channels={})
    msgs = [Incoming(channel="telegram", chat_id=CHATS[i], user_id=CHATS[i], text=_text(i),
                     message_id=str(i), update_id=f"dead-{i}") for i in range(rows)]
    async with app.sessionmaker() as s:
        for msg in msgs:
            s.add(Inbox(**app.core._inbox_row(msg, app.clock())))
        await s.commit()
    for msg in msgs[: rows // 2]:
        await app.core.handle(msg)  # the platform's resend
    await app.recover(startup=True)
    async with app.sessionmaker() as s:
        handled = await s.scalar(select(func.count()).select_from(Inbox)
                                 .where(Inbox.handled_at.is_not(None)))
        reports = await s.scalar(select(func.count()).select_from(ProgressReport))
    await app.close()
    return {"lost": rows - handled, "twice": reports - handled}


async def telegram_down(workdir: Path) -> dict:
    from tests.test_outage_office import MORNING, office_with_ten_units

    w = await office_with_ten_units(workdir)
    down = TransientError("Cannot connect to host")
    w.telegram.fail.update({str(100 + i): [down] * 10_000 for i in range(10)})
    w.telegram.fail["900"] = [down] * 10_000
    await w.app.tick()
    while w.clock.now < MORNING + timedelta(minutes=20):
        await w.app.dispatcher.run_once()
        w.clock.advance(15)
    told_during = len(w.zalo.texts("z-vp"))
    w.telegram.fail.clear()
    for _ in range(60):
        await w.app.dispatcher.run_once()
        w.clock.advance(15)
    delivered = [t for t in w.telegram.texts() if "Nhiệm vụ" in t]
    async with w.app.sessionmaker() as s:
        lost = await s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.kind == "reminder", Outbox.status != "sent"))
    await w.app.close()
    return {"lost": lost, "twice": len(delivered) - len(set(delivered)),
            "told_during": told_during, "recovery_notes": sum(
                "mất kết nối từ" in t for t in w.zalo.texts("z-vp") + w.telegram.texts("900"))}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lock-seconds", type=float, default=60.0)
    parser.add_argument("--replies", type=int, default=400)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.replies, args.lock_seconds = 100, 10.0
    logging.basicConfig(level=logging.CRITICAL)
    print(f"# {machine_line()}")
    rows: list[tuple[str, str]] = []

    def row(fault: str, result: str) -> None:
        rows.append((fault, result))
        print(f"{fault}: {result}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for framework in ("aiogram", "ptb"):
            d = base / f"kill-{framework}"
            d.mkdir()
            o = await telegram_kill_run(d, f"sqlite+aiosqlite:///{d / 'k.db'}", framework,
                                        args.replies, 4)
            row(f"bot killed (SIGKILL) 4 times while consuming {args.replies} queued replies, "
                f"restarted ({framework})",
                f"{o.lost} lost, {o.recorded_twice} recorded twice, {o.answered_twice} "
                f"answered twice, {o.unanswered} read-backs missing")
        d = base / "kill-zalo"
        d.mkdir()
        o = await zalo_webhook_kill_run(d, f"sqlite+aiosqlite:///{d / 'z.db'}", args.replies, 4)
        row(f"Zalo webhook, process killed 4 times while {args.replies} POSTs arrive",
            f"{o.lost} of {o.sent} answered 200 lost, {o.recorded_twice} recorded twice, "
            f"{o.answered_twice} answered twice, {o.unanswered} read-backs missing")
        r = await stored_not_handled(base)
        row("10 updates stored in the inbox, the process died before handling them (5 resent, "
            "5 left to start-up)", f"{r['lost']} lost, {r['twice']} recorded twice")
        (base / "down").mkdir()
        r = await telegram_down(base / "down")
        row("Telegram unreachable for 20 minutes, 10 reminders due",
            f"{r['lost']} lost, {r['twice']} duplicates; Office told on Zalo {r['told_during']} "
            f"time(s) during, {r['recovery_notes']} recovery message(s) (one per Office chat)")
        r = await locked(base, args.lock_seconds)
        row(f"SQLite locked by another connection for {args.lock_seconds:.0f} s while 20 "
            f"replies arrive", f"{r['lost']} lost, {r['twice']} recorded twice")
        r = await disk_full(base)
        row("database full while 10 replies arrive, then room again",
            f"{r['lost']} lost, {r['twice']} recorded twice, {r['saved_claims']} "
            f"\"is saved\" claims")
    print("\n| fault | now (SQLite) |\n|---|---|")
    for fault, result in rows:
        print(f"| {fault} | {result} |")


if __name__ == "__main__":
    asyncio.run(main())
