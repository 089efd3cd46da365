"""Readers and cleaning: text, Markdown, .docx (numbering, tables), PDF text layers, portal noise, bad input."""
import os

import pytest

from bot.notices import MAX_BYTES, NoticeReadError, clean_text, load_notice, parse_notice, read_document, read_path
from tests.conftest import shared_path
from tests.notices.helpers import blank_pdf, notice_docx, text_pdf


def test_plain_text_and_markdown():
    assert "Giao Phòng Kinh tế" in read_document("Giao Phòng Kinh tế rà soát.".encode(), "a.txt")
    md = "# THÔNG BÁO\n\n- **Phòng Nội vụ** tham mưu.\n".encode()
    assert "Phòng Nội vụ tham mưu." in clean_text(read_document(md, "a.md"))


def test_text_in_utf16_and_decomposed_unicode_is_normalised():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Giao Ủy ban nhân dân xã rà soát.")
    assert read_document(nfd.encode("utf-16"), "x.txt") == unicodedata.normalize("NFC", nfd)
    assert "Ủy ban nhân dân" in read_document(nfd.encode(), "x.txt")


def test_docx_keeps_automatic_numbering_and_table_cells():
    text = read_document(notice_docx(), "tb.docx")
    lines = [line for line in text.split("\n") if line.strip()]
    assert "Số: 05/TB-UBND" in lines
    assert "1. Về nông nghiệp" in lines and "2. Về an ninh trật tự" in lines
    assert any(line.startswith("- Công an xã chủ trì") for line in lines)


def test_docx_notice_parses_end_to_end():
    notice = load_notice(notice_docx(), "tb.docx")
    doc = notice.document
    assert (doc.number, str(doc.issued_date), str(doc.meeting_date)) == ("05/TB-UBND", "2025-06-02", "2025-05-30")
    assert [t.lead for t in notice.tasks] == [["Công chức Địa chính - Nông nghiệp"], ["Công an xã"]]
    assert [t.section for t in notice.tasks] == ["1. Về nông nghiệp", "2. Về an ninh trật tự"]
    assert notice.tasks[0].deadline.isoformat() == "2025-06-10"
    assert notice.tasks[1].coordinate == ["Ban Chỉ huy Quân sự xã"] and notice.tasks[1].recurrence == "monthly"


def test_pdf_text_layer_is_read_and_lines_are_joined():
    data = text_pdf(["1. Giao Phong Kinh te ra soat cac ho dan vung trung thap,",
                     "to chuc di doi dan den noi an toan.", "2. Cong an thi xa tuan tra."])
    text = read_document(data, "tb.pdf")
    assert "vung trung thap, to chuc di doi" in text
    assert "\n2. Cong an thi xa" in text


# ---- bad input -------------------------------------------------------------------------------

def test_empty_file():
    with pytest.raises(NoticeReadError) as err:
        read_document(b"", "tb.docx")
    assert err.value.reason == "empty"
    with pytest.raises(NoticeReadError) as err:
        read_document(b"  \n\n ", "tb.txt")
    assert err.value.reason == "empty"


def test_fifty_megabytes_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.docx"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to disk
    with pytest.raises(NoticeReadError) as err:
        read_path(big)
    assert err.value.reason == "too_large"
    with pytest.raises(NoticeReadError) as err:
        read_document(b"x" * (MAX_BYTES + 1), "tb.txt")
    assert err.value.reason == "too_large"


def test_binary_with_a_docx_name():
    with pytest.raises(NoticeReadError) as err:
        read_document(os.urandom(4096), "tb.docx")
    assert err.value.reason == "not_docx"
    with pytest.raises(NoticeReadError) as err:  # a zip that is not a Word document
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "xin chào")
        read_document(buf.getvalue(), "tb.docx")
    assert err.value.reason == "not_docx"


def test_pdf_without_text_layer():
    with pytest.raises(NoticeReadError) as err:
        read_document(blank_pdf(), "scan.pdf")
    assert err.value.reason == "scanned_pdf"


