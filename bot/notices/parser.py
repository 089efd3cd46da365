"""Conclusion notice ("Thông báo kết luận") → document header + tasks.

The walk, in one line each:
  clean text → paragraphs → header (number, date, title, issuer) and preamble (meeting date)
  → body (after "... như sau:") → outline (1. / I. / a) / - / +) into sections and sub-headings
  → each directive paragraph cut into clauses → a clause naming a new lead unit starts a new task
  → coordinating units after "phối hợp", deadlines by our own grammar
  → the closing paragraph gives the report deadline; "Nơi nhận" ends the body.
Names are kept as written; matching them to the directory is unitmatch's job.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from bot.dates.deadlines import Deadline, deadline_rule, find_deadline, parse_deadline
from bot.notices.cleaning import clean_text
from bot.notices.unitphrases import (
    enumerated_members,
    is_collective_phrase,
    read_units,
    starts_with_unit,
)


@dataclass
class DocumentInfo:
    number: str | None = None
    title: str | None = None
    issuer: str | None = None
    issued_date: date | None = None
    meeting_date: date | None = None
    report_deadline: date | None = None
    report_deadline_text: str | None = None
    reference_date: date | None = None  # what a date without its year is reckoned from (not in to_json)


@dataclass
class ParsedTask:
    section: str | None
    subsection: str | None
    lead: list[str]
    coordinate: list[str]
    text: str
    deadline: date | None = None
    deadline_text: str | None = None
    recurrence: str | None = None
    # for `nhacviec parse --explain`: how the lead was found ("subject", "trigger:giao", "heading:…",
    # "unit_line", "colon") and which rule of the deadline grammar read the deadline
    why_lead: str | None = None
    why_deadline: str | None = None


@dataclass
class ParsedNotice:
    document: DocumentInfo = field(default_factory=DocumentInfo)
    tasks: list[ParsedTask] = field(default_factory=list)

    def to_json(self) -> dict:
        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        d = self.document
        return {
            "document": {
                "number": d.number, "title": d.title, "issuer": d.issuer,
                "issued_date": iso(d.issued_date), "meeting_date": iso(d.meeting_date),
                "report_deadline": iso(d.report_deadline),
            },
            "tasks": [
                {
                    "section": task.section, "subsection": task.subsection,
                    "lead": list(task.lead), "coordinate": list(task.coordinate), "text": task.text,
                    "deadline": iso(task.deadline), "deadline_text": task.deadline_text,
                    "recurrence": task.recurrence,
                }
                for task in self.tasks
            ],
        }

    @property
    def units(self) -> list[str]:
        """Every unit name the tasks mention, in order of appearance, without repeats."""
        seen: dict[str, None] = {}
        for task in self.tasks:
            for name in [*task.lead, *task.coordinate]:
                seen.setdefault(name, None)
        return list(seen)


# ---- header ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w])Số\s*:?\s*([0-9A-Za-zĐđ.\-]*/[0-9A-Za-zĐđ\-/.]+)")
_DATE_LINE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_LINE_NUM = re.compile(r"^[^,\n]{2,40},\s*ngày\s+(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", re.IGNORECASE)
_ANY_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?![\d/])|"
                       r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DOC_REF_BEFORE = re.compile(r"(?:số|Số)\s+\S+\s+(?:ngày\s+)?$")
_TITLE_WORD = re.compile(r"^THÔNG\s+BÁO(?:\s+KẾT\s+LUẬN)?\b\s*[:.]?\s*(.*)$")
_MEETING_WORDS = re.compile(r"họp|hội nghị|buổi làm việc|làm việc với|buổi kiểm tra|kiểm tra thực tế|giao ban|"
                            r"khảo sát thực tế|đối thoại|tọa đàm|hội thảo|chủ trì", re.IGNORECASE)
_BODY_START = re.compile(r"(?:như sau|sau đây|nội dung sau|nhiệm vụ sau|các nội dung|kết luận(?: chỉ đạo)?|"
                         r"chỉ đạo|yêu cầu|ý kiến|giao|đề nghị)\s*:$", re.IGNORECASE)
_PREAMBLE_OPENERS = re.compile(r"^(?:Vào lúc|Vào ngày|Ngày \d|Sáng|Chiều|Tham dự|Dự họp|Cùng dự|Sau khi|Thực hiện|"
                               r"Căn cứ|Xét|Theo(?! đó)|Trên cơ sở đề nghị|Kính gửi|V/v|CỘNG HÒA|Độc lập)",
                               re.IGNORECASE)
_END_OF_BODY = re.compile(r"^(?:Nơi nhận|Noi nhan)\s*:?|^(?:KT|TL|TM|Q)\.\s*[A-ZÀ-ỸĐ]{2}|^(?:CHÁNH VĂN PHÒNG|CHỦ TỊCH|GIÁM ĐỐC)\s*$")  # noqa: E501
_CLOSING = re.compile(
    r"thông báo\s+(?:ý kiến\s+)?(?:kết luận|chỉ đạo|để|đến|nội dung)|"
    r"^(?:Báo cáo|Kết quả)\b[^.]{0,120}\b(?:gửi|về)\b[^.]{0,120}\b(?:trước|chậm nhất)|"
    r"(?:để|đề nghị)\s+các\s+(?:cơ quan|đơn vị|ngành|phòng)[^.]{0,60}\bbiết\b|"
    # "Các cơ quan, đơn vị báo cáo kết quả thực hiện về Văn phòng … trước ngày …": for everyone
    r"^(?:Đề nghị |Yêu cầu )?(?:các|Các)\s+(?:cơ quan|đơn vị|ngành|phòng|sở)\b[^.]{0,80}?"
    r"\b(?:báo cáo|gửi)\b[^.]{0,160}\b(?:trước|chậm nhất)|"
    # "Căn cứ kết luận của Ban Thường vụ, đề nghị các cơ quan ... triển khai thực hiện": the closing
    r"^Căn cứ\s+(?:nội dung\s+)?(?:các\s+)?(?:kết luận|thông báo|ý kiến (?:kết luận|chỉ đạo))",
    re.IGNORECASE)


def _to_date(d: str, m: str, y: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


_BODY_LINE = re.compile(r"^(?:HUYỆN ỦY|HUYỆN UỶ|THỊ ỦY|THỊ UỶ|THÀNH ỦY|THÀNH UỶ|TỈNH ỦY|TỈNH UỶ|QUẬN ỦY|ĐẢNG ỦY|ĐẢNG UỶ|VĂN PHÒNG|SỞ|PHÒNG|BAN|ỦY BAN|UỶ BAN|UBND|HĐND|CHI CỤC|TRUNG TÂM|CÔNG AN|CỤC)\b")  # noqa: E501


def _issuer_from_header(lines: list[str]) -> str | None:
    caps: list[str] = []
    for line in lines[:8]:
        if line.startswith(("CỘNG HÒA", "CỘNG HOÀ", "Số", "Độc lập")) or not line:
            break
        letters = [c for c in line if c.isalpha()]
        if letters and all(c.isupper() for c in letters):
            caps.append(line)
        else:
            break
    if not caps:
        return None
    # "HUYỆN ỦY X / ĐẢNG ỦY XÃ Y": the lower line is the issuing body, the upper one its parent;
    # "ỦY BAN NHÂN DÂN / TỈNH X / VĂN PHÒNG": the office of that committee
    if caps[-1] in ("VĂN PHÒNG",) and len(caps) > 1:
        return " ".join([caps[-1], *caps[:-1]])
    for i in range(len(caps) - 1, 0, -1):
        if _BODY_LINE.match(caps[i]):
            return " ".join(caps[i:])
    return " ".join(caps)


# ---- outline ---------------------------------------------------------------------------------

_MARKER = re.compile(
    r"^(?:(?P<roman>[IVXLC]{1,6})\s*[.)]\s*(?=\S)|(?P<arabic>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)/]\s*(?=\D)|"
    r"(?P<letter>[a-zđ])\s*\)\s*|(?P<dash>[-–—])\s*|(?P<plus>\+)\s*|(?P<bullet>[•*·▪●○◦])\s*)"
)


def _marker(paragraph: str) -> tuple[str | None, str, str]:
    """(kind, label as written, rest). Kind 'arabic2' for "1.1.", etc."""
    m = _MARKER.match(paragraph)
    if not m:
        return None, "", paragraph
    for kind in ("roman", "arabic", "letter", "dash", "plus", "bullet"):
        if m.group(kind):
            if kind == "arabic":
                kind = f"arabic{m.group('arabic').count('.') + 1}"
            label = paragraph[:m.end()].strip()
            return kind, label, paragraph[m.end():].strip()
    return None, "", paragraph


@dataclass
class _Heading:
    level: int
    text: str
    inline: bool = False
    units: list[str] = field(default_factory=list)


# ---- leads -----------------------------------------------------------------------------------

_TRIGGER = re.compile(r"(?<![\wÀ-ỹ])(?:giao|đề nghị|yêu cầu|Giao|Đề nghị|Yêu cầu|GIAO|ĐỀ NGHỊ|YÊU CẦU)(?:\s+cho)?\s+")
_NOT_A_TRIGGER_BEFORE = re.compile(r"(?:được|đã|đang|sẽ|nhiệm vụ|báo cáo,?|kiến nghị,?|tham mưu,?|đề xuất,?|"
                                   r"theo|của|văn bản|việc|bàn|chuyển)\s*$", re.IGNORECASE)
_UPWARD = re.compile(r"^(?:Thường trực\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|Hội đồng nhân dân)"
                     r"(?:\s+(?:tỉnh|huyện|thị xã|thành phố|quận))?$|"
                     r"^(?:Chủ tịch|Lãnh đạo|Thường trực)(?:\s+(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND))?"
                     r"(?:\s+(?:tỉnh|huyện|thị xã|thành phố|quận))?$|^(?:Trung ương|Chính phủ|Thủ tướng)")
_LEAD_IN = re.compile(r"^(?:đồng thời|Đồng thời|Riêng|riêng|Trong đó|trong đó|Mặt khác)\s*,?\s*")


def _is_upward(names: list[str]) -> bool:
    return all(_UPWARD.match(n) for n in names)


# After a unit that opens a sentence, words that make it the speaker or the subject of a report, not
# the one who must act: "Thường trực Đảng ủy (cơ bản) nhất trí với Tờ trình ...", "Ban Thường vụ lưu ý",
# "UBND tỉnh vừa có công văn ...", "Phòng Y tế đã hoàn thành ...", "Thường trực Đảng ủy giao Ban X ..."
_SPEAKER_VERB = re.compile(
    r"^\s*(?:cơ bản\s+|đã\s+|cũng\s+)?(?:nhất trí|thống nhất|đồng ý|thông qua|ghi nhận|đánh giá|biểu dương|"
    r"hoan nghênh|lưu ý|nhấn mạnh|cho ý kiến|có ý kiến|kết luận|chấp thuận|vừa|đã|cảm ơn|trân trọng|"
    r"giao|đề nghị|yêu cầu|phân công|họp|nghe|báo cáo(?! kết quả| định kỳ| tiến độ))(?![\wÀ-ỹ])")


def _subject(clause: str) -> list[str]:
    body = _LEAD_IN.sub("", clause.strip())
    names, end, why = read_units(body)
    if names and _SPEAKER_VERB.match(body[end:]):
        return []
    if names and why in ("verb", "punct") and not _is_upward(names):
        if why == "punct" and not body[end:end + 1] == ":":
            return []
        return names
    return []


def _triggered(clause: str) -> tuple[list[str], int]:
    for m in _TRIGGER.finditer(clause):
        if _NOT_A_TRIGGER_BEFORE.search(clause[:m.start()]):
            continue
        names, end, why = read_units(clause, m.end())
        if names and not _is_upward(names):
            return names, m.start()
    return [], -1


def find_lead(clause: str) -> list[str]:
    """Lead units a clause names: the subject it opens with, or the units after Giao/Đề nghị/Yêu cầu."""
    return find_lead_why(clause)[0]


def find_lead_why(clause: str) -> tuple[list[str], str | None]:
    """find_lead and the rule that found the units: "subject" or "trigger:<the word>"."""
    subject = _subject(clause)
    if subject:
        return subject, "subject"
    names, at = _triggered(clause)
    trigger = _TRIGGER.match(clause, at) if names else None
    if trigger:
        return names, "trigger:" + trigger.group(0).strip()
    return names, None


def _expand_enumeration(lead: list[str], clause: str) -> list[str]:
    if not any(is_collective_phrase(n) for n in lead):
        return lead
    members = enumerated_members(clause.split(";")[0])
    return members or lead


# ---- clauses ---------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[^\s.])\.\s+(?=[A-ZÀ-ỸĐ])")
_ABBREV_END = re.compile(r"(?:\b[A-ZĐ]{1,4}|\bTp|\bv\.v|\bThS|\bTS|\bđ/c|\bĐ/c|\bNĐ-CP|\bTT)$")
_TRIGGER_CUT = re.compile(r",\s+(?=(?:giao|Giao)\s+)")


def _clauses(paragraph: str) -> list[tuple[str, str]]:
    """(boundary, clause): boundary is 'start', 'sentence', 'semicolon' or 'comma'."""
    out: list[tuple[str, str]] = []
    sentences: list[str] = []
    last = 0
    for m in _SENTENCE_END.finditer(paragraph):
        if _ABBREV_END.search(paragraph[last:m.start()]):
            continue
        sentences.append(paragraph[last:m.start() + 1])
        last = m.end()
    sentences.append(paragraph[last:])
    for s_index, sentence in enumerate(sentences):
        parts = _join_unit_only_parts(_split_semicolons(sentence))
        for p_index, part in enumerate(parts):
            sub = [x for x in _split_trigger_commas(part) if x.strip()]
            for c_index, clause in enumerate(sub):
                if c_index:
                    boundary = "comma"
                elif p_index:
                    boundary = "semicolon"
                elif s_index:
                    boundary = "sentence"
                else:
                    boundary = "start"
                out.append((boundary, clause.strip()))
    return [(b, c) for b, c in out if c]


def _join_unit_only_parts(parts: list[str]) -> list[str]:
    """"Thủ trưởng các sở, ngành; Chủ tịch UBND các xã; ... chịu trách nhiệm": one list of units."""
    out: list[str] = []
    carry = ""
    for index, part in enumerate(parts):
        text = carry + part.lstrip() if carry else part
        names, end, why = read_units(text.rstrip("; "))
        if names and why == "end" and part.rstrip().endswith(";"):
            carry = text.rstrip() + " "
            continue
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if part.rstrip().endswith(";") and _ends_with_object_list(text) and starts_with_unit(following.lstrip()):
            carry = text.rstrip() + " "
            continue
        out.append(text)
        carry = ""
    if carry:
        out.append(carry)
    return out


_OBJECT_VERB = re.compile(r"(?<![\wÀ-ỹ])(?:phối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng với|cùng))?|đôn đốc|hướng dẫn|"
                          r"chỉ đạo|kiểm tra|nhắc nhở)\s+")


def _ends_with_object_list(text: str) -> bool:
    """"… phối hợp với các Sở: Xây dựng, Công Thương;" — units listed after the verb go on past ";"."""
    body = text.rstrip().rstrip(";")
    for m in _OBJECT_VERB.finditer(body):
        names, end, why = read_units(body, m.end())
        if names and why == "end":
            return True
    return False


def _outside_parentheses(text: str, mark: str) -> Iterator[int]:
    """Where `mark` stands in `text`, leaving out what is between parentheses."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == mark and depth == 0:
            yield i


