"""Reading task tables and unit lists: headers, encodings, delimiters, XLSX, errors with row numbers."""
from __future__ import annotations

import io
import json
import unicodedata
from datetime import date, datetime

import openpyxl
import pytest

from bot.directory.unitmatch import UnitEntry, find_units
from bot.tasks.table import (
    RowError,
    TaskTableError,
    parse_deadline,
    parse_recurrence,
    read_task_table,
    read_units_csv,
)

TODAY = date(2026, 11, 24)

UNITS = [
    ("Phòng Kinh tế thị xã", ["Phòng Kinh tế"]),
    ("Phòng Văn hóa và Thông tin thị xã", ["Phòng VH&TT", "Phòng Văn hóa và Thông tin"]),
    ("UBND Phường 1", []),
    ("UBND các xã, phường", ["Ủy ban nhân dân các xã, phường"]),
    ("Công an thị xã", []),
    ("Town Office", ["Office"]),
]
DIRECTORY = [UnitEntry(name, tuple(aliases)) for name, aliases in UNITS]


def lookup(name: str) -> list[str]:
    return find_units(name, DIRECTORY)


def read(text: str | bytes, filename: str = "tasks.csv", encoding: str = "utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return read_task_table(data, filename, DIRECTORY, TODAY)


def xlsx(rows: list[list], merges: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "unit, task, deadline",
    [
        ("Đơn vị", "Nhiệm vụ", "Thời hạn"),
        ("Đơn vị chủ trì", "Nội dung", "Hạn"),
        ("unit", "task", "deadline"),
        ("UNIT", "Task", "Deadline"),
        ("ĐƠN VỊ CHỦ TRÌ", "NHIỆM VỤ", "THỜI HẠN"),
        ("don vi", "nhiem vu", "thoi han"),
        ("Đơn vị*", "Nhiệm vụ (nội dung)", "Thời hạn (dd/mm/yyyy)"),
    ],
)
def test_header_variants(unit, task, deadline):
    table = read(f"{unit},{task},{deadline}\nPhòng Kinh tế,Lập kế hoạch,15/12/2026\n")
    assert table.errors == []
    assert [(r.row_number, r.unit, r.task, r.deadline) for r in table.rows] == [
        (2, "Phòng Kinh tế thị xã", "Lập kế hoạch", date(2026, 12, 15))
    ]


@pytest.mark.parametrize(
    "headers",
    [
        ("Văn bản", "Mục", "Định kỳ"),
        ("Số văn bản", "Lĩnh vực", "Lặp lại"),
        ("document", "section", "recurrence"),
    ],
)
def test_optional_header_variants(headers):
    doc, section, recurrence = headers
    table = read(
        f"Đơn vị;Nhiệm vụ;Thời hạn;{doc};{section};{recurrence}\n"
        "Công an thị xã;Tuần tra;;125/TB-VP;An ninh;hằng tuần\n"
    )
    [row] = table.rows
    assert (row.document, row.section, row.recurrence) == ("125/TB-VP", "An ninh", "weekly")
    assert row.deadline is None and row.deadline_text is None


def test_extra_columns_and_title_rows_above_the_header():
    table = read(
        "DANH MỤC NHIỆM VỤ THÁNG 11,,,\n"
        ",,,\n"
        "STT,Nhiệm vụ,Đơn vị chủ trì,Thời hạn,Ghi chú\n"
        "1,Lập kế hoạch,Phòng Kinh tế,15/12/2026,xem lại\n"
    )
    assert [(r.row_number, r.unit) for r in table.rows] == [(4, "Phòng Kinh tế thị xã")]


def test_missing_columns_say_which():
    with pytest.raises(TaskTableError) as caught:
        read("Đơn vị,Nhiệm vụ,Ghi chú\nPhòng Kinh tế,Lập kế hoạch,x\n")
    assert caught.value.code == "missing_columns"
    assert caught.value.missing == ("deadline",)
    assert "Thời hạn" in caught.value.message("vi")
    assert "Deadline" in caught.value.message("en")


def test_not_a_table():
    with pytest.raises(TaskTableError) as caught:
        read("Kính gửi các đơn vị,\nđây là một bức thư chứ không phải bảng.\n")
    assert caught.value.code == "not_a_table"
    assert "Đơn vị, Nhiệm vụ, Thời hạn" in caught.value.message("vi")


# --------------------------------------------------------------------------- encodings and delimiters


def test_utf8_bom_and_semicolon_delimiter():
    data = "\ufeffĐơn vị;Nhiệm vụ;Thời hạn\nPhòng Kinh tế;Rà soát, tổng hợp;01/12/2026\n".encode("utf-8")
    table = read(data)
    [row] = table.rows
    assert row.task == "Rà soát, tổng hợp"  # the comma stays in the text
    assert row.deadline == date(2026, 12, 1)


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: ơ, â, đ precomposed, tone marks combining."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += base.encode("cp1258") + tones.encode("cp1258")
    return out


def test_cp1258_and_cp1252_fallbacks():
    text = "Đơn vị,Nhiệm vụ,Thời hạn\nCông an thị xã,Tuần tra,15/12/2026\n"
    data = cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read(data)
    assert [(r.unit, r.task) for r in table.rows] == [("Công an thị xã", "Tuần tra")]
    western = "unit,task,deadline\nOffice,Café with Škoda – 2nd round,2026-12-15\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        western.decode("cp1258")  # cp1258 has no character at 0x8A (Š)
    assert read(western).rows[0].task == "Café with Škoda – 2nd round"


def test_utf16_tab_separated_export():
    data = "Đơn vị\tNhiệm vụ\tThời hạn\r\nUBND Phường 1\tDọn vệ sinh\t30/11/2026\r\n".encode("utf-16")
    assert read(data).rows[0].deadline == date(2026, 11, 30)


def test_quoted_cells_with_line_breaks_keep_row_numbers():
    table = read(
        'Đơn vị,Nhiệm vụ,Thời hạn\n'
        '"Phòng Kinh tế\nCông an thị xã","Hai dòng\nnội dung",15/12/2026\n'
        'Phòng Không Có,Sai tên,15/12/2026\n'
    )
    assert [r.message("vi") for r in table.errors] == ["Dòng 3: không tìm thấy đơn vị «Phòng Không Có»"]
    assert [(r.row_number, r.unit) for r in table.rows] == [
        (2, "Phòng Kinh tế thị xã"),
        (2, "Công an thị xã"),
    ]


# --------------------------------------------------------------------------- units in cells


def test_several_units_in_one_cell_give_one_row_each():
    table = read(
        "Đơn vị,Nhiệm vụ,Thời hạn\n"
        '"Phòng Kinh tế; UBND Phường 1 ;Công an thị xã;Phòng Kinh tế",Kiểm tra,15/12/2026\n'
        '"UBND các xã, phường",Báo cáo,15/12/2026\n'
    )
    assert table.errors == []
    assert [(r.row_number, r.unit) for r in table.rows] == [
        (2, "Phòng Kinh tế thị xã"),
        (2, "UBND Phường 1"),
        (2, "Công an thị xã"),
        (3, "UBND các xã, phường"),  # a comma does not split a name
    ]
    assert {r.task for r in table.rows if r.row_number == 2} == {"Kiểm tra"}


def test_coordinating_units_column():
    table = read(
        "Đơn vị chủ trì,Đơn vị phối hợp,Nhiệm vụ,Thời hạn\n"
        "Phòng Kinh tế,Công an thị xã; UBND Phường 1,Kiểm tra,15/12/2026\n"
    )
    assert [(r.unit, r.role) for r in table.rows] == [
        ("Phòng Kinh tế thị xã", "lead"),
        ("Công an thị xã", "coordinate"),
        ("UBND Phường 1", "coordinate"),
    ]


# --------------------------------------------------------------------------- row errors


def test_row_errors_carry_the_sheet_row_numbers():
    table = read(
        "Đơn vị,Nhiệm vụ,Thời hạn,Định kỳ\n"
        "Phòng Kinh tế,Việc đúng,15/12/2026,\n"  # row 2: fine
        "Phòng Kinh tế đối ngoại,Sai tên đơn vị,15/12/2026,\n"  # row 3
        ",,,\n"  # row 4: blank, skipped
        "Công an thị xã,Ngày không có,31/02/2026,\n"  # row 5
        "Công an thị xã,,15/12/2026,\n"  # row 6
        ",Không có đơn vị,15/12/2026,\n"  # row 7
        "Công an thị xã,Lặp lạ,15/12/2026,ba ngày một lần\n"  # row 8
    )
    assert [(e.row_number, e.field, e.value, e.code) for e in table.errors] == [
        (3, "unit", "Phòng Kinh tế đối ngoại", "unknown_unit"),
        (5, "deadline", "31/02/2026", "bad_date"),
        (6, "task", "", "missing_task"),
        (7, "unit", "", "missing_unit"),
        (8, "recurrence", "ba ngày một lần", "bad_recurrence"),
    ]
    assert not table.ok
    assert [r.row_number for r in table.rows] == [2]
    vi = table.messages("vi")
    assert vi[0] == "Dòng 3: không tìm thấy đơn vị «Phòng Kinh tế đối ngoại»"
    assert vi[1].startswith("Dòng 5: thời hạn «31/02/2026»")
    assert vi[2] == "Dòng 6: chưa ghi nội dung nhiệm vụ"
    assert vi[3] == "Dòng 7: chưa ghi đơn vị chủ trì"
    assert vi[4].startswith("Dòng 8: không hiểu kỳ lặp lại «ba ngày một lần»")
    en = table.messages("en")
    assert en[0] == "Row 3: unit «Phòng Kinh tế đối ngoại» not found"
    assert en[1].startswith("Row 5: deadline «31/02/2026» is not a valid date")


def test_one_row_can_have_several_errors():
    table = read("Đơn vị,Nhiệm vụ,Thời hạn\nKhông ai,Việc,32/13/2026\n")
    assert {(e.row_number, e.code) for e in table.errors} == {(2, "unknown_unit"), (2, "bad_date")}
    assert table.rows == []


def test_unknown_unit_among_several_is_named():
    table = read('Đơn vị,Nhiệm vụ,Thời hạn\n"Phòng Kinh tế; Phòng Ma",Việc,15/12/2026\n')
    assert [(e.value, e.code) for e in table.errors] == [("Phòng Ma", "unknown_unit")]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("15/12/2026", date(2026, 12, 15)),
        ("5/1/2027", date(2027, 1, 5)),
        ("2026-12-15", date(2026, 12, 15)),
        ("15.12.2026", date(2026, 12, 15)),
        ("15-12-2026", date(2026, 12, 15)),
        ("15/12/26", date(2026, 12, 15)),
        ("15/12", date(2026, 12, 15)),  # no year: the next one on or after today
        ("10/01", date(2027, 1, 10)),
        ("trước ngày 15/12/2026", date(2026, 12, 15)),
        ("Trước 17h00 ngày 15/12/2026", date(2026, 12, 15)),
        ("chậm nhất ngày 15/12/2026", date(2026, 12, 15)),
        ("Trong tháng 12/2026", date(2026, 12, 31)),
        ("tháng 2/2028", date(2028, 2, 29)),
        ("Quý IV/2026", date(2026, 12, 31)),
        ("quý 1/2027", date(2027, 3, 31)),
        ("năm 2027", date(2027, 12, 31)),
        ("ngày 15 tháng 12 năm 2026", date(2026, 12, 15)),
        ("2026-12-15 00:00:00", date(2026, 12, 15)),
        ("", None),
        ("Thường xuyên", None),
        ("-", None),
    ],
)
def test_deadline_cells(cell, expected):
    day, written = parse_deadline(cell, TODAY)
    assert day == expected
    assert written == (cell or None)


