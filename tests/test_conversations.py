"""Whole conversations through the channel-neutral core, with a controlled clock."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest_asyncio
from sqlalchemy import func, select

from handlers import progress as progress_handlers
from storage.models import (
    AWAITING,
    DONE,
    IN_PROGRESS,
    Assignment,
    AuditLog,
    ExtensionRequest,
    Inbox,
    ProgressReport,
)
from tests.world import TZ, World

START = datetime(2026, 4, 13, 9, 0, tzinfo=TZ)  # a Monday


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, START).start()
    await w.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
    await w.unit("UBND Phường 1", "Ủy ban nhân dân Phường 1", kind="commune")
    yield w
    await w.close()


async def inbox_rows(w: World):
    async with w.app.sessionmaker() as s:
        return (await s.scalars(select(Inbox).order_by(Inbox.id))).all()


async def test_unregistered_people_get_a_polite_answer_and_no_data(world):
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Báo cáo tình hình lúa Hè Thu", date(2026, 4, 20)))
    for text in ("/status", "/tasks", f"#{code} xong", "xin chào"):
        answer = await world.text("stranger", text)
        assert "mã mời" in answer and "Báo cáo tình hình" not in answer
    rows = await inbox_rows(world)
    assert [r.outcome for r in rows] == ["unregistered"] * 4  # kept, though not understood
    assert (await world.assignment(code)).status == "open"


async def test_wrong_used_and_expired_codes(world):
    assert "không đúng" in await world.text("a", "/start NOSUCHCODE")
    code = await world.invite("officer", "Phòng Kinh tế")
    assert "Chào mừng" in await world.text("a", f"/start {code}", name="Chị Lan")
    assert "đã được sử dụng" in await world.text("b", f"/start {code}")
    old = await world.invite("leader", None, ttl_days=7)
    world.clock.now = START + timedelta(days=8)
    assert "hết hạn" in await world.text("c", f"/start {old}")
    assert await world.contact("b") is None and await world.contact("c") is None
    contact = await world.contact("a")
    assert (contact.role, contact.unit.name, contact.name) == ("officer", "Phòng Kinh tế thị xã", "Chị Lan")


async def test_repeated_wrong_guesses_are_slowed_down(world):
    good = await world.invite("officer", "UBND Phường 1")
    for i in range(5):
        await world.text("guesser", f"/start WRONG{i}")
    answer = await world.text("guesser", f"/start {good}")
    assert "quá nhiều lần" in answer and await world.contact("guesser") is None
    world.clock.now = START + timedelta(minutes=16)
    assert "Chào mừng" in await world.text("guesser", f"/start {good}")


async def test_done_is_recorded_read_back_and_undone(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Khảo sát mô hình chuyển đổi cây trồng", date(2026, 4, 30)))
    world.clock.set(2026, 4, 14, 9, 12)
    replies = await world.say("lan", "Dạ em báo cáo, đã hoàn thành rồi ạ")
    assert f"#{code}" in replies[0].text and "hoàn thành lúc 09:12 ngày 14/04/2026" in replies[0].text
    a = await world.assignment(code)
    assert a.status == DONE and a.done_on == date(2026, 4, 14)
    undo = replies[0].buttons[0][0]
    assert undo.text == "Hoàn tác"
    world.clock.set(2026, 4, 14, 9, 20)
    assert "Đã hoàn tác" in await world.text("lan", button=undo.data)
    a = await world.assignment(code)
    assert a.status == "open" and a.done_at is None
    async with world.app.sessionmaker() as s:
        actions = (await s.scalars(select(AuditLog.action).order_by(AuditLog.id))).all()
        report = await s.scalar(select(ProgressReport))
    assert actions == ["report", "undo"]
    assert report.text == "Dạ em báo cáo, đã hoàn thành rồi ạ"  # the officer's words, kept


async def test_undo_is_refused_after_ten_minutes(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 30)))
    await world.say("lan", "xong")
    world.clock.now = START + timedelta(minutes=11)
    assert "10 phút" in await world.text("lan", "/undo")
    assert (await world.assignment(code)).status == DONE


async def test_several_open_tasks_without_reference_asks_which(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    a1, a2 = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ thứ nhất", date(2026, 4, 20)),
                               ("Phòng Kinh tế thị xã", "Nhiệm vụ thứ hai", date(2026, 4, 25)))
    [ask] = await world.say("lan", "dang lam 60%")
    assert "nhiệm vụ nào" in ask.text
    choices = [row[0] for row in ask.buttons]
    assert [c.text.split()[0] for c in choices] == [f"#{a1}", f"#{a2}"]
    [done] = await world.say("lan", button=choices[1].data)
    assert f"#{a2}" in done.text and "60%" in done.text
    second = await world.assignment(a2)
    assert (second.status, second.percent) == (IN_PROGRESS, 60)
    assert (await world.assignment(a1)).status == "open"


async def test_codes_for_several_tasks_in_one_message(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    a1, a2 = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)),
                               ("Phòng Kinh tế thị xã", "Nhiệm vụ B", date(2026, 4, 25)))
    replies = await world.say("lan", f"#{a1} xong, #{a2} đang làm 50%")
    assert len(replies) == 2
    assert (await world.assignment(a1)).status == DONE
    b = await world.assignment(a2)
    assert (b.status, b.percent) == (IN_PROGRESS, 50)


async def test_an_officer_cannot_report_on_another_units_task(world):
    await world.register("phuc", "officer", "UBND Phường 1")
    await world.register("lan", "officer", "Phòng Kinh tế")
    [theirs] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ của Phòng Kinh tế", date(2026, 4, 20)))
    answer = await world.text("phuc", f"#{theirs} xong")
    assert "không giao cho đơn vị" in answer
    answer = await world.text("phuc", button=f"r:done:{theirs}")
    assert "không giao cho đơn vị" in answer
    assert (await world.assignment(theirs)).status == "open"
    assert "Nhiệm vụ của Phòng Kinh tế" not in await world.text("phuc", "/tasks")
    assert "Nhiệm vụ của Phòng Kinh tế" not in await world.text("phuc", "/status")


async def test_reply_to_a_reminder_reports_on_that_task(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    a1, a2 = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 14)),
                               ("Phòng Kinh tế thị xã", "Nhiệm vụ B", date(2026, 4, 24)))
    world.clock.set(2026, 4, 14, 8, 0)
    await world.tick()
    reminder = [(out, mid) for chat, out, mid in world.console.sent
                if chat == "lan" and f"#{a1}" in out.text.split("\n")[0]][-1]
    assert [b.text for b in reminder[0].buttons[0]][:2] == ["Đã xong", "Đang thực hiện"]
    world.clock.set(2026, 4, 14, 9, 0)
    await world.say("lan", "xong rồi anh", reply_to=reminder[1])
    assert (await world.assignment(a1)).status == DONE
    assert (await world.assignment(a2)).status == "open"


async def test_unclear_text_is_stored_and_answered_with_buttons(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    [answer] = await world.say("lan", "hôm qua họp với xã rồi")
    labels = [b.text for row in answer.buttons for b in row]
    assert labels == ["Đã xong", "Đang thực hiện", "Vướng mắc", "Xin gia hạn"]
    assert (await world.assignment(code)).status == "open"
    assert (await inbox_rows(world))[-1].text == "hôm qua họp với xã rồi"


async def test_odd_unicode_empty_messages_and_stickers(world):
    import unicodedata

    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    assert "không có nội dung chữ" in await world.text("lan", "", kind="sticker")
    assert "không có nội dung chữ" in await world.text("lan", "   \u200b ")
    await world.say("lan", unicodedata.normalize("NFD", "\u00a0đã xong\u200b"))
    assert (await world.assignment(code)).status == DONE
    assert len(await inbox_rows(world)) == 4  # /start plus three messages, all kept


async def test_extension_request_approved_by_the_office(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    await world.register("office", "admin")
    await world.register("chair", "leader")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    answer = await world.text("lan", "kinh phí chưa về, xin gia hạn đến 15/5 ạ")
    assert "15/05/2026" in answer
    await world.tick()
    to_office = world.sent_to("office")[-1]
    assert "xin gia hạn" in to_office.text and "15/05/2026" in to_office.text
    assert world.sent_to("chair")[-1].text == to_office.text
    approve = to_office.buttons[0][0]
    assert approve.text == "Đồng ý"
    assert "không" not in (await world.text("office", button=approve.data)).split("Đã đồng ý")[0]
    a = await world.assignment(code)
    assert (a.original_deadline, a.current_deadline) == (date(2026, 4, 20), date(2026, 5, 15))
    await world.tick()
    assert "15/05/2026" in world.sent_to("lan")[-1].text
    assert "Không có đề nghị" in await world.text("office", "/extensions")
    assert "Đã đồng ý" not in await world.text("lan", button=approve.data)  # officers cannot decide


async def test_extension_rejected_with_a_reason(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    await world.register("office", "admin")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    await world.say("lan", "xin thêm 3 ngày")
    async with world.app.sessionmaker() as s:
        req = await s.scalar(select(ExtensionRequest))
    assert req.requested_until == date(2026, 4, 16) or req.requested_until is not None
    await world.say("office", f"/reject {req.id} cần nộp đúng hạn để kịp họp")
    await world.tick()
    [told] = [m.text for m in world.sent_to("lan") if "Đề nghị gia hạn" in m.text]
    assert "không được đồng ý" in told and "cần nộp đúng hạn" in told
    assert (await world.assignment(code)).current_deadline == date(2026, 4, 20)


async def test_status_for_leaders_and_unknown_units(world):
    await world.register("chair", "leader")
    await world.register("lan", "officer", "Phòng Kinh tế")
    await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 10)),
                      ("UBND Phường 1", "Nhiệm vụ B", date(2026, 4, 30)))
    status = await world.text("chair", "/status")
    assert "Chưa hoàn thành, quá hạn: 1" in status and "Chưa hoàn thành, còn trong hạn: 1" in status
    assert "Phòng Kinh tế thị xã" in status
    assert "Không tìm thấy đơn vị" in await world.text("chair", "/status Phòng Không Có")
    assert "Nhiệm vụ A" in await world.text("chair", "/status phong kinh te")


async def test_a_failing_handler_apologises_and_keeps_the_message(world, monkeypatch):
    await world.register("lan", "officer", "Phòng Kinh tế")

    async def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(progress_handlers, "classify", None)
    monkeypatch.setattr("handlers.router.progress.handle_text", broken)
    answer = await world.text("lan", "xong")
    assert "Xin lỗi" in answer and "boom" not in answer and "Traceback" not in answer
    assert (await inbox_rows(world))[-1].outcome == "error"


async def test_a_failure_after_the_report_was_written_undoes_it_but_keeps_the_message(world,
                                                                                  monkeypatch):
    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))

    async def broken(ctx):
        assert ctx.recorded  # the report, audit row and status change are written by now
        raise RuntimeError("boom")

    monkeypatch.setattr("handlers.progress.evidence.with_report", broken)
    assert "Xin lỗi" in await world.text("lan", "xong")
    async with world.app.sessionmaker() as s:
        a = await s.get(Assignment, int(code))
        reports = await s.scalar(select(func.count()).select_from(ProgressReport))
        audits = await s.scalar(select(func.count()).select_from(AuditLog))
    assert (a.status, reports, audits) == ("open", 0, 0)
    last = (await inbox_rows(world))[-1]
    assert (last.text, last.outcome) == ("xong", "error")


async def test_the_same_update_twice_is_handled_once(world):
    from bot.channels.base import Incoming

    await world.register("lan", "officer", "Phòng Kinh tế")
    await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    msg = Incoming(channel="console", chat_id="lan", user_id="lan", text="đang làm 30%", update_id="dup-1")
    assert await world.app.core.handle(msg)
    assert await world.app.core.handle(msg) == []
    async with world.app.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(ProgressReport)) == 1


async def test_office_confirmation_when_enabled(tmp_path):
    w = await World(tmp_path, START, NHACVIEC_CONFIRM_DONE="1").start()
    try:
        await w.unit("Phòng Kinh tế thị xã")
        await w.register("lan", "officer", "Phòng Kinh tế thị xã")
        await w.register("office", "admin")
        [code] = await w.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
        assert "chờ Văn phòng xác nhận" in await w.text("lan", "xong")
        assert (await w.assignment(code)).status == AWAITING
        await w.tick()
        ask = w.sent_to("office")[-1]
        assert [b.text for b in ask.buttons[0]] == ["Xác nhận", "Trả lại"]
        w.clock.now = START + timedelta(days=3)
        await w.say("office", button=ask.buttons[0][0].data)
        a = await w.assignment(code)
        assert a.status == DONE and a.done_on == START.date()  # counts on the date reported
        # Returned with a comment: open again, the unit is told why.
        [other] = await w.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ B", date(2026, 4, 30)))
        assert "chờ Văn phòng xác nhận" in await w.text("lan", f"#{other} xong rồi")
        assert "Chỉ Văn phòng" in await w.text("lan", f"/return {other} không")
        assert "trả lại" in await w.text("office", f"/return {other} thiếu số liệu xã Tân Lập")
        assert (await w.assignment(other)).status == IN_PROGRESS
        await w.tick()
        told = w.sent_to("lan")[-1].text
        assert "trả lại" in told and "thiếu số liệu xã Tân Lập" in told
    finally:
        await w.close()


async def test_questions_go_to_the_office(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    await world.register("office", "admin")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    assert "chuyển tới Văn phòng" in await world.text("lan", f"#{code} báo cáo gửi Văn phòng hay Thường trực ạ?")
    await world.tick()
    assert "báo cáo gửi Văn phòng hay Thường trực" in world.sent_to("office")[-1].text
    assert (await world.assignment(code)).status == "open"


async def test_language_is_per_contact(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    assert "Language set to English." == await world.text("lan", "/lang en")
    assert "Your unit has no open tasks" in await world.text("lan", "xong")
    assert "Đã chuyển sang tiếng Việt." == await world.text("lan", "/lang vi")


async def test_files_are_kept_with_the_report(world):
    from bot.channels.base import Attachment

    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    pdf = Attachment(kind="document", file_id="F1", file_name="bao-cao.pdf",
                     mime_type="application/pdf", size=120_000)
    from bot.channels.base import Incoming

    async def send(text, att, n):
        msg = Incoming(channel="console", chat_id="lan", user_id="lan", text=text,
                       update_id=f"file{n}", attachment=att, kind="document" if att.kind == "document" else "photo")
        return "\n".join(r.text for r in await world.app.core.handle(msg))

    # A file alone first: it waits for the report that follows.
    assert "Đã nhận tệp" in await send("", pdf, 1)
    answer = await world.text("lan", "xong rồi ạ")
    assert "bao-cao.pdf" in answer
    # A photo after the report: kept with it.
    photo = Attachment(kind="photo", file_id="P1", size=50_000)
    assert f"#{code}" in await send("", photo, 2)
    # Too big, or the wrong kind: refused with a clear message.
    assert "20 MB" in await send("", Attachment(kind="document", file_id="F2", file_name="video.mp4",
                                                size=50_000_000), 3)
    assert "Không nhận loại tệp" in await send("", Attachment(kind="document", file_id="F3",
                                                              file_name="virus.exe", size=10), 4)
    async with world.app.sessionmaker() as s:
        report = await s.scalar(select(ProgressReport))
    assert [e["file_id"] for e in report.evidence] == ["F1", "P1"]
    card = await world.text("lan", f"/task {code}")
    assert "bao-cao.pdf" in card and "ảnh" in card and "xong rồi ạ" in card


async def test_task_card_is_private_to_the_unit(world):
    await world.register("phuc", "officer", "UBND Phường 1")
    await world.register("chair", "leader")
    [theirs] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ bí mật", date(2026, 4, 20)))
    assert "Nhiệm vụ bí mật" not in await world.text("phuc", f"/task {theirs}")
    assert "Nhiệm vụ bí mật" in await world.text("chair", f"/task {theirs}")


async def test_an_acknowledgement_records_nothing(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    for text in ("ok ạ", "dạ em nhận", f"#{code} ok ạ"):
        [answer] = await world.say("lan", text)
        assert answer.text == "Cảm ơn anh/chị!" and not answer.buttons
    assert (await world.assignment(code)).status == "open"


async def test_the_digest_reaches_leaders_once_even_those_who_register_late(world):
    await world.register("chair", "leader")
    await world.register("office", "admin")
    await world.register("lan", "officer", "Phòng Kinh tế")
    await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 10)))
    await world.say("lan", "đang làm 40%")
    assert "28/04/2026" in await world.text("office", "/meeting 30/04/2026")
    world.clock.set(2026, 4, 28, 8, 0)
    await world.tick()
    [digest] = [m.text for m in world.sent_to("chair") if "cuộc họp" in m.text]
    assert "30/04/2026" in digest and "đang làm 40%" in digest
    await world.register("deputy", "leader")
    world.clock.set(2026, 4, 28, 8, 5)
    await world.tick()
    [late] = [m.text for m in world.sent_to("deputy") if "cuộc họp" in m.text]
    assert "đang làm 40%" in late  # the same window of reports as everyone else's
    await world.tick()
    assert len([m for m in world.sent_to("chair") if "cuộc họp" in m.text]) == 1
