"""Status categories at their boundaries, time zones, the JSON shape, and the texts in vi and en."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.reports.status import (
    CATEGORIES,
    AssignmentRow,
    categorize,
    render_digest,
    render_overdue,
    render_status,
    render_unit_status,
    status_json,
    summarize,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7, no daylight saving
DEADLINE = date(2026, 11, 20)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=HCM)


AS_OF = local(2026, 11, 24, 8, 0)

# --------------------------------------------------------------------------- categories


def test_done_on_the_deadline_day_at_23_59_local_is_on_time():
    done_at = local(2026, 11, 20, 23, 59).astimezone(timezone.utc)  # 16:59 UTC
    assert categorize("done", done_at, DEADLINE, AS_OF, HCM) == "done_on_time"


def test_done_the_next_day_at_00_01_local_is_late():
    done_at = local(2026, 11, 21, 0, 1).astimezone(timezone.utc)  # still 20/11 in UTC
    assert done_at.date() == DEADLINE
    assert categorize("done", done_at, DEADLINE, AS_OF, HCM) == "done_late"


def test_done_early_is_on_time():
    assert categorize("done", local(2026, 11, 1, 9, 0), DEADLINE, AS_OF, HCM) == "done_on_time"


def test_deadline_today_is_in_time_all_day():
    for hour, minute in ((0, 0), (8, 0), (23, 59)):
        as_of = local(2026, 11, 20, hour, minute)
        assert categorize("open", None, DEADLINE, as_of, HCM) == "open_in_time"
    assert categorize("open", None, DEADLINE, local(2026, 11, 21, 0, 0), HCM) == "open_overdue"


def test_as_of_is_read_in_local_time():
    # 17:30 UTC on the 20th is 00:30 on the 21st in Hà Nội: the deadline has passed there.
    as_of = datetime(2026, 11, 20, 17, 30, tzinfo=timezone.utc)
    assert categorize("in_progress", None, DEADLINE, as_of, HCM) == "open_overdue"
    assert categorize("in_progress", None, DEADLINE, as_of, timezone.utc) == "open_in_time"


@pytest.mark.parametrize("status", ["open", "in_progress", "blocked", "awaiting_confirmation"])
def test_every_status_but_done_is_open(status):
    done_at = local(2026, 11, 19, 10, 0)  # even with a done_at (e.g. awaiting confirmation)
    assert categorize(status, done_at, DEADLINE, AS_OF, HCM) == "open_overdue"
    assert categorize(status, done_at, date(2026, 12, 1), AS_OF, HCM) == "open_in_time"


@pytest.mark.parametrize("status", ["open", "done", "blocked"])
def test_no_deadline_is_counted_apart(status):
    assert categorize(status, local(2026, 11, 2, 8, 0), None, AS_OF, HCM) == "no_deadline"


def test_done_without_a_time_is_judged_by_as_of():
    assert categorize("done", None, date(2026, 11, 30), AS_OF, HCM) == "done_on_time"
    assert categorize("done", None, DEADLINE, AS_OF, HCM) == "done_late"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        categorize("open", None, DEADLINE, datetime(2026, 11, 24, 8, 0), HCM)
    with pytest.raises(ValueError):
        categorize("done", datetime(2026, 11, 19, 8, 0), DEADLINE, AS_OF, HCM)


# --------------------------------------------------------------------------- summary

KT = "Phòng Kinh tế thị xã"
P1 = "UBND Phường 1"
P2 = "UBND Phường 2"


def sample_rows() -> list[AssignmentRow]:
    return [
        AssignmentRow(17, KT, "Giải ngân vốn đầu tư công", date(2026, 11, 10), "in_progress", None, "đạt 60%"),
        AssignmentRow(18, KT, "Thu ngân sách", date(2026, 11, 15), "blocked", None, "thiếu kinh phí"),
        AssignmentRow(19, KT, "Lập kế hoạch năm 2027", date(2026, 12, 10), "open"),
        AssignmentRow(20, P1, "Dọn vệ sinh", date(2026, 11, 1), "done", local(2026, 10, 30, 10, 0), "xong"),
        AssignmentRow(21, P1, "Báo cáo dân số", date(2026, 11, 1), "done", local(2026, 11, 3, 10, 0)),
        AssignmentRow(22, P2, "Theo dõi an ninh", None, "open"),
        AssignmentRow(23, P2, "Kiểm tra chợ", date(2026, 11, 20), "awaiting_confirmation", local(2026, 11, 19, 9)),
        AssignmentRow(24, P2, "Tổng kết phong trào", None, "done", local(2026, 11, 5, 9)),
        AssignmentRow(9, P1, "Đo đạc", date(2026, 11, 24), "open"),
    ]


@pytest.fixture
def summary():
    return summarize(sample_rows(), AS_OF, HCM)


def test_summary_totals_and_units(summary):
    assert summary.totals == {
        "done_on_time": 1, "done_late": 1, "open_in_time": 2, "open_overdue": 3, "no_deadline": 2
    }
    assert summary.total == 9
    assert summary.units[KT] == {
        "done_on_time": 0, "done_late": 0, "open_in_time": 1, "open_overdue": 2, "no_deadline": 0
    }
    assert summary.units[P1]["done_late"] == 1 and summary.units[P1]["open_in_time"] == 1
    assert summary.no_deadline_done == 1


def test_completion_rate_counts_only_tasks_with_a_deadline(summary):
    assert (summary.done_with_deadline, summary.with_deadline) == (2, 7)
    assert summary.completion_percent == 29  # 2/7 = 28.6%


def test_completion_rate_without_deadlines_is_none():
    rows = [AssignmentRow(1, KT, "x", None, "done", AS_OF)]
    assert summarize(rows, AS_OF, HCM).completion_percent is None


def test_top_overdue_units_and_overdue_list(summary):
    assert summary.top_overdue_units() == [(KT, 2), (P2, 1)]
    assert [item.row.code for item in summary.overdue()] == [17, 18, 23]  # oldest deadline first


def test_empty_summary():
    empty = summarize([], AS_OF, HCM)
    assert empty.total == 0 and empty.top_overdue_units() == [] and empty.completion_percent is None
    assert status_json(empty)["totals"] == dict.fromkeys(CATEGORIES, 0)


# --------------------------------------------------------------------------- JSON


def test_status_json_shape_exactly(summary):
    document = json.loads(json.dumps(status_json(summary), ensure_ascii=False))
    assert list(document) == ["as_of", "totals", "units", "assignments"]
    assert datetime.fromisoformat(document["as_of"]) == AS_OF
    assert set(document["totals"]) == set(CATEGORIES)
    assert sum(document["totals"].values()) == 9
    for unit in document["units"]:
        assert set(unit) == {"unit", *CATEGORIES}
    assert [u["unit"] for u in document["units"]] == [KT, P1, P2]
    for item in document["assignments"]:
        assert set(item) == {"code", "unit", "task", "deadline", "status", "category", "last_report"}
        assert item["category"] in CATEGORIES
    first = document["assignments"][0]
    assert first == {
        "code": "#9", "unit": P1, "task": "Đo đạc", "deadline": "2026-11-24",
        "status": "open", "category": "open_in_time", "last_report": None,
    }
    by_code = {item["code"]: item for item in document["assignments"]}
    assert by_code["#22"]["deadline"] is None and by_code["#22"]["category"] == "no_deadline"
    assert by_code["#17"]["last_report"] == "đạt 60%"
    assert by_code["#23"]["category"] == "open_overdue"


# --------------------------------------------------------------------------- texts


def test_render_status_vi(summary):
    text = render_status(summary, "vi", HCM)
    assert "08:00 24/11/2026" in text
    for line in (
        "Đã hoàn thành đúng hạn: 1",
        "Đã hoàn thành quá hạn: 1",
        "Chưa hoàn thành, còn trong hạn: 2",
        "Chưa hoàn thành, quá hạn: 3",
        "Không có thời hạn: 2 (đã hoàn thành 1)",
        "Tỷ lệ hoàn thành: 29% (2/7 nhiệm vụ có thời hạn)",
        f"1. {KT}: 2 quá hạn",
        f"2. {P2}: 1 quá hạn",
    ):
        assert line in text, line
    assert P1 + ":" not in text  # no overdue task: not among the top units


def test_render_status_en(summary):
    text = render_status(summary, "en", HCM)
    assert "Done on time: 1" in text and "Not done, overdue: 3" in text
    assert "Completion rate: 29% (2/7 tasks with a deadline)" in text
    assert f"1. {KT}: 2 overdue" in text


def test_render_status_lists_at_most_five_units():
    rows = [AssignmentRow(i, f"Đơn vị {i:02d}", "x", date(2026, 11, 1), "open") for i in range(1, 9)]
    rows += [AssignmentRow(100, "Đơn vị 08", "y", date(2026, 11, 2), "open")]
    text = render_status(summarize(rows, AS_OF, HCM), "vi", HCM)
    assert "1. Đơn vị 08: 2 quá hạn" in text
    assert "5. Đơn vị 04: 1 quá hạn" in text and "6." not in text


def test_render_status_nothing_overdue():
    rows = [AssignmentRow(1, KT, "x", date(2026, 12, 1), "open")]
    assert "Không có nhiệm vụ quá hạn." in render_status(summarize(rows, AS_OF, HCM), "vi", HCM)


def test_render_unit_status(summary):
    vi = render_unit_status(summary, KT, "vi", HCM)
    lines = vi.splitlines()
    assert KT in lines[0]
    codes = [line.split()[0] for line in lines if line.startswith("#")]
    assert codes == ["#17", "#18", "#19"]  # overdue (oldest first), then in time
    assert "#17 Giải ngân vốn đầu tư công — hạn 10/11/2026 — quá hạn 14 ngày, đang thực hiện" in vi
    assert "#18 Thu ngân sách — hạn 15/11/2026 — quá hạn 9 ngày, vướng mắc" in vi
    assert "#19 Lập kế hoạch năm 2027 — hạn 10/12/2026 — chưa báo cáo" in vi
    en = render_unit_status(summary, P1, "en", HCM)
    assert "#20 Dọn vệ sinh — due 01/11/2026 — done on 30/10/2026 (on time)" in en
    assert "#21 Báo cáo dân số — due 01/11/2026 — done on 03/11/2026 (late)" in en
    assert en.index("#9 ") < en.index("#20 ")  # open before done
    assert "Chưa có" not in en


def test_render_unit_status_unknown_unit(summary):
    assert render_unit_status(summary, "Phòng Ma", "vi", HCM) == "Đơn vị «Phòng Ma» chưa có nhiệm vụ nào."
    assert render_unit_status(summary, "Phòng Ma", "en", HCM) == "Unit «Phòng Ma» has no tasks."


def test_render_overdue(summary):
    vi = render_overdue(summary, "vi", HCM)
    assert vi.splitlines()[0] == "Nhiệm vụ quá hạn: 3 (đến 08:00 24/11/2026)"
    assert vi.index(KT) < vi.index(P2)
    assert "#23 Kiểm tra chợ — hạn 20/11/2026 — quá hạn 4 ngày, chờ xác nhận" in vi
    assert "#19" not in vi and "#9 " not in vi
    en = render_overdue(summary, "en", HCM)
    assert en.startswith("Overdue tasks: 3") and "overdue by 14 day(s)" in en


def test_render_overdue_is_cut_for_a_phone_screen():
    rows = [AssignmentRow(i, f"Đơn vị {i % 7}", f"Việc {i}", date(2026, 10, 1), "open") for i in range(60)]
    text = render_overdue(summarize(rows, AS_OF, HCM), "vi", HCM)
    assert sum(line.startswith("#") for line in text.splitlines()) == 25
    assert text.endswith("… và 35 mục khác")


def test_render_overdue_when_none():
    text = render_overdue(summarize([], AS_OF, HCM), "vi", HCM)
    assert text == "Đến 08:00 24/11/2026, không có nhiệm vụ quá hạn."


def test_long_task_texts_are_shortened(summary):
    rows = [AssignmentRow(1, KT, "rất dài " * 40, date(2026, 11, 1), "open")]
    line = [s for s in render_overdue(summarize(rows, AS_OF, HCM), "vi", HCM).splitlines() if s.startswith("#1")][0]
    assert "…" in line and len(line) < 140


def test_render_digest(summary):
    reports = [
        (21, P1, "done", "Đã xong, gửi báo cáo qua email", local(2026, 11, 3, 10, 0).astimezone(timezone.utc)),
        (17, KT, "in_progress", "đạt 60%", local(2026, 11, 2, 9, 30)),
        (18, KT, "blocked", "thiếu kinh phí", local(2026, 11, 12, 14, 0)),
        ("#23", P2, "something_new", "", local(2026, 11, 19, 9, 0)),
    ]
    vi = render_digest(summary, reports, date(2026, 11, 28), "vi", HCM)
    assert "cuộc họp ngày 28/11/2026" in vi
    assert "Số liệu đến 08:00 24/11/2026" in vi
    assert "Chưa hoàn thành, quá hạn: 3" in vi
    assert "Tỷ lệ hoàn thành: 29% (2/7 nhiệm vụ có thời hạn)" in vi
    assert f"- {KT}: 2 quá hạn" in vi and f"- {P2}: 1 quá hạn" in vi
    assert "Báo cáo mới từ kỳ tổng hợp trước: 4" in vi
    assert f"- #17 {KT} — đang thực hiện: «đạt 60%» (09:30 02/11/2026)" in vi
    assert f"- #21 {P1} — đã hoàn thành: «Đã xong, gửi báo cáo qua email» (10:00 03/11/2026)" in vi
    assert f"- #23 {P2} — báo cáo (09:00 19/11/2026)" in vi
    assert vi.index("#17") < vi.index("#21") < vi.index("#18")  # in time order
    en = render_digest(summary, reports, date(2026, 11, 28), "en", HCM)
    assert "meeting on 28/11/2026" in en and "Reported since the last summary: 4" in en
    assert f"- #18 {KT} — blocked: «thiếu kinh phí»" in en


def test_render_digest_without_reports():
    text = render_digest(summarize([], AS_OF, HCM), [], date(2026, 11, 28), "en", HCM)
    assert "Nothing was reported since the last summary." in text
    assert "Completion rate: no task has a deadline yet" in text


def test_texts_use_the_given_time_zone(summary):
    utc_text = render_status(summary, "en", timezone.utc)
    assert "01:00 24/11/2026" in utc_text  # 08:00 in Hà Nội


def test_every_text_fits_telegram(summary):
    rows = [
        AssignmentRow(i, f"Đơn vị số {i % 50}", "Nhiệm vụ " * 20, date(2026, 10, 1) + timedelta(days=i % 90),
                      ("open", "done", "in_progress")[i % 3], local(2026, 11, 1, 9) if i % 3 == 1 else None)
        for i in range(3000)
    ]
    big = summarize(rows, AS_OF, HCM)
    reports = [(i, "Đơn vị số 1", "done", "xong " * 50, local(2026, 11, 1, 9)) for i in range(100)]
    for lang in ("vi", "en"):
        for text in (
            render_status(big, lang, HCM),
            render_unit_status(big, "Đơn vị số 1", lang, HCM),
            render_overdue(big, lang, HCM),
            render_digest(big, reports, date(2026, 11, 28), lang, HCM),
        ):
            assert 0 < len(text) <= 4096


def test_summarize_agrees_with_categorize_on_random_rows():
    import random

    rng = random.Random(2026)
    zones = (HCM, timezone.utc, ZoneInfo("America/New_York"))
    rows = []
    for code in range(2000):
        deadline = None if rng.random() < 0.15 else date(2026, 11, 24) + timedelta(days=rng.randint(-5, 5))
        status = rng.choice(["open", "in_progress", "blocked", "awaiting_confirmation", "done", "done"])
        done_at = None
        if rng.random() < 0.8:
            done_at = datetime(2026, 11, 24, tzinfo=rng.choice(zones)) + timedelta(minutes=rng.randint(-9000, 2000))
        rows.append(AssignmentRow(code, f"Đơn vị {code % 13}", "x", deadline, status, done_at))
    for as_of in (AS_OF, local(2026, 11, 24, 23, 59), datetime(2026, 11, 24, 17, 1, tzinfo=timezone.utc)):
        summary = summarize(iter(rows), as_of, HCM)
        expected = [categorize(r.status, r.done_at, r.deadline, as_of, HCM) for r in rows]
        assert summary.categories == expected
        assert summary.totals == {c: expected.count(c) for c in CATEGORIES}
        for unit, counts in summary.units.items():
            mine = [c for r, c in zip(rows, expected, strict=True) if r.unit == unit]
            assert counts == {c: mine.count(c) for c in CATEGORIES}
        assert [i.row.code for i in summary.items] == sorted(r.code for r in rows)
        assert len(summary.overdue()) == summary.totals["open_overdue"]
