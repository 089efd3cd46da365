"""Extension requests: /extensions, the Approve / Reject / Another date buttons, /extend, /reject."""
from __future__ import annotations

from bot.dates.timeutil import fmt_date, parse_day
from bot.i18n import t
from bot.tasks.progress import UndoError, decide_extension, pending_extensions
from bot.text.shorten import shorten
from handlers import notify
from handlers.callbacks import Decision
from handlers.context import MAX_ID, Ctx
from storage.models import Assignment, ExtensionRequest


def _may_decide(ctx: Ctx) -> bool:
    if ctx.may("decide_extension"):
        return True
    ctx.outcome = "forbidden"
    ctx.say(ctx.tr("Only the Office and the leaders can do this."))
    return False


async def handle_list(ctx: Ctx) -> None:
    if not _may_decide(ctx):
        return
    pending = await pending_extensions(ctx.session)
    ctx.outcome = "extensions"
    if not pending:
        ctx.say(ctx.tr("No extension requests are waiting."))
        return
    lines = [ctx.tr("Extension requests waiting ({count}):", count=len(pending))]
    for req in pending:
        a = await ctx.session.get(Assignment, req.assignment_id)
        assert a is not None  # a foreign key
        late = a.current_deadline is not None and req.created_at.astimezone(ctx.tz).date() > a.current_deadline
        line = ctx.tr("#{req}: {unit}, task {code} «{title}», {deadline} → {until}",
                      req=req.id, unit=a.unit.name, code=a.code, title=shorten(a.task.text, 60),
                      deadline=fmt_date(a.current_deadline),
                      until=fmt_date(req.requested_until) if req.requested_until
                      else ctx.tr("(no date given)"))
        if late:
            line += " " + ctx.tr("(asked after the deadline)")
        lines.append(line)
    lines.append(ctx.tr("Decide with the buttons, or: /extend N DD/MM, /reject N reason"))
    ctx.say("\n".join(lines))


async def _decide(ctx: Ctx, req_id: int, approve: bool, new_date=None, note=None) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    req = await ctx.session.get(ExtensionRequest, req_id) if 0 < req_id <= MAX_ID else None
    if req is None:
        ctx.say(ctx.tr("There is no extension request #{req}.", req=req_id))
        return
    if approve and new_date is None and req.requested_until is None and req.status == "pending":
        ctx.outcome = "asked_other_date"  # the request stays pending until a date is given
        ctx.say(ctx.tr("Send the new deadline as: /extend {req} DD/MM/YYYY", req=req_id))
        return
    try:
        a = await decide_extension(ctx.session, req, ctx.contact, ctx.now, approve, new_date, note,
                                   today=ctx.today)
    except UndoError as exc:
        ctx.outcome = "decision_refused"
        ctx.say(t(ctx.lang, str(exc)))
        return
    ctx.outcome = "extension_approved" if approve else "extension_rejected"
    if approve:
        ctx.say(ctx.tr("Approved: task {code} of {unit} now has the deadline {date}.",
                       code=a.code, unit=a.unit.name, date=fmt_date(a.current_deadline)))
    else:
        ctx.say(ctx.tr("Rejected: the request for task {code} of {unit}. The unit is told.",
                       code=a.code, unit=a.unit.name))
    await notify.extension_decision(ctx, a, req)


async def handle_decision_button(ctx: Ctx) -> None:
    if not _may_decide(ctx):
        return
    press = ctx.button
    assert isinstance(press, Decision)
    action, req_id = press.action, press.request_id
    if action == "other":
        ctx.outcome = "asked_other_date"
        ctx.say(ctx.tr("Send the new deadline as: /extend {req} DD/MM/YYYY", req=req_id))
        return
    await _decide(ctx, req_id, approve=action == "ok")


async def handle_extend_command(ctx: Ctx) -> None:
    if not _may_decide(ctx):
        return
    parts = ctx.args.split()
    try:
        req_id = int(parts[0].lstrip("#"))
        new_date = parse_day(parts[1], ctx.today) if len(parts) > 1 else None
    except (ValueError, IndexError):
        ctx.say(ctx.tr("Write it as: /extend N DD/MM/YYYY"))
        return
    await _decide(ctx, req_id, approve=True, new_date=new_date)


async def handle_reject_command(ctx: Ctx) -> None:
    if not _may_decide(ctx):
        return
    head, _, note = ctx.args.partition(" ")
    if not (head.isascii() and head.lstrip("#").isdigit()):
        ctx.say(ctx.tr("Write it as: /reject N reason"))
        return
    await _decide(ctx, int(head.lstrip("#")), approve=False, note=note.strip() or None)