def _split_semicolons(sentence: str) -> list[str]:
    if "(" not in sentence:
        return re.split(r"(?<=;)", sentence)
    parts, last = [], 0
    for i in _outside_parentheses(sentence, ";"):
        parts.append(sentence[last:i + 1])
        last = i + 1
    parts.append(sentence[last:])
    return parts


def _split_trigger_commas(part: str) -> list[str]:
    """", giao Phòng X ..." inside a clause hands work to another unit: cut there."""
    cuts = [0]
    for m in _TRIGGER_CUT.finditer(part):
        giao = re.match(r"(?:giao|Giao)\s+", part[m.end():])
        assert giao is not None  # _TRIGGER_CUT ends just before "giao"
        names, _, _ = read_units(part, m.end() + len(giao.group(0)))
        if names:
            cuts.append(m.start() + 1)
    cuts.append(len(part))
    return [part[a:b].strip(" ,") for a, b in zip(cuts, cuts[1:], strict=False)]


# ---- coordinating units ------------------------------------------------------------------------

_COORD = re.compile(r"(?<![\wÀ-ỹ])phối hợp(?:\s+chặt chẽ)?(?:\s*,\s*(?:đôn đốc|hỗ trợ|hướng dẫn))?"
                    r"(?:\s+(?:với|cùng với|cùng))?\s+", re.IGNORECASE)


