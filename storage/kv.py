"""Small settings kept in the database (the next meeting date, when the last digest went out)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Setting


async def get(session: AsyncSession, key: str) -> str | None:
    row = await session.get(Setting, key)
    return row.value if row else None


async def put(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
