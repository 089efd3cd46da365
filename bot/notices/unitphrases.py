"""Finding unit names in a directive: "Phòng Kinh tế thị xã, UBND các xã, phường tuyên truyền ...".

A unit list starts with a unit head ("Phòng", "UBND", "Sở", "Ban", "các ngành" ...) and ends where
the action begins: a lower-case verb or adverb ("tăng cường", "khẩn trương", "chủ trì", "phối hợp"),
or a colon, semicolon or full stop. The list is cut at commas and "và"; a piece that does not start
with a head belongs to the previous name ("UBND các xã, phường", "Hội đồng Bồi thường, hỗ trợ và tái
định cư"). Names are returned as written.
"""
from __future__ import annotations

import re
from functools import lru_cache

_L = r"A-Za-zÀ-ỹĐđ"
_UP = r"A-ZÀ-ỸĐ"

# Heads of proper unit names: matched case-sensitively, at a word start.
_PROPER_HEADS = (
    r"UBND|HĐND|UBMTTQ|MTTQ|BHXH|BCHQS|TTYT|KBNN|"
    r"Ủy ban|Uỷ ban|Ủy Ban|Hội đồng|Thường trực|Thường vụ|Ban Thường vụ|Chi cục|Tổng cục|"
    r"Công an|Bộ Chỉ huy|Chỉ huy|Bảo hiểm|Kho bạc|Thanh tra|Đảng ủy|Đảng uỷ|"
    r"Huyện ủy|Huyện uỷ|Thị ủy|Thị uỷ|Thành ủy|Thành uỷ|Tỉnh ủy|Tỉnh uỷ|Quận ủy|Mặt trận|Đảng đoàn|Ban cán sự|"
    r"Huyện đoàn|Thị đoàn|Thành đoàn|Tỉnh đoàn|Liên đoàn|Điện lực|Bệnh viện|Chủ tịch|Phó Chủ tịch|"
    r"Thủ trưởng|Giám đốc|Người đứng đầu|Lãnh đạo|Chánh Văn phòng|Kiểm lâm|Ngân hàng|Tòa án|Toà án|"
    r"Công chức|Cán bộ|Bí thư|Phó Bí thư|Chi nhánh|Hợp tác xã|Bưu điện|Viettel|VNPT|Cảnh sát|Bộ phận|Ủy viên|"
    r"Tập đoàn|Trưởng (?:ban|phòng|thôn|ấp|khóm|bản|công an)|Ban (?:chỉ đạo|quản lý|nhân dân|chỉ huy|tổ chức|"
    r"tuyên giáo|dân vận|pháp chế|kinh tế|văn hóa|thường vụ)|Đoàn (?:kiểm tra|công tác|thanh tra|liên ngành)|"
    r"Tổ (?:công tác|giúp việc|dân phố|chuyên trách)|Trường (?:mầm non|tiểu học|trung học|THCS|THPT|phổ thông|"
    r"cao đẳng|đại học)"
)
# Short heads that are units only before a capitalised name ("Phòng Kinh tế", not "Phòng họp số 7";
# "Hội Nông dân", not "Hội nghị"; "Tổ Công tác", not "Tổ chức thực hiện").
_NAMED_HEADS = r"Đồng chí|đồng chí|Phòng|Sở|Ban|Cục|Bộ|Hội|Đoàn|Tổ|Trường|Đội|Đài|Viện|Quỹ|Hạt|Trạm|Chi bộ|Đảng bộ|Trung tâm|Văn phòng|Công ty|Trưởng|Chánh|Xã|Phường|Thị trấn"  # noqa: E501
_PROPER = re.compile(rf"(?:{_PROPER_HEADS})(?![{_L}])|(?:{_NAMED_HEADS})\s+(?=[{_UP}0-9])")
# "xã Tân Long", "phường Văn Phú", "Phường 1", "thị trấn Phú Lộc": a commune by its name
_LOCALITY = re.compile(rf"(?:xã|phường|thị trấn|Xã|Phường|Thị trấn)\s+(?:[{_UP}]|\d)")
# Generic or collective names, lower case: "các ngành", "đơn vị liên quan", "nhà đầu tư"
_GENERIC = re.compile(
    r"(?:các|Các)\s+[a-zà-ỹđ]|(?:các|Các)\s+(?:Sở|Phòng|Ban|Bộ|Ngành)(?![a-zà-ỹđ])|"
    r"(?:đơn vị|cơ quan|tổ chức)\s+(?:có\s+)?liên quan|(?:nhà|chủ)\s+đầu\s+tư|"
    r"địa phương|(?:Những|những)\s+(?:đơn vị|cơ quan)|người đứng đầu"
)
_PEOPLE_NOT_UNITS = re.compile(r"(?:các|Các)\s+(?:hộ|hộ dân|cá nhân|công dân|học sinh|em|trường hợp|nội dung|"
                               r"công trình|dự án|biện pháp|hoạt động|chính sách|đối tượng|cơ sở|khu|điểm|tuyến|"
                               r"nguồn|lĩnh vực|chỉ tiêu|kế hoạch|chương trình|văn bản|thủ tục|loại|vụ|ngày|giải pháp|"
                               r"trạm bơm|tiêu chí|nhiệm vụ|bước|khoản|hồ sơ|kiến nghị|tổ, nhóm|bài|doanh nghiệp vi phạm)\b")  # noqa: E501

