"""What every handler receives: the message, its stored inbox row, the sender and a session."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Button, Incoming, Outgoing
from bot.config import Settings
from bot.dates.workdays import WorkCalendar
from bot.directory.roles import Action, may
from bot.i18n import t
from handlers.callbacks import MAX_ID, Payload
from storage.models import Contact

__all__ = ["MAX_ID", "Ctx", "stored_id"]  # MAX_ID: one limit for typed ids and button payloads


def stored_id(raw: str) -> int | None:
    """A number typed as a task or request id ("17", "#17", "#¹⁷"), or None when it cannot be
    one (not digits, 0, or too large for the database to be asked about)."""
    from bot.replies.plain import clean

    raw = clean(raw).strip().lstrip("#").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 0 < number <= MAX_ID else None


@dataclass
class Ctx:
    session: AsyncSession
    msg: Incoming
    inbox_id: int  # the update's row in the inbox, stored before handling
    contact: Contact | None
    settings: Settings
    calendar: WorkCalendar
    now: datetime
    lang: str
    outcome: str = "handled"
    command: str | None = None
    args: str = ""
    replies: list[Outgoing] = field(default_factory=list)
    recorded: list[int] = field(default_factory=list)  # ids of the reports this message made
    button: Payload | None = None  # the pressed button's payload, decoded by the router
    # (channel, file id) → the file's bytes, where the platform lets the bot fetch files.
    fetch_file: Callable[[str, str], Awaitable[bytes]] | None = None

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @property
    def today(self):
        return self.now.astimezone(self.tz).date()

    def say(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        self.replies.append(Outgoing(text=text, buttons=tuple(tuple(r) for r in (buttons or []))))

    def tr(self, msgid: str, /, **values: object) -> str:
        return t(self.lang, msgid, **values)

    def may(self, action: Action) -> bool:
        """Whether the sender may do `action` (the table is bot/directory/roles.py)."""
        return may(self.contact, action)
