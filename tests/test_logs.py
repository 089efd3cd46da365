"""Logs: one set-up (level, text or JSON), the libraries' chatter at WARNING, no secrets, and an idle
bot that writes fewer than 100 lines a day.

The day is measured, not waited for: the real `App.run` (both channels on the fake servers, the
real APScheduler) runs with ticks every 0.4 s (planning) and 0.1 s (sending) instead of 60 s and
3 s; the lines written between the first and the last tick, divided by the ticks, give the lines
per tick, and a day has 1,440 planning ticks and 28,800 sending ticks.
"""
from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from bot.app import App
from bot.config import load_settings
from bot.followup import scheduler
from bot.ops.logs import setup_logging
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZaloServer

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

PLAN_TICKS_A_DAY = 24 * 3600 // scheduler.PLAN_EVERY_SECONDS
DISPATCH_TICKS_A_DAY = 24 * 3600 // scheduler.DISPATCH_EVERY_SECONDS


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)
    for name in ("apscheduler", "httpx", "httpcore", "aiohttp.access", "aiogram.event"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def _lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line.strip()]


async def _wait_ticks(counts: dict[str, int], plan: int, dispatch: int, timeout: float = 30) -> None:
    async def until():
        while counts["plan"] < plan or counts["dispatch"] < dispatch:
            await asyncio.sleep(0.02)
    await asyncio.wait_for(until(), timeout)


async def test_an_idle_day_writes_fewer_than_100_lines(tmp_path, monkeypatch, restore_logging):
    monkeypatch.setattr(scheduler, "PLAN_EVERY_SECONDS", 0.4)
    monkeypatch.setattr(scheduler, "DISPATCH_EVERY_SECONDS", 0.1)
    stream = io.StringIO()
    async with FakeTelegram(limits=None) as tg, FakeZaloServer(max_poll_timeout=1) as zalo:
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'idle.db'}",
            "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
            "ZALO_BOT_TOKEN": zalo.token, "ZALO_API_BASE_URL": zalo.base_url,
        }, dotenv=None)
        setup_logging(settings.log_level, settings.log_format,
                      secrets=[settings.telegram_token, settings.zalo_token], stream=stream)
        app = App(settings)
        for channel in app.channels.values():
            channel.poll_timeout = 1  # 30 s in production: more polls here than in a real day
        counts = {"plan": 0, "dispatch": 0}
        plan, run_once = app.plan, app.dispatcher.run_once

        async def counted_plan(*a, **kw):
            counts["plan"] += 1
            return await plan(*a, **kw)

        async def counted_dispatch(*a, **kw):
            counts["dispatch"] += 1
            return await run_once(*a, **kw)

        monkeypatch.setattr(app, "plan", counted_plan)
        monkeypatch.setattr(app.dispatcher, "run_once", counted_dispatch)

        stop = asyncio.Event()
        running = asyncio.create_task(app.run(stop))
        await _wait_ticks(counts, 2, 5)  # started: the start-up lines are written
        start_lines, start_plan, start_dispatch = len(_lines(stream)), counts["plan"], counts["dispatch"]
        await _wait_ticks(counts, start_plan + 8, start_dispatch + 32)
        steady = len(_lines(stream)) - start_lines
        plan_ticks, dispatch_ticks = counts["plan"] - start_plan, counts["dispatch"] - start_dispatch

        # The control: at DEBUG the scheduler's chatter is there, so the count above could fail.
        setup_logging("DEBUG", "text", stream=stream)
        before = counts["dispatch"]
        await _wait_ticks(counts, 0, before + 3)
        setup_logging("INFO", "text", stream=stream)
        stop.set()
        await asyncio.wait_for(running, timeout=60)

    text = stream.getvalue()
    assert "Running job" in text  # from the DEBUG control only
    info_part = "\n".join(_lines(stream)[:start_lines + steady])
    assert "Running job" not in info_part
    # Each steady line is charged to every tick kind at once: an upper bound.
    per_day = start_lines + steady * max(PLAN_TICKS_A_DAY / plan_ticks, DISPATCH_TICKS_A_DAY / dispatch_ticks)
    print(f"idle: {start_lines} start-up lines, {steady} lines over {plan_ticks} planning and "
          f"{dispatch_ticks} sending ticks -> at most {per_day:.0f} lines a day")
    assert per_day < 100, info_part[-3000:]
    assert tg.token not in text and zalo.token not in text


def test_json_format_and_secrets_scrubbed(restore_logging):
    stream = io.StringIO()
    setup_logging("INFO", "json", secrets=["123456:SECRET-abcdef"], stream=stream)
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", "123456:SECRET-abcdef")
    try:
        raise RuntimeError("failed for SECRET-abcdef")
    except RuntimeError:
        log.exception("send %s failed", 42)
    logging.getLogger("httpx").info("HTTP Request: POST ... 200 OK")  # chatter: not written
    logging.getLogger("apscheduler.executors.default").info("Running job ...")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["INFO", "ERROR"]
    assert lines[0]["message"] == "calling https://api.telegram.org/bot<token>/getMe"
    assert lines[1]["logger"] == "bot.test" and "<token>" in lines[1]["exception"]
    assert "SECRET-abcdef" not in stream.getvalue()


def test_level_from_settings(restore_logging):
    stream = io.StringIO()
    settings = load_settings(env={"NHACVIEC_LOG_LEVEL": "warning"}, dotenv=None)
    setup_logging(settings.log_level, settings.log_format, stream=stream)
    logging.getLogger("bot.test").info("not written")
    logging.getLogger("bot.test").warning("written")
    assert _lines(stream)[-1].endswith("WARNING bot.test: written") and "not written" not in stream.getvalue()


def test_the_command_line_sets_logging_up_from_the_settings(tmp_path, monkeypatch, restore_logging):
    from bot import cli
    from bot.ops.logs import JsonFormatter

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("NHACVIEC_LOG_FORMAT", "json")
    assert cli.main(["migrate"]) == 0
    [ours] = [h for h in logging.getLogger().handlers if h.get_name() == "nhacviec"]
    assert isinstance(ours.formatter, JsonFormatter)
    assert logging.getLogger().level == logging.WARNING  # not `run`: warnings and worse
    assert logging.getLogger("apscheduler").level == logging.WARNING