def find_coordinates(text: str, lead: list[str]) -> list[str]:
    found: list[str] = []
    for m in _COORD.finditer(text):
        names, _, _ = read_units(text, m.end())
        for name in names:
            if name not in lead and name not in found and not _UPWARD.match(name):
                found.append(name)
    return found


# ---- the walk --------------------------------------------------------------------------------

_UNIT_LINE = re.compile(r"^((?:Đơn vị|Cơ quan|Đơn vị|đơn vị|cơ quan)\s+(?:chủ trì|thực hiện|phối hợp|chịu trách nhiệm))"
                        r"(?:\s+thực hiện)?\s*:\s*(.+)$")
_DEADLINE_LINE = re.compile(r"^(?:Thời hạn|Thời gian)(?:\s+(?:hoàn thành|thực hiện|báo cáo|gửi báo cáo))?\s*:\s*(.+)$",
                            re.IGNORECASE)


@dataclass
class _Draft:
    lead: list[str]
    parts: list[str]
    section: str | None
    subsection: str | None
    why: str | None = None  # how the lead was found (see ParsedTask.why_lead)
    fixed: Deadline | None = None  # from a "Thời hạn: ..." line
    extra_coordinate: list[str] = field(default_factory=list)  # from an "Đơn vị phối hợp: ..." line

    @property
    def text(self) -> str:
        return " ".join(p.strip() for p in self.parts if p.strip())


