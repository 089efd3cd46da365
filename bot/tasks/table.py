"""Reading task tables (CSV/XLSX) and unit lists into checked rows.

Pure: bytes in, rows or errors out; nothing here touches the database. The caller stores
nothing when `TaskTable.errors` is non-empty, and shows each error's `message(lang)`.

    table = read_task_table(data, "tasks.xlsx", directory=units, today=date(2026, 11, 24))

Row numbers are the ones the user sees in the sheet (the header is normally row 1). A cell
naming several units ("A; B" or one per line) gives one TaskRow per unit with the same
row_number: rows sharing a row_number are one task.
"""
from __future__ import annotations

import calendar
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from bot.dates.deadlines import parse_deadline as grammar_deadline
from bot.dates.timeutil import fmt_date, parse_day
from bot.directory.unitmatch import UnitEntry, match_units
from bot.i18n import N_, t
from bot.text.fold import fold

# --------------------------------------------------------------------------- text helpers

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_BLANKS = re.compile(r"[^\S\n]+")  # any whitespace but a line break (NBSP, thin spaces, tabs)


def clean_text(value: Any) -> str:
    """NFC, no zero-width characters, spaces collapsed, line breaks kept, ends trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    lines = (_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def words_key(value: Any) -> str:
    """Folded (bot.text), punctuation to spaces: for matching headers and words."""
    return " ".join(re.sub(r"[^0-9a-z/]+", " ", fold(clean_text(value))).split())


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class TaskRow:
    row_number: int
    unit: str  # a directory name, as the unit matcher found it
    task: str
    deadline: date | None
    deadline_text: str | None  # the cell as written
    document: str | None = None
    section: str | None = None
    recurrence: str | None = None  # weekly|monthly|quarterly|semiannual|yearly
    role: str = "lead"  # lead | coordinate ("Đơn vị phối hợp" column)


_ROW_MESSAGES = {
    "unknown_unit": N_("Row {row}: unit «{value}» not found"),
    "bad_date": N_("Row {row}: deadline «{value}» is not a valid date (write dd/mm/yyyy)"),
    "missing_task": N_("Row {row}: the task is empty"),
    "missing_unit": N_("Row {row}: no unit is named"),
    "bad_recurrence": N_(
        "Row {row}: recurrence «{value}» is not understood "
        "(write weekly, monthly, quarterly, semiannual or yearly)"
    ),
    "missing_name": N_("Row {row}: the unit name is empty"),
    "bad_kind": N_("Row {row}: unit kind «{value}» is not understood (write department, office, agency, center, council, commune, ward, town, collective or other)"),  # noqa: E501
    "duplicate_name": N_("Row {row}: unit «{value}» is listed twice"),
    "members_not_collective": N_("Row {row}: only a collective unit can have members"),
}


@dataclass(frozen=True)
class RowError:
    row_number: int
    field: str
    value: str
    code: str

    def message(self, lang: str | None) -> str:
        return t(lang, _ROW_MESSAGES[self.code], row=self.row_number, value=self.value)


@dataclass
class TaskTable:
    rows: list[TaskRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, lang: str | None) -> list[str]:
        return [error.message(lang) for error in self.errors]


_FIELD_LABELS = {
    "unit": N_("Unit"),
    "task": N_("Task"),
    "deadline": N_("Deadline"),
    "name": N_("Unit name"),
}

_FILE_MESSAGES = {
    "empty": N_("The file is empty."),
    "not_a_table": N_(
        "No table found in the file: the first row should hold the headers "
        "Đơn vị, Nhiệm vụ, Thời hạn (or unit, task, deadline)."
    ),
    "missing_columns": N_("The table lacks the column(s): {columns}."),
    "unreadable": N_("The file cannot be read: send a CSV or XLSX (Excel) file."),
    "inflated": N_("The file unpacks to far more than its size (over 100 MB, or more than 100 "
                   "times its size), so it is not opened. Please save it again and resend it."),
    "bad_rows": N_("Nothing was stored: {count} row(s) need fixing."),
}


class TaskTableError(Exception):
    """The file as a whole cannot be used: empty, not a table, missing columns, unreadable."""

    def __init__(self, code: str, missing: Iterable[str] = (), errors: Iterable[RowError] = ()):
        self.code = code
        self.missing = tuple(missing)  # field names, for "missing_columns"
        self.errors = list(errors)  # row errors, for "bad_rows" (unit lists)
        super().__init__(code if not self.missing else f"{code}: {', '.join(self.missing)}")

    def message(self, lang: str | None) -> str:
        if self.code == "missing_columns":
            columns = ", ".join(t(lang, _FIELD_LABELS.get(name, name)) for name in self.missing)
            return t(lang, _FILE_MESSAGES[self.code], columns=columns)
        if self.code == "bad_rows":
            head = t(lang, _FILE_MESSAGES[self.code], count=len(self.errors))
            return "\n".join([head, *(error.message(lang) for error in self.errors)])
        return t(lang, _FILE_MESSAGES[self.code])


# --------------------------------------------------------------------------- reading the grid

Cell = Any  # str | int | float | date | datetime | None
Grid = list[tuple[int, list[Cell]]]  # (row number as seen in the sheet, cells)


def _read_grid(data: bytes, filename: str) -> Grid:
    if not data or not data.strip():
        raise TaskTableError("empty")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in ("xlsx", "xlsm") or data[:4] == b"PK\x03\x04":
        return _xlsx_grid(data)
    if ext == "xls" or data[:4] in (b"\xd0\xcf\x11\xe0", b"%PDF"):
        raise TaskTableError("unreadable")  # old binary Excel, PDF: not something we read
    return _csv_grid(data)


# Zip-bomb guard (as bot/notices/readers.py does for .docx): zipfile never inflates a member
# past its declared size, so the declared sizes, checked before openpyxl opens it, bound the work.
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_RATIO = 100


def _inflated(data: bytes) -> bool:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False  # openpyxl says it is unreadable
    return (len(members) > 10_000 or sum(m.file_size for m in members) > MAX_UNZIPPED
            or any(m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)
                   for m in members))


def _xlsx_grid(data: bytes) -> Grid:
    import openpyxl

    if _inflated(data):
        raise TaskTableError("inflated")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        sheet = workbook.worksheets[0]
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        # A cell merged down over several rows (a unit leading several tasks) belongs to each row.
        for merged in sheet.merged_cells.ranges:
            if merged.min_col != merged.max_col or merged.max_row == merged.min_row:
                continue
            column = merged.min_col - 1
            value = grid[merged.min_row - 1][column]
            for index in range(merged.min_row, min(merged.max_row, len(grid))):
                grid[index][column] = value
    except Exception as exc:  # a corrupt zip, not a workbook, a docx renamed .xlsx ...
        raise TaskTableError("unreadable") from exc
    if not any(clean_text(v) for row in grid for v in row):
        raise TaskTableError("empty")
    return [(index + 1, row) for index, row in enumerate(grid)]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return data.decode("utf-16")
    if b"\x00" in data:
        raise TaskTableError("unreadable")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1258", "cp1252"):  # Vietnamese Windows first, then Western
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TaskTableError("unreadable")


def _csv_grid(data: bytes) -> Grid:
    text = _decode(data)
    if not clean_text(text):
        raise TaskTableError("empty")
    controls = sum(1 for ch in text[:4000] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > 5:
        raise TaskTableError("unreadable")
    best: tuple[int, int, list[list[str]]] | None = None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    for delimiter in (",", ";", "\t", "|"):
        try:
            records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise TaskTableError("unreadable") from exc
        score = max((_header_score(row, TASK_HEADERS) for row in records[:15]), default=0)
        rank = (score, first_line.count(delimiter))
        if best is None or rank > best[:2]:
            best = (*rank, records)
    assert best is not None
    return [(index + 1, list(row)) for index, row in enumerate(best[2])]


# --------------------------------------------------------------------------- headers

TASK_HEADERS: dict[str, tuple[str, ...]] = {
    "unit": ("don vi", "don vi chu tri", "unit", "units", "lead unit", "co quan chu tri",
             "don vi thuc hien", "chu tri"),
    "coordinate": ("don vi phoi hop", "phoi hop", "coordinate", "coordinating units",
                   "co quan phoi hop"),
    "task": ("nhiem vu", "noi dung", "noi dung nhiem vu", "task", "ten nhiem vu",
             "noi dung cong viec", "cong viec"),
    "deadline": ("thoi han", "han", "deadline", "thoi han hoan thanh", "han hoan thanh",
                 "due date", "thoi gian hoan thanh"),
    "document": ("van ban", "so van ban", "document", "so hieu van ban", "so ky hieu",
                 "van ban giao"),
    "section": ("muc", "linh vuc", "section"),
    "recurrence": ("dinh ky", "lap lai", "recurrence", "tan suat"),
    "number": ("stt", "tt", "so tt", "no"),
}
TASK_REQUIRED = ("unit", "task", "deadline")

UNIT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("ten don vi", "ten", "name", "don vi", "unit"),
    "aliases": ("ten khac", "aliases", "alias", "ten goi khac", "ten viet tat"),
    "kind": ("loai", "kind", "loai don vi", "type"),
    "members": ("thanh vien", "members", "don vi thanh vien"),
}
UNIT_REQUIRED = ("name",)


def _header_field(cell: Cell, headers: dict[str, tuple[str, ...]]) -> str | None:
    if not isinstance(cell, str):
        return None
    key = words_key(re.sub(r"\(.*?\)", " ", cell).replace("*", " "))  # "Thời hạn (dd/mm/yyyy)*"
    for name, synonyms in headers.items():
        if key in synonyms:
            return name
    return None


def _header_score(row: list[Cell], headers: dict[str, tuple[str, ...]]) -> int:
    return len({f for f in (_header_field(c, headers) for c in row) if f and f != "number"})


def _find_header(grid: Grid, headers: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    """The header row (searched in the first rows, under any title lines) and its columns."""
    best: tuple[int, set[str]] | None = None
    for position, (_, row) in enumerate(grid[:12]):
        columns: dict[str, int] = {}
        for index, cell in enumerate(row):
            name = _header_field(cell, headers)
            if name and name not in columns:
                columns[name] = index
        if all(name in columns for name in required):
            return position, columns
        found = set(columns) - {"number"}
        if found and (best is None or len(found) > len(best[1])):
            best = (position, found)
    if best is None:
        raise TaskTableError("not_a_table")
    raise TaskTableError("missing_columns", missing=[n for n in required if n not in best[1]])


def _cell(row: list[Cell], columns: dict[str, int], name: str) -> Cell:
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else None


def _text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = fmt_date(value.date()) if value.time() == datetime.min.time() else value.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, date):
        value = fmt_date(value)
    return clean_text(value)


def split_names(value: Cell) -> list[str]:
    """'A; B' or one name per line → ['A', 'B'] (commas stay: 'UBND các xã, phường' is one name)."""
    names: list[str] = []
    for part in re.split(r"[;\n]", _text(value)):
        part = part.strip().lstrip("-•+*–").strip().rstrip(".").strip()
        if part and part not in names:
            names.append(part)
    return names


# --------------------------------------------------------------------------- deadlines

_NO_DEADLINE = {"", "-", "khong", "khong co", "khong thoi han", "khong co thoi han", "thuong xuyen",
                "none", "no deadline", "ongoing"}
_LEAD_WORDS = re.compile(
    r"^(?:(?:truoc|cham nhat|han chot|han|den|khong qua|hoan thanh|xong|vao|la|ngay|trong|cuoi"
    r"|before|by|due|on)\b\s*)+"
)
_CLOCK = re.compile(r"^\d{1,2} ?(?:h|gio|(?= \d))(?: ?\d{2})?(?: ?phut)? ?")  # 17h00, 17 giờ, 17:00
_ISO_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY_TIME = re.compile(r"^(\d{1,2}/\d{1,2}/\d{2,4}) \d{1,2} \d{2}(?: \d{2})?$")  # "… 00:00:00"
_MONTH = re.compile(r"^thang (\d{1,2}) ?(?:/|nam) ?(\d{4})$")
_QUARTER = re.compile(r"^quy (i|ii|iii|iv|1|2|3|4) ?(?:/|nam) ?(\d{4})$")
_YEAR = re.compile(r"^nam (\d{4})$")
_WORDY_DAY = re.compile(r"^(\d{1,2}) thang (\d{1,2}) nam (\d{4})$")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(value: Cell, today: date) -> tuple[date | None, str | None]:
    """A deadline cell → (date or None, the cell as written). Raises ValueError when unreadable.

    Takes real dates, dd/mm/yyyy (also with '.' or '-'), dd/mm (next one on or after `today`),
    ISO, "trước ngày 15/12/2026", "trong tháng 12/2026", "quý IV/2026", "năm 2026";
    empty, "-" or "thường xuyên" mean no deadline."""
    if isinstance(value, datetime):
        return _sane(value.date()), fmt_date(value.date())
    if isinstance(value, date):
        return _sane(value), fmt_date(value)
    written = _text(value)
    key = words_key(written.replace("-", "/").replace(".", "/")) if written else ""
    if key in _NO_DEADLINE or written in ("-", "—", "–"):
        return None, written or None
    iso = _ISO_TIME.match(written.strip().lower())
    if iso:
        return _sane(parse_day(iso[1])), written
    # the one grammar of deadlines, as in notices: "trước tháng 5/2026" is 30/4 in both
    said = grammar_deadline(written, today)
    if said is not None and said.date is not None and not re.fullmatch(r"[\d/.\-\s]+", written):
        return _sane(said.date), written
    key = _LEAD_WORDS.sub("", key)
    key = _LEAD_WORDS.sub("", _CLOCK.sub("", key))  # "trước 17h00 ngày 15/12/2026"
    key = _DMY_TIME.sub(r"\1", key)
    if m := _MONTH.match(key):
        return _sane(_month_end(int(m[2]), int(m[1]))), written
    if m := _QUARTER.match(key):
        quarter = _QUARTERS[m[1]]
        return _sane(_month_end(int(m[2]), quarter * 3)), written
    if m := _YEAR.match(key):
        return _sane(date(int(m[1]), 12, 31)), written
    if m := _WORDY_DAY.match(key):
        return _sane(date(int(m[3]), int(m[2]), int(m[1]))), written
    if re.fullmatch(r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{4}/\d{1,2}/\d{1,2}", key):
        if re.match(r"\d{4}/", key):
            key = key.replace("/", "-")
        return _sane(parse_day(key, today)), written
    raise ValueError(f"not a deadline: {written!r}")


def _sane(day: date) -> date:
    if not 2000 <= day.year <= 2100:  # 15/12/0026, 1/1/1900: a typo, not a deadline
        raise ValueError(f"implausible year: {day.year}")
    return day


# --------------------------------------------------------------------------- recurrence

RECURRENCES = ("weekly", "monthly", "quarterly", "semiannual", "yearly")
_RECURRENCE_WORDS = {
    "tuan": "weekly", "weekly": "weekly", "week": "weekly",
    "thang": "monthly", "monthly": "monthly", "month": "monthly",
    "quy": "quarterly", "3 thang": "quarterly", "quarterly": "quarterly", "quarter": "quarterly",
    "6 thang": "semiannual", "sau thang": "semiannual", "nua nam": "semiannual",
    "semiannual": "semiannual", "semi annual": "semiannual", "half yearly": "semiannual",
    "biannual": "semiannual",
    "nam": "yearly", "12 thang": "yearly", "yearly": "yearly", "annual": "yearly",
    "annually": "yearly", "year": "yearly",
}
_RECURRENCE_NONE = {"", "khong", "none", "no", "mot lan", "1 lan"}
_RECURRENCE_FILLERS = {"dinh", "ky", "lap", "lai", "hang", "moi", "theo", "lan", "mot", "1", "every", "each"}


def parse_recurrence(value: Cell) -> str | None:
    """'hằng tháng' / 'Định kỳ 6 tháng' / 'weekly' → a RECURRENCES value; empty → None.

    Raises ValueError when not understood."""
    key = words_key(value).replace("/", " ")
    if key in _RECURRENCE_NONE or _text(value) in ("-", "—"):
        return None
    if key in RECURRENCES:
        return key
    words = " ".join(w for w in key.split() if w not in _RECURRENCE_FILLERS)
    if words in _RECURRENCE_WORDS:
        return _RECURRENCE_WORDS[words]
    raise ValueError(f"not a recurrence: {value!r}")


# --------------------------------------------------------------------------- task tables

_ROMAN = re.compile(r"^(?:[IVXLC]+|[A-Z])\.?$")


def _section_heading(row: list[Cell], columns: dict[str, int]) -> str | None:
    """A group row such as "II | LĨNH VỰC VĂN HÓA - XÃ HỘI | | ": a heading, not a task."""
    if any(_text(_cell(row, columns, name)) for name in ("unit", "deadline", "coordinate")):
        return None
    text = _text(_cell(row, columns, "task"))
    number = _text(_cell(row, columns, "number"))
    if text and (_ROMAN.match(number) or (text.upper() == text and any(c.isalpha() for c in text))):
        return text
    return None


def read_task_table(
    data: bytes,
    filename: str,
    directory: Sequence[UnitEntry | tuple],
    today: date,
) -> TaskTable:
    """Read a task table; unit names are matched against `directory` by the one unit matcher
    (a collective gives a row per member). Raises TaskTableError for file-level problems; row
    problems are in `.errors` (the caller must then store nothing)."""
    grid = _read_grid(data, filename)
    position, columns = _find_header(grid, TASK_HEADERS, TASK_REQUIRED)
    body = grid[position + 1 :]
    # Every name at once: the matcher keys the whole directory on each call.
    names = sorted({name for _, row in body for column in ("unit", "coordinate")
                    for name in split_names(_cell(row, columns, column))})
    known_units = match_units(names, directory).matched
    table = TaskTable()
    heading: str | None = None
    for row_number, row in body:
        values = {name: _cell(row, columns, name) for name in columns if name != "number"}
        if not any(_text(v) for v in values.values()):
            # Blank, or a heading merged across the row from the STT column ("III. NỘI CHÍNH").
            number = _text(_cell(row, columns, "number"))
            if re.search(r"[^\W\d_]{3,}", number):
                heading = number
            continue
        if (title := _section_heading(row, columns)) is not None:
            heading = title
            continue
        errors_before = len(table.errors)

        def fail(field_name: str, value: Cell, code: str) -> None:
            # Called only within this iteration, so the loop's row_number is the right one.
            table.errors.append(RowError(row_number, field_name, _text(value), code))  # noqa: B023

        task = _text(values.get("task"))
        if not task:
            fail("task", "", "missing_task")
        leads = split_names(values.get("unit"))
        if not leads:
            fail("unit", "", "missing_unit")
        units: list[tuple[str, str]] = []
        for role, names in (("lead", leads), ("coordinate", split_names(values.get("coordinate")))):
            for name in names:
                found = known_units.get(name, [])
                if not found:
                    fail("unit" if role == "lead" else "coordinate", name, "unknown_unit")
                for canonical in found:
                    if canonical not in (u for u, _ in units):
                        units.append((canonical, role))
        try:
            deadline, deadline_text = parse_deadline(values.get("deadline"), today)
        except ValueError:
            fail("deadline", values.get("deadline"), "bad_date")
        try:
            recurrence = parse_recurrence(values.get("recurrence"))
        except ValueError:
            fail("recurrence", values.get("recurrence"), "bad_recurrence")
        if len(table.errors) > errors_before:
            continue
        document = _text(values.get("document")) or None
        section = _text(values.get("section")) or heading
        for unit, role in units:
            table.rows.append(
                TaskRow(row_number, unit, task, deadline, deadline_text, document, section,
                        recurrence, role)
            )
    if not table.rows and not table.errors:
        raise TaskTableError("empty")
    return table


# --------------------------------------------------------------------------- unit lists

UNIT_KINDS = ("department", "office", "agency", "center", "council", "commune", "ward", "town",
              "collective", "other")
# Kinds only matter for collectives ("UBND các xã, phường" = every commune, ward and town) and for
# grouping; a directory may use the finer words the notice matcher knows (bot.notices.unitmatch).
_KIND_WORDS = {
    "office": "office", "van phong": "office",
    "agency": "agency", "chi cuc": "agency", "co quan trung uong": "agency",
    "center": "center", "centre": "center", "trung tam": "center",
    "council": "council", "hoi dong": "council",
    "ward": "ward", "town": "town",
    "department": "department", "phong": "department", "phong ban": "department", "so": "department",
    "ban": "department", "co quan": "department", "nganh": "department", "so nganh": "department",
    "commune": "commune", "xa": "commune", "phuong": "commune", "thi tran": "commune",
    "xa phuong": "commune", "xa phuong thi tran": "commune", "cap xa": "commune",
    "collective": "collective", "tap the": "collective", "nhom": "collective", "khoi": "collective",
    "other": "other", "khac": "other",
}


@dataclass(frozen=True)
class UnitRow:
    row_number: int
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "department"
    members: tuple[str, ...] = ()


def read_units_csv(data: bytes, filename: str = "units.csv") -> list[UnitRow]:
    """Read a unit list (CSV, or XLSX by name): name, aliases, kind, members.

    Raises TaskTableError: file-level codes as for task tables, or "bad_rows" with `.errors`."""
    grid = _read_grid(data, filename)
    position, columns = _find_header(grid, UNIT_HEADERS, UNIT_REQUIRED)
    rows: list[UnitRow] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for row_number, row in grid[position + 1 :]:
        if not any(_text(_cell(row, columns, name)) for name in columns):
            continue
        name = " ".join(_text(_cell(row, columns, "name")).split())
        aliases = tuple(a for a in split_names(_cell(row, columns, "aliases")) if a != name)
        members = tuple(split_names(_cell(row, columns, "members")))
        kind_cell = _cell(row, columns, "kind")
        kind_key = words_key(kind_cell)
        kind = _KIND_WORDS.get(kind_key) if kind_key else ("collective" if members else "department")
        before = len(errors)
        if not name:
            errors.append(RowError(row_number, "name", "", "missing_name"))
        elif name.casefold() in seen:
            errors.append(RowError(row_number, "name", name, "duplicate_name"))
        if kind is None:
            errors.append(RowError(row_number, "kind", _text(kind_cell), "bad_kind"))
        elif members and kind != "collective":
            errors.append(RowError(row_number, "members", "; ".join(members), "members_not_collective"))
        if len(errors) > before:
            continue
        assert kind is not None  # a missing kind was an error above
        seen.add(name.casefold())
        rows.append(UnitRow(row_number, name, aliases, kind, members))
    if errors:
        raise TaskTableError("bad_rows", errors=errors)
    if not rows:
        raise TaskTableError("empty")
    return rows
