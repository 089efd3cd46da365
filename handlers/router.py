"""The core's answer to every incoming message: store it, find the sender, route it.

Every update is written to the inbox (and committed) before it is handled, so nothing is lost
even when handling fails; a failure gets a short apology in the user's language, never a trace.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Awaitable, Callable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.channels.base import Incoming, Outgoing
from bot.config import Settings
from bot.i18n import normalise_language, t
from bot.dates.workdays import WorkCalendar
from bot.notices import looks_like_notice
from handlers import admin, extensions, imports, progress, start, status, taskinfo, tasks
from handlers.context import Ctx
from storage.models import Contact, Inbox

log = logging.getLogger(__name__)

# Commands, with or without the leading slash on channels without a command menu.
COMMANDS = {
    "start": start.handle_start,
    "help": start.handle_help,
    "tasks": tasks.handle_tasks,
    "task": taskinfo.handle_task,
    "status": status.handle_status,
    "overdue": status.handle_overdue,
    "meeting": admin.handle_meeting,
    "lang": admin.handle_lang,
    "extensions": extensions.handle_list,
    "extend": extensions.handle_extend_command,
    "reject": extensions.handle_reject_command,
    "undo": progress.handle_undo_command,
    "return": progress.handle_return_command,
}

BUTTONS = {
    "r": progress.handle_report_button,
    "p": progress.handle_pick_button,
    "u": progress.handle_undo_button,
    "x": extensions.handle_decision_button,
    "c": progress.handle_confirm_button,
    "i": imports.handle_button,
}


def parse_command(text: str) -> tuple[str | None, str]:
    text = text.strip()
    if not text.startswith("/"):
        return None, text
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return name, rest.strip()


class Core:
    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker, settings: Settings,
                 calendar: WorkCalendar, clock: Callable[[], datetime],
                 fetch_file: Callable[[str, str], Awaitable[bytes]] | None = None):
        self.fetch_file = fetch_file
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.calendar = calendar
        self.clock = clock

    @staticmethod
    def _inbox_row(msg: Incoming, now: datetime) -> dict:
        key = msg.update_id or (f"{msg.chat_id}:{msg.message_id}" if msg.message_id else uuid.uuid4().hex)
        return {"channel": msg.channel, "update_key": str(key), "chat_id": msg.chat_id,
                "user_id": msg.user_id, "kind": msg.kind, "text": msg.text or msg.button_data or "",
                "payload": {"reply_to": msg.reply_to, "button": msg.button_data,
                            "message_id": msg.message_id, "user_name": msg.user_name,
                            "chat_type": msg.chat_type,
                            "attachment": msg.attachment.__dict__ if msg.attachment else None},
                "received_at": now}

    async def handle(self, msg: Incoming) -> list[Outgoing]:
        now = self.clock()
        # Vietnamese first for everyone, whatever the phone's language; /lang en switches.
        lang = normalise_language(self.settings.default_locale)
        # One connection for both transactions of the update: one check-out (and, on
        # PostgreSQL, one liveness ping) instead of two.
        async with self.engine.connect() as connection, \
                self.sessionmaker(bind=connection) as session:
            # Stored and committed before anything else happens to it.
            try:
                inbox_id = await session.scalar(_STORE, self._inbox_row(msg, now))
                await session.commit()
            except IntegrityError:  # the platform delivered the same update twice
                return []
            try:
                contact = await session.scalar(_CONTACT, {"channel": msg.channel,
                                                          "chat_id": msg.chat_id})
                if contact is not None and contact.active:
                    lang = contact.locale
                else:
                    contact = None
                ctx = Ctx(session=session, msg=msg, inbox_id=inbox_id, contact=contact,
                          settings=self.settings, calendar=self.calendar, now=now, lang=lang,
                          fetch_file=self.fetch_file)
                await route(ctx)
                await session.execute(_MARK, {"inbox_id": inbox_id, "outcome_": ctx.outcome,
                                              "handled_at_": now})
                await session.commit()
                return ctx.replies
            except Exception:
                log.exception("handling update %s on %s failed", inbox_id, msg.channel)
                await session.rollback()
                await session.execute(_MARK, {"inbox_id": inbox_id, "outcome_": "error",
                                              "handled_at_": None})
                await session.commit()
        return [Outgoing(t(lang, "Sorry, something went wrong on our side. Your message is saved; "
                                 "the Office will look at it."))]


# Built once: every update runs these, and building a statement costs more than running it.
# The inbox is written through its table: no ORM object to track or to synchronise.
_INBOX = Inbox.__table__
_STORE = insert(_INBOX).returning(_INBOX.c.id)
_CONTACT = select(Contact).where(Contact.channel == bindparam("channel"),
                                 Contact.chat_id == bindparam("chat_id"))
_MARK = (update(_INBOX).where(_INBOX.c.id == bindparam("inbox_id"))
         .values(outcome=bindparam("outcome_"), handled_at=bindparam("handled_at_")))


async def route(ctx: Ctx) -> None:
    msg = ctx.msg
    command, args = parse_command(msg.text or "")
    ctx.command, ctx.args = command, args
    if command == "start" or (command is None and msg.button_data is None
                              and ctx.contact is None and args.lower().startswith("start ")):
        await start.handle_start(ctx)
        return
    if ctx.contact is None:
        ctx.outcome = "unregistered"
        start.explain_unregistered(ctx)
        return
    if msg.button_data:
        prefix = msg.button_data.split(":", 1)[0]
        handler = BUTTONS.get(prefix)
        if handler is None:
            ctx.outcome = "unknown_button"
            ctx.say(ctx.tr("This button is no longer valid."))
            return
        await handler(ctx)
        return
    if ctx.is_admin and imports.is_correction(msg.text or ""):
        await imports.correct(ctx)
        return
    if command is not None:
        handler = COMMANDS.get(command)
        if handler is None:
            ctx.outcome = "unknown_command"
            await start.handle_help(ctx, unknown=command)
            return
        await handler(ctx)
        return
    if ctx.is_admin and msg.attachment is not None and msg.attachment.kind == "document":
        await imports.review_file(ctx)
        return
    if ctx.is_admin and len(msg.text or "") > 200 and looks_like_notice(msg.text):
        await imports.review(ctx, msg.text)
        return
    await progress.handle_text(ctx)