@pytest.mark.parametrize("cell", ["31/02/2026", "29/02/2027", "32/01/2026", "15/13/2026",
                                  "sớm", "tuần sau", "15/12/1900", "2026-02-30"])
def test_impossible_or_unreadable_deadlines(cell):
    with pytest.raises(ValueError):
        parse_deadline(cell, TODAY)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("hằng tuần", "weekly"), ("Hàng tuần", "weekly"), ("weekly", "weekly"),
        ("hằng tháng", "monthly"), ("Định kỳ hằng tháng", "monthly"), ("monthly", "monthly"),
        ("hằng quý", "quarterly"), ("quarterly", "quarterly"),
        ("6 tháng", "semiannual"), ("Định kỳ 6 tháng", "semiannual"), ("semiannual", "semiannual"),
        ("hằng năm", "yearly"), ("yearly", "yearly"), ("", None), (None, None),
    ],
)
def test_recurrence_values(cell, expected):
    assert parse_recurrence(cell) == expected


# --------------------------------------------------------------------------- XLSX


def test_xlsx_with_real_date_cells_and_text_dates():
    data = xlsx([
        ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Định kỳ"],
        [1, "Việc có ngày thật", "Phòng Kinh tế", datetime(2026, 12, 15), None],
        [2, "Việc ngày dạng chữ", "Công an thị xã", "20/12/2026", "Hằng quý"],
        [3, "Việc không hạn", "UBND Phường 1", None, None],
        [4, "Việc ngày là date", "UBND Phường 1", date(2027, 1, 5), None],
    ])
    table = read(data, "Nhiệm vụ.xlsx")
    assert table.errors == []
    assert [(r.row_number, r.deadline, r.deadline_text, r.recurrence) for r in table.rows] == [
        (2, date(2026, 12, 15), "15/12/2026", None),
        (3, date(2026, 12, 20), "20/12/2026", "quarterly"),
        (4, None, None, None),
        (5, date(2027, 1, 5), "05/01/2027", None),
    ]


