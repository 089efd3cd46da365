"""Officers' reports: free text, reminder buttons, picking a task, undo, the Office's confirmation."""
from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from bot.channels.base import Button
from bot.dates.timeutil import fmt_date
from bot.i18n import t
from bot.replies import classify, extract
from bot.replies.plain import clean, normalise
from bot.reports.status import STATUS_LABELS
from bot.tasks.progress import UndoError, confirm, record, undo
from bot.text.shorten import shorten
from handlers import evidence, notify
from handlers.callbacks import Pick, Report, ResultCheck, Undo, answer_buttons
from handlers.context import MAX_ID, Ctx
from storage.models import AWAITING, OPEN_STATES, Assignment, AuditLog, Inbox, SentMessage

MAX_PICK_BUTTONS = 8
# A report is a few words; longer text is not read (the grammar's time grows faster than length).
MAX_REPLY_CHARS = 2000


def visible_text(text: str | None) -> str:
    """Without zero-width and direction marks, with plain digits (see bot.replies.plain)."""
    return clean(text).replace("\u00a0", " ").strip()


# Built once: they run for nearly every reply, and building costs more than running them.
_OPEN_OF_UNIT = select(Assignment).where(
    Assignment.unit_id == bindparam("unit_id"), Assignment.status.in_(OPEN_STATES)
).order_by(Assignment.current_deadline.is_(None), Assignment.current_deadline, Assignment.id)
_SENT = select(SentMessage).where(SentMessage.channel == bindparam("channel"),
                                  SentMessage.chat_id == bindparam("chat_id"),
                                  SentMessage.message_id == bindparam("message_id"))


async def _open_assignments(ctx: Ctx) -> list[Assignment]:
    assert ctx.contact is not None  # route() lets only registered contacts here
    return list((await ctx.session.scalars(_OPEN_OF_UNIT, {"unit_id": ctx.contact.unit_id})).all())


async def _own_assignment(ctx: Ctx, assignment_id: int) -> Assignment | None:
    """The assignment if the sender's unit holds it; otherwise say why not and return None."""
    assert ctx.contact is not None  # route() lets only registered contacts here
    a = await ctx.session.get(Assignment, assignment_id) if 0 < assignment_id <= MAX_ID else None
    if a is None:
        ctx.outcome = "unknown_task"
        ctx.say(ctx.tr("There is no task #{code}.", code=assignment_id))
        return None
    if not ctx.may("report") or a.unit_id != ctx.contact.unit_id:
        ctx.outcome = "not_own_task"
        ctx.say(ctx.tr("Task #{code} is not assigned to your unit, so you cannot report on it.",
                       code=assignment_id))
        return None
    return a


def _status_words(ctx: Ctx, a: Assignment, intent: str, reason: str | None) -> str:
    if a.status == AWAITING:
        return ctx.tr("reported done, awaiting the Office's confirmation")
    if intent == "done":
        return ctx.tr("done")
    if intent == "in_progress":
        return (ctx.tr("in progress ({percent}%)", percent=a.percent) if a.percent is not None
                else ctx.tr("in progress"))
    if intent == "blocked":
        return ctx.tr("blocked: {reason}", reason=reason) if reason else ctx.tr("blocked")
    return ctx.tr("not done yet")


async def _apply(ctx: Ctx, a: Assignment, intent: str, percent: int | None = None,
                 until: date | None = None, reason: str | None = None) -> None:
    """Record one intent on one assignment and say what was recorded."""
    assert ctx.contact is not None  # route() lets only registered contacts here
    if intent in ("question", "other") or (intent == "extension" and until is None
                                           and ctx.msg.button_data):
        return
    rec = await record(ctx.session, a, ctx.contact, intent=intent, text=ctx.msg.text,
                       now=ctx.now, tz=ctx.tz, percent=percent, until=until, reason=reason,
                       inbox_id=ctx.inbox_id, confirm_done=ctx.settings.confirm_done)
    ctx.recorded.append(rec.report_id)
    when = ctx.now.astimezone(ctx.tz)
    title = shorten(a.task.text, 80)
    if rec.extension is not None:
        ctx.outcome = "extension_requested"
        until_text = fmt_date(until) if until else ctx.tr("(no date given)")
        late = a.current_deadline is not None and ctx.today > a.current_deadline
        text = ctx.tr("Recorded: your request to extend task {code} «{title}» to {until} has been "
                      "sent to the Office and the leaders. You will get their answer here.",
                      code=a.code, title=title, until=until_text)
        if late:
            text += "\n" + ctx.tr("Note: the deadline ({deadline}) has already passed.",
                                  deadline=fmt_date(a.current_deadline))
        ctx.say(text)
        await notify.extension_request(ctx, a, rec.extension)
        return
    words = _status_words(ctx, a, intent, reason)
    text = ctx.tr("Recorded: task {code} «{title}» — {status} at {time} on {date}.",
                  code=a.code, title=title, status=words, time=when.strftime("%H:%M"),
                  date=when.strftime("%d/%m/%Y"))
    buttons = []
    if rec.audit_id is not None:
        # The change is found again by (message, task): no flush needed to learn the audit id.
        buttons = [[Button(ctx.tr("Undo"), Undo(ctx.inbox_id, a.id).encode())]]
    ctx.outcome = f"recorded_{intent}"
    ctx.say(text, buttons)
    if a.status == AWAITING:
        await notify.confirmation_request(ctx, a)


