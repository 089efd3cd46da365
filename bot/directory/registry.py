"""The unit directory, invite codes and registration of contacts."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.directory import unitmatch as match
from bot.directory.unitmatch import UnitEntry
from bot.i18n import N_
from bot.text.fold import fold
from bot.text.shorten import shorten
from storage.models import ROLES, Contact, Invite, StartAttempt, Unit

# Codes avoid look-alike characters (0/O, 1/I/L) because people type them from paper or a screen.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
GUESS_WINDOW = timedelta(minutes=15)
GUESS_LIMIT = 5


class RegistryError(ValueError):
    """A user-correctable problem; `msgid` is an English sentence translated by the caller."""

    def __init__(self, msgid: str, **values: object):
        super().__init__(msgid.format(**values))
        self.msgid = msgid
        self.values = values


# --- units -------------------------------------------------------------------------------------

async def all_units(session: AsyncSession) -> list[Unit]:
    """Every unit, with the members of collectives loaded."""
    return list((await session.scalars(
        select(Unit).options(selectinload(Unit.members)).order_by(Unit.name))).all())


class UnitIndex:
    """Name/alias → unit by the exact name folded (case, diacritics, spacing): which names are
    taken. Finding the unit a person means is the matcher's job (find_units)."""

    def __init__(self, units: list[Unit]):
        self.by_key: dict[str, Unit] = {}
        for unit in units:
            for name in [unit.name, *(unit.aliases or [])]:
                self.by_key.setdefault(fold(name), unit)

    def find(self, name: str) -> Unit | None:
        return self.by_key.get(fold(name))

    def add(self, unit: Unit) -> None:
        for name in [unit.name, *(unit.aliases or [])]:
            self.by_key.setdefault(fold(name), unit)


def unit_entries(units: list[Unit], *, members: bool = True) -> list[UnitEntry]:
    """Storage units as the unit matcher's directory. members=False keeps a collective whole
    (the collective itself is found, not its members)."""
    return [UnitEntry(u.name, tuple(u.aliases or ()), u.kind,
                      tuple(m.name for m in u.members) if members else ())
            for u in units]


async def find_units(session: AsyncSession, name: str) -> list[Unit]:
    """The units a written name stands for, by the one unit matcher (bot.directory.unitmatch),
    collectives kept whole: [] when none, several when the name fits several."""
    units = await all_units(session)
    by_name = {u.name: u for u in units}
    return [by_name[n] for n in match.find_units(name, unit_entries(units, members=False))]


async def find_unit(session: AsyncSession, name: str) -> Unit:
    """The one unit a written name stands for; RegistryError when it names none or several."""
    found = await find_units(session, name)
    if not found:
        raise RegistryError("Unknown unit «{name}». See: nhacviec units list", name=name)
    if len(found) > 1:
        raise RegistryError(SEVERAL_UNITS, name=name, units=several(found))
    return found[0]


# Shared by /status UNIT and the invites: a name that fits several units is never guessed.
SEVERAL_UNITS = N_("«{name}» fits several units: {units}. Please write the unit's full name.")


def several(units: list[Unit]) -> str:
    return shorten("; ".join(u.name for u in units), 300)


async def add_unit(session: AsyncSession, name: str, now: datetime, aliases: Sequence[str] = (),
                   kind: str = "department", members: Sequence[str] = ()) -> Unit:
    name = " ".join(name.split())
    if not name:
        raise RegistryError("A unit needs a name.")
    index = UnitIndex(await all_units(session))
    if index.find(name):
        raise RegistryError("The unit «{name}» already exists.", name=name)
    member_units = []
    for member in members:
        unit = index.find(member)
        if unit is None:
            raise RegistryError("Unknown member unit «{name}».", name=member)
        member_units.append(unit)
    unit = Unit(name=name, aliases=[a.strip() for a in aliases if a.strip()], kind=kind,
                created_at=now, members=member_units)
    session.add(unit)
    await session.flush()
    return unit


