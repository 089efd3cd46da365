"""The Office's consolidated report as an Excel workbook, in the official categories.

Sheet 1 counts per unit (đã hoàn thành đúng hạn / quá hạn; chưa hoàn thành trong hạn / quá hạn;
không có thời hạn) with the completion rate; sheet 2 lists every assignment."""
from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.dates.timeutil import fmt_date
from bot.i18n import t
from bot.reports.status import CATEGORIES, CATEGORY_LABELS, STATUS_LABELS, StatusSummary

BOLD = Font(bold=True)


def _rate(done: int, with_deadline: int) -> str:
    return f"{round(100 * done / with_deadline)}%" if with_deadline else "—"


def write_report(summary: StatusSummary, path: Path, lang: str, tz: tzinfo) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = t(lang, "Summary")[:31]
    sheet.append([t(lang, "Task follow-up report as of {when}",
                    when=summary.as_of.astimezone(tz).strftime("%H:%M %d/%m/%Y"))])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    labels = [t(lang, CATEGORY_LABELS[c]) for c in CATEGORIES]
    sheet.append([t(lang, "Unit"), *labels, t(lang, "Total"),
                  t(lang, "Completion rate (of tasks with a deadline)")])
    for cell in sheet[3]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for unit, counts in summary.units.items():
        total = sum(counts.values())
        with_deadline = total - counts["no_deadline"]
        done = counts["done_on_time"] + counts["done_late"]
        sheet.append([unit, *(counts[c] for c in CATEGORIES), total, _rate(done, with_deadline)])
    sheet.append([t(lang, "All units"), *(summary.totals[c] for c in CATEGORIES), summary.total,
                  _rate(summary.done_with_deadline, summary.with_deadline)])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 42
    for column in "BCDEFGH":
        sheet.column_dimensions[column].width = 16

    details = book.create_sheet(t(lang, "Assignments")[:31])
    details.append([t(lang, "Code"), t(lang, "Unit"), t(lang, "Task"), t(lang, "Deadline"),
                    t(lang, "Status"), t(lang, "Category"), t(lang, "Last report")])
    for cell in details[1]:
        cell.font = BOLD
    for item in summary.items:
        row = item.row
        details.append([f"#{row.code}", row.unit, row.task,
                        fmt_date(row.deadline) if row.deadline else "",
                        t(lang, STATUS_LABELS.get(row.status, row.status)),
                        t(lang, CATEGORY_LABELS[item.category]), row.last_report or ""])
    for column, width in zip("ABCDEFG", (8, 36, 70, 12, 18, 30, 40), strict=True):
        details.column_dimensions[column].width = width
    details.freeze_panes = "A2"
    # Readable by the owner only (0600): the report names units, tasks and what people wrote.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(fd, "wb") as fh:
        book.save(fh)
