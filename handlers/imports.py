"""The Office pastes a conclusion notice in chat: the bot shows what it understood and stores the
tasks only after Xác nhận. Stateless: the buttons carry the inbox id of the pasted text."""
from __future__ import annotations

import re

from sqlalchemy import select

from bot.channels.base import Attachment, Button, ChannelError
from bot.dates.timeutil import parse_day
from bot.directory.registry import all_units
from bot.notices import NoticeReadError, parse_notice
from bot.notices.readers import read_isolated
from bot.notices.review import apply_corrections, plan_import, render_summary, render_tasks
from bot.tasks.store import DuplicateDocument, queue_new_task_notices, store
from handlers import notify
from handlers.callbacks import Review
from handlers.context import Ctx
from handlers.evidence import too_large
from storage.models import Inbox

PAGE = 5


def _buttons(ctx: Ctx, inbox_id: int, page: int, can_confirm: bool, has_more: bool) -> list[list[Button]]:
    row = []
    if can_confirm:
        row.append(Button(ctx.tr("Confirm"), Review("ok", inbox_id).encode()))
    if has_more:
        row.append(Button(ctx.tr("Details"), Review("more", inbox_id, page).encode()))
    row.append(Button(ctx.tr("Cancel"), Review("no", inbox_id).encode()))
    return [row]


async def review(ctx: Ctx, text: str) -> None:
    notice = parse_notice(text)
    if not notice.tasks:
        ctx.outcome = "notice_without_directives"
        ctx.say(ctx.tr("No directives were found in this document."))
        return
    plan = plan_import(notice, await all_units(ctx.session))
    summary = render_summary(notice, ctx.lang, plan)
    if plan.unknown:
        summary += "\n" + ctx.tr("Add the missing units (nhacviec units add NAME, or as an alias) "
                                 "and send the notice again.")
    summary += "\n" + ctx.tr("To correct a task before confirming: \"sửa 3 hạn 30/5\" or "
                             "\"sửa 3 đơn vị Phòng Kinh tế; UBND Phường 1\".")
    ctx.outcome = "notice_review"
    ctx.say(summary, _buttons(ctx, ctx.inbox_id, 0, not plan.unknown, True))


_FIX = re.compile(r"^(?:/fix|sửa|sua)\s+#?(\d+)\s*:?\s*(hạn|han|thời hạn|thoi han|deadline|"
                  r"đơn vị|don vi|units?|chủ trì|chu tri)\s*:?\s+(.+)$", re.IGNORECASE | re.DOTALL)


def is_correction(text: str) -> bool:
    return bool(_FIX.match(text.strip()))


def _notice_of(row: Inbox):
    return apply_corrections(parse_notice(_text_of(row)), (row.payload or {}).get("corrections"))


async def correct(ctx: Ctx) -> None:
    """"sửa 3 hạn 30/5" or "/fix 3 đơn vị Phòng Kinh tế; UBND Phường 1": on the latest review."""
    pending = await ctx.session.scalar(select(Inbox).where(
        Inbox.channel == ctx.msg.channel, Inbox.chat_id == ctx.msg.chat_id,
        Inbox.outcome == "notice_review").order_by(Inbox.id.desc()).limit(1))
    if pending is None:
        ctx.outcome = "nothing_to_correct"
        ctx.say(ctx.tr("There is no notice under review to correct."))
        return
    m = _FIX.match(ctx.msg.text.strip())
    assert m is not None  # route() calls this only when is_correction() matched
    number, field_word, value = int(m[1]), m[2].lower(), m[3].strip()
    notice = _notice_of(pending)
    if not 1 <= number <= len(notice.tasks):
        ctx.say(ctx.tr("There is no task {number} in this notice (1–{count}).", number=number,
                       count=len(notice.tasks)))
        return
    fixes = dict((pending.payload or {}).get("corrections") or {})
    fix = dict(fixes.get(str(number)) or {})
    if field_word.startswith(("h", "t", "d")) and not field_word.startswith(("đơn", "don")):
        try:
            day = parse_day(value, notice.document.issued_date or ctx.today)
        except ValueError:
            ctx.say(ctx.tr("I could not read the date «{text}». Please write it as DD/MM or DD/MM/YYYY.",
                           text=value))
            return
        fix.update(deadline=day.isoformat(), deadline_text=ctx.tr("corrected by the Office"))
    else:
        fix["lead"] = [name.strip() for name in value.split(";") if name.strip()]
    fixes[str(number)] = fix
    pending.payload = {**(pending.payload or {}), "corrections": fixes}
    notice = _notice_of(pending)
    plan = plan_import(notice, await all_units(ctx.session))
    ctx.outcome = "notice_corrected"
    text = render_tasks(notice, ctx.lang, number - 1, 1) + "\n\n" + render_summary(notice, ctx.lang, plan)
    ctx.say(text, _buttons(ctx, pending.id, 0, not plan.unknown, True))


