"""The outbox dispatcher against an in-memory channel: no network, no real waiting.

Time is a fake clock; the dispatcher's `sleep` moves it forward, so rate limits are checked on
the recorded send instants, never by measuring how long a test took."""
from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.channels.base import (
    Capabilities,
    Channel,
    ChatGone,
    Outgoing,
    PermanentError,
    RetryAfter,
    Sent,
    TransientError,
)
from bot.dates.timeutil import utcnow
from bot.delivery.dispatch import Dispatcher, GoneChat, RateLimits
from storage import outbox
from storage.db import make_engine, make_sessionmaker
from storage.models import Assignment, Contact, Outbox, SentMessage, Task, Unit
from tests.test_outbox import T0, add_rows, row
from tests.test_outbox import all_rows as stored

BUTTONS = [[{"text": "Đã xong", "data": "done:17"}, {"text": "Vướng mắc", "data": "blocked:17"}]]


class FakeClock:
    """Virtual time. `sleep` parks the caller; when the others have had their turn, the clock
    jumps to the earliest wake-up and wakes that sleeper, as real time would, only instantly."""

    def __init__(self, start: datetime = T0):
        self.now = start
        self._sleepers: list[tuple[datetime, int, asyncio.Future]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task | None = None

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + timedelta(seconds=seconds), next(self._order),
                                        wake))
        if self._driver is None or self._driver.done():
            self._driver = asyncio.create_task(self._drive())
        await wake

    async def _drive(self) -> None:
        while self._sleepers:
            for _ in range(50):  # let whatever can run (database answers included) run first
                await asyncio.sleep(0)
            at, _, wake = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            wake.set_result(None)


class FakeChannel(Channel):
    """Implements the Channel protocol in memory; `fail[chat_id]` lists errors to raise first."""

    def __init__(self, clock, name: str = "telegram", max_text: int = 4096, buttons: bool = True):
        self.name = name
        self.capabilities = Capabilities(max_text=max_text, buttons=buttons, reply_to=True)
        self.clock = clock
        self.sent: list[tuple[datetime, str, Outgoing, str]] = []
        self.fail: dict[str, list[Exception]] = {}
        self._next_id = 1000

    async def send(self, chat_id: str, message: Outgoing) -> Sent:
        called_at = self.clock()  # when the request leaves: what the limits are about
        await asyncio.sleep(0)  # let other workers run, as a network call would
        errors = self.fail.get(chat_id)
        if errors:
            raise errors.pop(0)
        self._next_id += 1
        self.sent.append((called_at, chat_id, message, str(self._next_id)))
        return Sent(str(self._next_id))

    async def start(self, on_incoming) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")  # as on Telegram

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [m.text for _, c, m, _ in self.sent if chat_id is None or c == chat_id]


def make(db, clock, channel, **kw) -> Dispatcher:
    return Dispatcher(db.sessionmaker, {channel.name: channel}, clock=clock, sleep=clock.sleep,
                      **kw)


async def drain(dispatcher: Dispatcher, clock: FakeClock, step: float = 1.0, passes: int = 500):
    """Run passes, moving the clock on when nothing is ready, until the outbox is empty."""
    for _ in range(passes):
        result = await dispatcher.run_once()
        if not result.claimed:
            async with dispatcher.sessionmaker() as session:
                left = (await session.scalars(select(Outbox.id).where(
                    Outbox.status.in_(["pending", "sending"])))).first()
            if left is None:
                return
            clock.advance(step)
    raise AssertionError("outbox not drained")


async def add_assignment(db) -> int:
    async with db.session() as session:
        unit = Unit(name="Phòng Tư pháp", created_at=T0)
        task = Task(text="Báo cáo kết quả", created_at=T0)
        session.add_all([unit, task])
        await session.flush()
        assignment = Assignment(task_id=task.id, unit_id=unit.id, created_at=T0, updated_at=T0)
        session.add(assignment)
        await session.commit()
        return assignment.id


async def test_sends_due_rows_marks_them_and_records_message_ids(db):
    clock, assignment_id = FakeClock(), await add_assignment(db)
    channel = FakeChannel(clock)
    await add_rows(db, [row("a", assignment_id=assignment_id, buttons=BUTTONS), row("b", "200"),
                        row("later", due_at=T0 + timedelta(hours=1))])
    result = await make(db, clock, channel).run_once()
    assert (result.claimed, result.sent, result.parts) == (2, 2, 2)
    assert sorted(channel.texts()) == ["Nhắc việc a", "Nhắc việc b"]
    [(_, _, message, message_id)] = [s for s in channel.sent if s[1] == "100"]
    assert message.buttons[0][0].text == "Đã xong" and message.buttons[0][1].data == "blocked:17"
    rows = await stored(db)
    assert rows["a"].status == "sent" and rows["a"].channel_message_ids == [message_id]
    assert rows["later"].status == "pending"
    async with db.session() as session:
        sent = (await session.scalars(select(SentMessage))).all()
    assert {(s.chat_id, s.message_id, s.assignment_id) for s in sent} >= {
        ("100", message_id, assignment_id)}
    # A restart (a new dispatcher, hours later) sends nothing that was marked sent.
    clock.advance(7200)
    again = await make(db, clock, channel).run_once()
    assert again.sent == 1 and sorted(channel.texts()) == ["Nhắc việc a", "Nhắc việc b",
                                                           "Nhắc việc later"]


