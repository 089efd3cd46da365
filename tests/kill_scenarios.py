"""Real `nhacviec run` processes against the fake Telegram and Zalo servers, killed with SIGKILL
while they consume queued replies, then restarted: how many replies were lost or duplicated.

Used by tests/test_kill.py (slow tests) and bench/reliability.py (the README's table).
The fakes run in the caller's event loop; the bot is a child process pointed at them with
TELEGRAM_API_BASE_URL / ZALO_API_BASE_URL."""
from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from bot.app import App
from bot.config import load_settings
from bot.directory.registry import add_unit
from bot.tasks.store import NewTask, store
from storage.db import make_engine, make_sessionmaker
from storage.models import Contact, Inbox, ProgressReport

NOW = datetime(2026, 4, 6, 2, 0, tzinfo=timezone.utc)


@dataclass
class Outcome:
    sent: int  # replies the platform handed to (or got a 200 from) the bot
    handled: int  # of them, handled in the inbox
    lost: int
    recorded_twice: int  # progress reports recorded more than once for one update
    answered_twice: int  # read-backs sent more than once (the crash window after a send)
    kills: int
    unanswered: int = 0  # handled, but the read-back never sent (killed between commit and send)

    def line(self) -> str:
        return (f"{self.sent} replies, {self.kills} kills: lost {self.lost}, recorded twice "
                f"{self.recorded_twice}, answered twice {self.answered_twice}, read-back "
                f"missing {self.unanswered}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def prepare_office(db_url: str, channel: str, chats: list[str]) -> None:
    """One unit, one officer and one open task per chat."""
    settings = load_settings(env={"NHACVIEC_DATABASE_URL": db_url}, dotenv=None)
    app = App(settings, channels={})
    try:
        await app.migrate()
        async with app.sessionmaker() as s:
            for i, chat in enumerate(chats):
                unit = await add_unit(s, f"Phòng {i}", NOW, [], "department", [])
                s.add(Contact(channel=channel, chat_id=chat, user_id=chat, name=f"Cán bộ {i}",
                              role="officer", unit_id=unit.id, locale="vi", created_at=NOW))
                await store(s, None, [NewTask(text=f"Nhiệm vụ {i}", lead=[unit.id],
                                              deadline=date(2026, 12, 31))], NOW)
            await s.commit()
    finally:
        await app.close()


_ENGINES: dict = {}


async def _counts(db_url: str, channel: str) -> tuple[set[str], int, int]:
    """(update keys handled, progress reports, distinct inbox rows with reports)."""
    if db_url not in _ENGINES:
        engine = make_engine(db_url, poolclass=NullPool)  # no connection held between looks
        _ENGINES[db_url] = (engine, make_sessionmaker(engine))
    async with _ENGINES[db_url][1]() as s:
        keys = set((await s.scalars(select(Inbox.update_key).where(
            Inbox.channel == channel, Inbox.handled_at.is_not(None)))).all())
        reports = await s.scalar(select(func.count()).select_from(ProgressReport))
        distinct = await s.scalar(select(func.count(func.distinct(ProgressReport.inbox_id))))
    return keys, reports, distinct


async def close_engines() -> None:
    while _ENGINES:
        engine, _ = _ENGINES.popitem()[1]
        await engine.dispose()


class BotProcess:
    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir, self.env = workdir, env
        self.proc: asyncio.subprocess.Process | None = None
        self.runs = 0

    async def start(self) -> None:
        self.runs += 1
        log = open(self.workdir / f"bot-{self.runs}.log", "wb")
        script = Path(sys.executable).with_name("nhacviec")
        command = [str(script)] if script.exists() else [
            sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
        self.proc = await asyncio.create_subprocess_exec(
            *command, "run", cwd=self.workdir, env=self.env, stdout=log, stderr=log)
        log.close()

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except asyncio.TimeoutError:
                await self.kill()


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ZALO_", "NHACVIEC_"))}
    env.update(NHACVIEC_DATABASE_URL=db_url, PYTHONUNBUFFERED="1", **extra)
    return env


async def _wait_handled(db_url: str, channel: str, at_least: int, timeout: float) -> int:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        keys, _, _ = await _counts(db_url, channel)
        if len(keys) >= at_least or asyncio.get_running_loop().time() > deadline:
            return len(keys)
        await asyncio.sleep(0.25)


async def _kill_loop(bot: BotProcess, db_url: str, channel: str, total: int, kills: int,
                     rng: random.Random) -> None:
    """Kill the bot `kills` times, each time once it handled a few more, then let it finish."""
    await bot.start()
    for _ in range(kills):
        keys, _, _ = await _counts(db_url, channel)
        await _wait_handled(db_url, channel, len(keys) + rng.randint(5, total // (kills + 2)), 30)
        await asyncio.sleep(rng.uniform(0, 0.05))  # anywhere in the middle of a batch
        await bot.kill()
        await bot.start()
    await _wait_handled(db_url, channel, total, 60)


def _text(i: int) -> str:
    return f"đang làm {i % 99 + 1}%"


async def telegram_kill_run(workdir: Path, db_url: str, framework: str = "aiogram",
                            replies: int = 400, kills: int = 4, seed: int = 1) -> Outcome:
    from tests.fakes.fake_telegram import FakeTelegram

    chats = [str(5000 + i) for i in range(10)]
    await prepare_office(db_url, "telegram", chats)
    async with FakeTelegram(limits=None) as fake:
        pushed = [fake.push_text(int(chats[i % len(chats)]), int(chats[i % len(chats)]),
                                 _text(i)) for i in range(replies)]
        bot = BotProcess(workdir, _env(db_url, TELEGRAM_BOT_TOKEN=fake.token,
                                       TELEGRAM_API_BASE_URL=fake.base_url,
                                       TELEGRAM_FRAMEWORK=framework))
        try:
            await _kill_loop(bot, db_url, "telegram", replies, kills, random.Random(seed))
            await asyncio.sleep(0.5)  # the last read-backs
        finally:
            await bot.stop()
        answers = len([m for m in fake.sent if "%" in (m.text or "")])
    keys, reports, distinct = await _counts(db_url, "telegram")
    await close_engines()
    handled = len({str(u["update_id"]) for u in pushed} & keys)
    return Outcome(sent=replies, handled=handled, lost=replies - handled,
                   recorded_twice=reports - distinct, answered_twice=max(0, answers - handled),
                   kills=kills, unanswered=max(0, handled - answers))


async def zalo_webhook_kill_run(workdir: Path, db_url: str, replies: int = 400, kills: int = 4,
                                seed: int = 2, concurrency: int = 8) -> Outcome:
    """The fake Zalo POSTs each update until it gets a 200, as Zalo resends; the bot is killed
    meanwhile. Lost: updates answered 200 that never reached the inbox."""
    from tests.fakes.fake_zalo import FakeZaloServer

    chats = [f"z{i}" for i in range(10)]
    await prepare_office(db_url, "zalo", chats)
    port, secret = free_port(), "kill-test-secret-value"
    url = f"http://127.0.0.1:{port}/zalo"
    async with FakeZaloServer() as zalo:
        updates = [zalo.make_update("message.text.received", chats[i % len(chats)],
                                    chats[i % len(chats)], text=_text(i))
                   for i in range(replies)]
        bot = BotProcess(workdir, _env(db_url, ZALO_BOT_TOKEN=zalo.token,
                                       ZALO_API_BASE_URL=zalo.base_url, ZALO_WEBHOOK_URL=url,
                                       ZALO_WEBHOOK_SECRET=secret,
                                       NHACVIEC_WEBHOOK_HOST="127.0.0.1",
                                       NHACVIEC_WEBHOOK_PORT=str(port)))
        accepted: set[str] = set()
        queue: asyncio.Queue = asyncio.Queue()
        for update in updates:
            queue.put_nowait(update)

        async def poster(http: aiohttp.ClientSession) -> None:
            while not queue.empty():
                update = queue.get_nowait()
                while True:
                    try:
                        async with http.post(url, json={"ok": True, "result": update},
                                             headers={"X-Bot-Api-Secret-Token": secret}) as r:
                            if r.status == 200:
                                accepted.add(update["message"]["message_id"])
                                break
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        pass
                    await asyncio.sleep(0.1)  # Zalo sends it again a little later

        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
                posting = asyncio.gather(*(poster(http) for _ in range(concurrency)))
                await _kill_loop(bot, db_url, "zalo", replies, kills, random.Random(seed))
                await asyncio.wait_for(posting, 60)
                await asyncio.sleep(0.5)
        finally:
            await bot.stop()
        answers = sum("%" in (m.get("text") or "") for m in zalo.sent)
    keys, reports, distinct = await _counts(db_url, "zalo")
    await close_engines()
    handled = len(accepted & keys)
    return Outcome(sent=len(accepted), handled=handled, lost=len(accepted) - handled,
                   recorded_twice=reports - distinct, answered_twice=max(0, answers - handled),
                   kills=kills, unanswered=max(0, handled - answers))
