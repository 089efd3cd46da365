"""/status UNIT through the conversation path finds units by every name the imports find: the
one unit matcher (bot/directory/unitmatch.py) behind /status, the task table and the notices."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import pytest_asyncio

from bot.directory.registry import all_units
from bot.notices import parse_notice
from bot.notices.review import plan_import
from tests.conftest import shared_path
from tests.world import TZ, World

START = datetime(2026, 4, 13, 9, 0, tzinfo=TZ)


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, START).start()
    # No aliases for TC-KH and Phường 1: the matcher's own rules must find them.
    await w.unit("Phòng Tài chính - Kế hoạch thị xã")
    await w.unit("Phường 1", kind="ward")
    await w.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
    await w.tasks(("Phòng Tài chính - Kế hoạch thị xã", "Lập dự toán ngân sách", date(2026, 4, 30)),
                  ("Phường 1", "Dọn vệ sinh kênh rạch", date(2026, 4, 30)),
                  ("Phòng Kinh tế thị xã", "Kiểm tra chợ đêm", date(2026, 4, 30)))
    await w.register("chair", "leader")
    yield w
    await w.close()


@pytest.mark.parametrize("written, unit, task", [
    ("Phòng TC-KH", "Phòng Tài chính - Kế hoạch thị xã", "Lập dự toán ngân sách"),
    ("UBND Phường 1", "Phường 1", "Dọn vệ sinh kênh rạch"),
    ("Ủy ban nhân dân phường 1", "Phường 1", "Dọn vệ sinh kênh rạch"),
    ("Phòng Kinh tế", "Phòng Kinh tế thị xã", "Kiểm tra chợ đêm"),  # an alias
    ("phong tai chinh ke hoach", "Phòng Tài chính - Kế hoạch thị xã", "Lập dự toán ngân sách"),
    ("PHÒNG KINH TẾ THỊ XÃ", "Phòng Kinh tế thị xã", "Kiểm tra chợ đêm"),
])
async def test_status_finds_the_unit(world, written, unit, task):
    answer = await world.text("chair", f"/status {written}")
    assert unit in answer and task in answer, answer
    others = {"Lập dự toán ngân sách", "Dọn vệ sinh kênh rạch", "Kiểm tra chợ đêm"} - {task}
    assert not any(other in answer for other in others), answer


@pytest.mark.parametrize("written", ["Phòng Không Có", "UBND Phường 2"])
async def test_status_of_an_unknown_unit_says_so(world, written):
    answer = await world.text("chair", f"/status {written}")
    assert answer == f"Không tìm thấy đơn vị «{written}»."
    await world.text("chair", "/lang en")
    assert await world.text("chair", f"/status {written}") == f"I do not know the unit «{written}»."


async def test_status_does_not_guess_between_several_units(world):
    await world.unit("Phường 2", kind="ward")
    answer = await world.text("chair", "/status UBND các phường")  # all wards
    assert "Phường 1" in answer and "Phường 2" in answer and "tên đầy đủ" in answer, answer
    assert "Dọn vệ sinh kênh rạch" not in answer


async def test_status_finds_every_unit_the_notice_import_finds(tmp_path):
    """The shared directory and notice: each name the import matched to one unit, /status finds."""
    units = json.loads(shared_path("samples", "units.json").read_text(encoding="utf-8"))
    notice = parse_notice(shared_path("samples", "seed-notice.txt").read_text(encoding="utf-8"))
    w = await World(tmp_path, START).start()
    try:
        for u in sorted(units, key=lambda u: bool(u.get("members"))):  # members first
            await w.unit(u["name"], *[a for a in u.get("aliases", []) if a != u["name"]],
                         kind=u.get("kind", "department"), members=tuple(u.get("members", ())))
        async with w.app.sessionmaker() as s:
            directory = await all_units(s)
        plan = plan_import(notice, directory)
        by_id = {u.id: u.name for u in directory}
        found_by_import = {}
        for task, parsed in zip(plan.tasks, notice.tasks, strict=True):
            if len(parsed.lead) == 1 and len(task.lead) == 1:
                found_by_import[parsed.lead[0]] = by_id[task.lead[0]]
        assert len(found_by_import) >= 5, found_by_import
        await w.register("chair", "leader")
        for written, unit in found_by_import.items():
            answer = await w.text("chair", f"/status {written}")
            assert unit in answer, (written, answer)
            assert "Không tìm thấy" not in answer
    finally:
        await w.close()


async def test_an_invite_names_its_unit_by_the_same_matcher(world):
    from bot.directory.registry import SEVERAL_UNITS, RegistryError

    await world.register("lan", "officer", "Phòng TC-KH")
    assert "Lập dự toán ngân sách" in await world.text("lan", "/tasks")
    await world.unit("Phường 2", kind="ward")
    with pytest.raises(RegistryError) as caught:
        await world.invite("officer", "UBND các phường")
    assert caught.value.msgid == SEVERAL_UNITS and caught.value.values["units"] == "Phường 1; Phường 2"
    with pytest.raises(RegistryError, match="Unknown unit «Phường 9»"):
        await world.invite("officer", "Phường 9")
