"""The notice parser on our own notices (several styles), on the sample notice of ../shared, and its JSON shape."""
import json
from datetime import date
from pathlib import Path

import pytest

from bot.notices import looks_like_notice, parse_notice
from tests.conftest import shared_path

FIXTURES = Path(__file__).parent / "fixtures"
NOTICES = sorted(p.stem for p in FIXTURES.glob("*.txt"))
TASK_FIELDS = ("section", "subsection", "lead", "coordinate", "deadline", "deadline_text", "recurrence")


@pytest.mark.parametrize("name", NOTICES)
def test_own_notices_parse_as_a_clerk_would(name):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    got = parse_notice((FIXTURES / f"{name}.txt").read_text(encoding="utf-8")).to_json()
    assert got["document"] == expected["document"]
    assert len(got["tasks"]) == len(expected["tasks"]), [t["text"][:60] for t in got["tasks"]]
    for index, (g, e) in enumerate(zip(got["tasks"], expected["tasks"], strict=True)):
        assert {k: g[k] for k in TASK_FIELDS} == {k: e[k] for k in TASK_FIELDS}, f"task {index}: {g['text'][:80]}"
        assert g["text"].startswith(e["text"]), f"task {index}"


def test_json_shape_is_exact():
    got = parse_notice((FIXTURES / "huyen_roman.txt").read_text(encoding="utf-8")).to_json()
    assert list(got) == ["document", "tasks"]
    assert list(got["document"]) == ["number", "title", "issuer", "issued_date", "meeting_date", "report_deadline"]
    assert all(list(t) == ["section", "subsection", "lead", "coordinate", "text", "deadline", "deadline_text",
                           "recurrence"] for t in got["tasks"])
    json.dumps(got, ensure_ascii=False)  # only JSON types


