"""The channel contract (bot/channels/base.py `Channel`), checked the same way on every adapter:
aiogram and python-telegram-bot against the fake Telegram server, Zalo against the fake Zalo
server, and the console. The conversations over the whole bot are in test_contract.py."""
from __future__ import annotations

import asyncio
import gc
import warnings

import pytest
import pytest_asyncio

from bot.channels.base import Button, Capabilities, Channel, Incoming, Outgoing, Sent
from tests.contract.drivers import make_driver, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

ADAPTERS = ["aiogram", "ptb", "zalo", "console"]
# What each platform documents: capabilities, and chat ids that are / are not groups.
EXPECTED = {
    "aiogram": (Capabilities(4096, buttons=True, reply_to=True), ["-1001234567890", "-42"],
                ["700001", "42"]),
    "ptb": (Capabilities(4096, buttons=True, reply_to=True), ["-1001234567890", "-42"],
            ["700001", "42"]),
    # A Zalo chat id does not tell a group: every chat is paced as a person's.
    "zalo": (Capabilities(2000, buttons=False, reply_to=False), [], ["5a10001", "-42"]),
    "console": (Capabilities(4096, buttons=True, reply_to=True), ["g-1"], ["c-1", "-42"]),
}


@pytest_asyncio.fixture(params=ADAPTERS)
async def driver(request):
    driver = make_driver(request.param)
    driver.name = request.param
    await driver.start()
    try:
        yield driver
    finally:
        if driver.channel is not None:
            await driver.channel.stop()
            await driver.channel.aclose()
        await driver.stop()


def echo(seen: list[Incoming]):
    async def on_incoming(incoming: Incoming) -> list[Outgoing]:
        seen.append(incoming)
        if incoming.button_data:
            return [Outgoing(f"pressed {incoming.button_data}")]
        answers = (Button("Đã xong", "r:done:17"), Button("Đang làm", "r:progress:17"))
        return [Outgoing(f"echo: {incoming.text}", buttons=(answers,))]
    return on_incoming


async def test_is_a_channel_with_its_documented_capabilities(driver):
    capabilities, groups, people = EXPECTED[driver.name]
    assert isinstance(driver.channel, Channel)
    assert driver.channel.capabilities == capabilities
    assert driver.channel.capabilities.max_text == driver.max_text
    assert driver.channel.name == driver.platform
    for chat_id in groups:
        assert driver.channel.is_group(chat_id) is True, chat_id
    for chat_id in people:
        assert driver.channel.is_group(chat_id) is False, chat_id


async def test_send_without_start_then_aclose_twice_then_send_again(driver):
    """A `nhacviec remind` pass only sends, then closes; closing twice is harmless, and a
    channel closed by mistake opens what it needs again."""
    chat = driver.chat_id(1)
    sent = await driver.channel.send(chat, Outgoing("Nhắc việc #17: hạn 17/04/2026"))
    assert isinstance(sent, Sent) and sent.message_id
    await driver.channel.aclose()
    await driver.channel.aclose()
    again = await driver.channel.send(chat, Outgoing("lần hai"))
    assert again.message_id and again.message_id != sent.message_id
    await driver.channel.aclose()
    assert [(m.chat_id, m.text, m.message_id) for m in driver.sent()] == [
        (chat, "Nhắc việc #17: hạn 17/04/2026", sent.message_id),
        (chat, "lần hai", again.message_id)]


async def test_aclose_leaves_no_unclosed_session(driver):
    await driver.channel.send(driver.chat_id(1), Outgoing("xin chào"))
    await driver.channel.aclose()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        driver.channel = None  # drop the only reference: an unclosed session would warn now
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


async def test_start_receives_answers_and_stop_ends_it(driver):
    seen: list[Incoming] = []
    receiving = asyncio.create_task(driver.channel.start(echo(seen)))
    try:
        driver.say(1, "xin chào")
        [answer] = await wait_for(lambda: [m for m in driver.sent() if m.text.startswith("echo")],
                                  what="the echo")
        assert answer.chat_id == driver.chat_id(1) and answer.text.startswith("echo: xin chào")
        [incoming] = seen
        assert (incoming.channel, incoming.chat_id, incoming.text, incoming.kind) == (
            driver.platform, driver.chat_id(1), "xin chào", "text")

        # Buttons come back as the button's data, whatever the platform shows.
        driver.press(1, answer, "Đang làm")
        await wait_for(lambda: [m for m in driver.sent() if m.text == "pressed r:progress:17"],
                       what="the press")
        assert seen[-1].button_data == "r:progress:17" and seen[-1].kind == "button"
    finally:
        await driver.channel.stop()
        await asyncio.wait_for(receiving, 15)  # start returns by itself, without an error
    assert receiving.exception() is None


async def test_stop_before_start_returns(driver):
    await asyncio.wait_for(driver.channel.stop(), 5)
