"""The composition root: the only place that builds storage, services, channels and the scheduler."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, Sequence

from sqlalchemy import select

from bot.channels.base import Channel, ChoiceStore, CommandInfo
from bot.config import Settings
from bot.dates.timeutil import quiet_until, utcnow
from bot.dates.workdays import WorkCalendar
from bot.delivery.dispatch import Dispatcher, GoneChat, Outage, RateLimits
from bot.followup.reminders import queue_reminders, queue_weekly
from bot.i18n import t
from bot.reports.digest import queue_digest
from handlers.commands import channel_commands
from handlers.router import Core
from storage.choices import PendingChoices
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Contact
from storage.outbox import enqueue

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBase

log = logging.getLogger(__name__)


@dataclass
class PlanResult:
    reminders: int = 0
    weekly: int = 0
    digest: int = 0

    @property
    def total(self) -> int:
        return self.reminders + self.weekly + self.digest


def build_channels(settings: Settings, choices: ChoiceStore | None = None,
                   commands: Sequence[CommandInfo] | None = None) -> dict[str, Channel]:
    """Every channel whose token is configured (imports are lazy: each platform is optional).
    `choices` keeps the numbered choices of channels without buttons (Zalo) across restarts;
    `commands` are the core's commands (handlers/commands.py, the default): Telegram sets its
    menu from them, Zalo knows them as words without the slash."""
    channels: dict[str, Channel] = {}
    if commands is None:
        commands = channel_commands(settings.default_locale)
    if settings.telegram_token:
        TelegramImpl: type[TelegramBase]
        if settings.telegram_framework == "ptb":
            from bot.channels.telegram_ptb import PTBTelegramChannel as TelegramImpl
        else:
            from bot.channels.telegram import TelegramChannel as TelegramImpl
        channels["telegram"] = TelegramImpl(
            settings.telegram_token, settings.telegram_api_base_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=settings.telegram_webhook_secret,
            host=settings.webhook_host, port=settings.webhook_port, commands=commands)
    if settings.zalo_token:
        from bot.channels.zalo import ZaloChannel

        channels["zalo"] = ZaloChannel(
            settings.zalo_token, settings.zalo_api_base_url,
            webhook_url=settings.zalo_webhook_url, webhook_secret=settings.zalo_webhook_secret,
            host=settings.webhook_host,
            port=settings.webhook_port + (1 if settings.telegram_token else 0), choices=choices, commands=commands)
    return channels


class App:
    def __init__(self, settings: Settings, *, channels: dict[str, Channel] | None = None,
                 clock: Callable[[], datetime] = utcnow, limits: RateLimits = RateLimits()):
        self.settings = settings
        self.clock = clock
        self.engine = make_engine(settings.database_url)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.calendar = WorkCalendar()
        self.channels = (build_channels(settings, PendingChoices(self.sessionmaker, clock),
                                        channel_commands(settings.default_locale))
                         if channels is None else channels)
        self.core = Core(self.engine, self.sessionmaker, settings, self.calendar, clock,
                         self.fetch_file)
        self.dispatcher = Dispatcher(
            self.sessionmaker, self.channels, clock=clock,
            on_chat_gone=self.tell_office_chat_gone, limits=limits,
            default_ttl=timedelta(hours=settings.outbox_ttl_hours),
            outage_after=timedelta(minutes=settings.outage_alert_minutes),
            on_expired=self.tell_office_expired, on_outage=self.tell_office_outage,
            on_recovered=self.tell_office_recovered)
        from bot.ops.metrics import Metrics

        self.metrics = Metrics(self.sessionmaker, clock)
        # A channel in webhook mode serves GET /healthz and GET /metrics on the same server.
        for channel in self.channels.values():
            setattr(channel, "web_mounts", [self.metrics.mount])  # noqa: B010 - not every Channel declares it

    async def fetch_file(self, channel: str, file_id: str) -> bytes:
        """A file someone sent, from the platform (Telegram); ChannelError if it cannot."""
        download = getattr(self.channels.get(channel), "download", None)
        if download is None:
            raise NotImplementedError(f"{channel} cannot fetch files")
        return await download(file_id)

    async def migrate(self) -> None:
        await upgrade(self.engine)

    async def close(self) -> None:
        """Release every channel's sending side (HTTP sessions), then the database."""
        for channel in self.channels.values():
            await channel.aclose()
        await self.engine.dispose()

    async def plan(self, now: datetime | None = None) -> PlanResult:
        """One planning pass: queue whatever reminders, nudges and digests are due at `now`."""
        now = now or self.clock()
        policy, tz = self.settings.reminders, self.settings.tz
        async with self.sessionmaker() as session:
            result = PlanResult(
                reminders=await queue_reminders(session, now, policy, self.calendar, tz),
                weekly=await queue_weekly(session, now, policy, self.calendar, tz),
                digest=await queue_digest(session, now, self.settings, self.calendar))
            await session.commit()
        self.metrics.planned(self.clock())
        return result

    async def dispatch(self, now: datetime | None = None):
        """One sending pass (the scheduler's tick), counted for /metrics."""
        result = await self.dispatcher.run_once(now)
        self.metrics.dispatched(result)
        return result

    async def tick(self, now: datetime | None = None):
        """Plan, then send what is ready. The scheduler calls this; so do `remind` and the demo."""
        planned = await self.plan(now)
        sent = await self.dispatch(now)
        return planned, sent

    async def recover(self, startup: bool = False) -> int:
        """Handle inbox rows stored but never handled, oldest first (at start-up, and on a tick
        for rows older than RECOVER_AFTER, which a live handler cannot still be holding)."""
        try:
            handled = await self.core.recover(
                older_than=timedelta(0) if startup else RECOVER_AFTER)
        except Exception:  # the database is still away: the next tick tries again
            log.exception("recovering the inbox failed")
            return 0
        if handled:
            log.info("handled %d stored update(s) that were waiting", handled)
        return handled

    async def _tell_office(self, key: str, texts: Callable[[str], str],
                           channels: Callable[[str], bool] = lambda channel: True) -> int:
        """Queue one notice to each active admin whose channel passes `channels`."""
        now = self.clock()
        async with self.sessionmaker() as session:
            admins = (await session.scalars(select(Contact).where(
                Contact.role == "admin", Contact.active.is_(True)))).all()
            rows = [{"key": f"{key}:{a.id}", "kind": "notice", "channel": a.channel,
                     "chat_id": a.chat_id, "contact_id": a.id, "due_at": now,
                     "text": texts(a.locale)}
                    for a in admins if a.channel in self.channels and channels(a.channel)]
            added = await enqueue(session, rows, now)
            await session.commit()
        return added

    def _local(self, instant: datetime) -> str:
        return instant.astimezone(self.settings.tz).strftime("%H:%M %d/%m/%Y")

    async def tell_office_expired(self, rows: list) -> None:
        """Messages retried until they were no longer useful: the Office gets the list."""
        lines = [f"- {row.channel} {row.chat_id}: «{' '.join(row.text.split())[:80]}»"
                 for row in rows[:20]]
        more = len(rows) - len(lines)

        def text(locale: str) -> str:
            head = t(locale, "{count} message(s) could not be delivered in time and expired:",
                     count=len(rows))
            tail = [t(locale, "… and {count} more", count=more)] if more > 0 else []
            return "\n".join([head, *lines, *tail])

        await self._tell_office(f"expired:{rows[0].id}:{len(rows)}", text)

    async def tell_office_outage(self, outage: Outage) -> None:
        """A platform unreachable for a while: told on the Office's other channels, if any."""
        told = await self._tell_office(
            f"outage:{outage.channel}:{outage.since.isoformat()}",
            lambda locale: t(locale, "{channel} has been unreachable since {since}. Messages "
                                     "are kept and will go out when it is back.",
                             channel=outage.channel.capitalize(),
                             since=self._local(outage.since)),
            channels=lambda channel: channel != outage.channel)
        if not told:
            log.warning("the Office has no other channel to be told that %s is unreachable",
                        outage.channel)

    async def tell_office_recovered(self, outage: Outage) -> None:
        await self._tell_office(
            f"recovered:{outage.channel}:{outage.since.isoformat()}",
            lambda locale: t(locale, "{channel} was unreachable from {since} to {until}; "
                                     "{count} message(s) were delayed and are going out now.",
                             channel=outage.channel.capitalize(),
                             since=self._local(outage.since),
                             until=self._local(outage.until or self.clock()),
                             count=len(outage.delayed)))

    async def tell_office_chat_gone(self, gone: GoneChat) -> None:
        """A contact blocked the bot or left: tell the Office so it can register someone else."""
        now = self.clock()
        async with self.sessionmaker() as session:
            admins = (await session.scalars(select(Contact).where(
                Contact.role == "admin", Contact.active.is_(True)))).all()
            rows = []
            quiet = self.settings.reminders
            for contact in gone.contacts:
                unit = contact.unit.name if contact.unit else "—"
                rows += [{"key": f"gone:{contact.id}:{now.isoformat()}:{a.id}", "kind": "notice",
                          "channel": a.channel, "chat_id": a.chat_id, "contact_id": a.id,
                          "due_at": quiet_until(now, self.settings.tz, quiet.quiet_start,
                                                quiet.quiet_end),
                          "text": t(a.locale, "{name} ({unit}) can no longer be reached on "
                                              "{channel} and was deactivated. Please register "
                                              "another contact.",
                                    name=contact.name or contact.chat_id, unit=unit,
                                    channel=gone.channel)}
                         for a in admins]
            await enqueue(session, rows, now)
            await session.commit()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Run every configured channel, the planner tick and the dispatcher until stopped."""
        from bot.followup.scheduler import start_scheduler

        if not self.channels:
            raise NoChannel("no channel configured: set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN")
        stop = stop or asyncio.Event()
        await self.migrate()
        await self.recover(startup=True)  # what an earlier run stored and never handled
        scheduler = start_scheduler(self)
        tasks = {name: asyncio.create_task(ch.start(self.core.handle), name=f"channel:{name}")
                 for name, ch in self.channels.items()}
        log.info("running: %s; database %s", ", ".join(self.channels), self.engine.url.render_as_string())
        ended: list[str] = []
        for name, task in tasks.items():
            def on_end(done: asyncio.Task, name: str = name) -> None:
                _channel_ended(name, done, stop, ended)
            task.add_done_callback(on_end)
        try:
            await stop.wait()
        finally:
            # Order matters: no tick may send through a channel that is already closed.
            await _stop_scheduler(scheduler)
            await self._stop_channels(tasks)
            await self.close()
        if ended:
            # Fail fast: a supervisor (systemd Restart=always, a container policy) starts the
            # bot again, and nothing is lost: due reminders are in the database, updates wait
            # on the platform's side.
            raise ChannelStopped(", ".join(ended))

    async def _stop_channels(self, tasks: dict[str, asyncio.Task]) -> None:
        """Ask every channel to stop, let its receiving loop end by itself (cancelling it
        mid-poll would leave the poll's request behind); `close` then releases their clients."""
        await asyncio.gather(*(ch.stop() for ch in self.channels.values()), return_exceptions=True)
        if tasks:
            await asyncio.wait(tasks.values(), timeout=CHANNEL_STOP_TIMEOUT)
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)