# Where a unit name ends and the action starts: lower-case verbs/adverbs (case-sensitive on purpose:
# "Sở Xây dựng" is a name, "xây dựng kế hoạch" is an action).
_STOP_WORDS = (
    "chủ trì", "phối hợp", "tuyên truyền", "vận động", "đôn đốc", "tăng cường", "khảo sát", "nghiên cứu",
    "đề xuất", "rà soát", "thực hiện", "triển khai", "tổ chức", "xây dựng", "phân công", "kiểm tra",
    "theo dõi", "tham mưu", "chủ động", "khẩn trương", "tiếp tục", "tập trung", "quản lý", "chỉ đạo",
    "hướng dẫn", "giải quyết", "báo cáo", "tổng hợp", "thống kê", "xử lý", "lập", "cập nhật", "hoàn thành",
    "hoàn thiện", "chuẩn bị", "ban hành", "trình", "gửi", "cung cấp", "bố trí", "đẩy nhanh", "đẩy mạnh",
    "nâng cao", "phải", "cần", "có trách nhiệm", "chịu trách nhiệm", "thường xuyên", "kịp thời", "sớm",
    "nghiêm túc", "khắc phục", "đảm bảo", "bảo đảm", "tìm kiếm", "thẩm định", "phê duyệt", "tiếp nhận",
    "duy trì", "vận hành", "nắm", "chấn chỉnh", "kiểm soát", "phát động", "điều chỉnh", "hỗ trợ", "rà",
    "làm việc", "làm rõ", "làm", "quan tâm", "thông tin", "tiến hành", "tiếp thu", "huy động", "vận hành",
    "giám sát", "phát hiện", "bàn giao", "nhận", "thu", "chi", "mời", "tham gia", "là", "được",
    "thì", "đã", "đang", "sẽ", "không", "chưa", "cùng với", "với", "tại", "theo", "để", "nhằm",
    "trong", "trước", "về", "của", "cho", "từ", "trên", "đến", "khi", "nếu", "căn cứ", "trực tiếp",
    "tích cực", "thống nhất", "tạo điều kiện", "giao", "đề nghị", "yêu cầu", "tổ chức thực hiện",
    "quyết liệt", "nghiêm", "rút kinh nghiệm", "soạn thảo", "đánh giá", "phân tích", "giải ngân",
    "thanh toán", "quyết toán", "lựa chọn", "hoàn tất", "thực thi", "bổ sung", "sửa đổi", "thẩm tra",
    "cử", "phân bổ", "liên hệ", "đầu mối", "biên soạn", "công khai", "tiếp", "thường trực",
    "thông báo", "kết luận", "quyết định", "họp", "ký", "xem xét", "phụ trách", "ưu tiên", "vận dụng",
    "chấp hành", "tuân thủ", "sắp xếp", "di dời", "tháo gỡ", "tuần tra", "truy quét", "ngăn chặn",
    "phòng ngừa", "đăng ký", "phát triển", "ứng dụng", "xúc tiến", "ứng phó", "trả lời", "phổ biến",
    "lãnh đạo", "nhân rộng", "khen thưởng", "bồi dưỡng", "đào tạo", "hoàn chỉnh", "tiêm", "chuyển", "rà soát", "đề ra", "tổng kết", "sơ kết", "nhanh chóng", "dứt điểm",  # noqa: E501
    # a speaker's words, not part of its name: "Thường trực Đảng ủy cơ bản nhất trí ..."
    "cơ bản", "nhất trí", "đồng ý", "lưu ý", "vừa", "ghi nhận", "biểu dương", "nhấn mạnh", "cho ý kiến",
    "có ý kiến", "có công văn", "hoan nghênh", "chấp thuận", "cũng",
)
# these never belong to a name, whatever their case ("Giao Sở Xây dựng Chủ trì, phối hợp ...")
_STOP_ANY_CASE = ("chủ trì", "phối hợp", "khẩn trương", "chủ động", "tiếp tục", "có trách nhiệm",
                  "chịu trách nhiệm", "tập trung", "tăng cường")