def test_notice_without_directives():
    text = ("THÔNG BÁO\nLịch tiếp công dân tháng 5\n\nUBND thị xã thông báo lịch tiếp công dân định kỳ "
            "vào ngày 15 hằng tháng tại Trụ sở tiếp công dân.\n")
    with pytest.raises(NoticeReadError) as err:
        load_notice(text.encode(), "tb.txt")
    assert err.value.reason == "no_directives"


def test_unsupported_kinds():
    for name, data in (("bang.xlsx", b"PK\x03\x04rest"), ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
                       ("x.bin", b"\x00\x01\x02" * 100)):
        with pytest.raises(NoticeReadError) as err:
            read_document(data, name)
        assert err.value.reason == "unsupported"


def test_every_reason_has_a_vietnamese_and_an_english_sentence():
    for reason in ("empty", "too_large", "not_docx", "scanned_pdf", "unsupported", "no_directives"):
        error = NoticeReadError(reason)
        vi, en = error.message("vi"), error.message("en")
        assert vi and en and vi != en
        assert "Traceback" not in vi
    with pytest.raises(ValueError):
        NoticeReadError("something else")


# ---- portal noise ----------------------------------------------------------------------------

def test_portal_noise_is_removed_and_spaces_restored():
    raw = ("Trang chủ | Giới thiệu | Tin tức | Liên hệ\n"
           "Đăng ngày 14/10/2025 09:15 | Lượt xem: 120\n"
           "Ảnh: Quang cảnh hội nghị\n"
           "-  Phòng  Kinh tế thị xã chủ trì,phối hợp  Công an thị xã rà soát (Ảnh: minh họa).\n"
           "- Giao Trung tâm Y tế thị xã tiêm phòng trong tháng 4/2023.UBND các xã, phường\n"
           "\n"
           "phối hợp thực hiện.\n"
           "Chia sẻ: Facebook Zalo\n")
    cleaned = clean_text(raw)
    assert "Trang chủ" not in cleaned and "Lượt xem" not in cleaned and "Ảnh" not in cleaned
    assert "Chia sẻ" not in cleaned
    assert "- Phòng Kinh tế thị xã chủ trì, phối hợp Công an thị xã rà soát." in cleaned
    assert "trong tháng 4/2023. UBND các xã, phường phối hợp thực hiện." in cleaned


def test_glued_unit_names_are_split_only_where_safe():
    assert clean_text("báo cáo thị xãUBND các xã") == "báo cáo thị xã UBND các xã\n"
    assert clean_text("tài khoản VneID và TP.HCM") == "tài khoản VneID và TP.HCM\n"


# ---- the real letters of ../shared (skipped without them) --------------------------------------

def test_real_docx_letter_reads_and_parses():
    path = shared_path("samples", "real", "laocai_cong-van-ubnd-tinh-chi-dao.docx")
    notice = parse_notice(read_path(path))
    leads = [name for task in notice.tasks for name in task.lead]
    assert "Sở Công Thương" in leads and "Sở Tài chính" in leads
    first = notice.tasks[0]
    assert first.lead == ["Ủy ban nhân dân phường Yên Bái"]
    assert first.deadline is not None and first.deadline.isoformat() == "2026-09-30"


def test_real_pdf_letter_has_a_text_layer():
    path = shared_path("samples", "real", "laocai_CV-7432-UBND-XD-21-7-2026-trien-khai-QD-1074.pdf")
    text = read_path(path)
    assert "Sở Xây dựng" in text
    notice = parse_notice(text)
    assert any(task.lead == ["Sở Xây dựng"] for task in notice.tasks)


def test_a_table_of_tasks_in_a_docx_becomes_one_task_per_row():
    from tests.notices.helpers import task_table_docx

    notice = load_notice(task_table_docx(), "tb.docx")
    got = [(t.lead, t.coordinate, t.deadline.isoformat() if t.deadline else None, t.deadline_text)
           for t in notice.tasks]
    assert got == [
        (["Phòng Tài nguyên và Môi trường"], ["UBND các xã"], "2025-06-30", "Quý II/2025"),
        (["Phòng Giáo dục và Đào tạo"], [], "2025-04-30", "trước ngày 30/4/2025"),
    ]
    assert notice.tasks[0].text.startswith("Rà soát, cập nhật quy hoạch")
