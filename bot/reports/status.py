"""Status categories, summaries and the texts of /status, /overdue and the leadership digest.

Pure: rows in, figures and texts out; `as_of` is always an argument. The categories are the
ones Vietnamese offices report in:

    done_on_time   Đã hoàn thành đúng hạn       done on or before the deadline day (local date)
    done_late      Đã hoàn thành quá hạn        done after the deadline day
    open_in_time   Chưa hoàn thành, còn trong hạn   not done, deadline today or later
    open_overdue   Chưa hoàn thành, quá hạn     not done, deadline passed
    no_deadline    Không có thời hạn            counted apart, done or not

The completion rate is done / all assignments that have a deadline (no_deadline left out),
and every text that shows it says so.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Iterable, NamedTuple

from bot.dates.timeutil import fmt_date, fmt_datetime
from bot.i18n import N_, t
from bot.text.shorten import shorten

DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OPEN_IN_TIME = "open_in_time"
OPEN_OVERDUE = "open_overdue"
NO_DEADLINE = "no_deadline"
CATEGORIES = (DONE_ON_TIME, DONE_LATE, OPEN_IN_TIME, OPEN_OVERDUE, NO_DEADLINE)

CATEGORY_LABELS = {
    DONE_ON_TIME: N_("Done on time"),
    DONE_LATE: N_("Done late"),
    OPEN_IN_TIME: N_("Not done, still within the deadline"),
    OPEN_OVERDUE: N_("Not done, overdue"),
    NO_DEADLINE: N_("No deadline"),
}

DONE = "done"  # storage.models.DONE; every other status counts as open

# The workflow status of an assignment, as people read it.
STATUS_LABELS = {
    "open": N_("not started"),
    "in_progress": N_("in progress"),
    "blocked": N_("blocked"),
    "awaiting_confirmation": N_("awaiting confirmation"),
    "done": N_("done"),
}

# Lines per list in one message: a phone screen, not a report (the xlsx export has it all).
MAX_TOP_UNITS = 5
MAX_LIST = 25
MAX_TASK_CHARS = 70
MAX_REPORT_CHARS = 80


def _local_date(moment: datetime, tz: tzinfo) -> date:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every instant in Nhắc việc carries its time zone")
    return moment.astimezone(tz).date()


def categorize(
    status: str, done_at: datetime | None, deadline: date | None, as_of: datetime, tz: tzinfo
) -> str:
    """One assignment's category as of `as_of`; days are compared in local time `tz`."""
    return _category(status, done_at, deadline, _local_date(as_of, tz), tz)


def _category(status: str, done_at: datetime | None, deadline: date | None, today: date, tz) -> str:
    if deadline is None:
        return NO_DEADLINE
    if status == DONE:
        # Without a recorded time we only know it was done by now.
        finished = _local_date(done_at, tz) if done_at is not None else today
        return DONE_ON_TIME if finished <= deadline else DONE_LATE
    return OPEN_IN_TIME if deadline >= today else OPEN_OVERDUE


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    code: int  # the assignment id, shown as #17
    unit: str
    task: str
    deadline: date | None
    status: str
    done_at: datetime | None = None
    last_report: str | None = None


class Categorized(NamedTuple):
    row: AssignmentRow
    category: str


def _zero() -> dict[str, int]:
    return dict.fromkeys(CATEGORIES, 0)