RECOVER_AFTER = timedelta(minutes=1)  # an inbox row unhandled this long is picked up by the tick
CHANNEL_STOP_TIMEOUT = 15.0  # seconds for a channel to end its receiving loop after stop()
TICK_STOP_TIMEOUT = 30.0  # seconds for a planning or dispatch tick under way to finish


class NoChannel(RuntimeError):
    """`run` without any token configured."""


class ChannelStopped(RuntimeError):
    """A channel stopped receiving on its own (its platform refused it, say): `run` ends."""


def _channel_ended(name: str, task: asyncio.Task, stop: asyncio.Event, ended: list[str]) -> None:
    """A channel that stops receiving before `stop` is set is logged and stops the bot."""
    if task.cancelled() or stop.is_set():
        return
    exc = task.exception()
    if exc is not None:
        log.error("channel %s stopped receiving: %s", name, exc)  # channels keep tokens out
    else:
        log.error("channel %s stopped receiving", name)
    ended.append(name)
    stop.set()


async def _stop_scheduler(scheduler) -> None:
    """Stop the ticks and let one under way finish, so nothing is cut between a send and its
    mark. APScheduler 3's shutdown(wait=False) would cancel a running coroutine job instead, so
    pause first and wait for the jobs its asyncio executor still runs."""
    scheduler.pause()
    running = [future for executor in getattr(scheduler, "_executors", {}).values()
               for future in getattr(executor, "_pending_futures", ())]
    if running:
        await asyncio.wait(running, timeout=TICK_STOP_TIMEOUT)
    scheduler.shutdown(wait=False)
