"""Files (issue 10, item 7): a size limit before downloading, a zip-bomb guard for .docx/.xlsx,
and notices read off the event loop with a time bound, so the bot keeps answering others."""
from __future__ import annotations

import asyncio
import io
import time
import zipfile
from datetime import date, datetime

import pytest
import pytest_asyncio

from bot.channels.base import Attachment, Incoming
from bot.notices import readers
from bot.notices.readers import NoticeReadError, read_document, zip_problem
from bot.tasks.table import TaskTableError, read_task_table
from storage.models import DONE
from tests.world import TZ, World

START = datetime(2026, 4, 13, 9, 0, tzinfo=TZ)  # a Monday


def _pad(package: bytes, member: str, tag: bytes, padding: int) -> bytes:
    """The zip `package` with `padding` spaces after `tag` in `member`: it inflates far more than it weighs."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == member:
                data = data.replace(tag, tag + b" " * padding, 1)
            dst.writestr(item, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def docx_bytes(padding: int = 0) -> bytes:
    """A real .docx; `padding` spaces inside its document.xml make it a small zip bomb."""
    import docx

    document = docx.Document()
    document.add_paragraph("THÔNG BÁO Kết luận của Chủ tịch UBND thị xã")
    buffer = io.BytesIO()
    document.save(buffer)
    if not padding:
        return buffer.getvalue()
    return _pad(buffer.getvalue(), "word/document.xml", b"<w:body>", padding)


def xlsx_bytes(padding: int = 0) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Đơn vị", "Nhiệm vụ", "Thời hạn"])
    sheet.append(["Phòng Kinh tế", "Báo cáo quý", "30/04/2026"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not padding:
        return buffer.getvalue()
    return _pad(buffer.getvalue(), "xl/worksheets/sheet1.xml", b"<sheetData>", padding)


def slow_pdf(operations: int) -> bytes:
    """A small PDF whose one page holds many tiny text runs: pypdf takes seconds to read it."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(600, 800)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 9 Tf 1 0 0 1 10 10 Tm (a) Tj ET\n" * operations)
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the zip-bomb guard --------------------------------------------------------------------

def test_an_ordinary_docx_and_xlsx_pass_the_guard():
    assert zip_problem(docx_bytes()) is None
    assert "THÔNG BÁO" in read_document(docx_bytes(), "tb.docx")
    table = read_task_table(xlsx_bytes(), "tasks.xlsx", [("Phòng Kinh tế",)], date(2026, 4, 13))
    assert [row.task for row in table.rows] == ["Báo cáo quý"]


def test_a_docx_that_inflates_far_beyond_its_size_is_not_opened():
    bomb = docx_bytes(padding=20_000_000)  # 20 MB of XML from about 60 KB
    assert len(bomb) < 200_000
    with pytest.raises(NoticeReadError) as caught:
        read_document(bomb, "bom.docx")
    assert caught.value.reason == "inflated"
    assert "giải nén" in caught.value.message("vi")


def test_an_xlsx_that_inflates_far_beyond_its_size_is_not_opened():
    with pytest.raises(TaskTableError) as caught:
        read_task_table(xlsx_bytes(padding=20_000_000), "tasks.xlsx", [("Phòng Kinh tế",)], date(2026, 4, 13))
    assert caught.value.code == "inflated"
    assert "giải nén" in caught.value.message("vi")


def test_the_total_unpacked_size_is_bounded_too():
    # Incompressible data: the ratio is fine, the total is not.
    import os

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.bin", os.urandom(300_000))
        z.writestr("b.bin", os.urandom(300_000))
    assert zip_problem(out.getvalue()) is None
    assert "bytes unpacked" in zip_problem(out.getvalue(), max_unzipped=500_000)


# --- in the chat ---------------------------------------------------------------------------

@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, START).start()
    await w.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
    await w.register("lan", "officer", "Phòng Kinh tế")
    await w.register("office", "admin")
    w.code = (await w.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20))))[0]
    # The console channel lends its files the way Telegram does (Channel.download).
    w.files, w.downloads = {}, []

    async def download(file_id: str) -> bytes:
        w.downloads.append(file_id)
        return w.files[file_id]

    w.console.download = download
    yield w
    await w.close()


def file_message(chat_id: str, name: str, size: int, n: int) -> Incoming:
    return Incoming(channel="console", chat_id=chat_id, user_id=chat_id, update_id=f"f{n}",
                    kind="document", attachment=Attachment(kind="document", file_id=name,
                                                           file_name=name, size=size))


async def test_a_file_over_the_limit_is_refused_before_downloading(world):
    world.files["big.docx"] = b"never fetched"
    answer = await world.app.core.handle(file_message("office", "big.docx", 21 * 1024 * 1024, 1))
    assert "lớn hơn 20 MB" in answer[0].text
    assert world.downloads == []


async def test_the_size_limit_is_configurable(tmp_path):
    w = await World(tmp_path, START, NHACVIEC_MAX_FILE_MB="1").start()
    try:
        await w.register("office", "admin")
        w.console.download = None  # must not be needed
        [answer] = await w.app.core.handle(file_message("office", "tb.docx", 2 * 1024 * 1024, 1))
        assert "lớn hơn 1 MB" in answer.text
    finally:
        await w.close()


async def test_a_zip_bomb_sent_in_chat_gets_a_clear_answer(world):
    world.files["bom.docx"] = docx_bytes(padding=20_000_000)
    [answer] = await world.app.core.handle(
        file_message("office", "bom.docx", len(world.files["bom.docx"]), 1))
    assert "giải nén" in answer.text


async def test_others_are_answered_within_2_s_while_a_hostile_file_is_read(world, monkeypatch):
    monkeypatch.setattr(readers, "READ_SECONDS", 3)
    world.files["cham.pdf"] = slow_pdf(100_000)  # pypdf needs well over 3 s for it (~20 s)
    reading = asyncio.create_task(world.app.core.handle(
        file_message("office", "cham.pdf", len(world.files["cham.pdf"]), 1)))
    await asyncio.sleep(0.5)  # the read has begun
    started = time.perf_counter()
    answer = await world.text("lan", f"#{world.code} xong")
    answered_in = time.perf_counter() - started
    assert "Đã ghi nhận" in answer
    assert answered_in < 2, answered_in
    assert not reading.done()
    [refused] = await reading
    assert "quá nhiều thời gian hoặc bộ nhớ" in refused.text
    assert (await world.assignment(world.code)).status == DONE


async def test_a_text_far_longer_than_a_notice_is_refused(world):
    world.files["dai.txt"] = ("Giao Phòng Kinh tế chủ trì, thời hạn 30/4/2026. " * 8000).encode()
    [answer] = await world.app.core.handle(
        file_message("office", "dai.txt", len(world.files["dai.txt"]), 1))
    assert "300.000 ký tự" in answer.text


async def test_a_real_notice_reads_the_same_in_the_child_process():
    from tests.conftest import shared_path

    data = shared_path("samples", "real", "laocai_cong-van-ubnd-tinh-chi-dao.docx").read_bytes()
    assert await readers.read_isolated(data, "cv.docx") == read_document(data, "cv.docx")
