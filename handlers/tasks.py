"""/tasks: an officer's open tasks, each with buttons to answer."""
from __future__ import annotations

from sqlalchemy import select

from bot.channels.base import Button
from bot.tasks.store import task_line
from handlers.callbacks import Report
from handlers.context import Ctx
from storage.models import OPEN_STATES, Assignment

MAX_TASK_BUTTONS = 8


async def handle_tasks(ctx: Ctx) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    if ctx.contact.unit_id is None:
        ctx.outcome = "no_unit"
        ctx.say(ctx.tr("You are not attached to a unit. Send /status for the overall picture."))
        return
    assert ctx.contact.unit is not None  # unit_id is set
    open_ = list((await ctx.session.scalars(select(Assignment).where(
        Assignment.unit_id == ctx.contact.unit_id, Assignment.status.in_(OPEN_STATES)
    ).order_by(Assignment.current_deadline.is_(None), Assignment.current_deadline,
               Assignment.id))).all())
    ctx.outcome = "tasks"
    if not open_:
        ctx.say(ctx.tr("{unit} has no open tasks.", unit=ctx.contact.unit.name))
        return
    lines = [ctx.tr("Open tasks of {unit} ({count}):", unit=ctx.contact.unit.name,
                    count=len(open_))]
    for a in open_:
        mark = " ⚠️" if a.current_deadline and a.current_deadline < ctx.today else ""
        lines.append(task_line(a, ctx.lang) + mark)
    lines.append("")
    lines.append(ctx.tr("Answer e.g. \"{code} xong\" or \"{code} đang làm 50%\".",
                        code=open_[0].code))
    buttons = []
    if ctx.may("report"):
        buttons = [[Button(f"{a.code} · " + ctx.tr("Done"), Report("done", a.id).encode()),
                    Button(f"{a.code} · " + ctx.tr("In progress"),
                           Report("progress", a.id).encode())]
                   for a in open_[:MAX_TASK_BUTTONS]]
    ctx.say("\n".join(lines), buttons)