def test_xlsx_errors_have_sheet_row_numbers_and_headings_are_sections():
    data = xlsx([
        ["BẢNG THEO DÕI NHIỆM VỤ", None, None, None],
        ["STT", "Nội dung", "Đơn vị", "Hạn"],
        ["I", "LĨNH VỰC KINH TẾ", None, None],
        [1, "Giải ngân vốn", "Phòng Kinh tế", "31/02/2026"],
        [2, "Thu ngân sách", "Phòng Kinh tế", "30/12/2026"],
        ["II", "Lĩnh vực văn hóa - xã hội", None, None],
        [1, "Lễ hội", "Phòng VH&TT", "15/01/2027"],
        [2, "", "Phòng Kinh tế", "15/01/2027"],
        ["III. LĨNH VỰC NỘI CHÍNH", None, None, None],  # merged A9:D9 below
        [1, "Tuần tra", "Công an thị xã", "15/01/2027"],
    ], merges=("A9:D9",))
    table = read(data, "tasks.xlsx")
    assert [(e.row_number, e.code) for e in table.errors] == [(4, "bad_date"), (8, "missing_task")]
    assert [(r.row_number, r.section, r.unit) for r in table.rows] == [
        (5, "LĨNH VỰC KINH TẾ", "Phòng Kinh tế thị xã"),
        (7, "Lĩnh vực văn hóa - xã hội", "Phòng Văn hóa và Thông tin thị xã"),
        (10, "III. LĨNH VỰC NỘI CHÍNH", "Công an thị xã"),
    ]


