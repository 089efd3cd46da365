"""/start CODE (registration) and the polite answer to people who are not registered."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.directory.registry import RegistryError, redeem
from bot.i18n import N_, normalise_language, t
from handlers.context import Ctx
from storage.models import OPEN_STATES, Assignment

ROLE_NAMES = {"officer": N_("unit officer"), "leader": N_("leader"), "admin": N_("Office administrator")}


def explain_unregistered(ctx: Ctx) -> None:
    ctx.say(ctx.tr("Hello! This is Nhắc việc, the task follow-up assistant of the Office of the "
                   "People's Council and People's Committee. Only registered officers can use it. "
                   "Please ask the Office for an invite code, then send: /start CODE"))


async def handle_start(ctx: Ctx) -> None:
    code = ctx.args.split()[0] if ctx.args.split() else ""
    if not code:
        if ctx.contact is None:
            ctx.outcome = "unregistered"
            explain_unregistered(ctx)
        else:
            from handlers.commands import handle_help  # here: the registry imports this module

            await handle_help(ctx)
        return
    msg = ctx.msg
    locale = ctx.contact.locale if ctx.contact else normalise_language(ctx.settings.default_locale)
    try:
        reg = await redeem(ctx.session, code=code, channel=msg.channel, chat_id=msg.chat_id,
                           user_id=msg.user_id, name=msg.user_name, is_group=msg.chat_type == "group",
                           locale=locale, now=ctx.now)
    except RegistryError as exc:
        ctx.outcome = "bad_code"
        ctx.say(t(ctx.lang, exc.msgid, **exc.values))
        return
    contact = reg.contact
    ctx.contact, ctx.lang = contact, contact.locale
    role = t(ctx.lang, ROLE_NAMES[contact.role])
    if contact.unit is not None:
        open_count = await ctx.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.unit_id == contact.unit_id, Assignment.status.in_(OPEN_STATES)))
        ctx.say(ctx.tr("Welcome, {name}! You are registered as {role} of {unit}. "
                       "Your unit has {count} open tasks: send /tasks to see them.",
                       name=contact.name or "", role=role, unit=contact.unit.name,
                       count=open_count or 0))
    else:
        ctx.say(ctx.tr("Welcome, {name}! You are registered as {role}. "
                       "Send /status for the overall picture.", name=contact.name or "", role=role))
    ctx.outcome = "registered"
