"""Small builders for test documents (no binary fixtures are committed)."""
from __future__ import annotations

import io


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica, ASCII text), written by hand."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "40 800 Td"]
    for line in lines:
        ops.append(f"({esc(line)}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def notice_docx() -> bytes:
    """A small notice as Word writes it: the header block in a table, automatic list numbering."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nXÃ HÒA AN\nSố: 05/TB-UBND"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHòa An, ngày 02 tháng 6 năm 2025"
    document.add_paragraph("THÔNG BÁO")
    document.add_paragraph("Kết luận của Chủ tịch UBND xã tại cuộc họp ngày 30/5/2025")
    document.add_paragraph("Chủ tịch UBND xã kết luận như sau:")
    document.add_paragraph("Về nông nghiệp", style="List Number")
    document.add_paragraph("Công chức Địa chính - Nông nghiệp rà soát diện tích lúa bị ngập úng, "
                           "báo cáo UBND xã trước ngày 10/6/2025.", style="List Bullet")
    document.add_paragraph("Về an ninh trật tự", style="List Number")
    document.add_paragraph("Công an xã chủ trì, phối hợp Ban Chỉ huy Quân sự xã tuần tra ban đêm; "
                           "báo cáo định kỳ hằng tháng.", style="List Bullet")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def task_table_docx() -> bytes:
    """A notice whose directives sit in a table: Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời hạn."""
    import docx

    document = docx.Document()
    document.add_paragraph("THÔNG BÁO")
    document.add_paragraph("Kết luận của Chủ tịch UBND huyện tại cuộc họp ngày 03/3/2025")
    document.add_paragraph("Chủ tịch UBND huyện giao nhiệm vụ cụ thể như sau:")
    rows = [
        ("TT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn hoàn thành"),
        ("1", "Rà soát, cập nhật quy hoạch sử dụng đất", "Phòng Tài nguyên và Môi trường", "UBND các xã", "Quý II/2025"),  # noqa: E501
        ("2", "Tổ chức Hội khỏe Phù Đổng cấp huyện", "Phòng Giáo dục và Đào tạo", "", "trước ngày 30/4/2025"),
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("Nơi nhận:")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
