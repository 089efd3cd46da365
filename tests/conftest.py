"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

`db` is a SQLite file in a temporary folder. `any_db` runs the test on SQLite and on the
PostgreSQL server named by NHACVIEC_TEST_POSTGRES_URL (skipped, with the reason shown, without it).
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text

from storage.db import make_engine, make_sessionmaker
from storage.models import Base

SHARED = Path(__file__).resolve().parents[2] / "shared"
PG_URL = os.environ.get("NHACVIEC_TEST_POSTGRES_URL")


def shared_path(*parts: str) -> Path:
    """A file of ../shared, or skip the test when ../shared is not beside the checkout."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not present ({path})")
    return path


class Database:
    def __init__(self, url: str, engine, sessionmaker):
        self.url = url
        self.engine = engine
        self.sessionmaker = sessionmaker

    def session(self):
        return self.sessionmaker()


async def _sqlite_db(tmp_path: Path) -> Database:
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return Database(url, engine, make_sessionmaker(engine))


async def _pg_db():
    """A fresh schema on the test PostgreSQL server; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return Database(PG_URL, engine, make_sessionmaker(engine)), admin, schema


@pytest_asyncio.fixture
async def db(tmp_path):
    database = await _sqlite_db(tmp_path)
    yield database
    await database.engine.dispose()


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def any_db(request, tmp_path):
    if request.param == "sqlite":
        database = await _sqlite_db(tmp_path)
        yield database
        await database.engine.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL variant skipped: NHACVIEC_TEST_POSTGRES_URL is not set "
                    "(.ci/run starts a server and sets it)")
    database, admin, schema = await _pg_db()
    yield database
    await database.engine.dispose()
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A working directory with its own database; no .env, no tokens."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "NHACVIEC_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", url)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "hoaan_bot")
    return tmp_path