_STOP = re.compile(
    rf"(?<![{_L}])(?:{'|'.join(sorted((re.escape(w) for w in _STOP_WORDS), key=len, reverse=True))}"
    rf"|(?i:{'|'.join(re.escape(w) for w in _STOP_ANY_CASE)}))(?![{_L}])")

# Name fragments that contain stop words, commas or "và" and must not be cut.
_PROTECTED = re.compile(
    r"Bồi thường,? hỗ trợ(?:,? và|,) tái định cư|HĐND và UBND|Hội đồng nhân dân và Ủy ban nhân dân|"
    r"Hội đồng nhân dân và Uỷ ban nhân dân|[Vv]ăn hóa,? Thể thao và Du lịch|[Pp]hòng cháy,? chữa cháy(?: và cứu nạn,? cứu hộ)?|"  # noqa: E501
    r"[Pp]hòng,? chống [a-zà-ỹđ ]{3,30}?(?= và| thị xã| huyện| tỉnh|,|$)|"
    r"dự án các công trình xây dựng|[Cc]hi (?:bộ|cục|nhánh|hội|đoàn)|"
    # "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông": the standard name of a project board
    r"(?:xây dựng )?các công trình (?:giao thông|dân dụng và công nghiệp|dân dụng|nông nghiệp và phát triển nông thôn|"
    r"nông nghiệp)|[Đđ]ầu tư xây dựng|[Qq]uản lý dự án|Quản lý thị trường|Phát triển quỹ đất|"
    r"[Gg]iáo dục thường xuyên|Tìm kiếm cứu nạn|tìm kiếm cứu nạn|cứu nạn, cứu hộ|[Tt]ổ chức (?:có )?liên quan|"
    r"[Tt]ổ chức, cá nhân|cơ quan, tổ chức|Ban quản lý|Ban Quản lý|Ban Chỉ đạo|Ban chỉ đạo|Trung tâm Phát triển|"
    r"[Hh]ành chính công|[Tt]hu ngân sách|Thường trực|Thông tin và Truyền thông|Kinh tế, Hạ tầng và Đô thị|"
    r"Kinh tế - Hạ tầng và Đô thị|Nông nghiệp và Môi trường|Tài nguyên và Môi trường|Thương binh và Xã hội|"
    r"Nông nghiệp và Phát triển nông thôn|Khoa học và Công nghệ|Kế hoạch và Đầu tư|Giáo dục và Đào tạo|"
    r"Văn hóa và Thông tin|Văn hoá và Thông tin|Dân tộc và Tôn giáo|Xây dựng và|Y tế và|nhà ở và"
)


def _is_proper_head(text: str) -> bool:
    return bool(_PROPER.match(text) or _LOCALITY.match(text))


def starts_with_unit(text: str) -> bool:
    text = text.lstrip()
    if _PEOPLE_NOT_UNITS.match(text):
        return False
    return _is_proper_head(text) or bool(_GENERIC.match(text))


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


_LIST_BEFORE_COLON = re.compile(r"các (?:xã|phường|thị trấn|huyện|quận|thị xã|sở|Sở|phòng|đơn vị|cơ quan)\s*$")
_WINDOW = 400  # no unit list is longer than this


def _find_end(text: str, start: int) -> tuple[int, str]:
    """End of the unit list that starts at `start`, and what stopped it ("verb", "punct", "end")."""
    stop_at = min(len(text), start + _WINDOW)
    spans = [(a + start, b + start) for a, b in _protected_spans(text[start:stop_at])]
    depth = 0
    i = start
    n = stop_at
    word_start = True
    while i < n:
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            if ch == ":" and _LIST_BEFORE_COLON.search(text, max(start, i - 30), i):
                pass  # "UBND các phường: Yên Bái, Văn Phú" names its members after the colon
            elif ch == ";" and starts_with_unit(text[i + 1:i + 80]):
                pass  # units listed with semicolons: the action comes after the last one
            elif ch in ":;" or (ch == "." and (i + 1 >= n or text[i + 1] == " ")):
                return i, "punct"
            if word_start and i > start and not _inside(i, spans):
                m = _STOP.match(text, i)
                if m:
                    return i, "verb"
        word_start = not ch.isalnum() and ch not in "&"
        i += 1
    return n, "end" if n == len(text) else "verb"


