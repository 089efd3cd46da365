"""Tidy text from files, PDFs and web-portal pastes before parsing.

Removes portal noise (menus, "Đăng ngày", view counters, photo captions, share buttons), Markdown
emphasis, odd spaces; puts back spaces lost after punctuation or between glued words where it is
safe (a lower-case letter glued to a known unit or directive word); re-joins paragraphs that a PDF
or a paste broke in the middle of a sentence.
"""
from __future__ import annotations

import re
import unicodedata

_NOISE_LINE = re.compile(
    r"^\s*(?:"
    r"trang chủ|giới thiệu|tin tức(?: - sự kiện)?|liên hệ|sơ đồ (?:cổng|trang)|đăng nhập|đăng ký|tìm kiếm|"
    r"chia sẻ|share|in bài(?: viết)?|in trang|bản in|gửi (?:email|bài viết|cho bạn bè)|lượt xem|"
    r"lượt truy cập|số lượt|bình luận|ý kiến bạn đọc|tin liên quan|tin khác|các tin khác|tin cùng chuyên mục|"
    r"xem thêm|quay lại|về đầu trang|trở về|bản quyền|copyright|©|cỡ chữ|font size|"
    r"đăng ngày|ngày đăng|ngày cập nhật|cập nhật lúc|cập nhật ngày|đăng lúc|thời gian đăng|"
    r"tác giả\s*:|nguồn\s*:|người đăng|biên tập|ảnh\s*:|ảnh minh họa|ảnh minh hoạ|\(ảnh|"
    r"facebook|zalo|twitter|tweet|like|tải về|tải xuống|download|tệp đính kèm|file đính kèm|"
    r"a-\s*a\s*a\+|[<«]\s*trước|tiếp theo\s*[>»]"
    r")", re.IGNORECASE)
# "Trang chủ > Tin tức > Văn bản" / "Giới thiệu | Tin tức | Liên hệ" breadcrumbs and menus
_MENU = re.compile(r"^[^.;:]{0,40}(?:\s[|»>›/]\s[^.;:]{0,40}){2,}$")
_CAPTION_INLINE = re.compile(r"\((?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Nguồn)\s*:?[^)]{0,120}\)", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_NO_SPACE_AFTER = re.compile(r"(?<=[A-Za-zÀ-ỹ\)])([,;])(?=[A-Za-zÀ-ỹĐđ(])")
_GLUED_KEYWORDS = (r"UBND|HĐND|Ủy ban|Uỷ ban|Phòng|Sở|Giao|Đề nghị|Yêu cầu|Công an|Trung tâm|Chủ tịch|"
                   r"Văn phòng|Thường trực|Thời hạn|Ban Chỉ huy|Ban Quản lý|Bảo hiểm")
_NO_SPACE_AFTER_PERIOD = re.compile(rf"(?<=[a-zà-ỹđ0-9\)])\.(?=[A-ZÀ-ỸĐ][a-zà-ỹđ]|(?:{_GLUED_KEYWORDS})(?![a-zà-ỹđ]))")
_GLUED = re.compile(rf"(?<=[a-zà-ỹđ])(?=(?:{_GLUED_KEYWORDS})(?![a-zà-ỹđ]))")
_ENDS_SENTENCE = re.compile(r"[.:;!?…)\]\"”]$|/\.$")
_MARKER_START = re.compile(r"^(?:[-–—+•*]|\d{1,2}(?:\.\d{1,2})*[.)]|[IVXLC]+[.)]|[a-zđ][)])")


def normalise_unicode(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _ZERO_WIDTH.sub("", text)


def _is_noise(line: str) -> bool:
    if _NOISE_LINE.match(line):
        # a real sentence that merely begins with "Giới thiệu ..." is long and ends with a period
        return len(line) < 160 or not line.rstrip().endswith((".", ";"))
    return bool(_MENU.match(line)) and len(line) < 200


_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,;:.])(?=\s|$)")


def _tidy_line(line: str) -> str:
    if "*" in line or "_" in line:
        line = _EMPHASIS.sub("", line)
    if "(" in line:
        line = _CAPTION_INLINE.sub("", line)
    line = _SPACES.sub(" ", line).strip()
    if line.startswith("#"):
        line = re.sub(r"^#{1,6}\s+", "", line)  # Markdown headings
    line = _NO_SPACE_AFTER.sub(r"\1 ", line)
    if "." in line:
        line = _NO_SPACE_AFTER_PERIOD.sub(". ", line)
    line = _GLUED.sub(" ", line)
    if " ," in line or " ;" in line or " :" in line or " ." in line:
        line = _SPACE_BEFORE_PUNCT.sub(r"\1", line)  # "thị xã , UBND" → "thị xã, UBND"
    return line


def clean_text(text: str) -> str:
    """Text ready for the parser: one paragraph per line, blank lines between blocks kept."""
    text = normalise_unicode(text).replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    pending_blank = False
    for raw in text.split("\n"):
        line = _tidy_line(raw)
        if not line:
            pending_blank = True
            continue
        if _is_noise(line):
            continue
        prev = out[-1] if out else ""
        # a sentence broken in the middle (PDF page, paste): the next line starts in lower case
        if prev and not _ENDS_SENTENCE.search(prev) and line[0].islower() and not _MARKER_START.match(line):
            out[-1] = prev + " " + line
            pending_blank = False
            continue
        if pending_blank and out:
            out.append("")
        out.append(line)
        pending_blank = False
    return "\n".join(out).strip() + ("\n" if out else "")
