"""The `nhacviec` command line, as the Office's scripts call it."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from storage.db import make_engine, make_sessionmaker
from storage.models import Assignment, Contact, Task, Unit
from tests.cli_helpers import count, query, run

ROOT = Path(__file__).resolve().parents[1]


def add_units(capsys):
    assert run(capsys, "units", "add", "Phòng Kinh tế thị xã", "--alias", "Phòng Kinh tế")[0] == 0
    assert run(capsys, "units", "add", "UBND Phường 1", "--kind", "commune")[0] == 0


def test_invite_json_shape(office, capsys):
    add_units(capsys)
    code, out, _ = run(capsys, "invite", "Phòng Kinh tế", "--role", "officer", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"code", "link"}
    assert data["link"] == f"https://t.me/hoaan_bot?start={data['code']}"
    code, out, _ = run(capsys, "invite", "--role", "leader", "--json")
    assert code == 0 and json.loads(out)["code"] != data["code"]
    code, _, err = run(capsys, "invite", "--role", "officer")
    assert code == 1 and "cần ghi rõ đơn vị" in err
    code, _, err = run(capsys, "invite", "Phòng Không Có", "--role", "officer")
    assert code == 1 and "Không có đơn vị" in err


def test_units_add_list_and_import(office, capsys):
    add_units(capsys)
    code, _, err = run(capsys, "units", "add", "phong kinh te thi xa")
    assert code == 1 and "đã có" in err
    csv = office / "units.csv"
    csv.write_text("Tên đơn vị,Tên khác,Loại,Thành viên\nUBND Phường 2,,commune,\n"
                   "\"UBND các xã, phường\",,collective,UBND Phường 1;UBND Phường 2\n", encoding="utf-8")
    assert run(capsys, "units", "import", str(csv))[0] == 0
    code, out, _ = run(capsys, "units", "list")
    assert "UBND các xã, phường  [collective]  ⊃ UBND Phường 1, UBND Phường 2" in out
    assert "Phòng Kinh tế thị xã  [department]  — Phòng Kinh tế" in out


def test_import_task_table_csv_and_collectives(office, capsys):
    add_units(capsys)
    run(capsys, "units", "add", "UBND Phường 2", "--kind", "commune")
    run(capsys, "units", "add", "UBND các xã, phường", "--kind", "collective",
        "--member", "UBND Phường 1", "--member", "UBND Phường 2")
    table = office / "tasks.csv"
    table.write_text("Đơn vị,Nhiệm vụ,Thời hạn\n"
                     "Phòng Kinh tế,Khảo sát mô hình,30/04/2026\n"
                     "\"UBND các xã, phường\",Vận động người dân,2026-05-15\n"
                     "UBND Phường 1,Không hạn,\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(table))
    assert code == 1 and "--yes" in out and count(Task) == 0  # no terminal: asks, stores nothing
    code, out, _ = run(capsys, "import", str(table), "--yes")
    assert code == 0 and "3 nhiệm vụ (4 lượt giao)" in out
    deadlines = query(lambda s: s.execute(select(Unit.name, Assignment.current_deadline)
                                          .join(Unit).order_by(Assignment.id)))
    assert [tuple(r) for r in deadlines.all()] == [
        ("Phòng Kinh tế thị xã", date(2026, 4, 30)), ("UBND Phường 1", date(2026, 5, 15)),
        ("UBND Phường 2", date(2026, 5, 15)), ("UBND Phường 1", None)]


def test_bad_task_tables_store_nothing(office, capsys):
    add_units(capsys)
    bad = office / "bad.csv"
    bad.write_text("Đơn vị,Nhiệm vụ,Thời hạn\nPhòng Kinh tế,A,30/04/2026\n"
                   "Phòng Kinh tê sai,B,30/04/2026\nUBND Phường 1,C,31/02/2026\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(bad), "--yes")
    assert code == 1 and "Dòng 3" in err and "Dòng 4" in err
    wb = Workbook()
    wb.active.append(["Unit", "Task", "Deadline"])
    wb.active.append(["UBND Phường 1", "Việc X", datetime(2026, 5, 2)])
    wb.active.append(["Nowhere", "Việc Y", "02/05/2026"])
    wb.save(office / "bad.xlsx")
    code, _, err = run(capsys, "import", str(office / "bad.xlsx"), "--yes")
    assert code == 1 and "Dòng 3" in err
    (office / "junk.xlsx").write_bytes(b"\x00\x01 not a workbook")
    assert run(capsys, "import", str(office / "junk.xlsx"), "--yes")[0] == 1
    assert run(capsys, "import", str(office / "missing.csv"), "--yes")[0] == 1
    assert count(Task) == 0 and count(Assignment) == 0


def test_status_json_shape(office, capsys):
    add_units(capsys)
    table = office / "t.csv"
    table.write_text("Đơn vị,Nhiệm vụ,Thời hạn\nPhòng Kinh tế,Việc đã quá hạn,01/01/2020\n"
                     "UBND Phường 1,Việc còn hạn,01/01/2099\n", encoding="utf-8")
    run(capsys, "import", str(table), "--yes")
    code, out, _ = run(capsys, "status", "--json")
    data = json.loads(out)
    categories = {"done_on_time", "done_late", "open_in_time", "open_overdue", "no_deadline"}
    assert code == 0 and set(data) == {"as_of", "totals", "units", "assignments"}
    assert set(data["totals"]) == categories
    assert data["totals"]["open_overdue"] == 1 and data["totals"]["open_in_time"] == 1
    assert {u["unit"] for u in data["units"]} == {"Phòng Kinh tế thị xã", "UBND Phường 1"}
    first = data["assignments"][0]
    assert set(first) == {"code", "unit", "task", "deadline", "status", "category", "last_report"}
    assert (first["code"], first["deadline"], first["category"]) == ("#1", "2020-01-01", "open_overdue")


def test_intent_reads_lines_and_writes_json(monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("#12 xong, #15 đang làm 50%\nxin gia hạn đến 15/5\nok ạ\n"))
    code, out, _ = run(capsys, "intent")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 3
    assert set(lines[0]) == {"text", "intent", "percent", "until", "codes", "reason"}
    assert lines[0]["codes"] == [12, 15] and lines[1]["intent"] == "extension"
    assert lines[1]["until"].endswith("-05-15") and lines[2]["intent"] == "other"


async def test_remind_at_sends_once_through_telegram(tmp_path):
    from tests.fakes.fake_telegram import FakeTelegram

    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url}
    env.pop("ZALO_BOT_TOKEN", None)

    async def cli(*argv):
        # Warnings as errors: an HTTP session left unclosed (aiohttp's ResourceWarning) shows.
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-W", "error::ResourceWarning", "-m", "bot", *argv,
            cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        return proc.returncode, out.decode(), err.decode()

    from storage.migrate import upgrade

    engine = make_engine(url)
    await upgrade(engine)
    now = datetime(2026, 4, 1, tzinfo=timezone.utc)
    async with make_sessionmaker(engine)() as s:
        unit = Unit(name="Phòng Kinh tế", aliases=[], kind="department", created_at=now)
        task = Task(text="Báo cáo tình hình", deadline=date(2026, 4, 16), created_at=now)
        s.add_all([unit, task])
        await s.flush()
        s.add(Contact(channel="telegram", chat_id="1001", user_id="1001", name="Lan", role="officer",
                      unit_id=unit.id, locale="vi", created_at=now))
        s.add(Assignment(task_id=task.id, unit_id=unit.id, original_deadline=task.deadline,
                         current_deadline=task.deadline, created_at=now, updated_at=now))
        await s.commit()
    await engine.dispose()

    async with FakeTelegram() as fake:
        env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url)
        code, out, err = await cli("remind", "--at", "2026-04-13 08:00", "--dry-run")
        assert code == 0 and "sẽ gửi" in out and fake.sent == []
        code, out, err = await cli("remind", "--at", "2026-04-13 08:00")
        assert code == 0, err
        assert "Unclosed" not in err and "ResourceWarning" not in err, err
        assert "telegram:1001" in out and len(fake.sent) >= 1
        assert fake.token not in out + err
        first = len(fake.sent)
        assert any("#1" in m.text for m in fake.sent)
        code, out, err = await cli("remind", "--at", "2026-04-13 08:00")
        assert code == 0 and "Đã gửi 0 tin nhắn" in out and len(fake.sent) == first
        code, _, err = await cli("remind", "--at", "13/04/2026")
        assert code == 1 and "--at" in err


def test_report_xlsx_in_the_official_categories(office, capsys):
    from openpyxl import load_workbook

    add_units(capsys)
    table = office / "t.csv"
    table.write_text("Đơn vị,Nhiệm vụ,Thời hạn\nPhòng Kinh tế,Việc đã quá hạn,01/01/2020\n"
                     "UBND Phường 1,Việc còn hạn,01/01/2099\nUBND Phường 1,Việc không hạn,\n",
                     encoding="utf-8")
    run(capsys, "import", str(table), "--yes")
    code, out, _ = run(capsys, "report", str(office / "bao-cao.xlsx"))
    assert code == 0 and "3 lượt giao" in out
    book = load_workbook(office / "bao-cao.xlsx")
    summary, details = book.worksheets
    assert summary.title == "Tổng hợp" and details.title == "Chi tiết"
    header = [c.value for c in summary[3]]
    assert header[:6] == ["Đơn vị", "Đã hoàn thành đúng hạn", "Đã hoàn thành quá hạn",
                          "Chưa hoàn thành, còn trong hạn", "Chưa hoàn thành, quá hạn",
                          "Không có thời hạn"]
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=4, values_only=True)}
    assert rows["Phòng Kinh tế thị xã"][:7] == (0, 0, 0, 1, 0, 1, "0%")
    assert rows["UBND Phường 1"][:7] == (0, 0, 1, 0, 1, 2, "0%")
    assert rows["Toàn bộ các đơn vị"][5] == 3
    listed = [r for r in details.iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in listed] == ["#1", "#2", "#3"]
    assert listed[0][5] == "Chưa hoàn thành, quá hạn" and listed[0][4] == "chưa thực hiện"
    assert run(capsys, "report", str(office / "bao-cao.csv"))[0] == 1
