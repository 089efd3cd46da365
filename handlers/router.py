"""The core's answer to every incoming message: store it, find the sender, route it.

Every update is written to the inbox (and committed) before it is handled, so nothing is lost
even when handling fails; a failure gets a short apology in the user's language, never a trace.
An update that cannot be stored raises NotStored, for the channel not to confirm it; rows stored
but not handled are picked up by `Core.recover` (at start-up and on a tick).
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, cast

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.channels.base import Attachment, Incoming, NotStored, Outgoing
from bot.config import Settings
from bot.dates.workdays import WorkCalendar
from bot.i18n import N_, normalise_language, t
from bot.notices import looks_like_notice
from handlers import callbacks, commands, extensions, imports, progress, start
from handlers.context import Ctx
from storage.models import Contact, Inbox
from storage.outbox import enqueue

log = logging.getLogger(__name__)

BUTTONS = {
    callbacks.Report: progress.handle_report_button,
    callbacks.Pick: progress.handle_pick_button,
    callbacks.Undo: progress.handle_undo_button,
    callbacks.Decision: extensions.handle_decision_button,
    callbacks.ResultCheck: progress.handle_confirm_button,
    callbacks.Review: imports.handle_button,
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
        self._busy: set[int] = set()  # inbox rows being handled in this process right now

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
        """Store the update (committed), then handle it; the immediate answers.

        Raises NotStored when the inbox row could not be committed within
        `store_retry_seconds` (the caller must not confirm the update to the platform). Once
        stored, nothing is raised: a failure answers with an apology and leaves the row for
        `recover`. A platform's resend of an update already handled returns no answers."""
        now = self.clock()
        row = self._inbox_row(msg, now)
        give_up = time.monotonic() + self.settings.store_retry_seconds
        delay = 0.05
        while True:
            stored = False
            try:
                # One connection for both transactions of the update: one check-out (and, on
                # PostgreSQL, one liveness ping) instead of two.
                async with self.engine.connect() as connection, \
                        self.sessionmaker(bind=connection) as session:
                    inbox_id = await self._store(session, row)
                    stored = True
                    if inbox_id is None:  # the platform delivered it again: handled already
                        return []
                    return await self._process(session, inbox_id, msg, now)
            except Exception as exc:  # noqa: BLE001 - the database failed: locked, gone, full
                if stored:  # kept: `recover` handles it once the database is back
                    log.exception("update %s on %s stored, handling failed", row["update_key"],
                                  msg.channel)
                    return [Outgoing(t(self.settings.default_locale, APOLOGY_SAVED))]
                if time.monotonic() + delay > give_up:
                    log.error("update %s on %s could not be stored: %s", row["update_key"],
                              msg.channel, f"{type(exc).__name__}: {exc}"[:300])
                    raise NotStored(f"{type(exc).__name__}") from None
                log.warning("storing update %s on %s failed, retrying in %.2fs: %s",
                            row["update_key"], msg.channel, delay, type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def _store(self, session, row: dict) -> int | None:
        """Commit the inbox row; its id, or None when the same update is already handled (or
        set aside, or being handled in this process right now). A resend of an update that was
        stored but never handled (the process died in between) is handled now."""
        try:
            inbox_id = await session.scalar(_STORE, row)
            await session.commit()
            return inbox_id
        except IntegrityError:  # the platform delivered the same update twice
            await session.rollback()
        found = (await session.execute(_EXISTING, {"channel": row["channel"],
                                                   "update_key": row["update_key"]})).first()
        await session.commit()
        if found is None or found.handled_at is not None or found.outcome == SET_ASIDE \
                or found.id in self._busy:
            return None
        return found.id

    async def _process(self, session, inbox_id: int, msg: Incoming, now: datetime, *,
                       to_outbox: bool = False) -> list[Outgoing]:
        """Handle a stored update in one transaction that also marks it handled.

        The mark only applies while the row is not handled yet, so two handlers of one row (a
        resend and the recovery tick, two processes) record it once: the second rolls back.
        `to_outbox`: the answers are queued in the outbox in the same transaction (recovery:
        nobody is waiting on the other end)."""
        self._busy.add(inbox_id)
        # Vietnamese first for everyone, whatever the phone's language; /lang en switches.
        lang = normalise_language(self.settings.default_locale)
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
            marked = await session.execute(_MARK, {"inbox_id": inbox_id, "outcome_": ctx.outcome,
                                                   "handled_at_": now})
            if not marked.rowcount:  # handled meanwhile by someone else
                await session.rollback()
                return []
            if to_outbox and ctx.replies:
                await enqueue(session, _reply_rows(msg, inbox_id, ctx.replies, now), now)
            await session.commit()
            return ctx.replies
        except Exception:
            log.exception("handling update %s on %s failed", inbox_id, msg.channel)
            await session.rollback()
            await self._failed(session, inbox_id, msg, now)
            return [Outgoing(t(lang, APOLOGY_SAVED))]
        finally:
            self._busy.discard(inbox_id)

    async def _failed(self, session, inbox_id: int, msg: Incoming, now: datetime) -> None:
        """Count a failed handling; after `inbox_max_attempts` the row is set aside and the
        Office told, with the sender's words."""
        attempts = await session.scalar(_FAIL, {"inbox_id": inbox_id})
        if attempts is not None and attempts >= self.settings.inbox_max_attempts:
            await session.execute(_SET_ASIDE, {"inbox_id": inbox_id})
            admins = (await session.scalars(select(Contact).where(
                Contact.role == "admin", Contact.active.is_(True)))).all()
            sender = await session.scalar(_CONTACT, {"channel": msg.channel,
                                                     "chat_id": msg.chat_id})
            who = (sender.name if sender is not None and sender.name else msg.user_name) \
                or msg.chat_id
            words = (msg.text or msg.button_data or "")[:500]
            await enqueue(session, [
                {"key": f"inbox-aside:{inbox_id}:{admin.id}", "kind": "notice",
                 "channel": admin.channel, "chat_id": admin.chat_id, "contact_id": admin.id,
                 "due_at": now,
                 "text": t(admin.locale, "A message could not be handled after {attempts} "
                                         "attempts and was set aside. From {name} on {channel}: "
                                         "«{text}»", attempts=attempts, name=who,
                           channel=msg.channel, text=words)}
                for admin in admins], now)
            log.error("inbox row %s set aside after %s failed handlings", inbox_id, attempts)
        await session.commit()

    async def recover(self, older_than: timedelta = timedelta(0), limit: int = 200) -> int:
        """Handle inbox rows stored but never handled (the process died, the database failed
        mid-way, a handler failed), oldest first; their answers go through the outbox.
        `older_than` leaves alone what a live handler has just stored. Returns how many."""
        now = self.clock()
        async with self.sessionmaker() as session:
            rows = (await session.scalars(
                select(Inbox).where(Inbox.handled_at.is_(None),
                                    or_(Inbox.outcome.is_(None), Inbox.outcome == "error"),
                                    Inbox.attempts < self.settings.inbox_max_attempts,
                                    Inbox.received_at <= now - older_than)
                .order_by(Inbox.id).limit(limit))).all()
            waiting = [(row.id, incoming_from_inbox(row)) for row in rows
                       if row.id not in self._busy]
        handled = 0
        for inbox_id, msg in waiting:
            async with self.engine.connect() as connection, \
                    self.sessionmaker(bind=connection) as session:
                if inbox_id in self._busy:
                    continue
                log.info("recovering inbox row %s (%s)", inbox_id, msg.channel)
                await self._process(session, inbox_id, msg, self.clock(), to_outbox=True)
                handled += 1
        return handled


APOLOGY_SAVED = N_("Sorry, something went wrong on our side. Your message is saved; "
                   "the Office will look at it.")
SET_ASIDE = "set_aside"


def incoming_from_inbox(row: Inbox) -> Incoming:
    """The message an inbox row was stored from (as `Core._inbox_row` wrote it)."""
    payload = row.payload or {}
    attachment = payload.get("attachment")
    button = payload.get("button")
    return Incoming(
        channel=row.channel, chat_id=row.chat_id, user_id=row.user_id,
        text="" if button else row.text, user_name=payload.get("user_name") or "",
        chat_type=payload.get("chat_type") or "private", message_id=payload.get("message_id"),
        reply_to=payload.get("reply_to"), button_data=button, update_id=row.update_key,
        attachment=Attachment(**attachment) if attachment else None,
        kind=cast(Any, row.kind))  # one of Incoming's kinds: the channel wrote it


def _reply_rows(msg: Incoming, inbox_id: int, replies: list[Outgoing], now: datetime) -> list[dict]:
    return [{"key": f"inbox-reply:{inbox_id}:{i}", "kind": "notice", "channel": msg.channel,
             "chat_id": msg.chat_id, "text": reply.text, "due_at": now,
             "buttons": [[{"text": b.text, "data": b.data} for b in row] for row in reply.buttons]}
            for i, reply in enumerate(replies)]


# Built once: every update runs these, and building a statement costs more than running it.
# The inbox is written through its table: no ORM object to track or to synchronise.
_INBOX = Inbox.__table__
_STORE = insert(_INBOX).returning(_INBOX.c.id)
_EXISTING = select(_INBOX.c.id, _INBOX.c.handled_at, _INBOX.c.outcome).where(
    _INBOX.c.channel == bindparam("channel"), _INBOX.c.update_key == bindparam("update_key"))
_CONTACT = select(Contact).where(Contact.channel == bindparam("channel"),
                                 Contact.chat_id == bindparam("chat_id"))
_MARK = (update(_INBOX).where(_INBOX.c.id == bindparam("inbox_id"), _INBOX.c.handled_at.is_(None))
         .values(outcome=bindparam("outcome_"), handled_at=bindparam("handled_at_")))
_FAIL = (update(_INBOX).where(_INBOX.c.id == bindparam("inbox_id"))
         .values(outcome="error", attempts=_INBOX.c.attempts + 1).returning(_INBOX.c.attempts))
_SET_ASIDE = (update(_INBOX).where(_INBOX.c.id == bindparam("inbox_id"))
              .values(outcome=SET_ASIDE))


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
        ctx.button = callbacks.decode(msg.button_data)
        if ctx.button is None:  # an unknown or garbled button: say so, never fail
            ctx.outcome = "unknown_button"
            ctx.say(ctx.tr("This button is no longer valid."))
            return
        await BUTTONS[type(ctx.button)](ctx)
        return
    if ctx.may("import_notice") and imports.is_correction(msg.text or ""):
        await imports.correct(ctx)
        return
    if command is not None:
        declared = commands.find(command)
        if declared is None:
            ctx.outcome = "unknown_command"
            await commands.handle_help(ctx, unknown=command)
            return
        await declared.handler(ctx)
        return
    if ctx.may("import_notice") and msg.attachment is not None and msg.attachment.kind == "document":
        await imports.review_file(ctx)
        return
    if ctx.may("import_notice") and len(msg.text or "") > 200 and looks_like_notice(msg.text):
        await imports.review(ctx, msg.text)
        return
    await progress.handle_text(ctx)
