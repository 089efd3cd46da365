"""Loading tasks straight from a conclusion notice: `nhacviec parse`, `nhacviec import`, and the
review in chat (Xác nhận / Xem chi tiết / Hủy)."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest_asyncio
from sqlalchemy import func, select

from storage.models import Assignment, Document, Task
from tests.cli_helpers import count, query, run
from tests.world import TZ, World

NOTICE = """ỦY BAN NHÂN DÂN HUYỆN HÒA AN
VĂN PHÒNG

Số: 27/TB-VP

Hòa An, ngày 10 tháng 3 năm 2026

THÔNG BÁO
Kết luận của Chủ tịch UBND huyện tại cuộc họp giao ban tháng 3 năm 2026

Ngày 09/3/2026, Chủ tịch UBND huyện chủ trì cuộc họp giao ban. Sau khi nghe báo cáo, Chủ tịch UBND huyện kết luận như sau:

1. Lĩnh vực kinh tế
- Giao Phòng Kinh tế chủ trì, phối hợp Phòng Tài chính - Kế hoạch rà soát diện tích lúa vụ 3, báo cáo UBND huyện trong tháng 3/2026.
- UBND xã Tân Lập khẩn trương hoàn thành giải phóng mặt bằng dự án chợ xã trước ngày 15/4/2026.
2. Lĩnh vực văn hóa - xã hội
- Giao Trung tâm Y tế triển khai tiêm chủng bổ sung cho trẻ em dưới 5 tuổi.

Các cơ quan, đơn vị báo cáo kết quả thực hiện về Văn phòng HĐND và UBND huyện trước ngày 25/4/2026.

