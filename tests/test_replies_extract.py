"""What a reply carries besides its intent: percent, requested date, task codes, cause, items."""
from __future__ import annotations

import json
from datetime import date

import pytest

from bot.replies import Reply, classify, intent_lines
from bot.replies.plain import normalise

MONDAY = date(2026, 5, 4)


# --- normalising chat typing -----------------------------------------------------------------

@pytest.mark.parametrize("text, plain", [
    ("Đã XONG r ạ", "da xong roi a"),
    ("đx", "da xong"),
    ("ko kịp", "khong kip"),
    ("xonggg", "xong"),
    ("đang chờ ý kiến", "dang chodoi y kien"),
    ("dang cho y kien", "dang chodoi y kien"),
    ("lỗi ht", "loi he thong"),
    ("ht", "hoan thanh"),
    ("# 17 xong", "#17 xong"),
])
def test_normalise(text, plain):
    assert normalise(text).s == plain


def test_normalised_words_quote_the_original():
    norm = normalise("Thiếu SỐ LIỆU, ạ")
    assert norm.quote(0, len("thieu so lieu")) == "Thiếu SỐ LIỆU"


# --- percent ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, pct", [
    ("đạt 70%", 70), ("được 70 phần trăm rồi", 70), ("dat 45 %", 45), ("100% rồi ạ", 100),
    ("dang tong hop 3/7 xa", 43), ("xong 7/7 xã", 100), ("được một nửa rồi anh", 50),
    ("đang làm", None), ("0%", 0),
])
def test_percent(text, pct):
    assert classify(text, MONDAY).percent == pct


def test_no_percent_for_extension_or_question():
    assert classify("xin gia hạn đến 15/5", MONDAY).percent is None
    assert classify("đạt bao nhiêu % thì báo ạ?", MONDAY).percent is None


def test_a_date_is_not_a_fraction():
    reply = classify("xin lùi đến 3/7", MONDAY)
    assert reply.percent is None and reply.until == date(2026, 7, 3)


# --- the requested date ----------------------------------------------------------------------

@pytest.mark.parametrize("text, until", [
    ("xin gia hạn đến 15/5", date(2026, 5, 15)),
    ("xin gia han den 15-5", date(2026, 5, 15)),
    ("Em xin gia hạn đến ngày 30/6/2027 ạ", date(2027, 6, 30)),
    ("xin gia hạn đến 15/5/26", date(2026, 5, 15)),
    ("xin gia hạn đến 2/5", date(2027, 5, 2)),            # already past this year: next year
    ("xin gia hạn đến ngày 20 tháng 5", date(2026, 5, 20)),
    ("xin thêm 3 ngày", date(2026, 5, 7)),
    ("xin them hai ngay", date(2026, 5, 6)),
    ("cho em nộp muộn 2 hôm được không ạ", date(2026, 5, 6)),
    ("cho em thêm 1 tuần nhé anh", date(2026, 5, 11)),
    ("xin gia han 2 tuan", date(2026, 5, 18)),
    ("cho phòng em gia hạn thêm nửa tháng", date(2026, 5, 19)),
    ("lùi sang tuần sau", date(2026, 5, 15)),             # Friday of next week
    ("cho em đến đầu tuần sau nhé anh", date(2026, 5, 11)),
    ("Dạ xin lùi sang thứ 6 ạ", date(2026, 5, 8)),
    ("xin lui sang t6", date(2026, 5, 8)),
    ("em xin nộp vào thứ 2 tuần sau được không ạ", date(2026, 5, 11)),
    ("xin lùi đến chủ nhật", date(2026, 5, 10)),
    ("xin gia hạn đến mai", date(2026, 5, 5)),
    ("xin gia hạn đến cuối tháng", date(2026, 5, 31)),
    ("em xin khất đến đầu tháng sau", date(2026, 6, 1)),
    ("xin hoãn sang tháng 7", date(2026, 7, 31)),
    ("em xin thêm thời gian đến cuối quý", date(2026, 6, 30)),
    ("xin gia hạn đến cuối năm", date(2026, 12, 31)),
    ("xin gia hạn thêm", None),
])
def test_until(text, until):
    reply = classify(text, MONDAY)
    assert reply.intent == "extension"
    assert reply.until == until


def test_weekday_on_that_same_weekday_means_next_week():
    friday = date(2026, 5, 8)
    assert classify("xin lùi sang thứ 6", friday).until == date(2026, 5, 15)


def test_until_only_for_extension():
    assert classify("Đã trình UBND ngày 20/4 ạ", MONDAY).until is None
    assert classify("đang làm, dự kiến 15/5 xong", MONDAY).until is None