async def handle_text(ctx: Ctx) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    await _handle_text(ctx)
    if ctx.may("report"):
        await evidence.with_report(ctx)


async def _handle_text(ctx: Ctx) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    text = visible_text(ctx.msg.text)
    if not ctx.may("report"):
        if ctx.msg.kind == "text" and text:
            ctx.outcome = "not_officer"
            ctx.say(ctx.tr("Only unit officers report progress. Send /help to see what you can do."))
        return
    if not text and ctx.msg.attachment is not None:
        await evidence.alone(ctx)
        return
    if not text:
        ctx.outcome = "empty"
        ctx.say(ctx.tr("I received your message but it has no text. Please answer in words, "
                       "e.g. \"#17 xong\"."))
        return
    if len(text) > MAX_REPLY_CHARS:
        ctx.outcome = "too_long"
        ctx.say(ctx.tr("Your message is too long to be read as a report ({count} characters). "
                       "Please send a short reply, e.g. \"#17 xong\".", count=len(text)))
        return
    reply = classify(text, ctx.today)
    if _impossible(ctx, text, reply):
        return
    target: Assignment | None = None
    if reply.codes:
        targets = []
        for item in reply.items:
            if item.code is None:
                continue
            a = await _own_assignment(ctx, item.code)
            if a is not None:
                targets.append((a, item))
        for a, item in targets:
            await _answer(ctx, a, item.intent, item.percent, item.until, item.reason,
                          item.confident)
        return
    if ctx.msg.reply_to:
        sent = await ctx.session.scalar(_SENT, {"channel": ctx.msg.channel,
                                                "chat_id": ctx.msg.chat_id,
                                                "message_id": ctx.msg.reply_to})
        if sent is not None and sent.assignment_id is not None:
            target = await _own_assignment(ctx, sent.assignment_id)
            if target is None:
                return
    if target is None:
        if reply.intent == "other" and reply.confident:
            ctx.outcome = "acknowledged"
            ctx.say(ctx.tr("Thank you!"))
            return
        open_ = await _open_assignments(ctx)
        if not open_:
            ctx.outcome = "no_open_tasks"
            ctx.say(ctx.tr("Your unit has no open tasks right now. Thank you!"))
            return
        if len(open_) > 1:
            ctx.outcome = "asked_which"
            ctx.say(ctx.tr("Which task is this about?"), [
                [Button(f"{a.code} {shorten(a.task.text, 40)}", Pick(a.id, ctx.inbox_id).encode())]
                for a in open_[:MAX_PICK_BUTTONS]])
            return
        target = open_[0]
    await _answer(ctx, target, reply.intent, reply.percent, reply.until, reply.reason,
                  reply.confident)


def _impossible(ctx: Ctx, text: str, reply) -> bool:
    """Figures that cannot be right are answered as such; nothing is recorded on any task."""
    if not any(ch.isdigit() for ch in text):
        return False
    s = normalise(text).s
    wrong = extract.impossible_percent(s)
    if wrong:
        ctx.outcome = "bad_percent"
        ctx.say(ctx.tr("A percentage must be between 0 and 100, not {value}. Nothing was recorded: "
                       "please send it again, e.g. \"#17 đang làm 70%\".", value=wrong))
        return True
    if not any(item.intent == "extension" for item in reply.items):
        return False
    wrong = extract.impossible_date(s, ctx.today)
    if wrong:
        ctx.outcome = "bad_date"
        ctx.say(ctx.tr("«{date}» is not a real date. Nothing was recorded: please write the date "
                       "as DD/MM/YYYY, e.g. \"xin gia hạn đến 15/05/2026\".", date=wrong))
        return True
    past = [item.until for item in reply.items if item.intent == "extension"
            and item.until is not None and item.until < ctx.today]
    if past:
        ctx.outcome = "past_date"
        ctx.say(ctx.tr("The date you asked for ({date}) has already passed. Nothing was recorded: "
                       "please ask for a date from today on.", date=fmt_date(past[0])))
        return True
    return False


async def _answer(ctx: Ctx, a: Assignment, intent: str, percent, until, reason,
                  confident: bool) -> None:
    if intent == "question":
        ctx.outcome = "question"
        ctx.say(ctx.tr("Your question about task {code} has been passed to the Office.",
                       code=a.code))
        await notify.question(ctx, a)
        return
    if intent == "other" and confident:  # "ok ạ", "dạ em nhận": nothing to record
        ctx.outcome = "acknowledged"
        ctx.say(ctx.tr("Thank you!"))
        return
    if not confident or intent == "other":
        ctx.outcome = "unsure"
        ctx.say(ctx.tr("I did not understand what to record for task {code} «{title}». "
                       "Please choose:", code=a.code, title=shorten(a.task.text, 80)),
                answer_buttons(ctx.lang, a.id))
        return
    await _apply(ctx, a, intent, percent, until, reason)


