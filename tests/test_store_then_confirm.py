"""Issue 10, item 1: the channels confirm an update to the platform only once the core kept it.

The core raises NotStored when it could not commit an update to the inbox; then Telegram's
offset does not move past it (it is fetched again), a webhook answers 503 (the platform sends it
again), and Zalo polling, which cannot get it back, asks the sender to send it again."""
from __future__ import annotations

import asyncio

import pytest

from bot.channels.base import Incoming, NotStored, Outgoing
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZaloServer
from tests.test_channel_telegram import ADAPTERS, free_port, make_channel, running

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")


class FlakyCore:
    """Refuses to store the first `failures` attempts of each text in `flaky`; keeps the rest
    once each (like the inbox's unique key), answering "ok <text>"."""

    def __init__(self, flaky: set[str], failures: int = 2):
        self.flaky, self.failures = flaky, failures
        self.attempts: dict[str, int] = {}
        self.kept: list[str] = []
        self.changed = asyncio.Event()

    async def __call__(self, incoming: Incoming) -> list[Outgoing]:
        n = self.attempts[incoming.text] = self.attempts.get(incoming.text, 0) + 1
        self.changed.set()
        if incoming.text in self.flaky and n <= self.failures:
            raise NotStored("database locked")
        if incoming.update_id in {k for k, _ in self.kept}:
            return []  # a resend of what is kept already
        self.kept.append((incoming.update_id, incoming.text))
        return [Outgoing(f"ok {incoming.text}")]

    async def wait_kept(self, n: int, timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.kept) < n:
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture(params=sorted(ADAPTERS))
def adapter(request):
    return ADAPTERS[request.param]


async def test_polling_fetches_again_what_the_core_could_not_store(adapter, monkeypatch):
    monkeypatch.setattr("bot.channels.telegram.POLL_BACKOFF", (0.05, 0.1))
    core = FlakyCore({"một"})
    async with FakeTelegram(limits=None) as fake:
        async with running(make_channel(adapter, fake), core):
            fake.push_text(4242, 77, "một")
            fake.push_text(4243, 78, "hai")
            await core.wait_kept(2)
            await fake.wait_for_sent(2)
        # The stop confirmed what was kept: nothing is left on the platform's side.
        left = list(fake._updates)
    assert core.attempts["một"] == 3  # refused twice, fetched again each time
    assert sorted(text for _, text in core.kept) == ["hai", "một"]
    assert sorted(m.text for m in fake.sent) == ["ok hai", "ok một"]
    assert left == []


async def test_telegram_webhook_answers_503_until_the_update_is_stored(adapter):
    core = FlakyCore({"qua webhook"}, failures=1)
    port = free_port()
    async with FakeTelegram(limits=None) as fake:
        channel = make_channel(adapter, fake, webhook_url=f"http://127.0.0.1:{port}/tg",
                               webhook_secret="s3cret", host="127.0.0.1", port=port)
        async with running(channel, core):
            await fake.wait_until(lambda: fake.webhook is not None, what="setWebhook")
            update = fake.push_text(4242, 77, "qua webhook")
            await fake.wait_until(lambda: fake.webhook_responses, what="first answer")
            await fake._deliver_webhook(update)  # Telegram sends it again after an error
            await fake._deliver_webhook(update)  # and a duplicate, say
            await fake.wait_for_sent(1)
    assert fake.webhook_responses == [503, 200, 200]
    assert core.kept == [(str(update["update_id"]), "qua webhook")]
    assert [m.text for m in fake.sent] == ["ok qua webhook"]


async def test_zalo_webhook_answers_503_until_the_update_is_stored():
    from bot.channels.zalo import ZaloChannel

    core = FlakyCore({"#17 xong"}, failures=1)
    port = free_port()
    url = f"http://127.0.0.1:{port}/zalo"
    async with FakeZaloServer() as zalo:
        channel = ZaloChannel(zalo.token, zalo.base_url, webhook_url=url, host="127.0.0.1",
                              port=port)
        task = asyncio.create_task(channel.start(core))
        await asyncio.wait_for(channel.ready.wait(), 5)
        update = zalo.make_update("message.text.received", "c1", "u1", text="#17 xong")
        statuses = [await zalo.post_webhook(url, update) for _ in range(3)]
        await channel.stop()
        await asyncio.wait_for(task, 15)
    assert statuses == [503, 200, 200]
    assert [text for _, text in core.kept] == ["#17 xong"]
    assert [m["text"] for m in zalo.sent] == ["ok #17 xong"]


async def test_zalo_polling_asks_the_sender_to_send_again_never_says_saved():
    from bot.channels.zalo import ZaloChannel

    core = FlakyCore({"đã xong"}, failures=1)
    async with FakeZaloServer(max_poll_timeout=1) as zalo:
        channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
        task = asyncio.create_task(channel.start(core))
        zalo.push_text("c1", "u1", "đã xong")
        [apology] = await zalo.wait_for_sent(1)
        await channel.stop()
        await asyncio.wait_for(task, 15)
    assert apology["chat_id"] == "c1"
    assert "gửi lại" in apology["text"] and "đã được lưu" not in apology["text"]
    assert core.kept == []
