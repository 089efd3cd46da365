"""The command line (issue 10, items 7 and 10): private files, one-line errors, a big unit import."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from storage.models import Unit
from tests.cli_helpers import count, run


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_database_and_the_report_are_readable_by_the_owner_only(office, capsys):
    assert run(capsys, "migrate")[0] == 0
    assert mode(office / "office.db") == 0o600
    old = office / "bao-cao.xlsx"
    old.write_bytes(b"an earlier report")
    old.chmod(0o644)
    for name in ("bao-cao.xlsx", "moi.xlsx"):
        assert run(capsys, "report", str(office / name))[0] == 0
        assert mode(office / name) == 0o600, name


def test_a_missing_file_is_one_line_in_vietnamese(office, capsys):
    code, out, err = run(capsys, "import", str(office / "khong-co.csv"))
    assert code == 1
    assert err.strip().splitlines() == [f"Không tìm thấy tệp: {office / 'khong-co.csv'}"]


@pytest.mark.parametrize("url", ["khongphai://x", "nhacviec.db", "postgresql+nosuchdriver://h/db"])
def test_a_bad_database_url_is_one_line_in_vietnamese(office, capsys, monkeypatch, url):
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", url)
    code, _, err = run(capsys, "status")
    assert code == 1
    [line] = err.strip().splitlines()
    assert "NHACVIEC_DATABASE_URL không phải là địa chỉ" in line and "Traceback" not in err


def test_an_unreachable_database_is_one_line_without_the_password(office, capsys, monkeypatch):
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", "postgresql+asyncpg://office:matkhau@127.0.0.1:1/nv")
    code, _, err = run(capsys, "status")
    assert code == 1
    [line] = err.strip().splitlines()
    assert line.startswith("Không dùng được cơ sở dữ liệu") and "--debug" in line
    assert "matkhau" not in err


def test_debug_shows_the_traceback(office):
    env = {**os.environ, "NHACVIEC_DATABASE_URL": "khongphai://x"}
    quiet = subprocess.run([sys.executable, "-m", "bot", "status"], env=env, cwd=office,
                           capture_output=True, text=True, timeout=60)
    loud = subprocess.run([sys.executable, "-m", "bot", "--debug", "status"], env=env,
                          cwd=office, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert len(quiet.stderr.strip().splitlines()) == 1
    assert loud.returncode != 0 and "Traceback" in loud.stderr


def test_a_large_unit_import_is_stored_in_batches_with_progress(office, capsys):
    csv = office / "units.csv"
    rows = [f"UBND xã Số {i},Xã {i},commune" for i in range(1200)]
    rows.append('"Các xã",,collective,UBND xã Số 1;Xã 2')
    csv.write_text("Tên đơn vị,Tên khác,Loại,Thành viên\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "units", "import", str(csv))
    assert code == 0
    assert "Đã lưu 500/1201 đơn vị" in out and "Đã lưu 1201/1201 đơn vị" in out
    assert count(Unit) == 1201
    _, listing, _ = run(capsys, "units", "list")
    assert "Các xã  [collective]  ⊃ UBND xã Số 1, UBND xã Số 2" in listing


def test_a_wrong_row_in_a_unit_import_stores_nothing(office, capsys):
    csv = office / "units.csv"
    rows = [f"UBND xã Số {i},,commune," for i in range(700)] + ['"Các xã",,collective,Xã Không Có']
    csv.write_text("Tên đơn vị,Tên khác,Loại,Thành viên\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "units", "import", str(csv))
    assert code == 1 and "Xã Không Có" in err
    assert count(Unit) == 0


def test_a_task_table_over_the_limit_is_refused_and_stores_nothing(office, capsys, monkeypatch):
    from bot.cli import commands
    from storage.models import Task

    monkeypatch.setattr(commands, "MAX_TASKS_PER_IMPORT", 50)  # the real limit is 5,000
    assert run(capsys, "units", "add", "Phòng Kinh tế")[0] == 0
    table = office / "tasks.csv"
    table.write_text("Đơn vị,Nhiệm vụ,Thời hạn\n" + "".join(
        f"Phòng Kinh tế,Nhiệm vụ số {i},30/04/2026\n" for i in range(51)), encoding="utf-8")
    code, _, err = run(capsys, "import", str(table), "--yes")
    assert code == 1 and "Bảng có 51 nhiệm vụ; mỗi lần chỉ nạp tối đa 50" in err
    assert count(Task) == 0
    table.write_text("Đơn vị,Nhiệm vụ,Thời hạn\n" + "".join(
        f"Phòng Kinh tế,Nhiệm vụ số {i},30/04/2026\n" for i in range(50)), encoding="utf-8")
    assert run(capsys, "import", str(table), "--yes")[0] == 0
    assert count(Task) == 50
