"""Bad input refused safely (issue 10, items 5 and 6): a clear answer, nothing recorded elsewhere."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from storage.models import DONE, IN_PROGRESS, OPEN, ExtensionRequest, ProgressReport
from tests.world import TZ, World

START = datetime(2026, 4, 13, 9, 0, tzinfo=TZ)  # a Monday


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, START).start()
    await w.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
    await w.register("lan", "officer", "Phòng Kinh tế")
    await w.register("office", "admin")
    w.code = (await w.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20))))[0]
    yield w
    await w.close()


async def count(w: World, model) -> int:
    async with w.app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def requests(w: World) -> list[ExtensionRequest]:
    async with w.app.sessionmaker() as s:
        return list((await s.scalars(select(ExtensionRequest))).all())


# --- extensions (item 5) -------------------------------------------------------------------

async def test_approving_a_request_without_a_date_asks_for_it_and_keeps_it_pending(world):
    await world.say("lan", "xin gia hạn thêm ạ")
    [req] = await requests(world)
    assert req.requested_until is None
    answer = await world.text("office", button=f"x:ok:{req.id}")
    assert f"/extend {req.id}" in answer and "Đã đồng ý" not in answer
    [req] = await requests(world)
    assert req.status == "pending" and req.decided_at is None
    assert "Đã đồng ý" in await world.text("office", f"/extend {req.id} 30/04/2026")
    assert (await world.assignment(world.code)).current_deadline == date(2026, 4, 30)


async def test_approving_a_date_in_the_past_is_refused(world):
    await world.say("lan", "xin gia hạn thêm ạ")
    [req] = await requests(world)
    answer = await world.text("office", f"/extend {req.id} 01/04/2026")
    assert "ngày đã qua" in answer
    [req] = await requests(world)
    assert req.status == "pending"
    assert (await world.assignment(world.code)).current_deadline == date(2026, 4, 20)


async def test_a_request_for_a_date_in_the_past_is_refused(world):
    answer = await world.text("lan", "gia hạn đến 01/01/2020")
    assert "01/01/2020" in answer and "đã qua" in answer
    assert await requests(world) == []
    assert await count(world, ProgressReport) == 0


# --- numbers and dates (item 6) ------------------------------------------------------------

@pytest.mark.parametrize("code", ["0", "99999999999999999999", "2147483648"])
async def test_a_task_number_that_does_not_exist_records_nothing(world, code):
    answer = await world.text("lan", f"#{code} xong")
    assert f"Không có nhiệm vụ #{code}" in answer
    assert (await world.assignment(world.code)).status == OPEN
    assert await count(world, ProgressReport) == 0


@pytest.mark.parametrize("day", ["31/13/2026", "30/02/2026", "ngày 31 tháng 4"])
async def test_an_impossible_date_is_refused_not_stored_as_a_dateless_request(world, day):
    answer = await world.text("lan", f"xin gia hạn đến {day}")
    assert "không phải là ngày có thật" in answer
    assert await requests(world) == []


@pytest.mark.parametrize("figure", ["-5%", "150%", "-5 phần trăm"])
async def test_a_percentage_outside_0_to_100_is_refused(world, figure):
    answer = await world.text("lan", f"đang làm {figure}")
    assert "từ 0 đến 100" in answer
    a = await world.assignment(world.code)
    assert (a.status, a.percent) == (OPEN, None)
    assert await count(world, ProgressReport) == 0


async def test_bad_input_is_answered_in_english_for_english_contacts(world):
    await world.say("lan", "/lang en")
    assert "between 0 and 100, not -5%" in await world.text("lan", "đang làm -5%")
    assert "is not a real date" in await world.text("lan", "xin gia hạn đến 30/02/2026")
    assert "There is no task #0" in await world.text("lan", "#0 xong")


@pytest.mark.parametrize("text", ["#¹ đang làm ⁵⁰%", "＃１ đang làm ５０％", "#1\u200b đang\u200d làm 5\u200c0%",
                                  "\u202b#1 đang làm 50%\u202c", "\u2066#\u200e1 đang làm \u200f50%\u2069"])
async def test_superscript_full_width_digits_and_invisible_marks_read_as_plain(world, text):
    await world.say("lan", text)
    a = await world.assignment(world.code)
    assert (a.status, a.percent) == (IN_PROGRESS, 50)


async def test_a_100000_character_message_is_refused_and_records_nothing(world):
    answer = await world.text("lan", "xong " * 20_000)  # the old code read it for two minutes
    assert "quá dài" in answer and "99999 " in answer
    assert (await world.assignment(world.code)).status == OPEN
    assert await count(world, ProgressReport) == 0


async def test_ordinary_reports_still_work(world):
    await world.say("lan", f"#{world.code} xong")
    assert (await world.assignment(world.code)).status == DONE


@pytest.mark.parametrize("who,command,expected", [
    ("lan", "/task 99999999999999999999", "Không có nhiệm vụ #99999999999999999999"),
    ("office", "/task 99999999999999999999", "Không có nhiệm vụ #99999999999999999999"),
    ("office", "/extend 99999999999999999999 30/04/2026", "Không có đề nghị gia hạn #9999"),
    ("office", "/reject 99999999999999999999 lý do", "Không có đề nghị gia hạn #9999"),
    ("office", "/return 99999999999999999999 ý kiến", "đã được xử lý"),
    ("lan", "/task ¹", "Nhiệm vụ A"),
])
async def test_commands_with_numbers_that_cannot_exist_get_a_clear_answer(world, who, command,
                                                                          expected):
    answer = await world.text(who, command)
    assert expected in answer and "sự cố" not in answer