async def add_units(session: AsyncSession, rows, now: datetime, batch: int = 500,
                    progress=None) -> int:
    """Add many units (rows with name, aliases, kind, members) in time linear in their number.

    Every row is checked first against one index of the directory and the rows before it, so a
    wrong row stores nothing; then the units are written in short transactions of `batch`, so the
    bot keeps answering meanwhile. `progress(done, total)` is called after each."""
    index = UnitIndex(await all_units(session))
    new: list[Unit] = []
    for row in sorted(rows, key=lambda r: bool(r.members)):  # collectives after their members
        name = " ".join(row.name.split())
        if not name:
            raise RegistryError("A unit needs a name.")
        if index.find(name):
            raise RegistryError("The unit «{name}» already exists.", name=name)
        members = []
        for member in row.members:
            unit = index.find(member)
            if unit is None:
                raise RegistryError("Unknown member unit «{name}».", name=member)
            members.append(unit)
        unit = Unit(name=name, aliases=[a.strip() for a in row.aliases if a.strip()],
                    kind=row.kind, created_at=now, members=members)
        index.add(unit)
        new.append(unit)
    for start in range(0, len(new), batch):
        session.add_all(new[start:start + batch])
        await session.commit()
        if progress is not None:
            progress(min(start + batch, len(new)), len(new))
    return len(new)


# --- invites -----------------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def create_invite(session: AsyncSession, role: str, unit_name: str | None, now: datetime,
                        ttl_days: int) -> Invite:
    if role not in ROLES:
        raise RegistryError("Unknown role «{role}»: use officer, leader or admin.", role=role)
    unit = None
    if unit_name:
        unit = await find_unit(session, unit_name)
    elif role == "officer":
        raise RegistryError("An officer invite needs a unit.")
    invite = Invite(code=new_code(), role=role, unit=unit, unit_id=unit.id if unit else None,
                    created_at=now, expires_at=now + timedelta(days=ttl_days))
    session.add(invite)
    await session.flush()
    return invite


@dataclass(frozen=True)
class Registration:
    contact: Contact
    invite: Invite


async def too_many_guesses(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> bool:
    count = await session.scalar(
        select(func.count()).select_from(StartAttempt).where(
            StartAttempt.channel == channel, StartAttempt.chat_id == chat_id,
            StartAttempt.at > now - GUESS_WINDOW))
    return (count or 0) >= GUESS_LIMIT


async def redeem(session: AsyncSession, *, code: str, channel: str, chat_id: str, user_id: str,
                 name: str, is_group: bool, locale: str, now: datetime) -> Registration:
    """Turn a valid code into a contact (or update the chat's contact). Raises RegistryError."""
    if await too_many_guesses(session, channel, chat_id, now):
        raise RegistryError("Too many wrong codes. Please wait 15 minutes and try again.")
    invite = await session.scalar(select(Invite).where(Invite.code == code.strip().upper()))
    problem = None
    if invite is None:
        problem = RegistryError("This invite code is not valid. Please check it with the Office.")
    elif invite.used_at is not None:
        problem = RegistryError("This invite code has already been used. Please ask the Office for a new one.")
    elif invite.expires_at < now:
        problem = RegistryError("This invite code has expired. Please ask the Office for a new one.")
    if problem is not None:
        session.add(StartAttempt(channel=channel, chat_id=chat_id, at=now))
        raise problem
    assert invite is not None  # no problem means an invite
    # Claim the code before anything else is written: of people sending it at the same instant,
    # only the one whose conditional update finds it unused goes on (the others see rowcount 0,
    # after waiting for the winner's row lock on PostgreSQL or write lock on SQLite).
    claimed = cast(CursorResult, await session.execute(
        update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        raise RegistryError("This invite code has already been used. Please ask the Office for a new one.")
    contact = await session.scalar(
        select(Contact).where(Contact.channel == channel, Contact.chat_id == chat_id))
    if contact is None:
        contact = Contact(channel=channel, chat_id=chat_id, created_at=now, locale=locale)
        session.add(contact)
    contact.user_id = user_id
    contact.name = name
    contact.role = invite.role
    contact.unit_id = invite.unit_id
    contact.is_group = is_group
    contact.active = True
    await session.flush()
    invite.used_at = now  # already so in the row; keeps the loaded object in step
    invite.used_by = contact.id
    await session.execute(delete(StartAttempt).where(
        StartAttempt.channel == channel, StartAttempt.chat_id == chat_id))
    await session.refresh(contact, ["unit"])
    return Registration(contact, invite)
