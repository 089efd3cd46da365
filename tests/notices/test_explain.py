"""`nhacviec parse --explain`: which rule found each task, why its units and deadline (own examples)."""
from __future__ import annotations

from bot.notices import parse_notice
from bot.notices.explain import render_explanation

NOTICE = ("ỦY BAN NHÂN DÂN XÃ AN PHÚ\nSố: 14/TB-UBND\nAn Phú, ngày 24 tháng 4 năm 2026\nTHÔNG BÁO\n"
          "Kết luận của Chủ tịch UBND xã tại cuộc họp ngày 22/4/2026\nChủ tịch UBND xã kết luận như sau:\n"
          "1. Giao Công chức Tư pháp - Hộ tịch\n"
          "Rà soát hồ sơ chứng thực trong 10 ngày làm việc kể từ ngày ký.\n"
          "2. Công an xã phối hợp Ban Chỉ huy Quân sự xã tuần tra, báo cáo trước Tết Nguyên đán.\n"
          "3. Đề nghị Hội Nông dân xã vận động hội viên tham gia bảo hiểm.\n")


def test_each_task_says_which_rule_found_it_and_why_its_deadline():
    notice = parse_notice(NOTICE)
    assert [(t.why_lead, t.why_deadline) for t in notice.tasks] == [
        ("heading:1. Giao Công chức Tư pháp - Hộ tịch", "working_days"), ("subject", "tet"),
        ("trigger:Đề nghị", None)]
    text = render_explanation(notice, "en")
    assert "reckoned from 24/04/2026" in text
    assert "the unit(s) named in the heading «1. Giao Công chức Tư pháp - Hộ tịch»" in text
    # 27/4 (Hùng Kings, observed), 30/4 and 1/5 are days off: ten working days end on 13/5
    assert "«trong 10 ngày làm việc kể từ ngày ký» → 13/05/2026 — working days counted" in text
    assert "Coordinating: Ban Chỉ huy Quân sự xã — after «phối hợp»" in text
    assert "the unit(s) after «Đề nghị»" in text
    assert "Deadline: none written" in text


def test_the_explanation_is_in_the_users_language():
    text = render_explanation(parse_notice(NOTICE), "vi")
    assert "Chủ trì: Công an xã — câu mở đầu bằng (các) đơn vị thực hiện" in text
    assert "trước Tết: ngày làm việc cuối cùng trước kỳ nghỉ Tết" in text
