"""/meeting (the Office sets the next monthly meeting) and /lang (anyone chooses a language)."""
from __future__ import annotations

from bot.dates.timeutil import fmt_date, parse_day
from bot.followup.planning import digest_day
from bot.i18n import LANGUAGES
from handlers.context import Ctx
from storage import kv

MEETING_KEY = "meeting_date"


async def handle_meeting(ctx: Ctx) -> None:
    if not ctx.args:
        current = await kv.get(ctx.session, MEETING_KEY)
        ctx.say(ctx.tr("Next meeting: {date}. To change it: /meeting DD/MM",
                       date=fmt_date(parse_day(current)) if current else "—"))
        return
    if not ctx.may("set_meeting"):
        ctx.outcome = "forbidden"
        ctx.say(ctx.tr("Only the Office can do this."))
        return
    try:
        meeting = parse_day(ctx.args.split()[0], ctx.today)
    except ValueError:
        ctx.outcome = "bad_date"
        ctx.say(ctx.tr("I could not read the date «{text}». Please write it as DD/MM or DD/MM/YYYY.",
                       text=ctx.args))
        return
    if meeting < ctx.today:
        ctx.outcome = "bad_date"
        ctx.say(ctx.tr("The date {date} has already passed.", date=fmt_date(meeting)))
        return
    await kv.put(ctx.session, MEETING_KEY, meeting.isoformat())
    ctx.outcome = "meeting_set"
    ctx.say(ctx.tr("Next meeting set to {date}. The leaders' digest will go out on {digest} at {time}.",
                   date=fmt_date(meeting), digest=fmt_date(digest_day(meeting, ctx.settings.reminders, ctx.calendar)),
                   time=ctx.settings.reminders.send_at.strftime("%H:%M")))


async def handle_lang(ctx: Ctx) -> None:
    assert ctx.contact is not None  # route() lets only registered contacts here
    lang = ctx.args.strip().lower()[:2]
    if lang not in LANGUAGES:
        ctx.say(ctx.tr("Choose a language: /lang vi (Tiếng Việt) or /lang en (English)."))
        return
    ctx.contact.locale = lang
    ctx.lang = lang
    ctx.outcome = "language_set"
    ctx.say(ctx.tr("Language set to English."))
