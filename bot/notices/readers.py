"""Turn an uploaded file into plain text: .txt/.md, .docx (with list numbering and tables), PDF text layers.

Bad input raises NoticeReadError with a short reason code; `.message(lang)` is the sentence to show.
"""
from __future__ import annotations

import asyncio
import io
import json
import re
import sys
import zipfile
from pathlib import Path

from bot.i18n import N_, t
from bot.notices.cleaning import normalise_unicode

MAX_BYTES = 20 * 1024 * 1024
# Zip-bomb guard for .docx (and, in bot/tasks/table.py, .xlsx): a few kilobytes of zip can
# inflate to gigabytes of XML. Python's zipfile never inflates a member past the size its
# directory declares, so checking the declared sizes before parsing bounds the work.
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_RATIO = 100  # Word and Excel XML packs about 5-20 to 1; bombs go to 1,000 and more
MAX_MEMBERS = 10_000
# Reading a file in the chat runs in a child process with these bounds (see read_isolated).
READ_SECONDS = 30
READ_MEMORY_MB = 1024
# Parsing the text runs on the loop (about 1 s per million characters): a notice is a few pages.
MAX_NOTICE_CHARS = 300_000

_MESSAGES = {
    "empty": N_("The file is empty: there is nothing to read."),
    "too_large": N_("The file is larger than 20 MB. Please send the notice itself, without attachments."),
    "not_docx": N_("This file has a .docx name but is not a Word document (it may be damaged). Please save it again as .docx and resend it."),  # noqa: E501
    "scanned_pdf": N_("This PDF is a scanned image with no text layer, so it cannot be read. Please send the .docx file or a PDF with text."),  # noqa: E501
    "unsupported": N_("This kind of file cannot be read. Please send a .docx, .pdf (with text), .txt or .md file, or paste the text."),  # noqa: E501
    "no_directives": N_("No directive assigned to a unit was found in this document, so no task was created."),
    "inflated": N_("This file unpacks to far more than its size (over 100 MB, or more than 100 times its size), so it is not opened. Please save it again as an ordinary .docx and resend it."),  # noqa: E501
    "too_long": N_("This document is far longer than a conclusion notice (over 300,000 characters), so it is not read. Please send the notice itself."),  # noqa: E501
    "too_complex": N_("This file took too long or too much memory to read, so reading it was stopped. Please send the notice as an ordinary .docx, or paste its text."),  # noqa: E501
}


def zip_problem(data: bytes, max_unzipped: int = MAX_UNZIPPED, max_ratio: int = MAX_RATIO,
                max_members: int = MAX_MEMBERS) -> str | None:
    """Why a zip container must not be opened (a description), or None when it may be."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # not a readable zip: the reader itself says so
    if len(members) > max_members:
        return f"{len(members)} members"
    total = sum(m.file_size for m in members)
    if total > max_unzipped:
        return f"{total} bytes unpacked"
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > max_ratio * max(m.compress_size, 1):
            return f"{m.filename}: {m.file_size} bytes from {m.compress_size}"
    return None


class NoticeReadError(Exception):
    """A document that cannot be turned into tasks; `reason` is one of _MESSAGES' keys."""

    def __init__(self, reason: str, detail: str = ""):
        if reason not in _MESSAGES:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def message(self, lang: str | None = "vi") -> str:
        return t(lang, _MESSAGES[self.reason])


# ---- plain text ----------------------------------------------------------------------------

def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise NoticeReadError("unsupported", "binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")  # old Windows Vietnamese
    except UnicodeDecodeError as exc:
        raise NoticeReadError("unsupported", "unknown text encoding") from exc


