"""One grammar of Vietnamese deadlines: a table of phrases, the day they were written, and the date.

Each expected date was worked out by hand from the rules in samples/CONVENTIONS.md and the module
docstring of bot/dates/deadlines.py (working days from bot/dates/workdays.py: weekends, public
holidays, Tết, days off in lieu). The same phrase must give the same date in a notice sentence, in
a task-table cell and without accents.
"""
from __future__ import annotations

from datetime import date

import pytest

from bot.dates.deadlines import find_deadline
from bot.tasks.table import parse_deadline as table_deadline

A = date(2026, 3, 10)   # a Tuesday in March
B = date(2026, 11, 20)  # a Friday in November, before Vietnam Cultural Day (24/11)
C = date(2025, 12, 1)   # a Monday in December, before Tết Bính Ngọ (break from 16/2/2026)
D = date(2026, 4, 24)   # a Friday before Hùng Kings (observed 27/4), 30/4 and 1/5
NO = "no deadline"

ROWS = [
    # (phrase, written on, date or None or NO, recurrence)
    # ---- a day, with its preposition
    ("trước ngày 20/3/2026", A, date(2026, 3, 20), None),
    ("trước ngày 20/03/2026", A, date(2026, 3, 20), None),
    ("trước 20/3/2026", A, date(2026, 3, 20), None),
    ("chậm nhất ngày 31/3/2026", A, date(2026, 3, 31), None),
    ("chậm nhất là ngày 31/3/2026", A, date(2026, 3, 31), None),
    ("chậm nhất đến ngày 02/4/2026", A, date(2026, 4, 2), None),
    ("chậm nhất vào ngày 02/4/2026", A, date(2026, 4, 2), None),
    ("không quá ngày 15/4/2026", A, date(2026, 4, 15), None),
    ("không muộn hơn ngày 15/4/2026", A, date(2026, 4, 15), None),
    ("hạn chót ngày 18/3/2026", A, date(2026, 3, 18), None),
    ("hạn chót là ngày 18/3/2026", A, date(2026, 3, 18), None),
    ("thời hạn: 25/3/2026", A, date(2026, 3, 25), None),
    ("thời hạn hoàn thành 25/3/2026", A, date(2026, 3, 25), None),
    ("đến hết ngày 30/6/2026", A, date(2026, 6, 30), None),
    ("trước ngày 20 tháng 3 năm 2026", A, date(2026, 3, 20), None),
    ("chậm nhất ngày 05 tháng 4 năm 2026", A, date(2026, 4, 5), None),
    ("trước ngày 15-5-2026", A, date(2026, 5, 15), None),
    ("trước ngày 15.5.2026", A, date(2026, 5, 15), None),
    ("trước ngày 15/5/26", A, date(2026, 5, 15), None),
    ("trước 17 giờ ngày 20/3/2026", A, date(2026, 3, 20), None),
    ("trước 17h00 ngày 20/3/2026", A, date(2026, 3, 20), None),
    ("trước 9 giờ 30, ngày 12/3/2026", A, date(2026, 3, 12), None),
    ("lúc 14 giờ ngày 16/3/2026", A, date(2026, 3, 16), None),
    # ---- a day without its year: the next one on or after the day of writing
    ("trước ngày 15/3", A, date(2026, 3, 15), None),
    ("trước ngày 10/3", A, date(2026, 3, 10), None),
    ("trước ngày 5/3", A, date(2027, 3, 5), None),
    ("trước ngày 3-12", A, date(2026, 12, 3), None),
    ("trước ngày 10/12", B, date(2026, 12, 10), None),
    ("trước ngày 15/1", B, date(2027, 1, 15), None),
    ("trước ngày 25/12", C, date(2025, 12, 25), None),
    ("trước ngày 10/01", C, date(2026, 1, 10), None),
    ("chậm nhất ngày 20 tháng 4", A, date(2026, 4, 20), None),
    # ---- months
    ("trong tháng 4/2026", A, date(2026, 4, 30), None),
    ("trong tháng 02/2028", A, date(2028, 2, 29), None),
    ("trong tháng 2 năm 2027", A, date(2027, 2, 28), None),
    ("hết tháng 6/2026", A, date(2026, 6, 30), None),
    ("cuối tháng 9/2026", A, date(2026, 9, 30), None),
    ("đến hết tháng 11/2026", A, date(2026, 11, 30), None),
    ("trong tháng 4", A, date(2026, 4, 30), None),
    ("trong tháng 3", A, date(2026, 3, 31), None),
    ("trong tháng 2", A, date(2027, 2, 28), None),
    ("trong tháng 12", B, date(2026, 12, 31), None),
    ("trong tháng 1", B, date(2027, 1, 31), None),
    ("trước tháng 5/2026", A, date(2026, 4, 30), None),
    ("trước tháng 3/2028", A, date(2028, 2, 29), None),
    ("trước tháng 1/2027", A, date(2026, 12, 31), None),
    ("trước tháng 5", A, date(2026, 4, 30), None),
    ("trước tháng 12", B, date(2026, 11, 30), None),
    ("đầu tháng 5/2026", A, date(2026, 5, 1), None),
    ("đầu tháng sau", A, date(2026, 4, 1), None),
    ("đầu tháng sau", B, date(2026, 12, 1), None),
    ("đầu tháng sau", C, date(2026, 1, 1), None),
    ("đầu tháng tới", A, date(2026, 4, 1), None),
    ("cuối tháng", A, date(2026, 3, 31), None),
    ("cuối tháng này", A, date(2026, 3, 31), None),
    ("cuối tháng sau", A, date(2026, 4, 30), None),
    ("cuối tháng sau", C, date(2026, 1, 31), None),
    ("trong tháng tới", A, date(2026, 4, 30), None),
    ("trong tháng tới", C, date(2026, 1, 31), None),
    ("hết tháng này", B, date(2026, 11, 30), None),
    # ---- quarters
    ("trong quý II/2026", A, date(2026, 6, 30), None),
    ("trong quý IV năm 2026", A, date(2026, 12, 31), None),
    ("trong quý 3/2026", A, date(2026, 9, 30), None),
    ("hết quý I/2027", A, date(2027, 3, 31), None),
    ("cuối quý III/2026", A, date(2026, 9, 30), None),
    ("trong quý II", A, date(2026, 6, 30), None),
    ("trong quý I", A, date(2026, 3, 31), None),
    ("trong quý I", B, date(2027, 3, 31), None),
    ("trước quý III", A, date(2026, 6, 30), None),
    ("trước quý II", A, date(2026, 3, 31), None),
    ("trước quý III/2026", B, date(2026, 6, 30), None),
    ("trước quý I/2027", A, date(2026, 12, 31), None),
    ("cuối quý", A, date(2026, 3, 31), None),
    ("cuối quý", B, date(2026, 12, 31), None),
    ("trong quý này", A, date(2026, 3, 31), None),
    # ---- years and halves
    ("trong năm 2026", A, date(2026, 12, 31), None),
    ("hết năm 2027", A, date(2027, 12, 31), None),
    ("trước năm 2027", A, date(2026, 12, 31), None),
    ("cuối năm", A, date(2026, 12, 31), None),
    ("cuối năm nay", B, date(2026, 12, 31), None),
    ("trong năm nay", C, date(2025, 12, 31), None),
    ("trong 6 tháng đầu năm 2026", A, date(2026, 6, 30), None),
    ("trong 6 tháng cuối năm 2026", A, date(2026, 12, 31), None),
    # ---- weeks (a week ends on Sunday)
    ("trong tuần", A, date(2026, 3, 15), None),
    ("trong tuần này", A, date(2026, 3, 15), None),
    ("trong tuần sau", A, date(2026, 3, 22), None),
    ("trong tuần tới", B, date(2026, 11, 29), None),
    # ---- counted days from the day of writing (signing)
    ("trong 30 ngày kể từ ngày ký", A, date(2026, 4, 9), None),
    ("trong vòng 15 ngày", A, date(2026, 3, 25), None),
    ("trong thời hạn 7 ngày", A, date(2026, 3, 17), None),
    ("trong 30 ngày kể từ ngày ký", B, date(2026, 12, 20), None),
    ("trong 45 ngày kể từ ngày ban hành", C, date(2026, 1, 15), None),
    ("trong 30 ngày kể từ ngày ký", None, None, None),
    # ---- working days: weekends, holidays and Tết skipped
    ("trong 10 ngày làm việc kể từ ngày ký", A, date(2026, 3, 24), None),
    ("trong 5 ngày làm việc", A, date(2026, 3, 17), None),
    ("trong vòng 15 ngày làm việc", A, date(2026, 3, 31), None),
    ("trong 3 ngày làm việc", A, date(2026, 3, 13), None),
    ("trong 5 ngày làm việc", B, date(2026, 11, 30), None),   # 24/11 is a day off
    ("trong 3 ngày làm việc", B, date(2026, 11, 26), None),
    ("trong 10 ngày làm việc kể từ ngày ký", B, date(2026, 12, 7), None),
    ("trong 10 ngày làm việc kể từ ngày ký", C, date(2025, 12, 15), None),
    ("trong 20 ngày làm việc", C, date(2025, 12, 29), None),
    ("trong 10 ngày làm việc kể từ ngày ký", D, date(2026, 5, 13), None),  # 27/4, 30/4, 1/5 off
    ("trong 5 ngày làm việc", D, date(2026, 5, 6), None),
    ("trong 3 ngày làm việc kể từ ngày nhận được văn bản", D, date(2026, 5, 4), None),
    # ---- Tết: the last working day before the break
    ("trước Tết Nguyên đán", C, date(2026, 2, 13), None),
    ("trước Tết", C, date(2026, 2, 13), None),
    ("trước Tết Nguyên đán", A, date(2027, 2, 3), None),
    ("trước Tết Nguyên đán", B, date(2027, 2, 3), None),
    ("hoàn thành trước kỳ nghỉ Tết Nguyên đán", C, date(2026, 2, 13), None),
    ("trước Tết Nguyên đán", None, None, None),
    # ---- schedules
    ("trước ngày 15 hằng tháng", A, date(2026, 3, 15), "monthly"),
    ("trước ngày 15 hằng tháng", B, date(2026, 12, 15), "monthly"),
    ("trước ngày 5 hằng tháng", A, date(2026, 4, 5), "monthly"),
    ("ngày 25 hàng tháng", A, date(2026, 3, 25), "monthly"),
    ("trước ngày 05/6 và 05/12 hàng năm", A, date(2026, 6, 5), "semiannual"),
    ("trước ngày 05/6 và 05/12 hàng năm", B, date(2026, 12, 5), "semiannual"),
    ("trước ngày 20 của tháng cuối quý", A, date(2026, 3, 20), "quarterly"),
    ("trước ngày 20 của tháng cuối quý", B, date(2026, 12, 20), "quarterly"),
    ("báo cáo định kỳ hằng tháng", A, None, "monthly"),
    ("báo cáo hằng quý", A, None, "quarterly"),
    ("báo cáo định kỳ 6 tháng", A, None, "semiannual"),
    ("báo cáo hằng năm", A, None, "yearly"),
    ("giao ban hàng tuần", A, None, "weekly"),
    # ---- without accents, as typed on a phone or in a spreadsheet
    ("truoc ngay 20/3/2026", A, date(2026, 3, 20), None),
    ("cham nhat ngay 31/3/2026", A, date(2026, 3, 31), None),
    ("khong qua ngay 15/4/2026", A, date(2026, 4, 15), None),
    ("han chot ngay 18/3/2026", A, date(2026, 3, 18), None),
    ("truoc ngay 20 thang 3 nam 2026", A, date(2026, 3, 20), None),
    ("trong thang 4/2026", A, date(2026, 4, 30), None),
    ("truoc thang 5/2026", A, date(2026, 4, 30), None),
    ("het thang 6/2026", A, date(2026, 6, 30), None),
    ("trong quy II/2026", A, date(2026, 6, 30), None),
    ("truoc quy III", A, date(2026, 6, 30), None),
    ("cuoi quy", A, date(2026, 3, 31), None),
    ("trong nam 2026", A, date(2026, 12, 31), None),
    ("cuoi nam", A, date(2026, 12, 31), None),
    ("dau thang sau", A, date(2026, 4, 1), None),
    ("cuoi thang sau", A, date(2026, 4, 30), None),
    ("trong tuan toi", A, date(2026, 3, 22), None),
    ("trong 30 ngay ke tu ngay ky", A, date(2026, 4, 9), None),
    ("trong 10 ngay lam viec ke tu ngay ky", A, date(2026, 3, 24), None),
    ("trong 5 ngay lam viec", B, date(2026, 11, 30), None),
    ("truoc Tet Nguyen dan", C, date(2026, 2, 13), None),
    ("truoc tet", C, date(2026, 2, 13), None),
    ("truoc ngay 15 hang thang", A, date(2026, 3, 15), "monthly"),
    ("dinh ky hang quy", A, None, "quarterly"),
    ("truoc ngay 3-12", A, date(2026, 12, 3), None),
    ("truoc 17 gio ngay 20/3/2026", A, date(2026, 3, 20), None),
    # ---- inside a directive: the deadline, not the other dates
    ("Phòng Nội vụ rà soát hồ sơ, báo cáo UBND xã trước ngày 20/3/2026.", A, date(2026, 3, 20), None),
    ("Triển khai Kế hoạch số 12/KH-UBND ngày 02/3/2026, hoàn thành trong tháng 4/2026.", A, date(2026, 4, 30), None),
    ("Xây dựng kế hoạch năm 2027, trình trước quý III.", A, date(2026, 6, 30), None),
    ("Tổng kết công tác, gửi báo cáo trước Tết Nguyên đán.", C, date(2026, 2, 13), None),
    ("Công an xã báo cáo kết quả trước ngày 15 hằng tháng.", A, date(2026, 3, 15), "monthly"),
    ("Phòng Kinh tế hoàn thành trong 10 ngày làm việc kể từ ngày ký.", D, date(2026, 5, 13), None),
    ("Rà soát, gửi Sở Tài chính trước ngày 25/3; báo cáo UBND tỉnh trước ngày 31/3/2026.", A, date(2026, 3, 31), None),
    ("Tham mưu văn bản, trình ký đầu tháng sau.", A, date(2026, 4, 1), None),
    # ---- not deadlines
    ("khẩn trương triển khai", A, NO, None),
    ("sớm hoàn thành", A, NO, None),
    ("kịp thời báo cáo", A, NO, None),
    ("thường xuyên kiểm tra", A, NO, None),
    ("xây dựng Kế hoạch phát triển năm 2026", A, NO, None),
    ("tổ chức kỷ niệm 30/4 và 1/5", A, NO, None),
    ("theo Quyết định số 12/QĐ-UBND ngày 02/3/2026", A, NO, None),
    ("khan truong trien khai", A, NO, None),
]


def _check(found, expected, recurrence):
    if expected == NO:
        assert found is None
        return
    assert found is not None
    assert (found.date, found.recurrence) == (expected, recurrence)


def test_the_table_is_large_enough():
    assert len(ROWS) >= 150
    assert len({(p, r) for p, r, _, _ in ROWS}) == len(ROWS), "duplicate rows"


@pytest.mark.parametrize("phrase, ref, expected, recurrence", ROWS)
def test_phrase_gives_its_date(phrase, ref, expected, recurrence):
    _check(find_deadline(phrase, ref), expected, recurrence)


@pytest.mark.parametrize("phrase, ref, expected", [
    (p, r, e) for p, r, e, rec in ROWS
    if r is not None and isinstance(e, date) and rec is None and len(p) < 60 and not p[0].isupper()
])
def test_a_task_table_cell_gives_the_same_date(phrase, ref, expected):
    assert table_deadline(phrase, ref)[0] == expected