# "Đồng thời tiếp tục rà soát …" goes on with the same lead's work, whatever its timing
_CONTINUES = re.compile(r"^(?:Đồng thời|Ngoài ra|Bên cạnh đó)\s*,?\s+(?!(?:giao|đề nghị|yêu cầu)\s)", re.IGNORECASE)


class _Walker:
    def __init__(self, ref: date | None):
        self.ref = ref
        self.drafts: list[_Draft] = []
        self.levels: dict[str, int] = {}
        self.stack: list[_Heading] = []
        self.last_group: list[_Draft] = []
        # "UBND huyện yêu cầu các đơn vị thực hiện một số nội dung sau:": who the points below are for
        self.intro_units: list[str] = []
        self.intro_text = ""

    # outline
    def level_of(self, kind: str) -> int:
        if kind not in self.levels:
            self.levels[kind] = len(self.levels)
        return self.levels[kind]

    def pop_to(self, level: int) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()

    def section_pair(self) -> tuple[str | None, str | None]:
        if not self.stack:
            return None, None
        section = self.stack[0].text
        below = self.stack[1:]
        proper = [h for h in below if not h.inline]
        chosen = (proper or below)[-1] if below else None
        return section, (chosen.text if chosen else None)

    def default_leads(self) -> list[str]:
        for heading in reversed(self.stack):
            if heading.units:
                return heading.units
        return self.intro_units

    # content
    def timing(self, text: str) -> Deadline | None:
        return find_deadline(text, self.ref)

    def add_paragraph(self, content: str, leads: list[str] | None = None) -> None:
        section, subsection = self.section_pair()
        current: _Draft | None = None
        group: list[_Draft] = []
        fallback = leads or self.default_leads()
        heading = next((h.text for h in reversed(self.stack) if h.units), None)
        fallback_why = "colon" if leads else ("heading:" + heading if heading else "intro:" + self.intro_text)
        for boundary, clause in _clauses(content):
            lead, why = find_lead_why(clause)
            if lead:
                lead = _expand_enumeration(lead, clause)
            if not lead and current is None and fallback:
                lead, why = list(fallback), fallback_why
            if lead and (current is None or lead != current.lead):
                current = _Draft(lead, [clause], section, subsection, why=why)
                group.append(current)
                continue
            if current is None:
                # no unit yet: kept aside in case an "Đơn vị chủ trì: ..." line follows; dropped otherwise
                current = _Draft([], [clause], section, subsection)
                group.append(current)
                continue
            if boundary == "sentence" and not _CONTINUES.match(clause):
                before, after = self.timing(current.text), self.timing(clause)
                if before is not None and (after is None or after.text != before.text):
                    current = _Draft(list(current.lead), [clause], section, subsection, why=current.why)
                    group.append(current)
                    continue
            current.parts.append(clause)
        self.drafts.extend(group)
        if group:
            self.last_group = group

    def apply_unit_line(self, role: str, phrase: str) -> None:
        """"Đơn vị chủ trì: Phòng X" / "Đơn vị phối hợp: ..." under a directive."""
        names, _, _ = read_units(phrase.strip().rstrip(".;"))
        if not names:
            names = [n.strip() for n in re.split(r"[,;]\s*", phrase.strip().rstrip(".;")) if n.strip()]
        targets = [d for d in self.last_group if not d.lead] or self.last_group[-1:]
        for draft in targets:
            if role == "lead":
                draft.lead = list(names)
                draft.why = "unit_line"
            else:
                draft.extra_coordinate = list(names)

    def apply_deadline_line(self, phrase: str) -> None:
        """"Thời hạn: Quý IV/2024" under a task: the deadline of the task(s) just read."""
        phrase = phrase.strip().rstrip(".;")
        found = parse_deadline(phrase, self.ref) or parse_deadline(f"trong {phrase}", self.ref)
        if found is None:
            return
        fixed = Deadline(found.date, phrase, found.recurrence)
        for draft in self.last_group:
            draft.fixed = fixed


