"""PDF repair: words a text layer ran together, codes cut at a line break (own examples)."""
from __future__ import annotations

import pytest

from bot.notices.cleaning import clean_text, repair_glued_words


@pytest.mark.parametrize("glued, repaired", [
    ("Giao Phòng Nội vụchủtrì rà soát", "Giao Phòng Nội vụ chủ trì rà soát"),
    ("báo cáo Uỷban nhân dân xã", "báo cáo Uỷ ban nhân dân xã"),
    ("Chi bộthôn Tân Lập", "Chi bộ thôn Tân Lập"),
    ("Văn phòng Đảng uỷxã", "Văn phòng Đảng uỷ xã"),
    ("nhiệm vụtừ nay đến cuối năm", "nhiệm vụ từ nay đến cuối năm"),  # vụ|từ, not vụt|ừ
    ("giữvững kỷcương", "giữ vững kỷ cương"),  # giữ|vững, not gi|ữ|vững
    ("Đảng uỷUBND xã", "Đảng uỷ UBND xã"),
    ("đồng chí LêThịHoa", "đồng chí Lê Thị Hoa"),
    ("nhiệm kỳ2026 – 2031", "nhiệm kỳ 2026 – 2031"),
    ("chếđộbáo cáo", "chế độ báo cáo"),
])
def test_glued_words_are_split_into_syllables(glued, repaired):
    assert repair_glued_words(glued) == repaired


@pytest.mark.parametrize("text", [
    "người khuyến khích chuyển nghiêng", "huyện Khánh Vĩnh, thuỷ lợi, khoẻ", "quý III/2025 và TP.HCM",
    "gửi qua Zalo, email, iPhone, eGov", "Trường THCS Nguyễn Huệ", "MTTQVN và TTr/BXDĐ",
])
def test_real_words_names_and_codes_are_left_alone(text):
    assert repair_glued_words(text) == text


def test_a_code_cut_at_its_hyphen_is_joined_and_broken_sentences_rejoin():
    text = "Theo Tờ trình số 12/TTr-\nBQP ngày 02/3/2026 của Ban Quản lý, đề nghị Văn phòng\nrà soát lại.\n"
    assert clean_text(text) == ("Theo Tờ trình số 12/TTr-BQP ngày 02/3/2026 của Ban Quản lý, "
                                "đề nghị Văn phòng rà soát lại.\n")
