"""Tidy text from files, PDFs and web-portal pastes before parsing.

Removes portal noise (menus, "Đăng ngày", view counters, photo captions, share buttons), Markdown
emphasis, odd spaces; puts back spaces lost after punctuation or between glued words where it is
safe (a lower-case letter glued to a known unit or directive word); re-joins paragraphs that a PDF
or a paste broke in the middle of a sentence.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
_OPEN_END = re.compile(r"(?:,|\s(?:và|của|các|với|cho|tại|theo|về|hoặc|những|đến|trong|là|để))$")
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
    line = repair_glued_words(line)
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
        # "Tờ trình số 06/TTr-" + "TTHĐND": a code cut at its hyphen by a PDF line break
        if prev and re.search(r"[^\W_]-$", prev) and line[0].isalnum() and not pending_blank:
            out[-1] = prev + line
            continue
        # a sentence broken in the middle (PDF page, paste): the next line starts in lower case, or the
        # line ends where no paragraph can end ("đề nghị Đảng ủy UBND xã," + "Ban Xây dựng Đảng ...")
        broken = line[0].islower() or bool(_OPEN_END.search(prev))
        if prev and not _ENDS_SENTENCE.search(prev) and broken and not _MARKER_START.match(line):
            out[-1] = prev + " " + line
            pending_blank = False
            continue
        if pending_blank and out:
            out.append("")
        out.append(line)
        pending_blank = False
    return "\n".join(out).strip() + ("\n" if out else "")


# ---- PDF repair: words a text layer ran together ("nhiệm vụtừ", "Uỷban", "Đảng uỷUBND", "kỳ2026") ----
#
# Vietnamese is written one syllable per word, and a syllable has one shape: an optional onset, one
# run of one to three vowels, an optional final consonant, at most one tone mark (and a final c/ch/p/t
# only with the rising or heavy tone). A word with accents that is not one syllable but splits into
# syllables was glued by the PDF: it is split at the longest onset ("vụtừ" → "vụ từ", never "vụt ừ").
# Words without accents (names, English, abbreviations) are left alone.

_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g", "h",
           "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_VOWEL_BASES = set("aăâeêioôơuưy")
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền, sắc, hỏi, ngã, nặng
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
                       r"([aăâeêioôơuưy]{1,3})(ng|nh|ch|[cmnpt])?")


def _base_and_tones(word: str) -> tuple[str, int, str | None]:
    """("chủ" → "chu", 1, hỏi): the letters without tone marks, how many tone marks, the last tone."""
    letters, count, tone = [], 0, None
    for ch in word:
        parts = unicodedata.normalize("NFD", ch)
        marks = [m for m in parts[1:] if m in _TONES]
        count += len(marks)
        if marks:
            tone = marks[-1]
        letters.append(unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONES)))
    return "".join(letters), count, tone


def _is_syllable(word: str) -> bool:
    base, tones, tone = _base_and_tones(word)
    m = _SYLLABLE.fullmatch(base)
    if not m or tones > 1:
        return False
    if m.group(2) in ("c", "ch", "p", "t") and tone not in ("\u0301", "\u0323"):
        return False
    return True


def _split_syllables(word: str) -> list[str] | None:
    """The syllables of a lower-case glued word: the fewest, then the shortest first syllable
    ("uỷban" → uỷ|ban, not u|ỷ|ban; "vụtừ" → vụ|từ, not vụt|ừ); None if no split fits."""
    best: list[str] | None = None
    stack: list[tuple[int, list[str]]] = [(0, [])]
    while stack:
        at, parts = stack.pop()
        if at == len(word):
            if best is None or len(parts) < len(best):
                best = parts
            continue
        if len(parts) >= 5 or (best is not None and len(parts) + 1 >= len(best)):
            continue
        # longest first on the stack so the shortest head is tried first and wins ties
        for cut in range(len(word), at, -1):
            if cut - at <= 7 and _is_syllable(word[at:cut]):
                stack.append((cut, [*parts, word[at:cut]]))
    return best


_WORD = re.compile(r"[^\W\d_]+")
_WORD_OR_FIGURES = re.compile(r"[^\W_]{2,}")


@lru_cache(maxsize=16384)
def _split_case_and_digits(word: str) -> str:
    """"uỷUBND" → "uỷ UBND", "kỳ2026" → "kỳ 2026": a capital or a figure never follows inside a word.
    (Ranges such as À-Ỹ mix both cases in Vietnamese, hence str methods rather than a character class.)"""
    out = [word[0]]
    for prev, ch in zip(word, word[1:], strict=False):
        if prev.islower() and not word.isascii() and (ch.isupper() or (ch.isdigit() and not prev.isascii())):
            out.append(" ")
        out.append(ch)
    return "".join(out)


@lru_cache(maxsize=16384)  # a document repeats its words: each is analysed once
def _repair_word(word: str) -> str:
    if word.isascii() or len(word) < 4:
        return word
    lower = word.lower()
    if _is_syllable(lower):
        return word
    parts = _split_syllables(lower)
    if not parts or len(parts) < 2:
        return word
    out, i = [], 0
    for part in parts:  # keep the letters' case as written
        out.append(word[i:i + len(part)])
        i += len(part)
    return " ".join(out)


def repair_glued_words(line: str) -> str:
    """Split words a PDF ran together; a line without such words comes back unchanged."""
    if line.isascii():
        return line
    line = _WORD_OR_FIGURES.sub(lambda m: _split_case_and_digits(m.group(0)), line)
    return _WORD.sub(lambda m: _repair_word(m.group(0)), line)