Nơi nhận:
- Như trên;
- Lưu: VT.
"""


def directory(capsys):
    for name, alias in (("Phòng Kinh tế huyện", "Phòng Kinh tế"),
                        ("Phòng Tài chính - Kế hoạch huyện", "Phòng TC-KH"),
                        ("UBND xã Tân Lập", "Ủy ban nhân dân xã Tân Lập")):
        assert run(capsys, "units", "add", name, "--alias", alias)[0] == 0


def test_parse_prints_the_exact_json_and_stores_nothing(office, capsys):
    path = office / "tb27.txt"
    path.write_text(NOTICE, encoding="utf-8")
    code, out, _ = run(capsys, "parse", str(path), "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"document", "tasks"}
    assert set(data["document"]) == {"number", "title", "issuer", "issued_date", "meeting_date", "report_deadline"}
    assert data["document"]["number"] == "27/TB-VP" and data["document"]["issued_date"] == "2026-03-10"
    assert data["document"]["report_deadline"] == "2026-04-25"
    keys = {"section", "subsection", "lead", "coordinate", "text", "deadline", "deadline_text", "recurrence"}
    assert all(set(task) == keys for task in data["tasks"])
    first = data["tasks"][0]
    assert first["lead"] == ["Phòng Kinh tế"] and first["coordinate"] == ["Phòng Tài chính - Kế hoạch"]
    assert (first["deadline"], first["deadline_text"]) == ("2026-03-31", "trong tháng 3/2026")
    assert data["tasks"][2]["deadline"] is None  # inherits the report deadline only when stored
    code, out, _ = run(capsys, "parse", str(path))
    assert code == 0 and "3 nhiệm vụ" in out
    assert not (office / "office.db").exists() or count(Task) == 0


def test_parse_explain_shows_the_rule_behind_each_task(office, capsys):
    path = office / "tb27.txt"
    path.write_text(NOTICE, encoding="utf-8")
    code, out, _ = run(capsys, "parse", "--explain", str(path))
    assert code == 0
    assert "Phòng Kinh tế" in out and "«trong tháng 3/2026» → 31/03/2026 — một tháng: ngày cuối tháng" in out
    assert not (office / "office.db").exists() or count(Task) == 0


def test_import_refuses_unknown_units_then_stores_and_refuses_twice(office, capsys):
    directory(capsys)
    path = office / "tb27.txt"
    path.write_text(NOTICE, encoding="utf-8")
    code, out, _ = run(capsys, "import", str(path), "--yes")
    assert code == 1 and "Trung tâm Y tế" in out and count(Task) == 0
    assert run(capsys, "units", "add", "Trung tâm Y tế huyện", "--alias", "Trung tâm Y tế")[0] == 0
    code, out, _ = run(capsys, "import", str(path), "--yes")
    assert code == 0 and "Đã lưu 3 nhiệm vụ (4 lượt giao)" in out
    rows = query(lambda s: s.execute(select(Task.text, Task.deadline, Task.deadline_text).order_by(Task.id)))
    rows = [tuple(r) for r in rows.all()]
    assert rows[2][1:] == (date(2026, 4, 25), "trước ngày 25/4/2026")  # the report deadline, with its words
    roles = query(lambda s: s.execute(select(Assignment.role).order_by(Assignment.id)))
    assert [r[0] for r in roles.all()] == ["lead", "coordinate", "lead", "lead"]
    code, _, err = run(capsys, "import", str(path), "--yes")
    assert code == 1 and "đã được nạp" in err and count(Document) == 1


def test_bad_notice_files_get_a_clear_message(office, capsys):
    directory(capsys)
    (office / "empty.txt").write_bytes(b"")
    (office / "fake.docx").write_bytes(b"\x00\x01\x02 not a zip")
    (office / "blah.txt").write_text("Kính gửi anh chị, hẹn gặp lại.", encoding="utf-8")
    for name in ("empty.txt", "fake.docx", "blah.txt"):
        code, out, err = run(capsys, "import", str(office / name), "--yes")
        assert code == 1 and "Traceback" not in err and (out + err).strip(), name
    assert count(Task) == 0


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, datetime(2026, 3, 11, 9, 0, tzinfo=TZ)).start()
    for name, alias in (("Phòng Kinh tế huyện", "Phòng Kinh tế"),
                        ("Phòng Tài chính - Kế hoạch huyện", "Phòng TC-KH"),
                        ("UBND xã Tân Lập", "Ủy ban nhân dân xã Tân Lập"),
                        ("Trung tâm Y tế huyện", "Trung tâm Y tế")):
        await w.unit(name, alias)
    yield w
    await w.close()


async def test_review_in_chat_then_confirm(world):
    await world.register("office", "admin")
    await world.register("tanlap", "officer", "UBND xã Tân Lập")
    [summary] = await world.say("office", NOTICE)
    assert "27/TB-VP" in summary.text and "3 nhiệm vụ" in summary.text and "25/04/2026" in summary.text
    labels = [b.text for b in summary.buttons[0]]
    assert labels == ["Xác nhận", "Xem chi tiết", "Hủy"]
    [details] = await world.say("office", button=summary.buttons[0][1].data)
    assert "1. Phòng Kinh tế" in details.text and "trong tháng 3/2026" in details.text
    async with world.app.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Task)) == 0  # nothing before Xác nhận
    [done] = await world.say("office", button=summary.buttons[0][0].data)
    assert "Đã lưu 3 nhiệm vụ" in done.text
    await world.tick()
    told = world.sent_to("tanlap")[0].text
    assert "giải phóng mặt bằng" in told and "15/04/2026" in told
    [again] = await world.say("office", button=summary.buttons[0][0].data)
    assert "đã được nạp" in again.text
    # Officers cannot confirm imports, and a unit officer pasting text is not reviewed as a notice.
    assert "Chỉ Văn phòng" in await world.text("tanlap", button=summary.buttons[0][0].data)


async def test_review_in_chat_cancel_stores_nothing(world):
    await world.register("office", "admin")
    [summary] = await world.say("office", NOTICE)
    [cancel] = await world.say("office", button=summary.buttons[0][2].data)
    assert "không lưu" in cancel.text
    async with world.app.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Task)) == 0


async def test_a_notice_sent_as_a_docx_file_on_telegram(tmp_path):
    """The Office sends the .docx in chat; the bot fetches it over the Bot API and reviews it."""
    import asyncio
    import io

    from docx import Document as Docx

    from bot.app import App
    from bot.channels.telegram import TelegramChannel
    from bot.config import load_settings
    from bot.directory.registry import add_unit, create_invite
    from tests.fakes.fake_telegram import FakeTelegram
    from tests.world import Clock

    doc = Docx()
    for line in NOTICE.split("\n"):
        doc.add_paragraph(line)
    buffer = io.BytesIO()
    doc.save(buffer)
    clock = Clock(datetime(2026, 3, 11, 9, 0, tzinfo=TZ))
    async with FakeTelegram(limits=None) as fake:
        settings = load_settings(env={"NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'f.db'}"},
                                 dotenv=None)
        channel = TelegramChannel(fake.token, fake.base_url, poll_timeout=1)
        app = App(settings, channels={"telegram": channel}, clock=clock)
        await app.migrate()
        async with app.sessionmaker() as s:
            for name, alias in (("Phòng Kinh tế huyện", "Phòng Kinh tế"), ("Phòng TC-KH", "Phòng Tài chính - Kế hoạch"),
                                ("UBND xã Tân Lập", "UBND xã Tân Lập"), ("Trung tâm Y tế huyện", "Trung tâm Y tế")):
                await add_unit(s, name, clock(), [alias])
            code = (await create_invite(s, "admin", None, clock(), 7)).code
            await s.commit()
        polling = asyncio.create_task(channel.start(app.core.handle))
        try:
            fake.push_text(900, 900, f"/start {code}")
            await fake.wait_for_sent(1, timeout=20)
            fake.push_document(900, 900, file_name="TB-27.docx", content=buffer.getvalue(),
                               mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            [_, summary] = await fake.wait_for_sent(2, timeout=20)
            assert "27/TB-VP" in summary.text and "3 nhiệm vụ" in summary.text
            ok = summary.buttons[0][0]
            assert ok[0] == "Xác nhận"
            fake.push_callback(900, 900, ok[1], summary.message_id)
            await fake.wait_for_sent(3, timeout=20)
            assert "Đã lưu 3 nhiệm vụ" in fake.sent[-1].text
            fake.push_document(900, 900, file_name="scan.pdf", content=b"%PDF-1.4 no text layer")
            await fake.wait_for_sent(4, timeout=20)
            assert "Traceback" not in fake.sent[-1].text and fake.sent[-1].text
        finally:
            await channel.stop()
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            await app.close()


async def test_the_office_corrects_a_task_before_confirming(world):
    await world.register("office", "admin")
    [summary] = await world.say("office", NOTICE)
    [fixed] = await world.say("office", "sửa 3 hạn 30/5")
    assert "3. Trung tâm Y tế" in fixed.text and "30/05/2026" in fixed.text
    [fixed] = await world.say("office", "/fix 2 đơn vị UBND xã Tân Lập; Phòng Kinh tế")
    assert "2. UBND xã Tân Lập; Phòng Kinh tế" in fixed.text
    assert "không có nhiệm vụ số 9" in await world.text("office", "sửa 9 hạn 30/5")
    await world.say("office", button=fixed.buttons[0][0].data)
    async with world.app.sessionmaker() as s:
        rows = (await s.execute(select(Task.text, Task.deadline).order_by(Task.id))).all()
        leads = (await s.execute(select(Assignment.task_id, Assignment.unit_id).order_by(Assignment.id))).all()
    assert rows[2][1] == date(2026, 5, 30)
    assert len([1 for task_id, _ in leads if task_id == 2]) == 2  # Tân Lập and Phòng Kinh tế
    assert "Không có thông báo" in await world.text("office", "sửa 1 hạn 1/6")  # stored: nothing pending
