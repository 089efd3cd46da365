"""/task N: one task's card — text, unit, deadline (with its words), status, reports and files."""
from __future__ import annotations

from sqlalchemy import select

from bot.dates.timeutil import fmt_datetime
from bot.i18n import N_, t
from bot.reports.status import STATUS_LABELS
from bot.tasks.store import deadline_words
from handlers.context import Ctx, stored_id
from handlers.evidence import describe
from storage.models import Assignment, ProgressReport

INTENT_NAMES = {"done": N_("done"), "in_progress": N_("in progress"), "blocked": N_("blocked"),
                "not_done": N_("not done yet"), "extension": N_("Ask for more time"),
                "question": N_("question"), "other": N_("other")}
MAX_REPORTS = 10


async def handle_task(ctx: Ctx) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    raw = ctx.args.strip().lstrip("#")
    if not raw.isdigit():
        ctx.say(ctx.tr("Write it as: /task N"))
        return
    number = stored_id(raw)
    a = await ctx.session.get(Assignment, number) if number is not None else None
    if a is None or (not ctx.may("see_all") and a.unit_id != ctx.contact.unit_id):
        # Same answer for "no such task" and "not yours": a unit learns nothing of others.
        ctx.outcome = "unknown_task"
        ctx.say(ctx.tr("There is no task #{code}.", code=raw))
        return
    lines = [f"{a.code} — {a.unit.name}", a.task.text,
             t(ctx.lang, "deadline: {deadline}", deadline=deadline_words(a, ctx.lang)),
             ctx.tr("Status: {status}", status=t(ctx.lang, STATUS_LABELS.get(a.status, a.status))
                    + (f" ({a.percent}%)" if a.percent is not None and a.status != "done" else ""))]
    reports = (await ctx.session.scalars(select(ProgressReport).where(
        ProgressReport.assignment_id == a.id).order_by(ProgressReport.id.desc())
        .limit(MAX_REPORTS))).all()
    if reports:
        lines.append(ctx.tr("Reports (latest first):"))
    for r in reports:
        line = f"• {fmt_datetime(r.created_at, ctx.tz)} — {t(ctx.lang, INTENT_NAMES.get(r.intent, r.intent))}"
        if r.text:
            line += f": «{r.text}»"
        if r.evidence:
            line += " 📎 " + describe(r.evidence, ctx.lang)
        lines.append(line)
    ctx.outcome = "task"
    ctx.say("\n".join(lines))
