"""Genres beyond the conclusion notice, each rule tested on examples written for it (not the dev set)."""
from __future__ import annotations

from datetime import date

from bot.notices import parse_notice


def test_party_notice_approvals_are_not_tasks_and_the_object_of_giao_leads():
    text = ("ĐẢNG UỶ XÃ HÒA BÌNH\nSố 08-TB/ĐU\nHòa Bình, ngày 05 tháng 3 năm 2026\nTHÔNG BÁO\n"
            "KẾT LUẬN CỦA BAN THƯỜNG VỤ ĐẢNG UỶ\n"
            "Ban Thường vụ Đảng uỷ đã thảo luận và kết luận như sau:\n"
            "1. Về Kế hoạch chuyển đổi số năm 2026\n"
            "Ban Thường vụ Đảng uỷ cơ bản nhất trí với dự thảo Kế hoạch do Văn phòng Đảng uỷ trình. "
            "Giao Văn phòng Đảng uỷ tiếp thu ý kiến, hoàn chỉnh Kế hoạch, trình ký trước ngày 20/3/2026.\n"
            "2. Về công tác kiểm tra\n"
            "Thường trực Đảng uỷ giao Uỷ ban Kiểm tra Đảng uỷ xây dựng chương trình kiểm tra quý II.\n"
            "Ban Thường vụ Đảng uỷ thống nhất với Tờ trình số 12-TTr/BXDĐ của Ban Xây dựng Đảng.\n"
            "Căn cứ kết luận của Ban Thường vụ, đề nghị Đảng uỷ UBND xã,\n"
            "Văn phòng Đảng uỷ và các chi bộ nghiêm túc triển khai thực hiện./.\n"
            "Nơi nhận:\n- Như trên,\n- Lưu VPĐU.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [["Văn phòng Đảng uỷ"], ["Uỷ ban Kiểm tra Đảng uỷ"]]
    assert tasks[0].deadline == date(2026, 3, 20)


def test_a_generic_carry_out_line_is_the_closing_not_a_task():
    text = ("Kết luận như sau:\n"
            "- Phòng Nội vụ rà soát hồ sơ thi đua, trình trước ngày 10/4/2026.\n"
            "- Các phòng, ban chuyên môn và UBND các xã nghiêm túc triển khai thực hiện các nội dung trên.\n")
    assert [t.lead for t in parse_notice(text).tasks] == [["Phòng Nội vụ"]]


def test_portal_news_prose_theo_do_giao_and_a_year_from_the_posting_date():
    text = ("08:30, 14/10/2025\n"
            "Lâm Đồng: yêu cầu xử lý dứt điểm điểm sạt lở trên đèo\n"
            "UBND tỉnh Lâm Đồng vừa có văn bản chỉ đạo khắc phục sạt lở trên tuyến đèo.\n"
            "Theo đó, UBND tỉnh giao Sở Xây dựng kiểm tra hiện trạng, đề xuất phương án xử lý, "
            "gửi UBND tỉnh trước ngày 20-10. UBND huyện Lạc Dương tổ chức cắm biển cảnh báo.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [["Sở Xây dựng"], ["UBND huyện Lạc Dương"]]
    assert tasks[0].deadline == date(2025, 10, 20)


def test_objects_of_phoi_hop_and_don_doc_go_on_past_a_semicolon():
    text = ("Theo đó, giao Sở Công Thương chủ trì, phối hợp với các Sở: Tài chính, Xây dựng; UBND huyện Đức Trọng "
            "rà soát các cửa hàng xăng dầu, báo cáo trong tháng 11/2025.\n"
            "Sở Nội vụ đôn đốc các sở, ngành; Uỷ ban nhân dân các huyện hoàn thành việc sắp xếp "
            "trước ngày 30/11/2025.\n")
    tasks = parse_notice(text).tasks
    assert [t.lead for t in tasks] == [["Sở Công Thương"], ["Sở Nội vụ"]]
    assert tasks[0].deadline == date(2025, 11, 30)
    assert "UBND huyện Đức Trọng" in tasks[0].coordinate


def test_a_committee_and_its_headless_localities_stay_one_name():
    text = "Kết luận như sau:\n- Uỷ ban nhân dân thị xã và các xã rà soát diện tích đất công trong quý I/2026.\n"
    assert parse_notice(text).tasks[0].lead == ["Uỷ ban nhân dân thị xã và các xã"]


def test_a_sentence_opened_by_dong_thoi_stays_in_the_task():
    text = ("Kết luận như sau:\n- Giao Phòng Văn hóa hoàn thiện Đề án trước ngày 15/5/2026. "
            "Đồng thời tiếp tục khảo sát các di tích chưa xếp hạng.\n")
    tasks = parse_notice(text).tasks
    assert len(tasks) == 1 and "khảo sát các di tích" in tasks[0].text


def test_a_pdf_text_layer_with_glued_words_reads_like_the_clean_text():
    glued = ("Kết luận như sau:\n- Giao Văn phòng Đảng uỷchủtrì, phối hợp Ban Xây dựng Đảng hoàn thiện hồsơ nhân sự"
             "trước ngày 05/12/2025.\n")
    task = parse_notice(glued).tasks[0]
    assert task.lead == ["Văn phòng Đảng uỷ"] and task.coordinate == ["Ban Xây dựng Đảng"]
    assert task.deadline == date(2025, 12, 5)


LETTER = ("ỦY BAN NHÂN DÂN\nHUYỆN TIÊN PHƯỚC\nSố: 77/UBND-VP\nV/v kiểm tra an toàn trường học trước năm học mới\n"
          "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTiên Phước, ngày 04 tháng 8 năm 2026\n"
          "Kính gửi:\n- Phòng Giáo dục và Đào tạo;\n- UBND các xã.\n"
          "Thực hiện chỉ đạo của UBND tỉnh, UBND huyện yêu cầu các đơn vị triển khai các nội dung sau:\n"
          "1. Kiểm tra phòng học xuống cấp, báo cáo trước ngày 20/8/2026.\n"
          "2. Phòng Giáo dục và Đào tạo tổng hợp, báo cáo UBND huyện trước ngày 25/8/2026.\n"
          "Nhận được Công văn này, đề nghị các đơn vị khẩn trương triển khai thực hiện./.\n"
          "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n")


def test_an_official_letter_points_without_a_unit_go_to_whom_the_request_names():
    notice = parse_notice(LETTER)
    assert notice.document.title == "kiểm tra an toàn trường học trước năm học mới"
    assert [(t.lead, t.deadline) for t in notice.tasks] == [
        (["các đơn vị"], date(2026, 8, 20)), (["Phòng Giáo dục và Đào tạo"], date(2026, 8, 25))]
    assert notice.tasks[0].why_lead.startswith("intro:")  # the closing "Nhận được Công văn này, …" is no task


def test_portal_news_a_project_board_name_and_the_page_date_behind_a_day_without_year():
    text = ("Trang chủ > Tin tức > Chỉ đạo điều hành\nCập nhật lúc 09:05, 12/6/2026\n"
            "Chiều 11/6, Chủ tịch UBND tỉnh kiểm tra công trường. Cùng đi có lãnh đạo các sở, ngành.\n"
            "Qua báo cáo của nhà thầu, khối lượng đạt 40%. Chủ tịch UBND tỉnh biểu dương các lực lượng.\n"
            "Chủ tịch UBND tỉnh yêu cầu Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp "
            "khẩn trương hoàn thiện hồ sơ quyết toán trước ngày 15/7.\n"
            "UBND tỉnh cảm ơn các đơn vị đã phối hợp.\n")
    tasks = parse_notice(text).tasks
    assert [(t.lead, t.deadline) for t in tasks] == [
        (["Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp"], date(2026, 7, 15))]


def test_party_bodies_chi_bo_and_a_person_in_charge_are_leads():
    text = ("Thường trực Đảng uỷ kết luận như sau:\n"
            "1. Đề nghị các chi bộ rà soát đảng viên cao tuổi, gửi Văn phòng Đảng uỷ trước ngày 15/11/2025.\n"
            "2. Giao đồng chí Phó Bí thư phụ trách chỉ đạo tổng kết phong trào thi đua trong tháng 12/2025.\n"
            "3. Uỷ ban Kiểm tra Đảng uỷ giám sát việc thu nộp đảng phí.\n")
    assert [t.lead for t in parse_notice(text).tasks] == [
        ["các chi bộ"], ["đồng chí Phó Bí thư phụ trách"], ["Uỷ ban Kiểm tra Đảng uỷ"]]