def _topic_and_content(rest: str) -> tuple[str | None, list[str], str]:
    """Split "Topic: content" / "UBND xã A, UBND xã B: content". Returns (topic, units, content)."""
    i = next(_outside_parentheses(rest, ":"), None) if ":" in rest else None
    if i is None:
        return None, [], rest
    prefix, content = rest[:i].strip(), rest[i + 1:].strip()
    if len(prefix) > 250:
        return None, [], rest
    names, end, why = read_units(prefix)
    if names and why == "end":
        return None, names, content
    if find_lead(prefix) or _DEADLINE_LINE.match(rest):
        return None, [], rest
    return prefix, [], content


def _looks_like_heading(rest: str, kind: str | None, paragraph: str) -> bool:
    if rest.endswith((".", ";", "./.", ".\"")) or len(rest) > 160:
        return False
    if find_lead(rest):
        return False
    letters = [c for c in rest if c.isalpha()]
    caps = bool(letters) and all(c.isupper() for c in letters)
    return kind is not None or caps


def _header(paragraphs: list[str], body_start: int) -> DocumentInfo:
    info = DocumentInfo()
    head = paragraphs[:body_start] if body_start else paragraphs[:15]
    for p in head:
        if info.number is None:
            m = _NUMBER.search(p)
            if m:
                info.number = m.group(1)
        if info.issued_date is None:
            m = _DATE_LINE.search(p) if re.search(r",\s*ngày", p) else None
            m = m or _DATE_LINE_NUM.search(p)
            if m:
                info.issued_date = _to_date(*m.groups()[:3])
    for i, p in enumerate(head):
        m = _TITLE_WORD.match(p)
        if m:
            rest = m.group(1).strip()
            if rest:
                info.title = rest
            elif i + 1 < len(head):
                info.title = head[i + 1]
            break
    if info.title is None:
        for p in head:
            if p.startswith(("V/v", "V/V", "Về việc")):
                info.title = re.sub(r"^(?:V/v|V/V|Về việc)\s*:?\s*", "", p)
                break
    info.issuer = _issuer_from_header(head)
    # the meeting: the first date of the preamble that is not a reference to another document
    title_index = next((i for i, p in enumerate(head) if p == info.title), -1)
    candidates = ([info.title] if info.title else []) + head[title_index + 1:]
    for p in candidates:
        if not _MEETING_WORDS.search(p):
            continue
        for m in _ANY_DATE.finditer(p):
            if _DOC_REF_BEFORE.search(p[:m.start()]):
                continue
            groups = m.groups()
            found = _to_date(*groups[:3]) if groups[0] else _to_date(*groups[3:6])
            if found:
                info.meeting_date = found
                break
        if info.meeting_date:
            break
    return info


