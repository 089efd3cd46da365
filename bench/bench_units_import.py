"""`nhacviec units import` of 3,000 and 20,000 units, `nhacviec import` of task tables of 3,000
and 20,000 rows: prints the time of each (a table over 5,000 tasks is refused at once).

    .venv/bin/python bench/bench_units_import.py

Each run is the real command on a fresh SQLite file: one CSV read, one index of the directory,
then writes in transactions of 500 units (issue 10: it used to rebuild the index for every row).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line  # noqa: E402  (common puts the project on the path)

from bot.cli import main  # noqa: E402


def one(count: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["NHACVIEC_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder}/bench.db"
        csv = Path(folder) / "units.csv"
        lines = ["Tên đơn vị,Tên khác,Loại"]
        lines += [f"UBND xã Số {i},Xã {i},commune" for i in range(count)]
        csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert main(["migrate"]) == 0
        started = time.perf_counter()
        with redirect_stdout(StringIO()):
            assert main(["units", "import", str(csv)]) == 0
        return time.perf_counter() - started


def tasks(count: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["NHACVIEC_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder}/bench.db"
        units = Path(folder) / "units.csv"
        units.write_text("Tên đơn vị,Loại\n" + "".join(f"UBND xã Số {i},commune\n" for i in range(50)),
                         encoding="utf-8")
        table = Path(folder) / "tasks.csv"
        table.write_text("Đơn vị,Nhiệm vụ,Thời hạn\n" + "".join(
            f"UBND xã Số {i % 50},Nhiệm vụ số {i},30/04/2027\n" for i in range(count)), encoding="utf-8")
        with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
            assert main(["units", "import", str(units)]) == 0
            started = time.perf_counter()
            status = main(["import", str(table), "--yes"])
        return time.perf_counter() - started, status


if __name__ == "__main__":
    print(machine_line())
    for count in (3_000, 20_000):
        print(f"units import {count:>6,} units: {one(count):6.2f} s")
    for count in (3_000, 20_000):
        took, status = tasks(count)
        print(f"task import  {count:>6,} rows:  {took:6.2f} s "
              f"({'stored' if status == 0 else 'refused'})")
