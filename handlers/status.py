"""/status, /status UNIT and /overdue. Leaders and the Office see all; an officer only their unit."""
from __future__ import annotations

from bot.directory.registry import SEVERAL_UNITS, find_units, several
from bot.reports import status as views
from bot.reports.queries import load_rows, load_summary
from handlers.context import Ctx


async def handle_status(ctx: Ctx) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    unit = None
    if not ctx.may("see_all"):
        unit = ctx.contact.unit
    elif ctx.args:
        # The one unit matcher: every name a notice or a task table may use finds the unit here.
        found = await find_units(ctx.session, ctx.args)
        if not found:
            ctx.outcome = "unknown_unit"
            ctx.say(ctx.tr("I do not know the unit «{name}».", name=ctx.args))
            return
        if len(found) > 1:
            ctx.outcome = "several_units"
            ctx.say(ctx.tr(SEVERAL_UNITS, name=ctx.args, units=several(found)))
            return
        unit = found[0]
    ctx.outcome = "status"
    if unit is None:
        # The overall picture needs counts only: the database counts them.
        summary: views.StatusSummary = await load_summary(ctx.session, ctx.now, ctx.tz)
        ctx.say(views.render_status(summary, ctx.lang, ctx.tz))
        return
    summary = views.summarize(await load_rows(ctx.session, unit.id), ctx.now, ctx.tz)
    ctx.say(views.render_unit_status(summary, unit.name, ctx.lang, ctx.tz))


async def handle_overdue(ctx: Ctx) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    rows = await load_rows(ctx.session, None if ctx.may("see_all") else ctx.contact.unit_id,
                           overdue_on=ctx.today)
    ctx.outcome = "overdue"
    ctx.say(views.render_overdue(views.summarize(rows, ctx.now, ctx.tz), ctx.lang, ctx.tz))
