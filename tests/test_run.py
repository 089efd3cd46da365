"""`nhacviec run`: every channel whose token is configured, in one process, until stopped.

App.run is driven with both tokens set and the API base URLs pointing at the fake servers on
127.0.0.1; a /start CODE on each platform must be answered, and a stop must leave nothing
behind (no task still pending, HTTP sessions closed). Without any token `nhacviec run` exits
with a clear message. No token ever shows in the logs or the output.
"""
from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from bot import cli
from bot.app import App, ChannelStopped
from bot.config import load_settings
from bot.directory.registry import create_invite
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZaloServer

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")


def _secrets(*tokens: str) -> list[str]:
    """The tokens and their secret halves (what would leak in a URL or a message)."""
    return [part for token in tokens for part in (token, token.split(":", 1)[-1])]


def _other_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


def _server_side(task: asyncio.Task, tg: FakeTelegram) -> bool:
    """A task of the fake servers: a request handler, a long poll waiting in the fake Zalo's
    queue or on the fake Telegram's change event."""
    frame = task.get_coro().cr_frame
    if frame is not None and frame.f_locals.get("self") is tg._changed:
        return True
    return any(part in repr(task) for part in ("web_protocol", "tests/fakes", "Queue.get"))


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_run_serves_telegram_and_zalo_in_one_process_and_stops_cleanly(
        tmp_path, caplog, capsys, framework):
    caplog.set_level(logging.DEBUG)
    tasks_before = set(_other_tasks())
    async with FakeTelegram(limits=None) as tg, FakeZaloServer(max_poll_timeout=1) as zalo:
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
            "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
            "TELEGRAM_FRAMEWORK": framework,
            "ZALO_BOT_TOKEN": zalo.token, "ZALO_API_BASE_URL": zalo.base_url,
        }, dotenv=None)
        app = App(settings)
        assert sorted(app.channels) == ["telegram", "zalo"]
        for channel in app.channels.values():
            channel.poll_timeout = 1  # `run` builds them with 30 s polls; keep the stop quick
        await app.migrate()
        async with app.sessionmaker() as s:
            tg_code = (await create_invite(s, "leader", None, app.clock(), 7)).code
            zalo_code = (await create_invite(s, "leader", None, app.clock(), 7)).code
            await s.commit()

        stop = asyncio.Event()
        running = asyncio.create_task(app.run(stop))
        tg.push_text(4242, 4242, f"/start {tg_code}", first_name="Chủ tịch")
        zalo.push_text("a1b2c3", "a1b2c3", f"/start {zalo_code}", display_name="Phó Chủ tịch")
        [tg_welcome] = await tg.wait_for_sent(1, timeout=30)
        [zalo_welcome] = await zalo.wait_for_sent(1, timeout=30)
        assert tg_welcome.chat_id == 4242 and "Chào mừng Chủ tịch" in tg_welcome.text
        assert zalo_welcome["chat_id"] == "a1b2c3" and "Chào mừng Phó Chủ tịch" in zalo_welcome["text"]
        # The scheduler's ticks are running too: a status asked on Zalo is answered as well.
        zalo.push_text("a1b2c3", "a1b2c3", "status")
        await zalo.wait_for_sent(2, timeout=30)
        assert "Tổng số" in zalo.sent[-1]["text"] or "nhiệm vụ" in zalo.sent[-1]["text"]

        stop.set()
        await asyncio.wait_for(running, timeout=60)
        assert running.exception() is None
        # Nothing of the bot is left running (the fake servers' own handlers aside).
        left = [t for t in _other_tasks() if t not in tasks_before and not _server_side(t, tg)]
        assert left == [], left

    telegram, zalo_channel = app.channels["telegram"], app.channels["zalo"]
    assert zalo_channel._client is None  # its HTTP client was closed
    if framework == "aiogram":
        session = telegram._bot.session._session
        assert session is None or session.closed
    else:
        assert not telegram._app.running
    gc.collect()
    await asyncio.sleep(0)
    leftovers = [r for r in caplog.records if r.levelno >= logging.ERROR
                 or "never retrieved" in r.getMessage() or "Unclosed" in r.getMessage()
                 or "was destroyed but it is pending" in r.getMessage()]
    assert leftovers == [], [r.getMessage() for r in leftovers]

    out = capsys.readouterr()
    everything = caplog.text + out.out + out.err
    assert "running: telegram, zalo" in caplog.text  # the logs were kept (and hold no secret)
    for secret in _secrets(tg.token, zalo.token):
        assert secret not in everything


def test_run_without_any_token_exits_with_a_clear_message(tmp_path, monkeypatch, capsys, caplog):
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    monkeypatch.chdir(tmp_path)  # no .env here
    code = cli.main(["run"])
    err = capsys.readouterr().err
    assert code != 0
    assert "TELEGRAM_BOT_TOKEN" in err and "ZALO_BOT_TOKEN" in err
    assert "Traceback" not in err


async def test_a_token_never_reaches_the_logs_even_when_the_api_refuses_it(tmp_path, caplog, capsys):
    """A wrong token (the server answers 401) makes the channels log errors: never the token."""
    caplog.set_level(logging.DEBUG)
    wrong_tg, wrong_zalo = "999999:WRONG-token-never-to-be-logged", "55555:ZaLo-WRONG-secret-xyz"
    async with FakeTelegram(limits=None) as tg, FakeZaloServer(max_poll_timeout=1) as zalo:
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wrong.db'}",
            "TELEGRAM_BOT_TOKEN": wrong_tg, "TELEGRAM_API_BASE_URL": tg.base_url,
            "ZALO_BOT_TOKEN": wrong_zalo, "ZALO_API_BASE_URL": zalo.base_url,
        }, dotenv=None)
        app = App(settings)
        for channel in app.channels.values():
            channel.poll_timeout = 1
        stop = asyncio.Event()
        running = asyncio.create_task(app.run(stop))
        # Both servers refuse every call (401): Telegram's channel stops receiving, which ends
        # the bot (for its supervisor to restart it); Zalo's keeps retrying meanwhile.
        with pytest.raises(ChannelStopped, match="telegram"):
            await asyncio.wait_for(running, timeout=60)
        assert stop.is_set()
    out = capsys.readouterr()
    messages = [r.getMessage() for r in caplog.records]
    assert any("channel telegram stopped receiving" in m for m in messages), messages
    assert any(m.startswith("zalo: ") and "failed" in m for m in messages), messages
    for secret in _secrets(wrong_tg, wrong_zalo):
        assert secret not in caplog.text + out.out + out.err



async def test_cancelling_a_zalo_channel_mid_poll_leaves_no_orphan_poll(caplog):
    from bot.channels.zalo import ZaloChannel

    async with FakeZaloServer(max_poll_timeout=5) as zalo:
        channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=5)
        receiving = asyncio.create_task(channel.start(lambda incoming: asyncio.sleep(0, [])))
        await asyncio.wait_for(channel.ready.wait(), 10)
        while zalo.calls.count("getUpdates") < 1:
            await asyncio.sleep(0.02)
        receiving.cancel()
        await asyncio.gather(receiving, return_exceptions=True)
        del receiving  # its frame holds the orphan poll; dropping it lets asyncio report it
        for _ in range(5):
            await asyncio.sleep(0.05)
        gc.collect()
        await asyncio.sleep(0)
    assert not any("never retrieved" in r.getMessage() for r in caplog.records)
