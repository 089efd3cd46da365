"""Alembic: upgrade, downgrade and upgrade again on an empty database, and the migrations
describe exactly the models (a model change without a migration fails here)."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import downgrade, upgrade
from storage.models import Base
from tests.conftest import PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
        yield engine
        await engine.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL variant skipped: NHACVIEC_TEST_POSTGRES_URL is not set")
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    yield engine
    await engine.dispose()
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: __import__("sqlalchemy").inspect(c).get_table_names()))


async def test_stairway_and_models_match(empty_engine):
    await upgrade(empty_engine)
    assert set(Base.metadata.tables) <= await _tables(empty_engine)
    await downgrade(empty_engine, "base")
    assert await _tables(empty_engine) <= {"alembic_version"}
    await upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    assert diff == []