async def handle_report_button(ctx: Ctx) -> None:
    press = ctx.button
    assert isinstance(press, Report)
    action = press.action
    a = await _own_assignment(ctx, press.assignment_id)
    if a is None:
        return
    if action == "done":
        await _apply(ctx, a, "done")
    elif action == "progress":
        await _apply(ctx, a, "in_progress")
        ctx.say(ctx.tr("How far along is it? You can answer e.g. \"{code} đang làm 70%\".",
                       code=a.code))
    elif action == "blocked":
        await _apply(ctx, a, "blocked")
        ctx.say(ctx.tr("What is holding it up? Answer e.g. \"{code} vướng kinh phí\".", code=a.code))
    else:  # extend
        ctx.outcome = "asked_extension_date"
        ctx.say(ctx.tr("Until when do you need? Answer e.g. \"{code} xin gia hạn đến 15/5\".",
                       code=a.code))


async def handle_pick_button(ctx: Ctx) -> None:
    """The officer chose which task an earlier message was about: re-read that message."""
    press = ctx.button
    assert isinstance(press, Pick)
    a = await _own_assignment(ctx, press.assignment_id)
    earlier = await ctx.session.get(Inbox, press.inbox_id)
    if a is None or earlier is None or earlier.chat_id != ctx.msg.chat_id:
        return
    reply = classify(earlier.text, ctx.today)
    await _answer(ctx, a, reply.intent, reply.percent, reply.until, reply.reason, reply.confident)


async def _undo(ctx: Ctx, audit_id: int | None) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    if audit_id is None:
        audit_id = await ctx.session.scalar(select(AuditLog.id).where(
            AuditLog.actor_contact_id == ctx.contact.id, AuditLog.action == "report",
            AuditLog.undone.is_(False)).order_by(AuditLog.id.desc()).limit(1))
    try:
        if audit_id is None:
            raise UndoError("There is nothing of yours to undo.")
        a = await undo(ctx.session, audit_id, ctx.contact, ctx.now)
    except UndoError as exc:
        ctx.outcome = "undo_refused"
        ctx.say(t(ctx.lang, str(exc)))
        return
    ctx.outcome = "undone"
    ctx.say(ctx.tr("Undone: task {code} is back to «{status}».", code=a.code,
                   status=t(ctx.lang, STATUS_LABELS.get(a.status, a.status))))


async def handle_undo_button(ctx: Ctx) -> None:
    """u:INBOX:TASK — the report that message made on that task."""
    assert ctx.contact is not None  # route() lets only registered contacts here
    press = ctx.button
    assert isinstance(press, Undo)
    audit_id = await ctx.session.scalar(select(AuditLog.id).where(
        AuditLog.inbox_id == press.inbox_id, AuditLog.assignment_id == press.assignment_id,
        AuditLog.action == "report", AuditLog.actor_contact_id == ctx.contact.id))
    if audit_id is None:
        ctx.outcome = "undo_refused"
        ctx.say(ctx.tr("There is nothing of yours to undo."))
        return
    await _undo(ctx, audit_id)


async def handle_undo_command(ctx: Ctx) -> None:
    await _undo(ctx, None)


async def handle_confirm_button(ctx: Ctx) -> None:
    """c:ok:ID / c:ret:ID — the Office confirms or returns a reported result."""
    press = ctx.button
    assert isinstance(press, ResultCheck)
    await _decide_result(ctx, press.assignment_id, accept=press.action == "ok")


async def handle_return_command(ctx: Ctx) -> None:
    """/return N comment — the Office sends a reported result back, saying why."""
    head, _, comment = ctx.args.partition(" ")
    if not (head.isascii() and head.lstrip("#").isdigit()):
        ctx.say(ctx.tr("Write it as: /return N comment"))
        return
    await _decide_result(ctx, int(head.lstrip("#")), accept=False, comment=comment.strip() or None)


async def _decide_result(ctx: Ctx, code: int, accept: bool, comment: str | None = None) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    if not ctx.may("confirm_result"):
        ctx.outcome = "forbidden"
        ctx.say(ctx.tr("Only the Office can do this."))
        return
    a = await ctx.session.get(Assignment, code) if 0 < code <= MAX_ID else None
    if a is None or a.status != AWAITING:
        ctx.say(ctx.tr("This result has already been dealt with."))
        return
    await confirm(ctx.session, a, ctx.contact, ctx.now, accept, comment)
    ctx.outcome = "confirmed" if accept else "returned"
    ctx.say(ctx.tr("Task {code}: result confirmed.", code=a.code) if accept
            else ctx.tr("Task {code}: result returned to the unit.", code=a.code))
    await notify.confirmation_result(ctx, a, accept, comment)