def test_chain_gives_two_tasks_and_recipients_are_not_units():
    text = ("Chủ tịch UBND huyện kết luận như sau:\n"
            "- UBND các xã gửi danh sách hộ nghèo về Phòng Lao động - Thương binh và Xã hội trước ngày 10/5/2024. "
            "Phòng Lao động - Thương binh và Xã hội tổng hợp, báo cáo UBND huyện trước ngày 20/5/2024.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [["UBND các xã"], ["Phòng Lao động - Thương binh và Xã hội"]]
    assert [t.deadline for t in tasks] == [date(2024, 5, 10), date(2024, 5, 20)]
    assert all(t.coordinate == [] for t in tasks)


def test_giao_inside_a_bullet_splits_off_the_follow_up_unit():
    text = ("Kết luận như sau:\n"
            "- Đề nghị Bảo hiểm xã hội huyện chủ trì, phối hợp các ngành liên quan phát triển người tham gia "
            "bảo hiểm y tế, giao Phòng Y tế theo dõi, đôn đốc, nhắc nhở UBND các xã thực hiện.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [["Bảo hiểm xã hội huyện"], ["Phòng Y tế"]]
    assert tasks[0].coordinate == ["các ngành liên quan"]
    assert tasks[1].coordinate == []  # objects of "đôn đốc, nhắc nhở" are not coordinating units


def test_units_named_in_a_heading_lead_the_paragraphs_under_it():
    text = ("Kết luận như sau:\n"
            "1. Công an huyện, Ban Chỉ huy Quân sự huyện\n"
            "Tăng cường tuần tra, kiểm soát địa bàn dịp Tết Nguyên đán; báo cáo kết quả trước ngày 15/02/2024.\n"
            "2. Phòng Y tế\n"
            "Kiểm tra an toàn thực phẩm trong tháng 1/2024.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [["Công an huyện", "Ban Chỉ huy Quân sự huyện"], ["Phòng Y tế"]]
    assert [t.deadline for t in tasks] == [date(2024, 2, 15), date(2024, 1, 31)]


def test_a_deadline_line_after_a_task_belongs_to_it():
    text = ("Ngã Ba, ngày 04 tháng 3 năm 2024\nKết luận như sau:\n"
            "a) Giao Phòng Tư pháp rà soát các văn bản quy phạm pháp luật hết hiệu lực.\n"
            "Thời hạn: trước ngày 30/4/2024.\n"
            "b) Phòng Nội vụ tham mưu kiện toàn Ban Chỉ đạo cải cách hành chính huyện.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [["Phòng Tư pháp"], ["Phòng Nội vụ"]]
    assert tasks[0].deadline == date(2024, 4, 30) and tasks[0].deadline_text == "trước ngày 30/4/2024"
    assert tasks[1].deadline is None


def test_enumerated_members_replace_the_collective():
    text = ("Kết luận như sau:\n"
            "- Giao các phòng chuyên môn (Phòng Kinh tế, Phòng Tài chính - Kế hoạch, Phòng Nội vụ) rà soát "
            "thủ tục hành chính; báo cáo trong quý II/2024.\n")
    task = parse_notice(text).tasks[0]
    assert task.lead == ["Phòng Kinh tế", "Phòng Tài chính - Kế hoạch", "Phòng Nội vụ"]
    assert task.deadline == date(2024, 6, 30)


def test_looks_like_notice():
    assert looks_like_notice((FIXTURES / "tinh_so.txt").read_text(encoding="utf-8"))
    assert looks_like_notice((FIXTURES / "portal_paste.txt").read_text(encoding="utf-8"))
    assert not looks_like_notice("Đơn vị,Nhiệm vụ,Thời hạn\nPhòng Kinh tế,Rà soát,30/04/2023\n")
    assert not looks_like_notice("Đơn vị\tNhiệm vụ\tThời hạn\nPhòng Nội vụ\tTham mưu\t15/05/2023\n")
    assert not looks_like_notice("Hôm nay trời đẹp, cả nhà đi chơi công viên.")
    assert not looks_like_notice("")


def test_empty_and_noise_only_text_gives_no_tasks():
    assert parse_notice("").tasks == []
    assert parse_notice("Trang chủ | Giới thiệu | Liên hệ\nĐăng ngày 01/01/2024").tasks == []


# ---- the sample notice and the clerk's answer (../shared; skipped without it) -------------------

def _sample():
    text = shared_path("samples", "seed-notice.txt").read_text(encoding="utf-8")
    labels = json.loads(shared_path("samples", "seed-notice.labels.json").read_text(encoding="utf-8"))
    return parse_notice(text), labels


def test_sample_notice_matches_the_clerk(capsys):
    notice, labels = _sample()
    got = notice.to_json()
    doc = got["document"]
    assert (doc["issuer"], doc["issued_date"], doc["meeting_date"], doc["report_deadline"]) == (
        labels["issuer"], labels["issued_date"], labels["meeting_date"], labels["default_report_deadline"])
    tasks, expected = got["tasks"], labels["tasks"]
    # align by order; a task "matches" when its lead is the clerk's and its text contains the clerk's action
    matched = sum(1 for g, e in zip(tasks, expected, strict=False)
                  if g["lead"] == e["lead"] and e["action"][:40] in g["text"])
    leads = sum(1 for g, e in zip(tasks, expected, strict=False) if g["lead"] == e["lead"])
    coords = sum(1 for g, e in zip(tasks, expected, strict=False) if g["coordinate"] == e["coordinate"])
    deadlines = sum(1 for g, e in zip(tasks, expected, strict=False)
                    if (g["deadline"], g["deadline_text"], g["recurrence"])
                    == (e["deadline"], e["deadline_text"], e["recurrence"]))
    sections = sum(1 for g, e in zip(tasks, expected, strict=False)
                   if (g["section"], g["subsection"]) == (e["section"], e["subsection"]))
    with capsys.disabled():
        print(f"\nsample notice: {len(tasks)} tasks found / {len(expected)} labelled, {matched} matched, "
              f"lead {leads}/{len(expected)}, coordinate {coords}/{len(expected)}, "
              f"deadline {deadlines}/{len(expected)}, section {sections}/{len(expected)}")
    assert len(tasks) == len(expected)
    assert matched == leads == coords == deadlines == sections == len(expected)


def test_sample_units_match_the_directory():
    from bot.notices import UnitEntry, match_units

    notice, _ = _sample()
    units = json.loads(shared_path("samples", "units.json").read_text(encoding="utf-8"))
    directory = [UnitEntry(u["name"], u.get("aliases", []), u.get("kind", "department"), u.get("members", []))
                 for u in units]
    result = match_units(notice.units, directory)
    assert result.unknown == []
    assert len(result.matched["UBND các xã, phường"]) == 8


def test_a_heading_that_only_names_the_unit_leads_the_paragraphs_below():
    text = ("Chủ tịch UBND tỉnh yêu cầu:\n"
            "1. Giao Sở Y tế\n"
            "Chủ trì, phối hợp với Bảo hiểm xã hội tỉnh rà soát danh mục thuốc; báo cáo trước ngày 15/8/2025.\n"
            "2. Tổ chức thực hiện\n"
            "Thủ trưởng các sở, ban, ngành tỉnh; Chủ tịch UBND các huyện, thành phố; người đứng đầu các cơ quan, "
            "đơn vị có liên quan chịu trách nhiệm rà soát số thuốc tồn kho.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [
        ["Sở Y tế"],
        ["Thủ trưởng các sở, ban, ngành tỉnh", "Chủ tịch UBND các huyện, thành phố",
         "người đứng đầu các cơ quan, đơn vị có liên quan"],
    ]
    assert tasks[0].coordinate == ["Bảo hiểm xã hội tỉnh"] and tasks[0].deadline == date(2025, 8, 15)
    assert [t.section for t in tasks] == ["1. Giao Sở Y tế", "2. Tổ chức thực hiện"]


def test_members_named_after_a_colon_stay_with_their_collective():
    text = ("Kết luận như sau:\n- Giao các sở, ngành liên quan và UBND các phường: Đông Hà, Tây Sơn tăng cường "
            "kiểm tra việc chấp hành pháp luật về đất đai.\n")
    assert parse_notice(text).tasks[0].lead == ["các sở, ngành liên quan", "UBND các phường: Đông Hà, Tây Sơn"]


def test_rooms_meetings_and_procedures_are_not_units():
    text = ("Kết luận như sau:\n"
            "- Hội nghị thống nhất thông qua dự thảo Kế hoạch.\n"
            "- Phòng họp số 3 được bố trí cho cuộc họp tiếp theo.\n"
            "- Tổ chức thực hiện nghiêm túc các nội dung trên.\n"
            "- Hội Nông dân huyện vận động hội viên tham gia mô hình liên kết.\n")
    assert [t.lead for t in parse_notice(text).tasks] == [["Hội Nông dân huyện"]]


def test_pdf_lines_of_a_heading_are_not_glued_to_its_paragraph():
    from bot.notices import read_document
    from tests.notices.helpers import text_pdf

    lines = ["Chu tich UBND tinh yeu cau cac co quan, don vi thuc hien nhung noi dung sau day nhu sau:",
             "1. Giao So Xay dung",
             "Chu tri tham muu ke hoach kiem tra cac cong trinh xay dung tren dia ban tinh, bao cao ket",
             "qua thuc hien ve UBND tinh truoc ngay 30/9/2025 de tong hop."]
    text = read_document(text_pdf(lines), "cv.pdf")
    assert "\n1. Giao So Xay dung\nChu tri tham muu" in text
    assert "bao cao ket qua thuc hien" in text