_POSTED = re.compile(r"^(?:\d{1,2}:\d{2}\s*,?\s*|(?:Thứ \w+|Chủ nhật),?\s*|Ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})\b")


def _posted_date(paragraphs: list[str]) -> date | None:
    """A news page's date ("10:12, 01/12/2021", "Ngày 26/5/2015, UBND tỉnh ban hành …"): it anchors a
    deadline written without its year when the text has no date of issue."""
    for p in paragraphs:
        m = _POSTED.match(p)
        if m:
            return _to_date(*m.groups())
    return None


_PAGE_DATE = re.compile(r"^\s*(?:Cập nhật|Đăng|Ngày đăng|Ngày cập nhật|Thời gian đăng)[^\d\n]{0,20}"
                        r"(?:\d{1,2}:\d{2}\s*,?\s*)?(?:ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})",
                        re.IGNORECASE | re.MULTILINE)


def _posted_in_page(text: str) -> date | None:
    """"Cập nhật lúc 15:20, 03/6/2026": a line the cleaning drops as page chrome, read from the raw text."""
    m = _PAGE_DATE.search(text[:3000])
    return _to_date(*m.groups()) if m else None


def _body_start(paragraphs: list[str]) -> int:
    for i, p in enumerate(paragraphs[:60]):
        if _BODY_START.search(p) and len(p) > 10 and _marker(p)[0] is None:
            return i + 1
    # no "như sau:": the body starts at the first outline item or directive after the header
    for i, p in enumerate(paragraphs):
        # "Theo đó, giao …" right after a portal's lead sentence is already the body
        if ((i < 2 and not p.startswith("Theo đó")) or _PREAMBLE_OPENERS.match(p) or _TITLE_WORD.match(p)
                or _NUMBER.search(p[:40])):
            continue
        kind, _, rest = _marker(p)
        if kind in ("roman", "arabic1") or find_lead(rest):
            return i
    return 0


