"""Outbox → channels: claim ready rows with a lease, send them within the platforms' limits.

Delivery is at-least-once with a small window: a row is marked sent right after the platform
accepted its last part, and each earlier part of a split text is recorded as soon as it is sent.
If the process dies between the platform's answer and that commit (a few milliseconds), the lease
runs out and the part is sent again. An external API without idempotency keys leaves no way to
close that window; everything marked sent is never sent again, across restarts and dispatchers.

Rate limits are kept in memory by each dispatcher (they are not shared between processes):
about 1 message a second per chat, 20 a minute per group chat, 25 a second per channel overall.
Quiet hours are the planner's business (it sets `due_at`); the dispatcher sends what is due.

No permanent failure for a transient error (issue 10): network errors, timeouts, 5xx and 429
are retried with capped backoff until the row's `expires_at` (a reminder: the end of its
deadline day; others `default_ttl` after they were queued), then the row is `expired` and
handed to `on_expired` (the Office gets the list). A channel whose sends have all failed for
`outage_after` is reported once (`on_outage`, log WARNING); its first success afterwards
reports the recovery with the outage's span and how many rows it delayed (`on_recovered`).
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from bot.channels.base import (
    Button,
    Channel,
    ChannelError,
    ChatGone,
    Outgoing,
    PermanentError,
    RetryAfter,
    split_text,
)
from bot.dates.timeutil import utcnow
from storage import outbox
from storage.models import Contact, Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimits:
    per_second: float = 25.0  # per channel, all chats together (Telegram allows about 30)
    private_interval: float = 1.0  # seconds between two messages to one chat
    group_per_minute: int = 20
    # Longer waits for a chat hand its rows back to the outbox (due when the chat is free again)
    # instead of holding a worker; this also bounds how long one pass takes.
    max_wait: float = 10.0


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0  # rows fully delivered
    parts: int = 0  # platform messages sent (a split text counts each part)
    rate_limited: int = 0  # 429 answers received
    retried: int = 0  # rows put back after a transient error
    deferred: int = 0  # rows handed back unsent, for pacing or a 429 (not failures)
    failed: int = 0
    dropped: int = 0  # chat gone
    expired: int = 0  # transient failures until the message was no longer useful


@dataclass
class Outage:
    """A channel whose sends fail with transient errors since `since` (no success between)."""

    channel: str
    since: datetime
    until: datetime | None = None  # set on recovery
    delayed: set[int] = field(default_factory=set)  # outbox rows that failed meanwhile
    reported: bool = False


@dataclass(frozen=True)
class GoneChat:
    """Told to `on_chat_gone`: a chat refused the bot (blocked, deleted) and was deactivated."""

    channel: str
    chat_id: str
    contacts: list[Contact]  # the contacts just marked inactive (unit loaded)
    error: str


class _ChatPace:
    __slots__ = ("next_at", "recent")

    def __init__(self, group_per_minute: int | None):
        self.next_at = 0.0  # one message per interval, and holds after a 429
        self.recent: deque[float] | None = deque(maxlen=group_per_minute) if group_per_minute else None  # groups


class RateLimiter:
    """When the next message may go, in seconds of the dispatcher's clock.

    Per chat: an interval between messages and, for groups, at most N in any 60 s. Per channel
    overall: evenly spaced slots (25 a second: one every 40 ms), booked in turn by the workers.
    Spacing rather than bursts keeps a few milliseconds of lateness here or on the network from
    piling many requests onto the platform at once; booking slot after slot (instead of timing
    from each wake-up) means that lateness does not lower the rate either."""

    def __init__(self, limits: RateLimits):
        self.limits = limits
        self._chats: dict[tuple[str, str], _ChatPace] = {}
        self._next_slot: dict[str, float] = {}

    def _chat(self, channel: str, chat_id: str, group: bool) -> _ChatPace:
        pace = self._chats.get((channel, chat_id))
        if pace is None:
            pace = _ChatPace(self.limits.group_per_minute if group else None)
            self._chats[(channel, chat_id)] = pace
        return pace

    def chat_wait(self, channel: str, chat_id: str, group: bool, now: float) -> float:
        """Seconds until this chat may receive one more message (0: now)."""
        pace = self._chat(channel, chat_id, group)
        at = pace.next_at
        if pace.recent is not None and len(pace.recent) == pace.recent.maxlen:
            at = max(at, pace.recent[0] + 60.0)
        return max(0.0, at - now)

    def book(self, channel: str, chat_id: str, group: bool, now: float) -> float:
        """Book the channel's next free slot for this chat; returns its instant (>= now)."""
        at = max(now, self._next_slot.get(channel, 0.0))
        self._next_slot[channel] = at + 1.0 / self.limits.per_second
        pace = self._chat(channel, chat_id, group)
        pace.next_at = max(pace.next_at, at + self.limits.private_interval)
        if pace.recent is not None:
            pace.recent.append(at)
        return at

    def hold(self, channel: str, chat_id: str, group: bool, until: float) -> None:
        pace = self._chat(channel, chat_id, group)
        pace.next_at = max(pace.next_at, until)

    def forget_idle(self, now: float) -> None:
        """Drop chats with nothing left to remember, so memory follows the active chats only."""
        idle = [key for key, pace in self._chats.items() if pace.next_at <= now and (
            not pace.recent or pace.recent[-1] <= now - 60.0)]
        for key in idle:
            del self._chats[key]