def _text_of(row: Inbox) -> str:
    """The notice an inbox row carries: the text read from its file, or the pasted text."""
    return (row.payload or {}).get("document_text") or row.text


async def review_file(ctx: Ctx) -> None:
    """The Office sent a .docx/.pdf/.txt: read it (nothing stored yet) and review it."""
    att = ctx.msg.attachment
    assert att is not None  # route() calls this only for a document
    if ctx.fetch_file is None:
        ctx.outcome = "file_unsupported"
        ctx.say(ctx.tr("Files cannot be read on this channel: paste the text of the notice instead."))
        return
    if too_large(att, ctx.settings.max_file_mb):  # refused before downloading a byte
        ctx.outcome = "file_too_large"
        ctx.say(ctx.tr("The file is larger than {mb} MB: please send a smaller file or a link.",
                       mb=ctx.settings.max_file_mb))
        return
    try:
        data = await ctx.fetch_file(ctx.msg.channel, att.file_id)
        if too_large(Attachment("document", "", size=len(data)), ctx.settings.max_file_mb):
            ctx.outcome = "file_too_large"  # a platform that gave no size in the update
            ctx.say(ctx.tr("The file is larger than {mb} MB: please send a smaller file or a link.",
                           mb=ctx.settings.max_file_mb))
            return
        # Off the event loop, bounded in time and memory: others are answered meanwhile.
        text = await read_isolated(data, att.file_name or "notice.txt")
    except NotImplementedError:
        ctx.outcome = "file_unsupported"
        ctx.say(ctx.tr("Files cannot be read on this channel: paste the text of the notice instead."))
        return
    except ChannelError:
        ctx.outcome = "file_unreachable"
        ctx.say(ctx.tr("The file could not be fetched. Please send it again in a moment."))
        return
    except NoticeReadError as exc:
        ctx.outcome = f"file_{exc.reason}"
        ctx.say(exc.message(ctx.lang))
        return
    # Kept in the update's own inbox row, so the buttons can find it again.
    row = await ctx.session.get(Inbox, ctx.inbox_id)
    assert row is not None  # the update's row is stored before handling
    row.payload = {**(row.payload or {}), "document_text": text, "file_name": att.file_name}
    await review(ctx, text)


async def handle_button(ctx: Ctx) -> None:
    """i:ok:INBOX, i:more:INBOX:PAGE, i:no:INBOX"""
    if not ctx.may("import_notice"):
        ctx.outcome = "forbidden"
        ctx.say(ctx.tr("Only the Office can do this."))
        return
    press = ctx.button
    assert isinstance(press, Review)
    pasted = await ctx.session.get(Inbox, press.inbox_id)
    if pasted is None or pasted.chat_id != ctx.msg.chat_id:
        ctx.say(ctx.tr("This button is no longer valid."))
        return
    action = press.action
    if action == "no":
        pasted.outcome = "notice_cancelled"
        ctx.outcome = "notice_cancelled"
        ctx.say(ctx.tr("Cancelled: nothing was stored."))
        return
    notice = _notice_of(pasted)
    if action == "more":
        page = press.page
        start = page * PAGE
        ctx.outcome = "notice_details"
        ctx.say(render_tasks(notice, ctx.lang, start, PAGE) or ctx.tr("No more tasks."),
                _buttons(ctx, pasted.id, page + 1, True, start + PAGE < len(notice.tasks)))
        return
    plan = plan_import(notice, await all_units(ctx.session))
    if plan.unknown:
        ctx.say(render_summary(notice, ctx.lang, plan))
        return
    try:
        stored = await store(ctx.session, plan.document(
            source=(pasted.payload or {}).get("file_name") or "chat", content=_text_of(pasted)),
                             plan.tasks, ctx.now)
    except DuplicateDocument as exc:
        ctx.outcome = "notice_duplicate"
        ctx.say(ctx.tr("This notice ({number}) has already been imported.",
                       number=exc.document.number or exc.document.source))
        return
    queued = await queue_new_task_notices(ctx.session, stored.assignments, ctx.now,
                                          notify.not_before(ctx))
    pasted.outcome = "notice_stored"
    ctx.outcome = "notice_stored"
    ctx.say(ctx.tr("Stored {tasks} tasks ({assignments} assignments); {notices} messages queued "
                   "for the units.", tasks=len(stored.tasks), assignments=len(stored.assignments),
                   notices=queued))