def _split_top_level(phrase: str) -> list[tuple[str, str]]:
    """Pieces cut at commas and " và " outside parentheses and protected names: (separator, piece)."""
    spans = _protected_spans(phrase)
    pieces: list[tuple[str, str]] = []
    depth = 0
    last = 0
    sep = ""
    i = 0
    while i < len(phrase):
        ch = phrase[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and not _inside(i, spans):
            if ch in ",;":
                pieces.append((sep, phrase[last:i]))
                sep, last = ch + " ", i + 1
            elif phrase.startswith(" và ", i) or phrase.startswith(" cùng ", i):
                pieces.append((sep, phrase[last:i]))
                width = 4 if phrase.startswith(" và ", i) else 6
                sep, last = phrase[i:i + width], i + width
                i += width - 1
        i += 1
    pieces.append((sep, phrase[last:]))
    return [(s, p.strip()) for s, p in pieces if p.strip()]


def _starts_generic_cac(piece: str) -> bool:
    """"các ngành", or a generic head over "các ..." ("người đứng đầu các cơ quan"): a list goes on."""
    if re.match(r"(?:các|Các)\s", piece):
        return True
    return not _is_proper_head(piece) and bool(re.search(r"(?:^|\s)các\s", piece))


# "các huyện" after "UBND thành phố và": localities without a head of their own share the committee's
_HEADLESS_LOCALITIES = re.compile(r"(?:các|Các)\s+(?:huyện|xã|phường|thị trấn|quận|thị xã|thành phố)(?:\s*,\s*"
                                  r"(?:huyện|xã|phường|thị trấn|quận|thị xã|thành phố))*$")
_COMMITTEE = re.compile(r"^(?:Chủ tịch\s+)?(?:UBND|HĐND|Ủy ban nhân dân|Uỷ ban nhân dân|Hội đồng nhân dân)\s")


def split_unit_list(phrase: str) -> list[str]:
    names: list[str] = []
    for sep, piece in _split_top_level(phrase):
        if not names:
            names.append(piece)
            continue
        prev = names[-1]
        if sep.strip() == "và" and _HEADLESS_LOCALITIES.match(piece) and _COMMITTEE.match(prev):
            names[-1] = prev + sep + piece
            continue
        new_unit = _is_proper_head(piece) or (
            bool(_GENERIC.match(piece)) and not (_starts_generic_cac(prev) and not _starts_generic_cac(piece))
        )
        if new_unit and not _PEOPLE_NOT_UNITS.match(piece):
            names.append(piece)
        else:
            names[-1] = prev + sep + piece
    return [re.sub(r"\s+", " ", n).strip(" ,") for n in names if n.strip(" ,")]


_IN_CHARGE = re.compile(r"\s*phụ trách(?=\s*[,.;:]|\s*$|\s+(?:chỉ đạo|chủ trì|theo dõi|triển khai|tổ chức|trực tiếp))")


def read_units(text: str, start: int = 0) -> tuple[list[str], int, str]:
    """Unit names at `start` (empty when none starts there), the end offset and what stopped the list."""
    names, end, why = _read_units(text, start)
    return list(names), end, why


@lru_cache(maxsize=8192)  # the parser looks at the same clause from several angles
def _read_units(text: str, start: int) -> tuple[tuple[str, ...], int, str]:
    while start < len(text) and text[start] == " ":
        start += 1
    m = re.match(r"(?:cho|đối với|Đối với|Cho)\s+", text[start:start + 12])
    if m:
        start += m.end()
    if not starts_with_unit(text[start:start + 80]):
        return (), start, "none"
    end, why = _find_end(text, start)
    # a person as a unit: "đồng chí Phó Bí thư phụ trách" (before the action or a stop) is one lead
    if re.match(r"[Đđ]ồng chí ", text[start:start + 9]):
        m = _IN_CHARGE.match(text, end)
        if m:
            end = m.end()
            why = "verb" if end < len(text) and _STOP.match(text, end + 1) else _find_end(text, end)[1]
    phrase = text[start:end].strip(" ,")
    if not phrase:
        return (), start, "none"
    return tuple(split_unit_list(phrase)), end, why


_ENUMERATION = re.compile(r"\(([^()]{5,400})\)")


def enumerated_members(text: str) -> list[str]:
    """Units listed in a parenthesis ("các phòng ... (Phòng Kinh tế, Phòng Văn hóa và Thông tin)")."""
    for m in _ENUMERATION.finditer(text):
        inner = m.group(1).strip()
        names = split_unit_list(inner)
        if len(names) >= 2 and all(_is_proper_head(n) for n in names):
            # the list must be names only: nothing that reads like an action
            if all(_find_end(n, 0)[1] == "end" for n in names):
                return names
    return []


def is_collective_phrase(name: str) -> bool:
    return bool(re.search(r"(?:^|\s)(?:các|Các)\s", name))
