"""The Vietnamese deadline grammar: each wording the issue lists, and the phrases that are not deadlines."""
from datetime import date

import pytest

from bot.notices import find_deadline, parse_deadline

REF = date(2023, 4, 3)  # a Monday


@pytest.mark.parametrize("phrase, expected, text, recurrence", [
    ("trước ngày 26/4/2023", date(2023, 4, 26), "trước ngày 26/4/2023", None),
    ("chậm nhất ngày 15/5", date(2023, 5, 15), "chậm nhất ngày 15/5", None),
    ("chậm nhất đến ngày 01 tháng 7 năm 2028", date(2028, 7, 1), "chậm nhất đến ngày 01 tháng 7 năm 2028", None),
    ("không quá ngày 10/4/2023", date(2023, 4, 10), "không quá ngày 10/4/2023", None),
    ("trong tháng 4/2023", date(2023, 4, 30), "trong tháng 4/2023", None),
    ("trong tháng 2 năm 2024", date(2024, 2, 29), "trong tháng 2 năm 2024", None),
    ("hết tháng 6", date(2023, 6, 30), "hết tháng 6", None),
    ("trong quý II/2023", date(2023, 6, 30), "trong quý II/2023", None),
    ("hoàn thành trong quý IV năm 2023", date(2023, 12, 31), "trong quý IV năm 2023", None),
    ("trong năm 2023", date(2023, 12, 31), "trong năm 2023", None),
    ("trước 14 giờ, ngày 05/12/2017", date(2017, 12, 5), "trước 14 giờ, ngày 05/12/2017", None),
    ("16 giờ ngày 30/7/2026", date(2026, 7, 30), "16 giờ ngày 30/7/2026", None),
    ("trước ngày 3-12", date(2023, 12, 3), "trước ngày 3-12", None),
    ("trước ngày 15/3", date(2024, 3, 15), "trước ngày 15/3", None),  # already past: next year
    ("trong 30 ngày kể từ ngày ký", date(2023, 5, 3), "trong 30 ngày kể từ ngày ký", None),
    ("trong vòng 10 ngày làm việc", date(2023, 4, 17), "trong vòng 10 ngày làm việc", None),
    ("trong tuần", date(2023, 4, 9), "trong tuần", None),
    ("trong tuần tới", date(2023, 4, 16), "trong tuần tới", None),
    ("cuối tháng", date(2023, 4, 30), "cuối tháng", None),
    ("cuối năm", date(2023, 12, 31), "cuối năm", None),
    ("định kỳ hàng tuần", None, "định kỳ hàng tuần", "weekly"),
    ("báo cáo hằng tháng", None, "hằng tháng", "monthly"),
    ("định kỳ hằng quý", None, "định kỳ hằng quý", "quarterly"),
    ("định kỳ 6 tháng", None, "định kỳ 6 tháng", "semiannual"),
    ("định kỳ hằng năm", None, "định kỳ hằng năm", "yearly"),
    ("trước ngày 05/6 và 05/12 hàng năm", date(2023, 6, 5), "trước ngày 05/6 và 05/12 hàng năm", "semiannual"),
    ("trước ngày 20 hằng tháng", date(2023, 4, 20), "trước ngày 20 hằng tháng", "monthly"),
    ("trước ngày 15/12 hằng năm", date(2023, 12, 15), "trước ngày 15/12 hằng năm", "yearly"),
])
def test_deadline_wordings(phrase, expected, text, recurrence):
    found = parse_deadline(phrase, REF)
    assert found is not None
    assert (found.date, found.text, found.recurrence) == (expected, text, recurrence)


@pytest.mark.parametrize("phrase", [
    "khẩn trương", "sớm", "kịp thời", "thường xuyên", "Kế hoạch phòng, chống thiên tai năm 2023",
    "kỷ niệm ngày Giải phóng miền Nam 30/4", "khi được phân bổ", "khi được phê duyệt",
    "trong dịp cuối năm học", "tổ chức tốt Tuần lễ văn hóa", "phấn đấu đạt chỉ tiêu thu ngân sách năm 2023", "",
])
def test_not_deadlines(phrase):
    assert parse_deadline(phrase, REF) is None


def test_without_reference_date_keeps_the_words_but_no_date():
    found = parse_deadline("trong 30 ngày kể từ ngày ký", None)
    assert found is not None and found.date is None and found.text == "trong 30 ngày kể từ ngày ký"
    assert parse_deadline("trước ngày 3-12", None).date is None
    assert parse_deadline("trước ngày 3/12/2024", None).date == date(2024, 12, 3)


def test_find_deadline_in_a_sentence_takes_the_minimal_span():
    sentence = ("Phòng Kinh tế thị xã khảo sát, đề xuất mô hình nuôi cá; báo cáo Thường trực UBND thị xã "
                "trong tháng 4/2023.")
    found = find_deadline(sentence, REF)
    assert found.text == "trong tháng 4/2023" and found.date == date(2023, 4, 30)


def test_recurrence_wins_over_a_rhythm_of_work():
    sentence = ("đề ra mục tiêu phải có kết quả cụ thể trong tuần, trong tháng. kịp thời báo cáo, đề xuất "
                "tháo gỡ khó khăn định kỳ hàng tuần.")
    found = find_deadline(sentence, REF)
    assert (found.date, found.text, found.recurrence) == (None, "định kỳ hàng tuần", "weekly")


def test_two_vague_periods_side_by_side_are_not_a_deadline():
    assert find_deadline("phải có kết quả cụ thể trong tuần, trong tháng", REF) is None


def test_the_last_deadline_of_a_task_is_the_one_to_meet():
    found = find_deadline("hoàn thành hồ sơ trước ngày 10/5/2023; báo cáo kết quả trước ngày 20/5/2023", REF)
    assert found.date == date(2023, 5, 20)


def test_impossible_dates_are_not_invented():
    got = parse_deadline("trước ngày 31/2/2023", REF)
    assert got is None or got.date is None


@pytest.mark.parametrize("phrase, expected, text, recurrence", [
    ("trước 17h00 ngày 20/5/2023", date(2023, 5, 20), "trước 17h00 ngày 20/5/2023", None),
    ("đến hết ngày 31/5/2023", date(2023, 5, 31), "đến hết ngày 31/5/2023", None),
    ("chậm nhất là ngày 10/6", date(2023, 6, 10), "chậm nhất là ngày 10/6", None),
    ("trước 30/6", date(2023, 6, 30), "trước 30/6", None),
    ("trong tháng 12", date(2023, 12, 31), "trong tháng 12", None),
    ("trong 6 tháng đầu năm 2023", date(2023, 6, 30), "trong 6 tháng đầu năm 2023", None),
    ("trước ngày 20 của tháng cuối quý", date(2023, 6, 20), "trước ngày 20 của tháng cuối quý", "quarterly"),
])
def test_more_wordings_seen_in_notices(phrase, expected, text, recurrence):
    found = parse_deadline(phrase, REF)
    assert (found.date, found.text, found.recurrence) == (expected, text, recurrence)


def test_a_review_named_after_a_period_is_not_a_deadline():
    assert find_deadline("chuẩn bị báo cáo sơ kết 6 tháng đầu năm", REF) is None