def parse_notice(text: str) -> ParsedNotice:
    paragraphs = [p for p in clean_text(text).split("\n") if p.strip()]
    start = _body_start(paragraphs)
    info = _header(paragraphs, start)
    walker = _Walker(info.issued_date or info.meeting_date or _posted_date(paragraphs[:max(start, 6)])
                     or _posted_in_page(text))
    info.reference_date = walker.ref
    if start:
        intro_units, intro_why = find_lead_why(paragraphs[start - 1].rstrip(":"))
        if intro_why and intro_why.startswith("trigger"):
            walker.intro_units, walker.intro_text = intro_units, paragraphs[start - 1]
    closing_issuer = None
    body = paragraphs[start:]
    for index, p in enumerate(body):
        followed_by_labels = index + 1 < len(body) and bool(_UNIT_LINE.match(_marker(body[index + 1])[2]))
        if _END_OF_BODY.match(p):
            break
        kind, label, rest = _marker(p)
        if not rest:
            continue
        if kind is None and _CLOSING.search(p):
            found = find_deadline(p, walker.ref)
            if found and found.date and info.report_deadline is None:
                info.report_deadline, info.report_deadline_text = found.date, found.text
            m = re.match(r"^(.{5,120}?)\s+thông báo\b", p)
            if m and starts_with_unit(m.group(1)):
                closing_issuer = m.group(1).strip()
            continue
        unit_line = _UNIT_LINE.match(rest)
        if unit_line and kind in (None, "dash", "plus", "bullet"):
            role = "coordinate" if "phối hợp" in unit_line.group(1).lower() else "lead"
            walker.apply_unit_line(role, unit_line.group(2))
            continue
        deadline_line = _DEADLINE_LINE.match(rest)
        if deadline_line and kind in (None, "dash", "plus", "bullet"):
            walker.apply_deadline_line(deadline_line.group(1))
            continue
        if kind is not None:
            level = walker.level_of(kind)
            walker.pop_to(level)
        else:
            level = max((h.level for h in walker.stack), default=-1) + 1
        numbered = kind in ("roman", "letter") or (kind or "").startswith("arabic")
        shown = f"{label} {rest}" if numbered else rest
        if rest.endswith(":") and not _DEADLINE_LINE.match(rest):
            names, end, why = read_units(rest[:-1])
            trigger = _TRIGGER.match(rest)
            if trigger and not names:  # "Giao Phòng Quản lý đô thị:" heads the items below it
                names, end, why = read_units(rest[:-1], trigger.end())
            if names and why == "end":
                walker.stack.append(_Heading(level, shown.rstrip(": "), units=names))
            elif find_lead(rest[:-1]):
                walker.add_paragraph(rest[:-1] + ".")
            else:
                walker.stack.append(_Heading(level, shown.rstrip(": ")))
            continue
        if followed_by_labels:  # "- Rà soát ..." then "Đơn vị chủ trì: ...": a directive, not a heading
            walker.add_paragraph(rest)
            continue
        if kind is not None and not rest.endswith((".", ";")):
            names, end, why = read_units(rest)
            trigger = _TRIGGER.match(rest)
            if trigger and not names:
                names, end, why = read_units(rest, trigger.end())
            if names and why == "end":
                walker.stack.append(_Heading(level, shown, units=names))
                continue
        if _looks_like_heading(rest, kind, p):
            names, end, why = read_units(rest)
            walker.stack.append(_Heading(level, shown, units=names if why == "end" else []))
            continue
        topic, units, content = _topic_and_content(rest)
        if topic is not None:
            topic_shown = f"{label} {topic}" if numbered else topic
            if kind is not None:
                walker.stack.append(_Heading(level, topic_shown, inline=True))
            walker.add_paragraph(content)
        else:
            walker.add_paragraph(content, leads=units or None)

    if closing_issuer and not info.issuer:
        info.issuer = closing_issuer
    notice = ParsedNotice(document=info)
    for draft in walker.drafts:
        if not draft.lead:
            continue  # a remark without a unit is not a task
        text = draft.text
        if _only_carry_out(text):
            continue  # "Các cơ quan ... nghiêm túc triển khai thực hiện./.": the closing, for everyone
        found = draft.fixed or find_deadline(text, walker.ref)
        notice.tasks.append(ParsedTask(
            section=draft.section, subsection=draft.subsection, lead=draft.lead,
            coordinate=list(dict.fromkeys(find_coordinates(text, draft.lead) + draft.extra_coordinate)), text=text,
            deadline=found.date if found else None,
            deadline_text=found.text if found else None,
            recurrence=found.recurrence if found else None,
            why_lead=draft.why,
            why_deadline=("line" if draft.fixed else deadline_rule(found.text)) if found else None,
        ))
    return notice


