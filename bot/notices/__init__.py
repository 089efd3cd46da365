"""Reading conclusion notices ("Thông báo kết luận") into tasks.

    text = read_document(data, "thong-bao.docx")        # or read_path(path); raises NoticeReadError
    notice = parse_notice(text)                           # ParsedNotice: .document, .tasks, .to_json()
    units = match_units(notice.units, directory)          # names as written → directory units + proposals

`load_notice(data, filename)` does the first two and refuses a document without directives.
"""
from __future__ import annotations

from bot.dates.deadlines import Deadline, find_deadline, parse_deadline
from bot.directory.unitmatch import UnitEntry, UnitMatch, match_units, unit_key
from bot.notices.cleaning import clean_text
from bot.notices.parser import DocumentInfo, ParsedNotice, ParsedTask, looks_like_notice, parse_notice
from bot.notices.readers import MAX_BYTES, NoticeReadError, read_document, read_path


def load_notice(data: bytes, filename: str) -> ParsedNotice:
    """Read and parse a notice file; NoticeReadError("no_directives") when it assigns nothing."""
    notice = parse_notice(read_document(data, filename))
    if not notice.tasks:
        raise NoticeReadError("no_directives")
    return notice


__all__ = [
    "Deadline", "DocumentInfo", "MAX_BYTES", "NoticeReadError", "ParsedNotice", "ParsedTask", "UnitEntry",
    "UnitMatch", "clean_text", "find_deadline", "load_notice", "looks_like_notice", "match_units",
    "parse_deadline", "parse_notice", "read_document", "read_path", "unit_key",
]