# ---- .docx ---------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _roman(n: int) -> str:
    values = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
              (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    return str(n)


class _Numbering:
    """Recovers the text of Word's automatic numbering ("1.", "a)", "-") from numbering.xml."""

    def __init__(self, document):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.iter(f"{_W}abstractNum"):
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.iter(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                lv[ilvl] = (fmt.get(f"{_W}val") if fmt is not None else "decimal",
                            text.get(f"{_W}val") if text is not None else "%1.",
                            int(start.get(f"{_W}val")) if start is not None else 1)
            abstract[an.get(f"{_W}abstractNumId")] = lv
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{_W}val"), {}).items():
                self.levels[(num.get(f"{_W}numId"), ilvl)] = spec

    def label(self, paragraph) -> str:
        num_pr = None
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            num_pr = ppr.numPr
        else:
            style = paragraph.style
            while style is not None and num_pr is None:
                sppr = style.element.pPr
                if sppr is not None and sppr.numPr is not None:
                    num_pr = sppr.numPr
                style = style.base_style
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id = str(num_pr.numId.val)
        ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        spec = self.levels.get((num_id, ilvl))
        if spec is None or num_id == "0":
            return ""
        fmt, text, start = spec
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def repl(m: re.Match) -> str:
            level = int(m.group(1)) - 1
            lfmt = self.levels.get((num_id, level), ("decimal", "", 1))[0]
            return _format_number(counters.get(level, 1), lfmt)

        return re.sub(r"%(\d)", repl, text)


def _read_docx(data: bytes) -> str:
    if not data.startswith(b"PK"):
        raise NoticeReadError("not_docx", "not a zip container")
    inflated = zip_problem(data)
    if inflated:
        raise NoticeReadError("inflated", inflated)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, Exception) as exc:
        raise NoticeReadError("not_docx", type(exc).__name__) from exc

    numbering = _Numbering(document)
    lines: list[str] = []

    def para_text(p) -> str:
        text = p.text.replace("\t", " ").strip()
        label = numbering.label(p)
        return f"{label} {text}".strip() if (label and text) else text

    def task_table(table) -> bool:
        """A table of tasks (Nội dung | Đơn vị chủ trì | Phối hợp | Thời hạn): one directive per row."""
        rows = [[c.text.strip() for c in row.cells] for row in table.rows]
        if len(rows) < 2:
            return False
        header = [h.lower() for h in rows[0]]

        def column(*words: str) -> int | None:
            for i, h in enumerate(header):
                if any(w in h for w in words):
                    return i
            return None

        task = column("nội dung", "nhiệm vụ", "công việc")
        lead = column("chủ trì", "thực hiện", "đơn vị")
        if task is None or lead is None or task == lead:
            return False
        coord = column("phối hợp")
        due = column("thời hạn", "thời gian", "hoàn thành")
        for cells in rows[1:]:
            if task >= len(cells) or not cells[task]:
                continue
            lines.append("- " + " ".join(cells[task].split()))
            for label, index in (("Đơn vị chủ trì", lead), ("Đơn vị phối hợp", coord), ("Thời hạn", due)):
                if index is not None and index < len(cells) and cells[index] and index != task:
                    lines.append(f"{label}: " + " ".join(cells[index].split()))
        lines.append("")
        return True

    def walk_table(table) -> None:
        if task_table(table):
            return
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                for p in cell.paragraphs:
                    lines.append(para_text(p))
                for inner in cell.tables:
                    walk_table(inner)
            lines.append("")

    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            lines.append(para_text(Paragraph(child, document)))
        elif child.tag == f"{_W}tbl":
            lines.append("")
            walk_table(Table(child, document))
            lines.append("")
    return "\n".join(lines)


# ---- .pdf ----------------------------------------------------------------------------------

_PDF_MARKER = re.compile(r"^\s*(?:[-–+•]|\d{1,2}(?:\.\d{1,2})*[.)]|[IVX]+[.)]|[a-zđ]\))\s*")


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _unwrap_pdf_lines(text: str) -> str:
    """PDF text comes one printed line at a time: join the lines of a paragraph back together."""
    raw_lines = [line.strip() for line in text.split("\n")]
    lengths = sorted(len(line) for line in raw_lines if len(line) > 20)
    full = lengths[len(lengths) * 3 // 4] if lengths else 80  # a typical full printed line
    out: list[str] = []
    prev_len = 0
    for line in raw_lines:
        if not line:
            out.append("")
            continue
        if re.fullmatch(r"\d{1,3}", line):  # page number
            continue
        prev = out[-1] if out else ""
        # a line that stops short without punctuation ends its paragraph (a heading), unless the next
        # line visibly continues it in lower case
        continues = line[0].islower() or (line[0].isdigit() and not _PDF_MARKER.match(line)) or prev_len >= 0.8 * full
        if (prev and not prev.endswith((".", ":", ";", "!", "?")) and not _PDF_MARKER.match(line)
                and not _is_caps(prev) and not _is_caps(line) and continues):
            out[-1] = prev + " " + line
        else:
            out.append(line)
        prev_len = len(line)
    return "\n".join(out)


def _read_pdf(data: bytes) -> str:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise NoticeReadError("unsupported", "not a PDF")
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise NoticeReadError("unsupported", f"unreadable PDF: {type(exc).__name__}") from exc
    text = "\n".join(pages)
    letters = sum(1 for c in text if c.isalpha())
    if letters < 40 * max(1, min(len(pages), 3)) / 3:
        raise NoticeReadError("scanned_pdf")
    return _unwrap_pdf_lines(normalise_unicode(text))


# ---- entry points --------------------------------------------------------------------------

_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}


def read_document(data: bytes, filename: str) -> str:
    """Raw text of a notice file (not yet cleaned). Raises NoticeReadError."""
    if len(data) > MAX_BYTES:
        raise NoticeReadError("too_large", f"{len(data)} bytes")
    if not data or not data.strip():
        raise NoticeReadError("empty")
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".docx":
        text = _read_docx(data)
    elif suffix == ".pdf" or data[:5] == b"%PDF-":
        text = _read_pdf(data)
    elif suffix in _TEXT_SUFFIXES:
        text = _decode_text(data)
    elif data.startswith(b"PK") or suffix in {".doc", ".xls", ".xlsx", ".odt", ".rtf", ".jpg", ".jpeg", ".png"}:
        raise NoticeReadError("unsupported", suffix)
    else:
        text = _decode_text(data)  # pasted text saved under another name
    text = normalise_unicode(text)
    if not text.strip():
        raise NoticeReadError("empty")
    return text


def read_path(path: str | Path) -> str:
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise NoticeReadError("too_large", f"{size} bytes")
    return read_document(path.read_bytes(), path.name)


# ---- reading in a child process ------------------------------------------------------------

async def read_isolated(data: bytes, filename: str, seconds: float | None = None,
                        memory_mb: int | None = None) -> str:
    """read_document in a child process, killed after `seconds` or past `memory_mb`.

    The bot's event loop keeps answering others meanwhile, and a hostile file can cost at most
    this much time and memory; the child's start (about half a second) is nothing for a file."""
    seconds, memory_mb = seconds or READ_SECONDS, memory_mb or READ_MEMORY_MB
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.notices.readers", filename, str(memory_mb),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(data), seconds)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise NoticeReadError("too_complex", f"still reading after {seconds} s") from None
    except BaseException:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    try:
        answer = json.loads(out)
    except ValueError:
        answer = {"error": "too_complex", "detail": f"reader exited with {proc.returncode}"}
    if "error" in answer:
        raise NoticeReadError(answer["error"], answer.get("detail", ""))
    if len(answer["text"]) > MAX_NOTICE_CHARS:
        raise NoticeReadError("too_long", f"{len(answer['text'])} characters")
    return answer["text"]


def _child(filename: str, memory_mb: int) -> None:
    """`python -m bot.notices.readers NAME MB`: the file on stdin, JSON on stdout."""
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        answer = {"text": read_document(sys.stdin.buffer.read(), filename)}
    except NoticeReadError as exc:
        answer = {"error": exc.reason, "detail": exc.detail}
    except MemoryError:
        answer = {"error": "too_complex", "detail": f"more than {memory_mb} MB"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