@dataclass
class StatusSummary:
    as_of: datetime  # in local time
    today: date
    rows: list[AssignmentRow] = field(default_factory=list)  # as given (the caller's order)
    categories: list[str] = field(default_factory=list)  # categories[i] is rows[i]'s
    totals: dict[str, int] = field(default_factory=_zero)
    units: dict[str, dict[str, int]] = field(default_factory=dict)  # sorted by unit name
    no_deadline_done: int = 0

    @property
    def items(self) -> list[Categorized]:
        """Every assignment with its category, by code."""
        return sorted(map(Categorized, self.rows, self.categories), key=lambda item: item.row.code)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def with_deadline(self) -> int:
        """The completion rate's denominator: assignments that have a deadline."""
        return self.total - self.totals[NO_DEADLINE]

    @property
    def done_with_deadline(self) -> int:
        return self.totals[DONE_ON_TIME] + self.totals[DONE_LATE]

    @property
    def completion_percent(self) -> int | None:
        if not self.with_deadline:
            return None
        return int(100 * self.done_with_deadline / self.with_deadline + 0.5)

    def top_overdue_units(self, limit: int | None = MAX_TOP_UNITS) -> list[tuple[str, int]]:
        ranked = sorted(
            ((unit, counts[OPEN_OVERDUE]) for unit, counts in self.units.items() if counts[OPEN_OVERDUE]),
            key=lambda pair: (-pair[1], pair[0].casefold()),
        )
        return ranked if limit is None else ranked[:limit]

    def overdue(self) -> list[Categorized]:
        """Overdue assignments, the longest overdue first."""
        found = [Categorized(row, c) for row, c in zip(self.rows, self.categories, strict=True) if c == OPEN_OVERDUE]
        found.sort(key=lambda item: (item.row.deadline, item.row.code))
        return found

    def for_unit(self, unit: str) -> list[Categorized]:
        found = [Categorized(row, c) for row, c in zip(self.rows, self.categories, strict=True) if row.unit == unit]
        found.sort(key=lambda item: item.row.code)
        return found

    def days_overdue(self, row: AssignmentRow) -> int:
        return (self.today - row.deadline).days if row.deadline else 0


def summarize(rows: Iterable[AssignmentRow], as_of: datetime, tz: tzinfo) -> StatusSummary:
    """Categorize every assignment and count per category and per unit.

    The loop is `_category` written out: /status over 100,000 assignments must stay well
    under 300 ms (bench/bench_status.py)."""
    today = _local_date(as_of, tz)
    rows = rows if isinstance(rows, list) else list(rows)
    categories: list[str] = []
    append = categories.append
    units: dict[str, dict[str, int]] = {}
    no_deadline_done = 0
    for row in rows:
        deadline = row.deadline
        if deadline is None:
            category = NO_DEADLINE
            if row.status == DONE:
                no_deadline_done += 1
        elif row.status == DONE:
            done_at = row.done_at
            finished = today if done_at is None else _local_date(done_at, tz)
            category = DONE_ON_TIME if finished <= deadline else DONE_LATE
        else:
            category = OPEN_IN_TIME if deadline >= today else OPEN_OVERDUE
        append(category)
        counts = units.get(row.unit)
        if counts is None:
            counts = units[row.unit] = _zero()
        counts[category] += 1
    totals = _zero()
    totals.update(Counter(categories))
    return StatusSummary(
        as_of=as_of.astimezone(tz),
        today=today,
        rows=rows,
        categories=categories,
        totals=totals,
        units={unit: units[unit] for unit in sorted(units, key=str.casefold)},
        no_deadline_done=no_deadline_done,
    )


def status_json(summary: StatusSummary) -> dict:
    """The `nhacviec status --json` document (shape fixed by the issue: no other keys)."""
    return {
        "as_of": summary.as_of.isoformat(),
        "totals": {category: summary.totals[category] for category in CATEGORIES},
        "units": [
            {"unit": unit, **{category: counts[category] for category in CATEGORIES}}
            for unit, counts in summary.units.items()
        ],
        "assignments": [
            {
                "code": f"#{row.code}",
                "unit": row.unit,
                "task": row.task,
                "deadline": row.deadline.isoformat() if row.deadline else None,
                "status": row.status,
                "category": category,
                "last_report": row.last_report,
            }
            for row, category in summary.items
        ],
    }


# --------------------------------------------------------------------------- texts

_STATUS_WORDS = {
    "open": N_("not reported yet"),
    "in_progress": N_("in progress"),
    "blocked": N_("blocked"),
    "awaiting_confirmation": N_("awaiting confirmation"),
    "done": N_("completed"),
}