# "… nghiêm túc triển khai thực hiện (các nội dung trên) (, báo cáo kết quả về …)": no work of its own
_CARRY_OUT = re.compile(
    r"^(?:(?:khẩn trương|nghiêm túc|chịu trách nhiệm|có trách nhiệm|tổ chức|chủ động|quán triệt)\s*,?\s*(?:và\s+)?)*"
    r"(?:triển khai|thực hiện)(?:\s*,?\s*(?:thực hiện|triển khai))?"
    r"(?:\s+(?:nghiêm túc|kịp thời|có hiệu quả|hiệu quả|đầy đủ))?"
    r"(?:\s+(?:các|những)\s+nội dung\s+(?:trên|nêu trên|kết luận|tại Thông báo này)"
    r"|\s+(?:Thông báo|thông báo|[Kk]ết luận)(?:\s+(?:này|nêu trên|trên))?)?"
    r"(?:\s*,?\s*(?:bảo đảm|đảm bảo)\s+tiến độ(?:,\s*|\s+và\s+)chất lượng)?"
    r"\s*(?:[;,]\s*báo cáo kết quả[^;.]*)?\s*(?:\./\.|[.;]|$)")


def _only_carry_out(text: str) -> bool:
    """The units (a subject, or after "đề nghị" even behind "Nhận được Công văn này, …") and then
    nothing but "triển khai thực hiện"."""
    body = _LEAD_IN.sub("", text.strip())
    names, end, _ = read_units(body)
    if not names:
        for trigger in _TRIGGER.finditer(body):
            names, end, _ = read_units(body, trigger.end())
            if names:
                break
    return bool(names) and bool(_CARRY_OUT.match(body[end:].strip(" ,")))


def clear_caches() -> None:
    """Forget memoised deadline and unit-list results (for benchmarks and long-running processes)."""
    from bot.notices.cleaning import _repair_word, _split_case_and_digits
    from bot.notices.unitphrases import _read_units

    find_deadline.cache_clear()
    _read_units.cache_clear()
    _repair_word.cache_clear()
    _split_case_and_digits.cache_clear()


_TABLE_HEADER = re.compile(r"(?:đơn vị|unit)\s*[,;\t|].*(?:nhiệm vụ|task)", re.IGNORECASE)


def looks_like_notice(text: str) -> bool:
    """True for a notice or directive letter; False for a task table or unrelated text."""
    if not text or not text.strip():
        return False
    cleaned = clean_text(text)
    first = next((line for line in cleaned.split("\n") if line.strip()), "")
    if _TABLE_HEADER.search(first):
        return False
    lines = [line for line in cleaned.split("\n") if line.strip()]
    tabular = sum(1 for line in lines if line.count("\t") >= 2 or line.count(";") >= 3)
    if lines and tabular > len(lines) / 2:
        return False
    signals = re.search(r"THÔNG BÁO|kết luận|chỉ đạo|Kính gửi|/TB-|Số\s*:", cleaned, re.IGNORECASE)
    directives = sum(1 for line in lines[:400] if find_lead(_marker(line)[2]))
    return directives >= 2 or (directives >= 1 and bool(signals))
