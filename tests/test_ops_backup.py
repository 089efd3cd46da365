"""`nhacviec backup FILE`, `nhacviec restore FILE` (into an empty database only) and
`nhacviec purge --older-than 400d`, on SQLite and, when a server and pg_dump are at hand, PostgreSQL."""
from __future__ import annotations

import argparse
import os
import sqlite3
import stat
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot import cli
from bot.cli import commands
from bot.config import load_settings
from bot.ops.backup import find_tool, purge
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import DONE, OPEN, Assignment, AuditLog, Inbox, Outbox, ProgressReport, Task, Unit
from tests.conftest import PG_URL

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=500)
RECENT = NOW - timedelta(days=30)


def _settings(url: str):
    return load_settings(env={"NHACVIEC_DATABASE_URL": url}, dotenv=None)


async def _database_with_a_unit(url: str, name: str = "Phòng Kinh tế") -> None:
    engine = make_engine(url)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as s:
        s.add(Unit(name=name, aliases=[], kind="department", created_at=NOW))
        await s.commit()
    await engine.dispose()


async def _unit_names(url: str) -> list[str]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as s:
        names = list((await s.scalars(select(Unit.name))).all())
    await engine.dispose()
    return names


def _private(path) -> bool:
    return stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_sqlite_backup_and_restore_into_an_empty_database(tmp_path, capsys):
    source = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    await _database_with_a_unit(source)
    dump = tmp_path / "sao-luu.db"
    # Online: another connection is reading while the copy is made.
    engine = make_engine(source)
    async with engine.connect() as reader:
        await reader.execute(text("SELECT count(*) FROM units"))
        assert await commands.backup(_settings(source), argparse.Namespace(file=str(dump))) == 0
    await engine.dispose()
    assert _private(dump)
    with sqlite3.connect(dump) as conn:
        assert conn.execute("SELECT name FROM units").fetchall() == [("Phòng Kinh tế",)]
    assert "Đã sao lưu vào" in capsys.readouterr().out

    target = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    assert await commands.restore(_settings(target), argparse.Namespace(file=str(dump))) == 0
    assert await _unit_names(target) == ["Phòng Kinh tế"]
    assert _private(tmp_path / "new.db")
    assert await commands.health(_settings(target), argparse.Namespace(offline=True)) == 0


