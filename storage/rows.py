"""Writing a row at once, without the ORM's unit of work.

On SQLite through the async layer the unit of work costs about 1 ms an object, and it was the
largest cost of handling a reply. Rows that a message writes once (its inbox row, a progress
report, an audit entry) are inserted with one Core statement and then attached to the session
as if loaded, so later changes to them (an outcome, evidence) are ordinary ORM updates."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached


async def insert_now(session: AsyncSession, obj):
    """INSERT `obj` now (every column as set on it; `id` from the database) and attach it."""
    table = type(obj).__table__
    values = {c.key: getattr(obj, c.key) for c in table.columns if c.key != "id"}
    # autoflush off: pending changes of other objects go out together at commit, in one flush.
    result = await session.execute(insert(table).values(**values).returning(table.c.id),
                                   execution_options={"autoflush": False})
    obj.id = result.scalar_one()
    make_transient_to_detached(obj)
    session.add(obj)
    return obj