async def test_long_text_is_split_with_buttons_on_the_last_part_only(db):
    clock = FakeClock()
    zalo = FakeChannel(clock, name="zalo", max_text=60)
    lines = [f"{i}. Nhiệm vụ số {i} của đơn vị, thời hạn 30/11/2026" for i in range(1, 8)]
    await add_rows(db, [{**row("long"), "channel": "zalo", "text": "\n".join(lines),
                         "buttons": BUTTONS}])
    result = await make(db, clock, zalo).run_once()
    messages = [m for _, _, m, _ in zalo.sent]
    assert result.sent == 1 and result.parts == len(messages) == 7
    assert all(len(m.text) <= 60 for m in messages)
    assert "\n".join(m.text for m in messages) == "\n".join(lines)
    assert [bool(m.buttons) for m in messages] == [False] * 6 + [True]
    assert len((await stored(db))["long"].channel_message_ids) == 7
    async with db.session() as session:
        assert len((await session.scalars(select(SentMessage))).all()) == 7


async def test_a_split_text_interrupted_midway_resumes_after_the_sent_parts(db):
    clock = FakeClock()
    channel = FakeChannel(clock, max_text=12)
    await add_rows(db, [{**row("long"), "text": "part one\npart two\npart three",
                         "buttons": BUTTONS}])
    channel.fail["100"] = []
    original = channel.send

    async def flaky(chat_id, message):  # the second part meets a network error once
        if message.text == "part two" and not flaky.failed:
            flaky.failed = True
            raise TransientError("connection reset")
        return await original(chat_id, message)

    flaky.failed = False
    channel.send = flaky
    first = await make(db, clock, channel).run_once()
    assert first.retried == 1 and channel.texts() == ["part one"]
    clock.advance(30)
    await make(db, clock, channel).run_once()  # another dispatcher, as after a restart
    assert channel.texts() == ["part one", "part two", "part three"]
    assert (await stored(db))["long"].status == "sent"


