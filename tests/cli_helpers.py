"""Calling the `nhacviec` command line in-process from tests, and peeking at its database."""
from __future__ import annotations

import asyncio
import os

from sqlalchemy import func, select

from bot.cli import main
from storage.db import make_engine, make_sessionmaker


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def query(sql_fn):
    async def go():
        engine = make_engine(os.environ["NHACVIEC_DATABASE_URL"])
        try:
            async with make_sessionmaker(engine)() as s:
                return await sql_fn(s)
        finally:
            await engine.dispose()
    return asyncio.run(go())


def count(model):
    return query(lambda s: s.scalar(select(func.count()).select_from(model)))