_INTENT_WORDS = {
    "done": N_("completed"),
    "in_progress": N_("in progress"),
    "progress": N_("in progress"),
    "blocked": N_("blocked"),
    "not_done": N_("not done"),
    "extension": N_("asks for an extension"),
    "extension_request": N_("asks for an extension"),
}


def _code(code: int | str) -> str:
    code = str(code)
    return code if code.startswith("#") else f"#{code}"


def _category_lines(summary: StatusSummary, lang: str | None) -> list[str]:
    lines = []
    for category in CATEGORIES:
        line = t(lang, "{label}: {count}", label=t(lang, CATEGORY_LABELS[category]),
                 count=summary.totals[category])
        if category == NO_DEADLINE and summary.no_deadline_done:
            line += " " + t(lang, "({done} done)", done=summary.no_deadline_done)
        lines.append("- " + line)
    return lines


def _completion_line(summary: StatusSummary, lang: str | None) -> str:
    if summary.completion_percent is None:
        return t(lang, "Completion rate: no task has a deadline yet")
    return t(
        lang,
        "Completion rate: {percent}% ({done}/{total} tasks with a deadline)",
        percent=summary.completion_percent,
        done=summary.done_with_deadline,
        total=summary.with_deadline,
    )


def _more(lang: str | None, hidden: int) -> list[str]:
    return [t(lang, "… and {count} more", count=hidden)] if hidden > 0 else []


def render_status(summary: StatusSummary, lang: str | None, tz: tzinfo) -> str:
    """/status: counts per category, completion rate, the units with most overdue tasks."""
    lines = [
        t(lang, "Task status as of {time}", time=fmt_datetime(summary.as_of, tz)),
        t(lang, "Total: {count} tasks (one per unit)", count=summary.total),
        *_category_lines(summary, lang),
        _completion_line(summary, lang),
        "",
    ]
    top = summary.top_overdue_units()
    if top:
        lines.append(t(lang, "Units with the most overdue tasks:"))
        lines += [
            t(lang, "{rank}. {unit}: {count} overdue", rank=rank, unit=unit, count=count)
            for rank, (unit, count) in enumerate(top, 1)
        ]
    else:
        lines.append(t(lang, "No task is overdue."))
    return "\n".join(lines)


def _state(summary: StatusSummary, item: Categorized, lang: str | None, tz: tzinfo) -> str:
    row, category = item
    if row.status == DONE:
        text = t(lang, "done on {date}", date=fmt_date(row.done_at.astimezone(tz).date())) \
            if row.done_at else t(lang, _STATUS_WORDS[DONE])
        if category == DONE_ON_TIME:
            text += " " + t(lang, "(on time)")
        elif category == DONE_LATE:
            text += " " + t(lang, "(late)")
        return text
    word = t(lang, _STATUS_WORDS[row.status]) if row.status in _STATUS_WORDS else row.status
    if category == OPEN_OVERDUE:
        return t(lang, "overdue by {days} day(s)", days=summary.days_overdue(row)) + ", " + word
    return word


def _deadline_part(row: AssignmentRow, lang: str | None) -> str:
    if row.deadline is None:
        return t(lang, "no deadline")
    return t(lang, "due {date}", date=fmt_date(row.deadline))


def _item_line(summary: StatusSummary, item: Categorized, lang: str | None, tz: tzinfo,
               with_unit: bool = False) -> str:
    row = item.row
    parts = [f"{_code(row.code)} {shorten(row.task, MAX_TASK_CHARS)}"]
    if with_unit:
        parts.insert(0, row.unit)
    parts += [_deadline_part(row, lang), _state(summary, item, lang, tz)]
    return " — ".join(parts)


_UNIT_ORDER = {OPEN_OVERDUE: 0, OPEN_IN_TIME: 1, NO_DEADLINE: 2, DONE_LATE: 3, DONE_ON_TIME: 3}


