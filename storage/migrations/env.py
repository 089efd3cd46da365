"""Alembic environment. The app passes an open connection (config.attributes["connection"]);
from the command line (`alembic -c storage/alembic.ini ...`) the URL comes from NHACVIEC_DATABASE_URL."""
from __future__ import annotations

import asyncio
import os

from alembic import context

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        url = os.environ.get("NHACVIEC_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
        assert url is not None  # alembic.ini names a default database
        asyncio.run(_run_async(url))
