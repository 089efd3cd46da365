"""`nhacviec parse --explain FILE`: for each task, the rule that found it and why its units and
deadline were chosen, so a clerk or a developer can see a mistake's cause."""
from __future__ import annotations

from bot.dates.timeutil import fmt_date
from bot.i18n import N_, t
from bot.notices.parser import ParsedNotice

_LEAD = {
    "subject": N_("the sentence opens with the unit(s) that act"),
    "trigger": N_("the unit(s) after «{word}»"),
    "heading": N_("the unit(s) named in the heading «{heading}»"),
    "colon": N_("the unit(s) written before a colon"),
    "intro": N_("the unit(s) the points are addressed to: «{heading}»"),
    "unit_line": N_("a line «Đơn vị chủ trì: …» under the directive"),
}
_DEADLINE = {
    "day": N_("a day with its preposition: that day"),
    "month": N_("a month: its last day"),
    "before_month": N_("before a month: the last day of the month before"),
    "quarter": N_("a quarter: its last day (before a quarter: the day before it begins)"),
    "year": N_("a year: 31 December"),
    "half_year": N_("half a year: 30 June or 31 December"),
    "days": N_("a number of days counted from the notice date"),
    "working_days": N_("working days counted from the notice date, without weekends and public holidays"),
    "start_of_month": N_("the start of a month: its first day"),
    "tet": N_("before Tết: the last working day before the Tết holiday"),
    "schedule": N_("a recurring day: the first one on or after the notice date"),
    "quarter_day": N_("a day of each quarter's last month: the first one on or after the notice date"),
    "recurring": N_("a recurring report without a day"),
    "period": N_("this week, month, quarter or year: its last day"),
    "line": N_("a line «Thời hạn: …» under the directive"),
    "fallback": N_("a date spelling read by the last-resort reader"),
}


def render_explanation(notice: ParsedNotice, lang: str | None) -> str:
    d = notice.document
    ref = d.reference_date
    lines = [t(lang, "Dates without a year and counted days are reckoned from {date}.",
               date=fmt_date(ref)) if ref else
             t(lang, "The notice gives no date: dates without a year and counted days stay open.")]
    for number, task in enumerate(notice.tasks, start=1):
        lines.append("")
        lines.append(f"{number}. {task.text}")
        kind, _, detail = (task.why_lead or "").partition(":")
        reason = t(lang, _LEAD[kind], word=detail, heading=detail) if kind in _LEAD else "?"
        lines.append("   " + t(lang, "Lead: {units} — {reason}", units="; ".join(task.lead), reason=reason))
        if task.coordinate:
            lines.append("   " + t(lang, "Coordinating: {units} — after «phối hợp»", units="; ".join(task.coordinate)))
        lines.append("   " + t(lang, "Names are kept as written; the import matches them to the directory."))
        if task.deadline_text:
            rule = t(lang, _DEADLINE.get(task.why_deadline or "fallback", _DEADLINE["fallback"]))
            when = fmt_date(task.deadline) if task.deadline else t(lang, "no date")
            lines.append("   " + t(lang, "Deadline: «{text}» → {date} — {reason}", text=task.deadline_text,
                                  date=when, reason=rule))
        else:
            lines.append("   " + t(lang, "Deadline: none written; the notice's report deadline applies when stored."))
    return "\n".join(lines)