def render_unit_status(summary: StatusSummary, unit: str, lang: str | None, tz: tzinfo) -> str:
    """/status <unit>: the unit's counts, then its assignments (overdue first, done last)."""
    items = summary.for_unit(unit)
    if not items:
        return t(lang, "Unit «{unit}» has no tasks.", unit=unit)

    def order(item: Categorized):
        row = item.row
        done_last = row.status == DONE
        return (done_last, _UNIT_ORDER[item.category], row.deadline or date.max, row.code)

    items.sort(key=order)
    counts = summary.units[unit]
    lines = [t(lang, "{unit} — status as of {time}", unit=unit, time=fmt_datetime(summary.as_of, tz))]
    lines += [
        "- " + t(lang, "{label}: {count}", label=t(lang, CATEGORY_LABELS[c]), count=counts[c])
        for c in CATEGORIES
        if counts[c]
    ]
    lines.append("")
    lines += [_item_line(summary, item, lang, tz) for item in items[:MAX_LIST]]
    lines += _more(lang, len(items) - MAX_LIST)
    return "\n".join(lines)


def render_overdue(summary: StatusSummary, lang: str | None, tz: tzinfo) -> str:
    """/overdue: overdue assignments grouped by unit, the units with most overdue first."""
    total = summary.totals[OPEN_OVERDUE]
    if not total:
        return t(lang, "No task is overdue as of {time}.", time=fmt_datetime(summary.as_of, tz))
    lines = [t(lang, "Overdue tasks: {count} (as of {time})", count=total,
               time=fmt_datetime(summary.as_of, tz))]
    by_unit: dict[str, list[AssignmentRow]] = {}
    for row, category in zip(summary.rows, summary.categories, strict=True):
        if category == OPEN_OVERDUE:
            by_unit.setdefault(row.unit, []).append(row)
    shown = 0
    for unit, _count in summary.top_overdue_units(limit=None):
        if shown >= MAX_LIST:
            break
        lines += ["", f"{unit}:"]
        rows = sorted(by_unit[unit], key=lambda row: (row.deadline, row.code))
        for row in rows[: MAX_LIST - shown]:
            lines.append(_item_line(summary, Categorized(row, OPEN_OVERDUE), lang, tz))
            shown += 1
    lines += _more(lang, total - shown)
    return "\n".join(lines)


Report = tuple  # (code, unit, intent, text, at)


def render_digest(
    summary: StatusSummary,
    reports_since: list[Report],
    meeting: date,
    lang: str | None,
    tz: tzinfo,
) -> str:
    """The leadership digest before the monthly meeting: counts, units with overdue tasks,
    what was reported since the last digest."""
    lines = [
        t(lang, "Task summary for the meeting on {date}", date=fmt_date(meeting)),
        t(lang, "Figures as of {time}", time=fmt_datetime(summary.as_of, tz)),
        t(lang, "Total: {count} tasks (one per unit)", count=summary.total),
        *_category_lines(summary, lang),
        _completion_line(summary, lang),
        "",
    ]
    units = summary.top_overdue_units(limit=None)
    if units:
        lines.append(t(lang, "Units with overdue tasks: {count}", count=len(units)))
        lines += [
            t(lang, "- {unit}: {count} overdue", unit=unit, count=count)
            for unit, count in units[:10]
        ]
        lines += _more(lang, len(units) - 10)
    else:
        lines.append(t(lang, "No task is overdue."))
    lines.append("")
    if reports_since:
        reports = sorted(reports_since, key=lambda report: report[4])
        lines.append(t(lang, "Reported since the last summary: {count}", count=len(reports)))
        for code, unit, intent, text, at in reports[:15]:
            said = t(lang, _INTENT_WORDS[intent]) if intent in _INTENT_WORDS else t(lang, "report")
            line = f"{_code(code)} {unit} — {said}"
            if text and text.strip():
                line += f": «{shorten(text, MAX_REPORT_CHARS)}»"
            lines.append(f"- {line} ({fmt_datetime(at, tz)})")
        lines += _more(lang, len(reports) - 15)
    else:
        lines.append(t(lang, "Nothing was reported since the last summary."))
    return "\n".join(lines)
