"""GET /metrics and GET /healthz: the figures from the database and the running process, and the
routes on the webhook server itself (the real App, Telegram in webhook mode on the fake Bot API)."""
from __future__ import annotations

import asyncio
import socket
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot.app import App
from bot.config import load_settings
from bot.delivery.dispatch import DispatchResult
from bot.ops.metrics import Metrics
from storage.models import Inbox, Outbox
from storage.outbox import enqueue
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZaloServer

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _row(key: str, due: datetime) -> dict:
    return {"key": key, "kind": "reminder", "channel": "telegram", "chat_id": "1", "text": "x",
            "due_at": due}


async def test_figures_from_the_database_and_the_process(any_db):
    async with any_db.session() as s:
        await enqueue(s, [_row("a", NOW - timedelta(minutes=10)), _row("b", NOW - timedelta(minutes=2)),
                          _row("c", NOW + timedelta(hours=1)), _row("d", NOW), _row("e", NOW)], NOW)
        await s.execute(update(Outbox).where(Outbox.key == "d").values(status="sent"))
        await s.execute(update(Outbox).where(Outbox.key == "e").values(status="failed"))
        s.add_all([Inbox(channel="telegram", update_key=f"u{i}", chat_id="1", user_id="1", kind="text",
                         text="", payload={}, received_at=NOW, handled_at=NOW if i < 2 else None)
                   for i in range(3)])
        await s.commit()
    metrics = Metrics(any_db.sessionmaker, clock=lambda: NOW)
    metrics.planned(NOW - timedelta(seconds=30))
    metrics.dispatched(DispatchResult(rate_limited=2))
    metrics.dispatched(DispatchResult(rate_limited=1))
    got = samples((await metrics.render()).decode())
    assert got[("nhacviec_updates_received", ())] == 3
    assert got[("nhacviec_updates_handled", ())] == 2
    assert got[("nhacviec_outbox_messages", (("status", "pending"),))] == 3
    assert got[("nhacviec_outbox_messages", (("status", "sent"),))] == 1
    assert got[("nhacviec_outbox_messages", (("status", "failed"),))] == 1
    assert got[("nhacviec_outbox_messages", (("status", "expired"),))] == 0
    # The row due in an hour is not waiting yet; the oldest waiting one is 10 minutes late.
    assert got[("nhacviec_outbox_oldest_pending_age_seconds", ())] == 600
    assert got[("nhacviec_rate_limited_total", ())] == 3
    assert got[("nhacviec_last_planning_pass_timestamp_seconds", ())] == (NOW - timedelta(seconds=30)).timestamp()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")
@pytest.mark.parametrize("platform", ["telegram", "ptb", "zalo"])
async def test_webhook_server_answers_healthz_and_metrics(tmp_path, platform):
    port = free_port()
    async with FakeTelegram(limits=None) as tg, FakeZaloServer() as zalo:
        env = {"NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}",
               "NHACVIEC_WEBHOOK_HOST": "127.0.0.1", "NHACVIEC_WEBHOOK_PORT": str(port)}
        if platform in ("telegram", "ptb"):
            env.update(TELEGRAM_FRAMEWORK="ptb" if platform == "ptb" else "aiogram",
                       TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE_URL=tg.base_url,
                       TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                       TELEGRAM_WEBHOOK_SECRET="s3cret-s3cret")
        else:
            env.update(ZALO_BOT_TOKEN=zalo.token, ZALO_API_BASE_URL=zalo.base_url,
                       ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                       ZALO_WEBHOOK_SECRET="s3cret-s3cret")
        app = App(load_settings(env=env, dotenv=None))
        stop = asyncio.Event()
        running = asyncio.create_task(app.run(stop))
        try:
            fake = zalo if platform == "zalo" else tg
            for _ in range(300):
                if fake.webhook is not None:
                    break
                await asyncio.sleep(0.05)
            assert fake.webhook is not None, "setWebhook was not called"
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                health = await client.get("/healthz")
                assert health.status_code == 200 and health.json() == {"status": "ok"}
                for _ in range(100):  # the first planning tick runs at start
                    got = samples((await client.get("/metrics")).text)
                    if got[("nhacviec_last_planning_pass_timestamp_seconds", ())] > 0:
                        break
                    await asyncio.sleep(0.1)
                metrics = await client.get("/metrics")
                assert metrics.status_code == 200
                assert metrics.headers["content-type"].startswith("text/plain")
                got = samples(metrics.text)
                assert got[("nhacviec_last_planning_pass_timestamp_seconds", ())] > 0
                assert got[("nhacviec_outbox_messages", (("status", "pending"),))] == 0
                # The webhook itself is still there and still checks its secret.
                refused = await client.post("/hook", json={"update_id": 1})
                assert refused.status_code in (401, 403)
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=60)


async def test_healthz_says_503_when_the_database_is_gone(tmp_path):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}")
    metrics = Metrics(make_sessionmaker(engine), clock=lambda: NOW)
    web_app = web.Application()
    metrics.mount(web_app)
    async with TestClient(TestServer(web_app)) as client:
        response = await client.get("/healthz")
        assert response.status == 503 and (await response.json())["status"] == "error"
    await engine.dispose()
