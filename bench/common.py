"""Shared pieces of the end-to-end benches (bench_replies_e2e.py, bench_status_db.py).

An App on a temporary SQLite file migrated with Alembic (as `nhacviec run` would), a fixed clock,
a console channel that records nothing, a machine line for the figures, and bulk inserts that
build large directories fast (the ORM path would take minutes for 100,000 rows).
"""
from __future__ import annotations

import os
import platform
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.app import App  # noqa: E402
from bot.channels.base import Incoming  # noqa: E402
from bot.channels.console import ConsoleChannel  # noqa: E402
from bot.config import load_settings  # noqa: E402
from storage.models import Assignment, Contact, ProgressReport, Task, Unit  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CREATED = datetime(2026, 6, 1, tzinfo=timezone.utc)


class FixedClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def machine_line() -> str:
    """Date, Python, CPUs and load: what a figure in the README needs beside it."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (f"{datetime.now():%Y-%m-%d %H:%M}; Python {sys.version.split()[0]} on "
            f"{platform.system()} {platform.machine()}; {os.cpu_count()} CPUs; "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


async def make_app(db_path: Path | str, now: datetime) -> App:
    """An App on a fresh SQLite file (or an empty database given by URL), migrated; the clock
    stays at `now`."""
    url = db_path if isinstance(db_path, str) else f"sqlite+aiosqlite:///{db_path}"
    settings = load_settings(env={"NHACVIEC_DATABASE_URL": url}, dotenv=None)
    app = App(settings, channels={"console": ConsoleChannel(show=lambda chat_id, out: None)},
              clock=FixedClock(now))
    await app.migrate()
    return app


def incoming(chat_id: str, text: str, n: int) -> Incoming:
    return Incoming(channel="console", chat_id=chat_id, user_id=chat_id, text=text,
                    user_name=chat_id, message_id=f"m{n}", update_id=f"u{n}")


async def insert_units(session, count: int, name: str = "UBND xã số {i}") -> None:
    await session.execute(insert(Unit), [
        {"id": i, "name": name.format(i=i), "aliases": [], "kind": "commune", "created_at": CREATED}
        for i in range(1, count + 1)])


async def insert_contacts(session, rows: list[tuple[int, str, str, int | None]]) -> None:
    """rows: (id, chat_id, role, unit_id) on the console channel, Vietnamese, active."""
    await session.execute(insert(Contact), [
        {"id": cid, "channel": "console", "chat_id": chat, "user_id": chat, "name": f"Người {cid}",
         "role": role, "unit_id": unit, "locale": "vi", "is_group": False, "active": True,
         "created_at": CREATED} for cid, chat, role, unit in rows])


async def insert_tasks(session, deadlines: list[date | None]) -> None:
    """One task per deadline, ids 1..n."""
    await session.execute(insert(Task), [
        {"id": i, "text": f"Nhiệm vụ số {i}: triển khai, báo cáo kết quả thực hiện kết luận của "
                          "Chủ tịch UBND về công tác cải cách hành chính",
         "deadline": d, "deadline_text": f"trước ngày {d:%d/%m/%Y}" if d else None,
         "created_at": CREATED} for i, d in enumerate(deadlines, 1)])


async def insert_assignments(session, rows: list[dict]) -> None:
    """rows: dicts with id, task_id, unit_id, status, current_deadline, done_at (optional)."""
    full = []
    for row in rows:
        done_at = row.get("done_at")
        full.append({"role": "lead", "original_deadline": row["current_deadline"],
                     "created_at": CREATED, "updated_at": CREATED, "done_at": done_at,
                     "done_on": done_at.astimezone(TZ).date() if done_at else None, **row})
    for start in range(0, len(full), 20_000):
        await session.execute(insert(Assignment), full[start:start + 20_000])


async def insert_reports(session, rows: list[dict]) -> None:
    """rows: dicts with assignment_id, intent, text, created_at (ids assigned in order)."""
    full = [{"contact_id": None, "inbox_id": None, "percent": None, "evidence": [], **row}
            for row in rows]
    for start in range(0, len(full), 20_000):
        await session.execute(insert(ProgressReport), full[start:start + 20_000])
