"""The leadership digest before the monthly meeting, queued once per meeting and recipient."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.dates.workdays import WorkCalendar
from bot.followup.planning import digest_due
from bot.reports import status as views
from bot.reports.queries import load_rows, reports_since
from storage import kv
from storage.models import Contact, Outbox
from storage.outbox import enqueue

MEETING_KEY = "meeting_date"
LAST_DIGEST_KEY = "last_digest_at"


async def meeting_date(session: AsyncSession, settings: Settings) -> date | None:
    value = await kv.get(session, MEETING_KEY)
    if value:
        return date.fromisoformat(value)
    if settings.meeting_date:
        from bot.dates.timeutil import parse_day
        return parse_day(settings.meeting_date)
    return None


async def queue_digest(session: AsyncSession, now: datetime, settings: Settings,
                       calendar: WorkCalendar) -> int:
    meeting = await meeting_date(session, settings)
    key = digest_due(now, meeting, settings.reminders, calendar, settings.tz)
    if key is None:
        return 0
    assert meeting is not None  # digest_due gives a key only for a meeting
    leaders = (await session.scalars(select(Contact).where(
        Contact.role == "leader", Contact.active.is_(True)))).all()
    # Who already has this meeting's digest queued (a leader who registers later still gets it).
    queued = set((await session.scalars(select(Outbox.contact_id).where(
        Outbox.key.startswith(f"{key}:", autoescape=True)))).all())
    leaders = [c for c in leaders if c.id not in queued]
    if not leaders:
        return 0
    # "Reported since the last digest": the same window for everyone who gets this one.
    since_key = f"{key}:since"
    last = await kv.get(session, since_key) if queued else await kv.get(session, LAST_DIGEST_KEY)
    since = datetime.fromisoformat(last) if last else None
    summary = views.summarize(await load_rows(session), now, settings.tz)
    reports = await reports_since(session, since)
    rows = [{"key": f"{key}:{c.id}", "kind": "digest", "channel": c.channel, "chat_id": c.chat_id,
             "contact_id": c.id, "due_at": now,
             "text": views.render_digest(summary, reports, meeting, c.locale, settings.tz)}
            for c in leaders]
    added = await enqueue(session, rows, now)
    if not queued:  # the first time this digest goes out: reports after now go in the next one
        await kv.put(session, since_key, last or "")
        await kv.put(session, LAST_DIGEST_KEY, now.isoformat())
    return added
