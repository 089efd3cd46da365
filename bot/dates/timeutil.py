"""Time helpers: store UTC, compute in local time, print in Vietnamese formats."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def quiet_until(now: datetime, tz: tzinfo, start: time, end: time) -> datetime:
    """When a message the bot sends on its own may go out: `now`, or the end of the quiet hours
    (start..end local time, possibly across midnight) when `now` falls inside them."""
    local = now.astimezone(tz)
    moment = local.time()
    quiet = (start <= moment < end) if start <= end else (moment >= start or moment < end)
    if not quiet:
        return now
    day = local.date() if moment < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz).astimezone(timezone.utc)


def fmt_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def fmt_datetime(value: datetime, tz: tzinfo) -> str:
    local = value.astimezone(tz)
    return local.strftime("%H:%M %d/%m/%Y")


_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_day(text: str, today: date | None = None) -> date:
    """Parse dd/mm/yyyy, dd/mm (next occurrence on or after `today`) or ISO yyyy-mm-dd.

    Raises ValueError on anything else or an impossible date (31/02)."""
    m = _ISO.match(text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = _DMY.match(text)
    if not m:
        raise ValueError(f"not a date: {text!r}")
    day, month = int(m[1]), int(m[2])
    if m[3]:
        year = int(m[3])
        if year < 100:
            year += 2000
        return date(year, month, day)
    if today is None:
        raise ValueError(f"a year is needed: {text!r}")
    candidate = date(today.year, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)