def test_xlsx_date_cell_with_an_implausible_year_is_an_error():
    data = xlsx([["Đơn vị", "Nhiệm vụ", "Thời hạn"], ["Công an thị xã", "Việc", datetime(1900, 1, 1)]])
    table = read(data, "t.xlsx")
    assert [(e.row_number, e.value, e.code) for e in table.errors] == [(2, "01/01/1900", "bad_date")]


def test_xlsx_unit_merged_down_over_several_rows():
    data = xlsx(
        [
            ["Đơn vị", "Nhiệm vụ", "Thời hạn"],
            ["Phòng Kinh tế", "Việc một", "15/12/2026"],
            [None, "Việc hai", "16/12/2026"],
            [None, "Việc ba", "17/12/2026"],
        ],
        merges=("A2:A4",),
    )
    table = read(data, "t.xlsx")
    assert [(r.row_number, r.unit) for r in table.rows] == [
        (2, "Phòng Kinh tế thị xã"), (3, "Phòng Kinh tế thị xã"), (4, "Phòng Kinh tế thị xã")
    ]


def test_xlsx_only_the_first_sheet_is_read():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Đơn vị", "Nhiệm vụ", "Thời hạn"])
    workbook.active.append(["Công an thị xã", "Việc của sheet 1", "15/12/2026"])
    other = workbook.create_sheet("Khác")
    other.append(["Đơn vị", "Nhiệm vụ", "Thời hạn"])
    other.append(["Công an thị xã", "Việc của sheet 2", "15/12/2026"])
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [r.task for r in read(buffer.getvalue(), "t.xlsx").rows] == ["Việc của sheet 1"]


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    "data, filename",
    [
        (bytes(range(256)) * 8, "tasks.xlsx"),
        (b"PK\x03\x04 not really a zip", "tasks.xlsx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "tasks.csv"),
        (b"%PDF-1.7\n1 0 obj", "tasks.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "tasks.xls"),
    ],
)
def test_unreadable_files(data, filename):
    with pytest.raises(TaskTableError) as caught:
        read(data, filename)
    assert caught.value.code == "unreadable"
    assert "CSV" in caught.value.message("vi") and "XLSX" in caught.value.message("en")


def test_docx_renamed_xlsx_is_unreadable():
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(TaskTableError) as caught:
        read(buffer.getvalue(), "tasks.xlsx")
    assert caught.value.code == "unreadable"


@pytest.mark.parametrize("data, filename", [
    (b"", "tasks.csv"), (b"  \n\r\n", "tasks.csv"), (b"\xef\xbb\xbf", "tasks.csv"),
    ("Đơn vị,Nhiệm vụ,Thời hạn\n,,\n".encode(), "tasks.csv"),
])
def test_empty_files(data, filename):
    with pytest.raises(TaskTableError) as caught:
        read(data, filename)
    assert caught.value.code == "empty"
    assert caught.value.message("vi") == "Tệp không có dữ liệu."


def test_empty_xlsx():
    with pytest.raises(TaskTableError) as caught:
        read(xlsx([]), "t.xlsx")
    assert caught.value.code == "empty"


# --------------------------------------------------------------------------- odd Unicode


def test_nfd_zero_width_and_non_breaking_spaces():
    header = unicodedata.normalize("NFD", "Đơn\u00a0vị,Nhiệm\u200b vụ,Thời hạn")
    row = unicodedata.normalize("NFD", "\u200bPhòng\u00a0Kinh  tế\u202f,Lập\u00a0kế hoạch\u200d,15/12/2026\u00a0")
    table = read(f"{header}\n{row}\n")
    assert table.errors == []
    [task] = table.rows
    assert task.unit == "Phòng Kinh tế thị xã"
    assert task.task == "Lập kế hoạch"
    assert unicodedata.is_normalized("NFC", task.task)
    assert task.deadline == date(2026, 12, 15)


def test_unit_names_match_by_the_one_unit_matcher():
    assert lookup("phòng kinh tế") == ["Phòng Kinh tế thị xã"]
    assert lookup("Phòng Văn hoá và Thông tin") == ["Phòng Văn hóa và Thông tin thị xã"]  # hoá/hóa
    assert lookup("Phòng VH-TT") == ["Phòng Văn hóa và Thông tin thị xã"]
    assert lookup("Uỷ ban nhân dân các xã, phường") == ["UBND các xã, phường"]  # Uỷ/Ủy
    assert lookup("UBND các xã, phường.") == ["UBND các xã, phường"]
    assert lookup("Ủy ban nhân dân Phường 1") == ["UBND Phường 1"]
    # without diacritics, as officers type and as notices and /status match
    assert lookup("Phong Kinh te") == ["Phòng Kinh tế thị xã"]
    assert lookup("UBND Phường 2") == []  # a number is never a typo
    assert lookup("Phòng Ma") == []


def test_a_collective_in_a_table_gives_the_task_to_its_members():
    members = [("Phường 1", (), "ward"), ("Phường 2", (), "ward"),
               ("Khối phường", (), "collective", ("Phường 1", "Phường 2"))]
    table = read_task_table("Đơn vị,Nhiệm vụ,Thời hạn\nKhối phường,Việc,15/12/2026\n".encode(),
                            "t.csv", members, TODAY)
    assert [(r.row_number, r.unit) for r in table.rows] == [(2, "Phường 1"), (2, "Phường 2")]


# --------------------------------------------------------------------------- unit lists


def test_read_units_csv():
    rows = read_units_csv(
        "Tên đơn vị;Tên khác;Loại;Thành viên\n"
        "Phòng Kinh tế thị xã;\"Phòng Kinh tế; Phòng KT\";phòng ban;\n"
        "UBND Phường 1;;xã phường;\n"
        "UBND Phường 2;;commune;\n"
        '"UBND các xã, phường";UBND xã, phường;tập thể;"UBND Phường 1; UBND Phường 2"\n'
        "Ban Chỉ huy Quân sự;;;\n".encode()
    )
    assert [(r.row_number, r.name, r.aliases, r.kind, r.members) for r in rows] == [
        (2, "Phòng Kinh tế thị xã", ("Phòng Kinh tế", "Phòng KT"), "department", ()),
        (3, "UBND Phường 1", (), "commune", ()),
        (4, "UBND Phường 2", (), "commune", ()),
        (5, "UBND các xã, phường", ("UBND xã, phường",), "collective", ("UBND Phường 1", "UBND Phường 2")),
        (6, "Ban Chỉ huy Quân sự", (), "department", ()),
    ]


def test_read_units_csv_english_headers_and_members_imply_collective():
    rows = read_units_csv(b"name,aliases,kind,members\nAll wards,,,Ward 1;Ward 2\nWard 1,W1,commune,\n")
    assert [(r.name, r.kind, r.members) for r in rows] == [
        ("All wards", "collective", ("Ward 1", "Ward 2")), ("Ward 1", "commune", ())
    ]


def test_read_units_csv_errors_name_rows():
    with pytest.raises(TaskTableError) as caught:
        read_units_csv(
            "Tên đơn vị,Loại,Thành viên\n"
            "Phòng A,phòng ban,\n"
            ",phòng ban,\n"
            "Phòng B,hợp tác xã,\n"
            "phòng a,,\n"
            "Phòng C,phòng ban,Phòng A\n".encode()
        )
    error = caught.value
    assert error.code == "bad_rows"
    assert [(e.row_number, e.code) for e in error.errors] == [
        (3, "missing_name"), (4, "bad_kind"), (5, "duplicate_name"), (6, "members_not_collective")
    ]
    text = error.message("vi")
    assert "Dòng 4: không hiểu loại đơn vị «hợp tác xã»" in text
    assert "Dòng 5: đơn vị «phòng a» bị ghi trùng" in text


def test_read_units_missing_name_column():
    with pytest.raises(TaskTableError) as caught:
        read_units_csv(b"aliases,kind\nx,commune\n")
    assert caught.value.code == "missing_columns" and caught.value.missing == ("name",)


def test_row_error_is_plain_data():
    error = RowError(7, "unit", "Phòng Kinh tê", "unknown_unit")
    assert error.message("vi") == "Dòng 7: không tìm thấy đơn vị «Phòng Kinh tê»"
    assert error.message("en-US") == "Row 7: unit «Phòng Kinh tê» not found"


# --------------------------------------------------------------------------- the shared sample directory


def test_sample_unit_directory_resolves_its_own_aliases():
    from tests.conftest import shared_path

    units = json.loads(shared_path("samples", "units.json").read_text(encoding="utf-8"))
    directory = [UnitEntry(u["name"], tuple(u.get("aliases", []))) for u in units]
    for unit in units:
        for alias in unit.get("aliases", []):
            assert find_units(alias, directory), alias
    lines = ["Đơn vị;Nhiệm vụ;Thời hạn"] + [f"{u['name']};Việc {i};15/12/2026" for i, u in enumerate(units)]
    table = read_task_table("\n".join(lines).encode(), "s.csv", directory, TODAY)
    assert table.errors == [] and len(table.rows) == len(units)
