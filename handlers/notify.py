"""Messages a handler sends to other people (the Office, leaders, a unit), through the outbox."""
from __future__ import annotations

from sqlalchemy import or_, select

from bot.channels.base import Button
from bot.dates.timeutil import fmt_date, quiet_until
from bot.i18n import t
from bot.text.shorten import shorten
from handlers.callbacks import Decision, ResultCheck
from handlers.context import Ctx
from storage.models import Assignment, Contact, ExtensionRequest
from storage.outbox import enqueue


async def office_and_leaders(ctx: Ctx, admins_only: bool = False) -> list[Contact]:
    """Admins, plus leaders who oversee everything (no unit of their own)."""
    cond = Contact.role == "admin"
    if not admins_only:
        cond = or_(cond, (Contact.role == "leader") & Contact.unit_id.is_(None))
    return list((await ctx.session.scalars(select(Contact).where(
        cond, Contact.active.is_(True)))).all())


async def unit_officers(ctx: Ctx, unit_id: int) -> list[Contact]:
    return list((await ctx.session.scalars(select(Contact).where(
        Contact.unit_id == unit_id, Contact.role == "officer", Contact.active.is_(True)))).all())


def not_before(ctx: Ctx):
    """Now, or the end of the quiet hours: nothing the bot sends on its own goes out in them."""
    policy = ctx.settings.reminders
    return quiet_until(ctx.now, ctx.tz, policy.quiet_start, policy.quiet_end)


async def _queue(ctx: Ctx, contacts: list[Contact], key: str, kind: str, render,
                 buttons=None, assignment_id: int | None = None) -> int:
    due_at = not_before(ctx)
    rows = []
    for c in contacts:
        rows.append({"key": f"{key}:{c.id}", "kind": kind, "channel": c.channel,
                     "chat_id": c.chat_id, "contact_id": c.id, "assignment_id": assignment_id,
                     "text": render(c.locale),
                     "buttons": [[{"text": b.text, "data": b.data} for b in row]
                                 for row in (buttons(c.locale) if buttons else [])],
                     "due_at": due_at})
    return await enqueue(ctx.session, rows, ctx.now)


async def extension_request(ctx: Ctx, a: Assignment, req: ExtensionRequest) -> None:
    late = a.current_deadline is not None and ctx.today > a.current_deadline

    def render(lang):
        text = t(lang, "Extension request #{req} — {unit} asks to extend task {code} «{title}» "
                       "(deadline {deadline}) to {until}.", req=req.id, unit=a.unit.name,
                 code=a.code, title=shorten(a.task.text, 120),
                 deadline=fmt_date(a.current_deadline),
                 until=fmt_date(req.requested_until) if req.requested_until
                 else t(lang, "(no date given)"))
        if req.reason:
            text += "\n" + t(lang, "Reason: {reason}", reason=req.reason)
        if late:
            text += "\n" + t(lang, "The request came after the deadline.")
        text += "\n" + t(lang, "Their words: «{text}»", text=req.text)
        return text

    def buttons(lang):
        row = [Button(t(lang, "Approve"), Decision("ok", req.id).encode()),
               Button(t(lang, "Reject"), Decision("no", req.id).encode()),
               Button(t(lang, "Another date"), Decision("other", req.id).encode())]
        if req.requested_until is None:
            row = row[1:]
        return [row]

    await _queue(ctx, await office_and_leaders(ctx), f"ext:{req.id}", "extension", render,
                 buttons, a.id)


async def extension_decision(ctx: Ctx, a: Assignment, req: ExtensionRequest) -> None:
    def render(lang):
        if req.status == "approved":
            return t(lang, "Your request to extend task {code} «{title}» was approved: "
                           "the new deadline is {until}.", code=a.code,
                     title=shorten(a.task.text, 120), until=fmt_date(a.current_deadline))
        text = t(lang, "Your request to extend task {code} «{title}» was not approved; the "
                       "deadline stays {deadline}.", code=a.code, title=shorten(a.task.text, 120),
                 deadline=fmt_date(a.current_deadline))
        if req.decision_note:
            text += "\n" + t(lang, "Reason: {reason}", reason=req.decision_note)
        return text

    await _queue(ctx, await unit_officers(ctx, a.unit_id), f"extdec:{req.id}", "extension",
                 render, None, a.id)


async def question(ctx: Ctx, a: Assignment) -> None:
    def render(lang):
        assert ctx.contact is not None  # route() lets only registered contacts here
        return t(lang, "Question from {unit} ({name}) about task {code} «{title}»: «{text}»",
                 unit=a.unit.name, name=ctx.contact.name or "", code=a.code,
                 title=shorten(a.task.text, 120), text=ctx.msg.text)

    await _queue(ctx, await office_and_leaders(ctx, admins_only=True), f"q:{ctx.inbox_id}",
                 "question", render, None, a.id)


async def confirmation_request(ctx: Ctx, a: Assignment) -> None:
    def render(lang):
        return t(lang, "{unit} reports task {code} «{title}» done. Confirm the result? "
                       "(To return it with a comment: /return {number} comment)",
                 unit=a.unit.name, code=a.code, title=shorten(a.task.text, 120), number=a.id)

    def buttons(lang):
        return [[Button(t(lang, "Confirm"), ResultCheck("ok", a.id).encode()),
                 Button(t(lang, "Return"), ResultCheck("ret", a.id).encode())]]

    await _queue(ctx, await office_and_leaders(ctx, admins_only=True), f"confirm:{ctx.inbox_id}",
                 "confirm", render, buttons, a.id)


async def confirmation_result(ctx: Ctx, a: Assignment, accepted: bool,
                              comment: str | None = None) -> None:
    def render(lang):
        if accepted:
            return t(lang, "The Office confirmed task {code} «{title}» as done.", code=a.code,
                     title=shorten(a.task.text, 120))
        text = t(lang, "The Office returned task {code} «{title}»: it is open again.",
                 code=a.code, title=shorten(a.task.text, 120))
        if comment:
            text += "\n" + t(lang, "Comment: {comment}", comment=comment)
        return text

    await _queue(ctx, await unit_officers(ctx, a.unit_id), f"confirmres:{ctx.inbox_id}",
                 "confirm", render, None, a.id)
