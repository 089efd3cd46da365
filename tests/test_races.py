"""Races (issue 10, item 5): one single-use invite code sent by 10 people at the same instant."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlalchemy import func, select

from bot.directory.registry import RegistryError, add_unit, create_invite, redeem
from storage.models import Contact, Invite

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


async def test_one_invite_code_registers_exactly_one_of_ten_at_once(any_db):
    async with any_db.session() as s:
        await add_unit(s, "Phòng Kinh tế", NOW)
        code = (await create_invite(s, "officer", "Phòng Kinh tế", NOW, 7)).code
        await s.commit()
    start = asyncio.Event()

    async def person(i: int) -> str:
        async with any_db.session() as s:
            await start.wait()
            try:
                await redeem(s, code=code, channel="telegram", chat_id=str(1000 + i),
                             user_id=str(1000 + i), name=f"Cán bộ {i}", is_group=False,
                             locale="vi", now=NOW)
                await s.commit()
                return "registered"
            except RegistryError as exc:
                await s.commit()  # as the router does: a refusal is an ordinary answer
                return exc.msgid

    tasks = [asyncio.create_task(person(i)) for i in range(10)]
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*tasks)
    assert outcomes.count("registered") == 1, outcomes
    assert all("already been used" in o for o in outcomes if o != "registered")
    async with any_db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Contact)) == 1
        invite = await s.scalar(select(Invite))
        contact = await s.scalar(select(Contact))
        assert invite.used_by == contact.id and contact.role == "officer"
