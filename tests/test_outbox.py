"""Outbox claiming and marking, on SQLite and (when configured) PostgreSQL."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from storage import outbox
from storage.models import Contact, Outbox, SentMessage

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 08:00 in Hà Nội


# Shared with tests/test_dispatch.py: an outbox row, queueing rows, reading them back by key.


def row(key: str, chat_id: str = "100", due_at: datetime = T0, **extra) -> dict:
    return {"key": key, "kind": "reminder", "channel": "telegram", "chat_id": chat_id,
            "text": f"Nhắc việc {key}", "due_at": due_at, **extra}


async def add_rows(db, rows) -> None:
    async with db.session() as session:
        await outbox.enqueue(session, rows, T0 - timedelta(hours=1))
        await session.commit()


async def all_rows(db) -> dict[str, Outbox]:
    async with db.session() as session:
        return {r.key: r for r in (await session.scalars(select(Outbox))).all()}


async def test_claim_takes_due_pending_rows_once(any_db):
    await add_rows(any_db, [row("a"), row("b", due_at=T0 - timedelta(hours=1)),
                            row("later", due_at=T0 + timedelta(minutes=1))])
    claimed = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=10, lease_seconds=60)
    assert [r.key for r in claimed] == ["b", "a"]  # due order
    assert all(r.status == "sending" and r.lease_owner == "d1" for r in claimed)
    assert claimed[0].lease_until == T0 + timedelta(seconds=60)
    assert await outbox.claim(any_db.sessionmaker, "d2", T0, limit=10, lease_seconds=60) == []
    stored = await all_rows(any_db)
    assert stored["later"].status == "pending"


async def test_claim_respects_limit(any_db):
    await add_rows(any_db, [row(f"k{i}") for i in range(5)])
    first = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=2, lease_seconds=60)
    second = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=10, lease_seconds=60)
    assert len(first) == 2 and len(second) == 3
    assert {r.id for r in first}.isdisjoint({r.id for r in second})


async def test_expired_lease_is_reclaimed_but_live_lease_is_not(any_db):
    await add_rows(any_db, [row("a")])
    [a] = await outbox.claim(any_db.sessionmaker, "crashed", T0, limit=10, lease_seconds=60)
    assert await outbox.claim(any_db.sessionmaker, "d2", T0 + timedelta(seconds=59), 10, 60) == []
    [again] = await outbox.claim(any_db.sessionmaker, "d2", T0 + timedelta(seconds=61), 10, 60)
    assert again.id == a.id and again.lease_owner == "d2"
    # The crashed dispatcher's late mark is refused: the row is d2's now.
    assert not await outbox.mark_sent(any_db.sessionmaker, a, "crashed", T0, ["1"])
    assert (await all_rows(any_db))["a"].status == "sending"


async def test_mark_sent_records_part_ids_and_is_never_claimed_again(any_db):
    await add_rows(any_db, [row("a")])
    [a] = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=10, lease_seconds=60)
    assert await outbox.mark_sent(any_db.sessionmaker, a, "d1", T0, ["501", "502"])
    stored = (await all_rows(any_db))["a"]
    assert stored.status == "sent" and stored.sent_at == T0 and stored.lease_until is None
    assert stored.channel_message_ids == ["501", "502"]
    async with any_db.session() as session:
        sent = (await session.scalars(select(SentMessage).order_by(SentMessage.id))).all()
    assert [(s.chat_id, s.message_id) for s in sent] == [("100", "501"), ("100", "502")]
    assert await outbox.claim(any_db.sessionmaker, "d2", T0 + timedelta(days=9), 10, 60) == []


async def test_mark_retry_keeps_delivered_parts_and_counts_only_real_failures(any_db):
    await add_rows(any_db, [row("a")])
    [a] = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=10, lease_seconds=60)
    later = T0 + timedelta(seconds=30)
    assert await outbox.mark_retry(any_db.sessionmaker, a, "d1", T0, later, "timeout", ["9"])
    stored = (await all_rows(any_db))["a"]
    assert (stored.status, stored.due_at, stored.attempts) == ("pending", later, 1)
    assert stored.channel_message_ids == ["9"] and stored.last_error == "timeout"
    assert await outbox.claim(any_db.sessionmaker, "d1", T0 + timedelta(seconds=29), 10, 60) == []
    [b] = await outbox.claim(any_db.sessionmaker, "d1", later, limit=10, lease_seconds=60)
    assert b.channel_message_ids == ["9"]
    assert await outbox.mark_retry(any_db.sessionmaker, b, "d1", later, later, "429",
                                   count_attempt=False)
    assert (await all_rows(any_db))["a"].attempts == 1


async def test_mark_failed(any_db):
    await add_rows(any_db, [row("a")])
    [a] = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=10, lease_seconds=60)
    assert await outbox.mark_failed(any_db.sessionmaker, a, "d1", T0, "Bad Request")
    stored = (await all_rows(any_db))["a"]
    assert (stored.status, stored.last_error, stored.attempts) == ("failed", "Bad Request", 1)
    assert await outbox.claim(any_db.sessionmaker, "d1", T0 + timedelta(days=1), 10, 60) == []


async def test_mark_dropped_deactivates_the_contact_and_drops_the_chat_queue(any_db):
    async with any_db.session() as session:
        session.add_all([
            Contact(channel="telegram", chat_id="100", user_id="100", name="Phòng Tư pháp",
                    role="officer", created_at=T0),
            Contact(channel="telegram", chat_id="200", user_id="200", name="Other",
                    role="officer", created_at=T0)])
        await session.commit()
    await add_rows(any_db, [row("a"), row("b", due_at=T0 + timedelta(days=1)), row("c", "200")])
    claimed = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=10, lease_seconds=60)
    a = next(r for r in claimed if r.key == "a")
    gone = await outbox.mark_dropped(any_db.sessionmaker, a, "d1", T0, "Forbidden: bot was blocked")
    assert [c.name for c in gone] == ["Phòng Tư pháp"]
    stored = await all_rows(any_db)
    assert stored["a"].status == "dropped" and stored["b"].status == "dropped"
    assert stored["c"].status == "sending"
    async with any_db.session() as session:
        active = dict((await session.execute(select(Contact.chat_id, Contact.active))).all())
    assert active == {"100": False, "200": True}
    # A second "gone" for the same chat deactivates nobody new (the Office is told once).
    await add_rows(any_db, [row("d")])
    [d] = await outbox.claim(any_db.sessionmaker, "d1", T0, limit=10, lease_seconds=60)
    assert await outbox.mark_dropped(any_db.sessionmaker, d, "d1", T0, "Forbidden") == []


async def test_concurrent_claims_never_share_a_row(any_db):
    await add_rows(any_db, [row(f"k{i:03}", chat_id=str(i)) for i in range(120)])

    async def claimer(name: str) -> list[int]:
        got: list[int] = []
        while batch := await outbox.claim(any_db.sessionmaker, name, T0, limit=7,
                                          lease_seconds=60):
            got += [r.id for r in batch]
            await asyncio.sleep(0)
        return got

    results = await asyncio.gather(*(claimer(f"d{i}") for i in range(6)))
    everything = [i for got in results for i in got]
    assert len(everything) == len(set(everything)) == 120


async def test_claim_only_takes_the_channels_asked_for(any_db):
    await add_rows(any_db, [row("tg"), {**row("zl"), "channel": "zalo"}])
    claimed = await outbox.claim(any_db.sessionmaker, "d1", T0, 10, 60, channels=["telegram"])
    assert [r.key for r in claimed] == ["tg"]
    assert (await all_rows(any_db))["zl"].status == "pending"
