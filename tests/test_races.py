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


async def test_an_extension_request_is_decided_once_when_two_press_at_once(any_db):
    from datetime import date

    from bot.tasks.progress import UndoError, decide_extension
    from bot.tasks.store import NewTask, store
    from storage.models import AuditLog, ExtensionRequest

    async with any_db.session() as s:
        unit = await add_unit(s, "Phòng Kinh tế", NOW)
        stored = await store(s, None, [NewTask(text="Nhiệm vụ A", lead=[unit.id],
                                               deadline=date(2026, 5, 10))], NOW)
        people = [Contact(channel="telegram", chat_id=str(i), user_id=str(i), name=f"VP {i}",
                          role="admin", created_at=NOW, locale="vi") for i in range(2)]
        s.add_all(people)
        await s.flush()
        s.add(ExtensionRequest(assignment_id=stored.assignments[0].id, contact_id=people[0].id,
                               requested_until=date(2026, 5, 20), text="xin gia hạn",
                               created_at=NOW))
        await s.commit()
        ids = [p.id for p in people]
    start = asyncio.Event()

    async def decide(i: int, approve: bool) -> str:
        async with any_db.session() as s:
            req = await s.scalar(select(ExtensionRequest))
            decider = await s.get(Contact, ids[i])
            await start.wait()
            try:
                await decide_extension(s, req, decider, NOW, approve, today=NOW.date())
                await s.commit()
                return "approved" if approve else "rejected"
            except UndoError as exc:
                await s.commit()
                return str(exc)

    tasks = [asyncio.create_task(decide(0, True)), asyncio.create_task(decide(1, False))]
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*tasks)
    assert len([o for o in outcomes if o in ("approved", "rejected")]) == 1, outcomes
    assert outcomes.count("This request has already been decided.") == 1, outcomes
    async with any_db.session() as s:
        req = await s.scalar(select(ExtensionRequest))
        audits = await s.scalar(select(func.count()).select_from(AuditLog))
    assert req.status in outcomes and audits == (1 if req.status == "approved" else 0)