async def test_retry_after_reschedules_without_duplicate_or_failure(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    channel.fail["100"] = [RetryAfter(5)]
    await add_rows(db, [row("a"), row("b")])
    dispatcher = make(db, clock, channel)
    first = await dispatcher.run_once()
    assert (first.rate_limited, first.sent, first.failed) == (1, 0, 0)
    after_429 = await stored(db)
    assert after_429["a"].status == "pending" and after_429["a"].attempts == 0
    assert after_429["a"].due_at >= T0 + timedelta(seconds=5)
    assert after_429["b"].status == "pending"  # the same chat waits as well
    clock.advance(2)
    assert (await dispatcher.run_once()).claimed == 0
    await drain(dispatcher, clock)
    assert channel.texts() == ["Nhắc việc a", "Nhắc việc b"]  # once each, in order
    assert channel.sent[0][0] >= T0 + timedelta(seconds=5)
    assert {r.status for r in (await stored(db)).values()} == {"sent"}


async def test_chat_gone_deactivates_the_contact_drops_its_rows_and_tells_the_office(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    async with db.session() as session:
        contact = Contact(channel="telegram", chat_id="100", user_id="100", name="Chị Lan",
                          role="officer", created_at=T0)
        session.add(contact)
        await session.commit()
    await add_rows(db, [row("a", contact_id=contact.id), row("b"), row("c", "200"),
                        row("tomorrow", due_at=T0 + timedelta(days=1))])
    channel.fail["100"] = [ChatGone("Forbidden: bot was blocked by the user")]
    told: list[GoneChat] = []

    async def on_chat_gone(gone: GoneChat) -> None:
        told.append(gone)

    result = await make(db, clock, channel, on_chat_gone=on_chat_gone).run_once()
    assert result.dropped == 2 and result.sent == 1
    assert channel.texts() == ["Nhắc việc c"]
    assert [(g.chat_id, [c.name for c in g.contacts]) for g in told] == [("100", ["Chị Lan"])]
    rows = await stored(db)
    assert [rows[k].status for k in ("a", "b", "c", "tomorrow")] == [
        "dropped", "dropped", "sent", "dropped"]
    async with db.session() as session:
        assert (await session.get(Contact, contact.id)).active is False


async def test_transient_errors_back_off_exponentially_then_succeed(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    channel.fail["100"] = [TransientError("502 Bad Gateway"), TransientError("timeout")]
    await add_rows(db, [row("a")])
    dispatcher = make(db, clock, channel, backoff_base=30)
    assert (await dispatcher.run_once()).retried == 1
    assert (await stored(db))["a"].due_at == T0 + timedelta(seconds=30)
    clock.advance(30)
    assert (await dispatcher.run_once()).retried == 1
    assert (await stored(db))["a"].due_at == T0 + timedelta(seconds=30 + 60)
    clock.advance(59)
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(1)
    assert (await dispatcher.run_once()).sent == 1
    final = (await stored(db))["a"]
    assert (final.status, final.attempts, channel.texts()) == ("sent", 2, ["Nhắc việc a"])


async def test_a_lost_answer_is_not_resent(db):
    """The platform got the request but the answer was lost: resending could duplicate it."""
    clock = FakeClock()
    channel = FakeChannel(clock)
    lost = TransientError("read timeout")
    lost.maybe_sent = True
    channel.fail["100"] = [lost]
    await add_rows(db, [row("a")])
    dispatcher = make(db, clock, channel)
    assert (await dispatcher.run_once()).sent == 1
    clock.advance(3600)
    assert (await dispatcher.run_once()).claimed == 0
    final = (await stored(db))["a"]
    assert final.status == "sent" and final.last_error.startswith("unconfirmed")
    assert channel.texts() == []  # the fake never recorded it; the real platform may have


async def test_transient_errors_are_retried_until_the_message_expires_then_listed(db):
    """Issue 10: no permanent failure after a few tries: retried with capped backoff until the
    row's expiry (a reminder: its deadline day), then expired and handed to the Office."""
    clock = FakeClock()
    channel = FakeChannel(clock)
    channel.fail["100"] = [TransientError("down")] * 1000
    await add_rows(db, [row("a", expires_at=T0 + timedelta(hours=3))])
    expired: list = []

    async def on_expired(rows):
        expired.extend(r.key for r in rows)

    dispatcher = make(db, clock, channel, backoff_base=30, backoff_max=300,
                      on_expired=on_expired)
    await drain(dispatcher, clock, step=60)
    final = (await stored(db))["a"]
    assert final.status == "expired" and "expired after" in final.last_error
    assert final.attempts >= 3 * 3600 / 300  # tried every 5 minutes at most, for 3 hours
    assert T0 + timedelta(hours=2, minutes=55) <= clock.now <= T0 + timedelta(hours=3)
    assert expired == ["a"] and channel.texts() == []


async def test_twenty_minutes_down_then_back_nothing_lost_and_the_office_told_once(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    channel.fail.update({str(chat): [TransientError("connect failed")] * 10_000
                         for chat in range(100, 110)})
    await add_rows(db, [row(f"r{i}", chat_id=str(100 + i)) for i in range(10)])
    outages, recoveries = [], []

    async def on_outage(outage):
        outages.append((outage.since, clock.now))

    async def on_recovered(outage):
        recoveries.append((outage.since, outage.until, len(outage.delayed)))

    dispatcher = make(db, clock, channel, on_outage=on_outage, on_recovered=on_recovered)
    while clock.now < T0 + timedelta(minutes=20):
        await dispatcher.run_once()
        clock.advance(10)
    assert len(outages) == 1 and timedelta(minutes=10) <= outages[0][1] - outages[0][0] \
        < timedelta(minutes=11)
    channel.fail.clear()  # the platform is back
    await drain(dispatcher, clock, step=10)
    rows = await stored(db)
    assert sorted(channel.texts()) == sorted(f"Nhắc việc r{i}" for i in range(10))
    assert {r.status for r in rows.values()} == {"sent"}
    [(since, until, delayed)] = recoveries
    assert since == T0 and until >= T0 + timedelta(minutes=20) and delayed == 10


async def test_permanent_error_fails_the_row_and_the_rest_go_on(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    channel.fail["100"] = [PermanentError("Bad Request: message is too long")]
    await add_rows(db, [row("a"), row("b")])
    result = await make(db, clock, channel).run_once()
    assert (result.failed, result.sent) == (1, 1)
    rows = await stored(db)
    assert rows["a"].status == "failed" and "too long" in rows["a"].last_error
    assert channel.texts() == ["Nhắc việc b"]


def most_in_any_window(instants: list[datetime], seconds: float) -> int:
    span = timedelta(seconds=seconds)
    return max(sum(1 for t in instants if start <= t < start + span) for start in instants)


async def test_one_message_a_second_per_private_chat(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    await add_rows(db, [row(f"k{i}", due_at=T0 + timedelta(microseconds=i)) for i in range(6)])
    await drain(make(db, clock, channel), clock)
    times = [t for t, *_ in channel.sent]
    assert channel.texts() == [f"Nhắc việc k{i}" for i in range(6)]
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(times, times[1:], strict=False))


async def test_twenty_a_minute_per_group_chat(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    await add_rows(db, [row(f"g{i:02}", "-1001", due_at=T0 + timedelta(microseconds=i))
                        for i in range(45)])
    await drain(make(db, clock, channel), clock, step=5)
    times = [t for t, *_ in channel.sent]
    assert channel.texts() == [f"Nhắc việc g{i:02}" for i in range(45)]
    assert most_in_any_window(times, 60) == 20
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(times, times[1:], strict=False))


async def test_overall_limit_across_many_chats(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    await add_rows(db, [row(f"k{i:03}", str(1000 + i)) for i in range(120)])
    dispatcher = make(db, clock, channel, limits=RateLimits(per_second=25))
    await drain(dispatcher, clock)
    times = [t for t, *_ in channel.sent]
    assert len(times) == len(set(channel.texts())) == 120
    assert most_in_any_window(times, 1.0) == 25  # reaches the limit, never passes it
    gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
    assert min(gaps) >= timedelta(microseconds=39_999)  # evenly spaced, not in bursts
    # and many chats really are served side by side (not one send per second)
    assert times[-1] - times[0] < timedelta(seconds=10)


async def test_groups_are_whatever_the_channel_says(db):
    """The dispatcher asks the channel: the same id is paced as a group only where it is one."""
    clock = FakeClock()
    channel = FakeChannel(clock)
    channel.is_group = lambda chat_id: False  # a platform without groups
    await add_rows(db, [row(f"g{i:02}", "-1001", due_at=T0 + timedelta(microseconds=i))
                        for i in range(25)])
    await drain(make(db, clock, channel), clock, step=5)
    times = [t for t, *_ in channel.sent]
    assert len(times) == 25 and most_in_any_window(times, 60) > 20  # one a second, no cap of 20


async def test_a_row_stuck_in_sending_is_reclaimed_after_its_lease(db):
    clock = FakeClock()
    channel = FakeChannel(clock)
    await add_rows(db, [row("a")])
    # A dispatcher claimed it and died before sending.
    await outbox.claim(db.sessionmaker, "crashed", T0, limit=10, lease_seconds=120)
    dispatcher = make(db, clock, channel, lease_seconds=120)
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(121)
    assert (await dispatcher.run_once()).sent == 1
    assert channel.texts() == ["Nhắc việc a"]


async def test_two_dispatchers_never_send_the_same_row_twice(any_db):
    now = utcnow()
    await add_rows(any_db, [row(f"k{i:03}", str(5000 + i), due_at=now - timedelta(minutes=1))
                            for i in range(150)])
    fast = RateLimits(per_second=10_000)
    first, second = FakeChannel(utcnow), FakeChannel(utcnow)
    # On SQLite the second dispatcher has its own engine, as a second process would.
    other = make_engine(any_db.url) if any_db.url.startswith("sqlite") else None
    makers = [any_db.sessionmaker, make_sessionmaker(other) if other else any_db.sessionmaker]
    dispatchers = [Dispatcher(maker, {"telegram": ch}, owner=name, limits=fast,
                              batch_size=8, workers=4)
                   for maker, name, ch in zip(makers, ("d1", "d2"), (first, second), strict=True)]

    async def until_empty(dispatcher: Dispatcher) -> None:
        while (await dispatcher.run_once()).claimed:
            pass

    await asyncio.gather(*(until_empty(d) for d in dispatchers))
    if other:
        await other.dispose()
    chats = [c for _, c, _, _ in first.sent + second.sent]
    assert len(chats) == len(set(chats)) == 150
    assert first.sent and second.sent  # both really took part
    assert {r.status for r in (await stored(any_db)).values()} == {"sent"}


async def test_run_forever_sends_and_stops(db):
    channel = FakeChannel(utcnow)
    await add_rows(db, [row("a", due_at=utcnow() - timedelta(seconds=1))])
    stop = asyncio.Event()
    dispatcher = Dispatcher(db.sessionmaker, {"telegram": channel}, poll_seconds=0.01)
    task = asyncio.create_task(dispatcher.run_forever(stop))
    for _ in range(500):
        if channel.sent:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert channel.texts() == ["Nhắc việc a"]


def test_lease_must_outlast_a_send():
    with pytest.raises(ValueError):
        Dispatcher(None, {}, lease_seconds=10, send_timeout=30)