async def test_backup_refuses_to_overwrite_and_restore_refuses_a_full_database(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    await _database_with_a_unit(url)
    taken = tmp_path / "taken.db"
    taken.write_text("keep me")
    with pytest.raises(commands.CommandError, match="already exists"):
        await commands.backup(_settings(url), argparse.Namespace(file=str(taken)))
    assert taken.read_text() == "keep me"
    dump = tmp_path / "dump.db"
    await commands.backup(_settings(url), argparse.Namespace(file=str(dump)))
    with pytest.raises(commands.CommandError, match="not empty"):
        await commands.restore(_settings(url), argparse.Namespace(file=str(dump)))
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(commands.CommandError, match="not a backup"):
        await commands.restore(_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"),
                               argparse.Namespace(file=str(not_a_backup)))


def test_the_commands_say_what_is_wrong_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert cli.main(["backup", str(tmp_path / "b.db")]) == 1
    assert capsys.readouterr().err.strip() == f"Không có cơ sở dữ liệu tại {tmp_path / 'x.db'}."
    assert cli.main(["purge", "--older-than", "400"]) == 1
    assert capsys.readouterr().err.strip() == "--older-than phải là số ngày, ví dụ 400d, đang là «400»."


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL variant: NHACVIEC_TEST_POSTGRES_URL is not set")
@pytest.mark.skipif(find_tool("pg_dump") is None or find_tool("pg_restore") is None,
                    reason="pg_dump / pg_restore not installed")
async def test_postgresql_backup_and_restore(tmp_path):
    names = [f"nv_backup_{uuid.uuid4().hex[:8]}", f"nv_restore_{uuid.uuid4().hex[:8]}"]
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        for name in names:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(PG_URL)
    source, target = (base.set(database=n).render_as_string(hide_password=False) for n in names)
    try:
        await _database_with_a_unit(source, "UBND Phường 1")
        dump = tmp_path / "pg.dump"
        assert await commands.backup(_settings(source), argparse.Namespace(file=str(dump))) == 0
        assert _private(dump) and dump.stat().st_size > 0
        assert await commands.restore(_settings(target), argparse.Namespace(file=str(dump))) == 0
        assert await _unit_names(target) == ["UBND Phường 1"]
        with pytest.raises(commands.CommandError, match="not empty"):
            await commands.restore(_settings(target), argparse.Namespace(file=str(dump)))
    finally:
        async with admin.connect() as conn:
            for name in names:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def test_purge_removes_what_is_past_the_retention_and_keeps_the_audit(any_db):
    async with any_db.session() as s:
        unit = Unit(name="Phòng Kinh tế", aliases=[], kind="department", created_at=OLD)
        task, other = Task(text="Khảo sát", created_at=OLD), Task(text="Báo cáo", created_at=OLD)
        s.add_all([unit, task, other])
        await s.flush()
        done_long_ago = Assignment(task_id=task.id, unit_id=unit.id, status=DONE, done_at=OLD,
                                   created_at=OLD, updated_at=OLD)
        still_open = Assignment(task_id=other.id, unit_id=unit.id, status=OPEN, created_at=OLD,
                                updated_at=OLD)
        inbox = {name: Inbox(channel="telegram", update_key=name, chat_id="1", user_id="1", kind="text",
                             text=f"tin {name}", payload={}, received_at=when, handled_at=handled)
                 for name, when, handled in [("old", OLD, OLD), ("old-unhandled", OLD, None),
                                             ("recent", RECENT, RECENT)]}
        s.add_all([done_long_ago, still_open, *inbox.values()])
        await s.flush()
        file = [{"file_id": "F1", "file_name": "bao-cao.pdf"}]
        s.add_all([
            ProgressReport(assignment_id=done_long_ago.id, intent="done", text="đã xong",
                           evidence=file, inbox_id=inbox["old"].id, created_at=OLD),
            ProgressReport(assignment_id=still_open.id, intent="progress", text="đang làm",
                           evidence=file, created_at=OLD),
            AuditLog(assignment_id=done_long_ago.id, actor="Chị Lan", action="report", from_status=OPEN,
                     to_status=DONE, detail={}, inbox_id=inbox["old"].id, at=OLD),
        ])
        for key, status, sent_at in [("sent-old", "sent", OLD), ("sent-recent", "sent", RECENT),
                                     ("pending-old", "pending", None), ("failed-old", "failed", None)]:
            s.add(Outbox(key=key, kind="reminder", channel="telegram", chat_id="1", text="x", buttons=[],
                         due_at=OLD, status=status, attempts=0, sent_at=sent_at,
                         channel_message_ids=[], created_at=OLD))
        await s.commit()

    async with any_db.session() as s:
        done = await purge(s, NOW, timedelta(days=400))
    assert (done.outbox, done.inbox, done.evidence) == (1, 1, 1)
    async with any_db.session() as s:
        assert sorted((await s.scalars(select(Outbox.key))).all()) == ["failed-old", "pending-old", "sent-recent"]
        assert sorted((await s.scalars(select(Inbox.update_key))).all()) == ["old-unhandled", "recent"]
        reports = {r.intent: r for r in (await s.scalars(select(ProgressReport))).all()}
        assert reports["done"].evidence == [] and reports["done"].text == "đã xong"
        assert reports["progress"].evidence == file  # the assignment is still open
        [audit] = (await s.scalars(select(AuditLog))).all()
        assert (audit.action, audit.to_status, audit.inbox_id) == ("report", DONE, None)
    async with any_db.session() as s:  # run again: nothing more to remove
        again = await purge(s, NOW, timedelta(days=400))
    assert (again.outbox, again.inbox, again.evidence) == (0, 0, 0)


async def test_purge_command(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    await _database_with_a_unit(url)
    code = await commands.purge(_settings(url), argparse.Namespace(older_than="400d"), now=NOW)
    assert code == 0
    assert capsys.readouterr().out.strip() == (
        "Đã xóa 0 tin đã gửi, 0 tin nhận đã xử lý và tệp đính kèm của 0 báo cáo cũ hơn 400 ngày; "
        "nhật ký thay đổi được giữ nguyên.")