def _buttons(stored: list | None) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(Button(b["text"], b["data"]) for b in row) for row in stored or [] if row)


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


class Dispatcher:
    def __init__(
        self,
        sessionmaker,
        channels: dict[str, Channel],
        *,
        owner: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable] = asyncio.sleep,
        on_chat_gone: Callable[[GoneChat], Awaitable] | None = None,
        limits: RateLimits = RateLimits(),
        batch_size: int = 200,
        lease_seconds: float = 120.0,
        workers: int = 32,
        backoff_base: float = 30.0,
        backoff_max: float = 300.0,  # capped: a platform back after an outage is used soon
        default_ttl: timedelta = timedelta(hours=24),
        outage_after: timedelta = timedelta(minutes=10),
        on_expired: Callable[[list[Outbox]], Awaitable] | None = None,
        on_outage: Callable[[Outage], Awaitable] | None = None,
        on_recovered: Callable[[Outage], Awaitable] | None = None,
        send_timeout: float = 30.0,
        poll_seconds: float = 1.0,
    ):
        if lease_seconds < 2 * send_timeout:
            raise ValueError("lease_seconds must be at least twice send_timeout")
        self.sessionmaker = sessionmaker
        self.channels = channels
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.clock, self.sleep, self.on_chat_gone = clock, sleep, on_chat_gone
        self.limits = limits
        self.limiter = RateLimiter(limits)
        self._epoch = clock()
        self.batch_size, self.lease_seconds, self.workers = batch_size, lease_seconds, workers
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.default_ttl, self.outage_after = default_ttl, outage_after
        self.on_expired, self.on_outage, self.on_recovered = on_expired, on_outage, on_recovered
        self.outages: dict[str, Outage] = {}  # by channel, while its sends fail
        self._expired: list[Outbox] = []  # expired during the pass under way
        self.send_timeout, self.poll_seconds = send_timeout, poll_seconds

    def _group(self, row: Outbox) -> bool:
        return self.channels[row.channel].is_group(row.chat_id)

    # --- one pass -----------------------------------------------------------------------------

    async def run_once(self, now: datetime | None = None) -> DispatchResult:
        """Claim what is ready at `now` (default: the clock) and try to send it.

        Pacing, retries and marks always follow the injected clock: to replay another instant
        (a dry run, the demo), give the Dispatcher a clock rather than only `now`."""
        # The lease is kept by our own clock, so a `now` from elsewhere cannot make it look expired.
        lease_end = self._seconds() + self.lease_seconds
        now = now or self.clock()
        # Never claim more than can go out well within the lease at the overall rate.
        limit = min(self.batch_size, max(1, int(self.limits.per_second * self.lease_seconds / 2)))
        rows = await outbox.claim(self.sessionmaker, self.owner, now, limit, self.lease_seconds,
                                  channels=list(self.channels))
        result = DispatchResult(claimed=len(rows))
        if not rows:
            await self._report(now)  # an outage lasts on between retries
            return result
        by_chat: dict[tuple[str, str], list[Outbox]] = {}
        for row in rows:  # claim returns due order; each chat keeps it
            by_chat.setdefault((row.channel, row.chat_id), []).append(row)
        queue: asyncio.Queue[list[Outbox]] = asyncio.Queue()
        for chat_rows in by_chat.values():
            queue.put_nowait(chat_rows)
        # Chats go out concurrently (the overall limit is the bottleneck, not one send's latency);
        # each chat's rows go in order, one at a time.
        await asyncio.gather(*(self._worker(queue, result, lease_end)
                               for _ in range(min(self.workers, len(by_chat)))))
        self.limiter.forget_idle(self._seconds())
        await self._report(now)
        return result

    async def _report(self, now: datetime) -> None:
        """Tell what this pass found: rows expired, channels down for `outage_after`."""
        expired, self._expired = self._expired, []
        if expired and self.on_expired is not None:
            await self._callback(self.on_expired, expired)
        for outage in self.outages.values():
            if not outage.reported and now - outage.since >= self.outage_after:
                outage.reported = True
                log.warning("%s unreachable since %s (%d message(s) delayed so far)",
                            outage.channel, outage.since.isoformat(timespec="seconds"),
                            len(outage.delayed))
                if self.on_outage is not None:
                    await self._callback(self.on_outage, outage)

    async def _callback(self, callback, *args) -> None:
        try:
            await callback(*args)
        except Exception:  # telling the Office must not stop delivery
            log.exception("dispatcher callback %s failed", getattr(callback, "__name__", callback))

    async def _sent_on(self, channel: str) -> None:
        """A send went through: the channel's outage, if any, is over."""
        outage = self.outages.pop(channel, None)
        if outage is None:
            return
        outage.until = self.clock()
        log.log(logging.WARNING if outage.reported else logging.INFO,
                "%s reachable again (down from %s to %s, %d message(s) delayed)", channel,
                outage.since.isoformat(timespec="seconds"),
                outage.until.isoformat(timespec="seconds"), len(outage.delayed))
        if outage.reported and self.on_recovered is not None:
            await self._callback(self.on_recovered, outage)

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Pass after pass until `stop_event` is set; the pass under way is finished first (a
        pass lasts about `max_wait` plus a batch at the overall rate), so nothing is cut between
        a send and its mark on a clean stop."""
        while not stop_event.is_set():
            try:
                result = await self.run_once()
            except Exception:  # the database went away, say: log, wait, try again
                log.exception("dispatch pass failed")
                result = None
            if result is not None and result.claimed:
                continue
            try:
                await asyncio.wait_for(stop_event.wait(), self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    # --- internals ----------------------------------------------------------------------------

    def _seconds(self) -> float:
        # Seconds since this dispatcher started: small floats, so 25 slots of 1/25 s add up to
        # one second exactly enough (epoch timestamps would lose microseconds on the way).
        return (self.clock() - self._epoch).total_seconds()

    async def _worker(self, queue: asyncio.Queue, result: DispatchResult,
                      lease_end: float) -> None:
        while not queue.empty():
            rows = queue.get_nowait()
            try:
                await self._send_chat(rows, result, lease_end)
            except Exception:  # a bug or the database: the rows come back when the lease ends
                log.exception("outbox rows %s: unexpected error", [r.id for r in rows])

    async def _send_chat(self, rows: list[Outbox], result: DispatchResult,
                         lease_end: float) -> None:
        give_up_waiting = self._seconds() + self.limits.max_wait
        for index, row in enumerate(rows):
            try:
                outcome = await self._deliver(row, result, give_up_waiting, lease_end)
            except Exception:  # a bug or the database: leave the row to its lease and go on
                log.exception("outbox row %s: unexpected error", row.id)
                continue
            if outcome in ("sent", "failed"):
                continue
            rest = rows[index + 1:]
            if outcome == "gone":
                for other in rest:  # the same chat: nothing will get through
                    await outbox.mark_dropped(self.sessionmaker, other, self.owner, self.clock(),
                                              "chat gone")
                    result.dropped += 1
            else:  # retried or deferred: the rest of this chat waits too, in order
                next_at = self.clock() + timedelta(seconds=self.limiter.chat_wait(
                    row.channel, row.chat_id, self._group(row),
                    self._seconds()))
                for other in rest:
                    await outbox.mark_retry(self.sessionmaker, other, self.owner, self.clock(),
                                            next_at, count_attempt=False)
                    result.deferred += 1
            return

    async def _deliver(self, row: Outbox, result: DispatchResult, give_up_waiting: float,
                       lease_end: float) -> str:
        """Send the parts of one row not sent yet; returns sent|failed|gone|retry|deferred."""
        channel = self.channels[row.channel]
        group = channel.is_group(row.chat_id)  # the platform knows its groups, not the core
        parts = split_text(row.text, channel.capabilities.max_text)
        # Channels without buttons (Zalo) render them as numbered choices themselves.
        buttons = _buttons(row.buttons)
        done = len(row.channel_message_ids or [])  # parts sent by an earlier attempt
        for index in range(done, len(parts)):
            # First the chat's own pace (long waits hand the row back), then an overall slot.
            now = self._seconds()
            wait = self.limiter.chat_wait(row.channel, row.chat_id, group, now)
            if now + wait > give_up_waiting or now + wait + self.send_timeout > lease_end:
                return await self._hand_back(row, result, wait)
            if wait > 0:
                await self.sleep(wait)
            now = self._seconds()
            slot = self.limiter.book(row.channel, row.chat_id, group, now)
            if slot > now:
                await self.sleep(slot - now)
            if self._seconds() + self.send_timeout > lease_end:
                return await self._hand_back(row, result, 0.0)
            last = index == len(parts) - 1
            message = Outgoing(text=parts[index], buttons=buttons if last else ())
            try:
                sent = await asyncio.wait_for(channel.send(row.chat_id, message), self.send_timeout)
            except RetryAfter as exc:
                return await self._rate_limited(row, result, exc)
            except ChatGone as exc:
                return await self._chat_gone(row, result, exc)
            except PermanentError as exc:
                await outbox.mark_failed(self.sessionmaker, row, self.owner, self.clock(),
                                         _error(exc))
                result.failed += 1
                log.warning("outbox row %s refused by %s: %s", row.id, row.channel, exc)
                return "failed"
            except (ChannelError, asyncio.TimeoutError, OSError) as exc:
                # TransientError, a timeout (it may have arrived: a possible duplicate), network.
                return await self._transient(row, result, exc)
            result.parts += 1
            if row.channel in self.outages:
                await self._sent_on(row.channel)
            if last:
                # The crash window described at the top of the module is this await.
                kept = await outbox.mark_sent(self.sessionmaker, row, self.owner, self.clock(),
                                              [sent.message_id])
                result.sent += 1
            else:
                kept = await outbox.mark_progress(self.sessionmaker, row, self.owner,
                                                  self.clock(), [sent.message_id])
            if not kept:
                log.warning("outbox row %s: lease lost while sending (sent anyway)", row.id)
            row.channel_message_ids = [*(row.channel_message_ids or []),
                                       None if sent.message_id is None else str(sent.message_id)]
        if done >= len(parts):  # every part went out before; only the mark was missing
            await outbox.mark_sent(self.sessionmaker, row, self.owner, self.clock())
            result.sent += 1
        return "sent"

    async def _hand_back(self, row: Outbox, result: DispatchResult, wait: float) -> str:
        next_at = self.clock() + timedelta(seconds=wait)
        await outbox.mark_retry(self.sessionmaker, row, self.owner, self.clock(), next_at,
                                count_attempt=False)
        result.deferred += 1
        return "deferred"

    async def _rate_limited(self, row: Outbox, result: DispatchResult, exc: RetryAfter) -> str:
        seconds = max(float(exc.seconds), 1.0)
        self.limiter.hold(row.channel, row.chat_id, self._group(row),
                          self._seconds() + seconds)
        await outbox.mark_retry(self.sessionmaker, row, self.owner, self.clock(),
                                self.clock() + timedelta(seconds=seconds), _error(exc),
                                count_attempt=False)
        result.rate_limited += 1
        result.deferred += 1
        log.info("outbox row %s: rate limited by %s for %ss", row.id, row.channel, seconds)
        return "deferred"

    async def _chat_gone(self, row: Outbox, result: DispatchResult, exc: ChatGone) -> str:
        gone = await outbox.mark_dropped(self.sessionmaker, row, self.owner, self.clock(),
                                         _error(exc))
        result.dropped += 1
        log.info("%s chat %s is gone; %d contact(s) deactivated", row.channel, row.chat_id,
                 len(gone))
        if gone and self.on_chat_gone is not None:
            try:
                await self.on_chat_gone(GoneChat(row.channel, row.chat_id, gone, _error(exc)))
            except Exception:
                log.exception("on_chat_gone callback failed")
        return "gone"

    async def _transient(self, row: Outbox, result: DispatchResult, exc: BaseException) -> str:
        if getattr(exc, "maybe_sent", False):
            # The platform got the request and only the answer was lost: resending could
            # duplicate the message, so it counts as sent, marked unconfirmed.
            await outbox.mark_sent(self.sessionmaker, row, self.owner, self.clock(),
                                   note=f"unconfirmed: {_error(exc)}")
            result.sent += 1
            log.warning("outbox row %s: delivery unconfirmed (%s); not resent", row.id, exc)
            return "sent"
        now = self.clock()
        outage = self.outages.setdefault(row.channel, Outage(row.channel, since=now))
        outage.delayed.add(row.id)
        attempts = (row.attempts or 0) + 1
        delay = min(self.backoff_max, self.backoff_base * 2 ** min(attempts - 1, 30))
        expires = row.expires_at or (row.created_at or now) + self.default_ttl
        if now + timedelta(seconds=delay) > expires:  # no use trying after that
            await outbox.mark_expired(self.sessionmaker, row, self.owner, now,
                                      f"expired after {attempts} attempts: {_error(exc)}")
            result.expired += 1
            self._expired.append(row)
            log.warning("outbox row %s expired after %d attempts: %s", row.id, attempts, exc)
            return "failed"
        await outbox.mark_retry(self.sessionmaker, row, self.owner, now,
                                now + timedelta(seconds=delay), _error(exc))
        result.retried += 1
        log.info("outbox row %s: %s; retry in %ss", row.id, exc, delay)
        return "retry"