# --- task codes and several tasks ------------------------------------------------------------

def test_code_anywhere():
    assert classify("#17 xong", MONDAY).codes == (17,)
    assert classify("xong #17 rồi ạ", MONDAY).codes == (17,)
    assert classify("nv12 đã hoàn thành", MONDAY).codes == (12,)
    assert classify("nhiệm vụ số 9 chưa xong", MONDAY).codes == (9,)
    assert classify("xong 3/7 xã", MONDAY).codes == ()


def test_several_tasks_in_one_message():
    reply = classify("#12 xong, #15 đang làm 50%", MONDAY)
    assert [(i.code, i.intent, i.percent) for i in reply.items] == [
        (12, "done", None), (15, "in_progress", 50)]
    assert reply.codes == (12, 15)
    assert reply.intent == "done"  # the first item's


def test_codes_sharing_words():
    reply = classify("Dạ báo cáo: #12 và #13 đã xong, #15 xin gia hạn đến 20/5", MONDAY)
    assert [(i.code, i.intent) for i in reply.items] == [(12, "done"), (13, "done"), (15, "extension")]
    assert reply.items[2].until == date(2026, 5, 20)
    trailing = classify("xong #3 #4", MONDAY)
    assert [(i.code, i.intent) for i in trailing.items] == [(3, "done"), (4, "done")]


def test_a_code_is_not_a_date_or_figure():
    reply = classify("#15 xin gia hạn thêm 3 ngày", MONDAY)
    assert reply.until == date(2026, 5, 7) and reply.codes == (15,)


# --- the cause -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, cause", [
    ("khong xong duoc vi thieu so lieu tu cac xa", "thieu so lieu tu cac xa"),
    ("chưa có kinh phí nên chưa triển khai được", "chưa có kinh phí"),
    ("dân khiếu nại nên tạm dừng ạ", "dân khiếu nại"),
    ("mưa lớn quá, không thi công được mấy hôm nay", "mưa lớn quá"),
    ("Dạ gặp khó khăn: nhà đầu tư chưa ứng kinh phí bồi thường ạ", "nhà đầu tư chưa ứng kinh phí bồi thường"),
    ("Vướng quy hoạch, đất chưa chuyển mục đích được", "Vướng quy hoạch"),
    ("Đang chờ ý kiến của lãnh đạo UBND", "chờ ý kiến của lãnh đạo UBND"),
    ("tiến độ chậm do thiếu vốn", "thiếu vốn"),
])
def test_reason_for_blocked(text, cause):
    reply = classify(text, MONDAY)
    assert reply.intent == "blocked"
    assert reply.reason == cause


def test_reason_for_extension_and_none_otherwise():
    assert classify("xin gia hạn đến 15/5 vì chờ số liệu của Sở Tài chính ạ", MONDAY).reason == \
        "chờ số liệu của Sở Tài chính"
    assert classify("xin thêm 3 ngày", MONDAY).reason is None
    assert classify("đã xong", MONDAY).reason is None
    assert classify("em đang làm, không có vướng mắc gì ạ", MONDAY).reason is None


def test_busy_is_not_blocked():
    assert classify("Dạ chưa, tuần này phòng em bận họp liên tục", MONDAY).intent == "not_done"
    assert classify("chưa làm được vì bận", MONDAY).intent == "not_done"


# --- output shape ----------------------------------------------------------------------------

def test_to_json_shape():
    data = classify("#7 xin gia hạn đến 15/5 vì thiếu kinh phí", MONDAY).to_json()
    assert data == {"text": "#7 xin gia hạn đến 15/5 vì thiếu kinh phí", "intent": "extension",
                    "percent": None, "until": "2026-05-15", "codes": [7], "reason": "thiếu kinh phí"}
    json.dumps(data)


def test_intent_lines_one_object_per_line():
    out = list(intent_lines(["đã xong\n", "đạt 70% rồi anh\r\n", "\n"], MONDAY))
    assert len(out) == 3
    rows = [json.loads(line) for line in out]
    assert [r["intent"] for r in rows] == ["done", "in_progress", "other"]
    assert rows[1]["percent"] == 70 and rows[0]["text"] == "đã xong"
    assert "đạt" in out[1]  # ensure_ascii=False keeps Vietnamese readable


def test_reply_is_frozen():
    reply = classify("ok", MONDAY)
    assert isinstance(reply, Reply)
    with pytest.raises(AttributeError):
        reply.intent = "done"
