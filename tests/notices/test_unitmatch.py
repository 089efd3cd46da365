"""Matching names as written in a notice to the unit directory."""
from bot.notices import UnitEntry, match_units, unit_key

COMMUNES = ["UBND xã Tân Lập", "UBND xã Hòa Bình", "UBND phường Trung Tâm", "UBND thị trấn Phú Lộc"]
DIRECTORY = [
    UnitEntry("Phòng Tài chính - Kế hoạch huyện", ["Phòng TC-KH"], "department"),
    UnitEntry("Phòng Tài nguyên và Môi trường huyện", [], "department"),
    UnitEntry("Phòng Lao động - Thương binh và Xã hội huyện", [], "department"),
    UnitEntry("Phòng Văn hóa - Thông tin huyện", [], "department"),
    UnitEntry("Phòng Giáo dục và Đào tạo huyện", [], "department"),
    UnitEntry("Công an huyện", ["Công an"], "agency"),
    UnitEntry("Hội Nông dân huyện", [], "other"),
    *[UnitEntry(name, [], "commune") for name in COMMUNES],
    UnitEntry("Các xã, thị trấn", ["UBND các xã, thị trấn", "Ủy ban nhân dân các xã, thị trấn"], "collective", COMMUNES),  # noqa: E501
]


def test_abbreviations_and_spellings():
    names = ["Phòng TC-KH", "Phòng TN&MT", "Phòng LĐ-TB&XH", "Phòng VH-TT", "Phòng GD&ĐT huyện",
             "phòng tài chính kế hoạch", "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Phong Lao dong - Thuong binh va Xa hoi"]
    result = match_units(names, DIRECTORY)
    assert result.matched == {
        "Phòng TC-KH": ["Phòng Tài chính - Kế hoạch huyện"],
        "Phòng TN&MT": ["Phòng Tài nguyên và Môi trường huyện"],
        "Phòng LĐ-TB&XH": ["Phòng Lao động - Thương binh và Xã hội huyện"],
        "Phòng VH-TT": ["Phòng Văn hóa - Thông tin huyện"],
        "Phòng GD&ĐT huyện": ["Phòng Giáo dục và Đào tạo huyện"],
        "phòng tài chính kế hoạch": ["Phòng Tài chính - Kế hoạch huyện"],
        "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG": ["Phòng Tài nguyên và Môi trường huyện"],
        "Phong Lao dong - Thuong binh va Xa hoi": ["Phòng Lao động - Thương binh và Xã hội huyện"],
    }
    assert result.unknown == []


def test_committee_spellings_and_trailing_place():
    names = ["Uỷ ban nhân dân xã Tân Lập", "Ủy ban nhân dân xã Hòa Bình", "xã Tân Lập", "UBND Thị trấn Phú Lộc",
             "Công an thị xã", "Hội Nông dân"]
    result = match_units(names, DIRECTORY)
    assert result.matched["Uỷ ban nhân dân xã Tân Lập"] == ["UBND xã Tân Lập"]
    assert result.matched["Ủy ban nhân dân xã Hòa Bình"] == ["UBND xã Hòa Bình"]
    assert result.matched["xã Tân Lập"] == ["UBND xã Tân Lập"]
    assert result.matched["UBND Thị trấn Phú Lộc"] == ["UBND thị trấn Phú Lộc"]
    assert result.matched["Công an thị xã"] == ["Công an huyện"]
    assert result.matched["Hội Nông dân"] == ["Hội Nông dân huyện"]


def test_collectives_expand_to_members():
    result = match_units(["UBND các xã, thị trấn", "Chủ tịch UBND các xã, thị trấn"], DIRECTORY)
    assert result.matched["UBND các xã, thị trấn"] == COMMUNES
    assert result.matched["Chủ tịch UBND các xã, thị trấn"] == COMMUNES


def test_generic_collectives_without_a_directory_entry_use_unit_kinds():
    directory = [e for e in DIRECTORY if e.kind != "collective"]
    result = match_units(["UBND các xã, phường, thị trấn", "các phòng, ban, ngành huyện"], directory)
    assert result.matched["UBND các xã, phường, thị trấn"] == COMMUNES
    assert "Phòng Tài chính - Kế hoạch huyện" in result.matched["các phòng, ban, ngành huyện"]
    assert "UBND xã Tân Lập" not in result.matched["các phòng, ban, ngành huyện"]


def test_unknown_names_are_proposed_not_created():
    directory = list(DIRECTORY)
    result = match_units(["Phòng Kinh tế và Hạ tầng", "Ban Quản lý chợ", "Phòng TC-KH"], directory)
    assert result.unknown == ["Phòng Kinh tế và Hạ tầng", "Ban Quản lý chợ"]
    assert result.matched["Ban Quản lý chợ"] == []
    assert directory == DIRECTORY  # the directory is not touched


def test_plain_tuples_are_accepted():
    result = match_units(["Phòng TC-KH"], [("Phòng Tài chính - Kế hoạch huyện", ["Phòng TC-KH"], "department", [])])
    assert result.matched["Phòng TC-KH"] == ["Phòng Tài chính - Kế hoạch huyện"]


def test_key_is_the_same_for_spelling_variants():
    assert (unit_key("Phòng Văn hóa và Thông tin thị xã") == unit_key("Phòng VH&TT thị xã")
            == unit_key("Phòng VH-TT thị xã"))
    assert unit_key("Uỷ ban nhân dân phường 1") == unit_key("UBND Phường 1")


# ---- level words and classes (issue 13) -------------------------------------------------------

def _town_directory():
    from bot.directory.unitmatch import UnitEntry

    return [
        UnitEntry("Công an huyện", kind="department"), UnitEntry("Sở Y tế", kind="department"),
        UnitEntry("Phòng Tư pháp huyện", kind="department"), UnitEntry("Ban Quản lý chợ", kind="department"),
        UnitEntry("Công ty Cấp nước Đông Sơn", kind="department"), UnitEntry("UBND xã Hòa Lạc", kind="commune"),
    ]


def test_a_provincial_unit_never_matches_the_town_unit_of_the_same_head():
    from bot.directory.unitmatch import match_units

    result = match_units(["Công an tỉnh", "Công an huyện", "Công an"], _town_directory())
    assert result.matched["Công an tỉnh"] == [] and result.unknown == ["Công an tỉnh"]  # kept as written, flagged
    assert result.matched["Công an huyện"] == ["Công an huyện"]
    assert result.matched["Công an"] == ["Công an huyện"]


def test_collectives_expand_only_to_members_of_their_class():
    from bot.directory.unitmatch import match_units

    result = match_units(["các phòng, ban", "các sở, ban, ngành"], _town_directory())
    assert result.matched["các phòng, ban"] == ["Phòng Tư pháp huyện", "Ban Quản lý chợ"]
    assert "Công ty Cấp nước Đông Sơn" not in result.matched["các sở, ban, ngành"]
    assert "UBND xã Hòa Lạc" not in result.matched["các sở, ban, ngành"]


def test_xa_hoi_is_not_a_level_word():
    """'Bảo hiểm xã hội thị xã' is a town unit: the 'xã' of 'xã hội' (social) names no level."""
    directory = [UnitEntry("Bảo hiểm xã hội thị xã", ("BHXH thị xã",)), UnitEntry("UBND xã Tân Lập")]
    match = match_units(["BHXH thị xã", "Bảo hiểm xã hội thị xã"], directory)
    assert match.units_for("BHXH thị xã") == ["Bảo hiểm xã hội thị xã"]
    assert match.units_for("Bảo hiểm xã hội thị xã") == ["Bảo hiểm xã hội thị xã"]
