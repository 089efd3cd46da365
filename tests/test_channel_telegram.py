"""Both Telegram adapters (aiogram, python-telegram-bot) against the fake Bot API on loopback."""
from __future__ import annotations

import asyncio
import logging
import socket
from contextlib import asynccontextmanager

import aiohttp
import pytest

from bot.channels.base import (
    Button,
    ChatGone,
    Incoming,
    Outgoing,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.channels.telegram import (
    TelegramChannel,
    command_for_us,
    incoming_from_update,
    reply_parts,
)
from bot.channels.telegram_ptb import PTBTelegramChannel
from tests.fakes.fake_telegram import FakeTelegram, Limits, fake_telegram  # noqa: F401

# PTB warns about its own RetryAfter construction (retry_after becoming a timedelta).
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

ADAPTERS = {"aiogram": TelegramChannel, "ptb": PTBTelegramChannel}
BUTTONS = ((Button("Đã xong", "done:17"), Button("Đang thực hiện", "prog:17")),
           (Button("Xin gia hạn", "ext:17"),))


@pytest.fixture(params=sorted(ADAPTERS))
def adapter(request):
    return ADAPTERS[request.param]


@pytest.fixture
def fake(fake_telegram):  # noqa: F811
    return fake_telegram


def make_channel(adapter, fake: FakeTelegram, **kw):
    return adapter(fake.token, fake.base_url, poll_timeout=1, **kw)


@asynccontextmanager
async def running(channel, on_incoming):
    task = asyncio.create_task(channel.start(on_incoming))
    try:
        yield task
    finally:
        await asyncio.wait_for(channel.stop(), 15)
        await asyncio.wait_for(task, 15)


class Recorder:
    """An on_incoming that records what it got and answers with `answer(incoming)`."""

    def __init__(self, answer=None):
        self.got: list[Incoming] = []
        self.answer = answer or (lambda inc: [])
        self.changed = asyncio.Event()

    async def __call__(self, incoming: Incoming) -> list[Outgoing]:
        self.got.append(incoming)
        self.changed.set()
        result = self.answer(incoming)
        return await result if asyncio.iscoroutine(result) else result

    async def wait(self, n: int, timeout: float = 5.0) -> list[Incoming]:
        async with asyncio.timeout(timeout):
            while len(self.got) < n:
                self.changed.clear()
                await self.changed.wait()
        return self.got


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the command menu -----------------------------------------------------------------------


async def test_the_command_menu_is_the_command_registry(adapter, fake):
    from handlers.commands import COMMANDS, channel_commands

    async with running(make_channel(adapter, fake, commands=channel_commands("vi")), Recorder()):
        await fake.wait_for_call("setMyCommands")
    assert [(c["command"], c["description"]) for c in fake.commands] == [
        (c.name, c.summary("vi")) for c in COMMANDS]
    assert ("task", "N — chi tiết một nhiệm vụ, các báo cáo và tệp kèm theo") in [
        (c["command"], c["description"]) for c in fake.commands]


async def test_a_menu_the_api_refuses_does_not_stop_receiving(adapter, fake, caplog):
    from handlers.commands import channel_commands

    fake.fail_next("setMyCommands", 502, "Bad Gateway")
    core = Recorder()
    with caplog.at_level(logging.WARNING):
        async with running(make_channel(adapter, fake, commands=channel_commands("en")), core):
            fake.push_text(chat_id=1, user_id=1, text="/help")
            [incoming] = await core.wait(1)
    assert incoming.text == "/help" and fake.commands == []
    assert "command menu not set" in caplog.text and fake.token not in caplog.text


async def test_no_commands_no_menu(adapter, fake):
    core = Recorder()
    async with running(make_channel(adapter, fake), core):
        fake.push_text(chat_id=1, user_id=1, text="x")
        await core.wait(1)
    assert fake.calls_of("setMyCommands") == []


# ---- receiving ------------------------------------------------------------------------------


async def test_text_message_reaches_core_and_reply_with_buttons_arrives(adapter, fake):
    core = Recorder(lambda inc: [Outgoing(f"Đã nhận: {inc.text}", BUTTONS, reply_to=inc.message_id)])
    async with running(make_channel(adapter, fake), core):
        update = fake.push_text(chat_id=4242, user_id=77, text="#17 đã xong",
                                first_name="Lan", last_name="Nguyễn", language_code="vi")
        [reply] = await fake.wait_for_sent(1)
        [incoming] = await core.wait(1)

    message = update["message"]
    assert incoming == Incoming(
        channel="telegram", chat_id="4242", user_id="77", text="#17 đã xong",
        user_name="Lan Nguyễn", chat_type="private", message_id=str(message["message_id"]),
        update_id=str(update["update_id"]), language="vi", kind="text",
    )
    assert reply.chat_id == 4242
    assert reply.text == "Đã nhận: #17 đã xong"
    assert reply.reply_to == message["message_id"]
    assert reply.buttons == [[("Đã xong", "done:17"), ("Đang thực hiện", "prog:17")],
                             [("Xin gia hạn", "ext:17")]]


async def test_group_reply_to_a_reminder_carries_its_id(adapter, fake):
    core = Recorder()
    channel = make_channel(adapter, fake)
    async with running(channel, core):
        sent = await channel.send("-100500", Outgoing("Nhắc việc #17", BUTTONS))
        fake.push_text(chat_id=-100500, user_id=9, text="xong", chat_type="supergroup",
                       reply_to_message_id=int(sent.message_id))
        [incoming] = await core.wait(1)
    assert incoming.chat_type == "group"
    assert incoming.chat_id == "-100500"
    assert incoming.reply_to == sent.message_id


async def test_group_commands_addressed_to_us_are_normalised_others_ignored(adapter, fake):
    core = Recorder()
    async with running(make_channel(adapter, fake), core):
        fake.push_text(-100500, 9, "/status@NhacViec_Test_Bot Phòng Nội vụ", chat_type="group")
        fake.push_text(-100500, 9, "/status@other_bot", chat_type="group")
        fake.push_text(-100500, 9, "/overdue", chat_type="group")
        await core.wait(2)
        await asyncio.sleep(0.2)  # a wrongly passed third command would show up now
    assert [inc.text for inc in core.got] == ["/status Phòng Nội vụ", "/overdue"]


async def test_button_press_gives_button_data_and_answers_the_query(adapter, fake):
    core = Recorder(lambda inc: [Outgoing("Đã ghi nhận")])
    channel = make_channel(adapter, fake)
    async with running(channel, core):
        sent = await channel.send("4242", Outgoing("Nhiệm vụ #17", BUTTONS))
        update = fake.push_callback(chat_id=4242, user_id=77, data="done:17",
                                    message_id=int(sent.message_id))
        [incoming] = await core.wait(1)
        await fake.wait_for_call("answerCallbackQuery")
        await fake.wait_for_sent(2)
    assert incoming.kind == "button"
    assert incoming.button_data == "done:17"
    assert incoming.message_id == sent.message_id
    assert incoming.user_id == "77" and incoming.chat_id == "4242"
    assert fake.answered_callbacks == [update["callback_query"]["id"]]


async def test_sticker_document_and_photo_kinds(adapter, fake):
    core = Recorder()
    async with running(make_channel(adapter, fake), core):
        fake.push_sticker(4242, 77)
        fake.push_document(4242, 77, file_name="bao-cao.docx", content=b"x" * 10,
                           mime_type="application/msword", caption="#17 báo cáo")
        photo = fake.push_photo(4242, 77, content=b"p" * 50)
        got = await core.wait(3)
    by_kind = {inc.kind: inc for inc in got}
    assert set(by_kind) == {"sticker", "document", "photo"}
    doc = by_kind["document"]
    assert doc.text == "#17 báo cáo"
    assert (doc.attachment.kind, doc.attachment.file_name, doc.attachment.mime_type,
            doc.attachment.size) == ("document", "bao-cao.docx", "application/msword", 10)
    largest = photo["message"]["photo"][-1]
    assert by_kind["photo"].attachment.file_id == largest["file_id"]
    assert by_kind["sticker"].attachment is None


async def test_long_reply_from_the_core_is_split_below_the_limit(adapter, fake):
    lines = [f"{i:04d}. Nhiệm vụ rà soát hồ sơ đất đai của đơn vị số {i}" for i in range(400)]
    long_text = "\n".join(lines)
    assert len(long_text) > 3 * 4096
    core = Recorder(lambda inc: [Outgoing(long_text, BUTTONS, reply_to=inc.message_id)])
    async with FakeTelegram(limits=None) as tg:
        async with running(make_channel(adapter, tg), core):
            update = tg.push_text(4242, 77, "/tasks")
            await tg.wait_until(lambda: sum(len(m.text) for m in tg.sent) >= len(long_text) - 10)
    parts = tg.sent
    assert len(parts) >= 4
    assert all(len(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts) == long_text
    assert parts[0].reply_to == update["message"]["message_id"]
    assert all(p.reply_to is None for p in parts[1:])
    assert parts[-1].buttons and not any(p.buttons for p in parts[:-1])


async def test_a_failing_handler_does_not_stop_polling(adapter, fake, caplog):
    def answer(inc):
        if inc.text == "boom":
            raise RuntimeError("handler exploded")
        return [Outgoing("vẫn chạy")]

    core = Recorder(answer)
    with caplog.at_level(logging.DEBUG):
        async with running(make_channel(adapter, fake), core):
            fake.push_text(4242, 77, "boom")
            await core.wait(1)
            fake.push_text(4242, 77, "còn đó không?")
            [reply] = await fake.wait_for_sent(1)
    assert reply.text == "vẫn chạy"
    assert [inc.text for inc in core.got] == ["boom", "còn đó không?"]
    assert "handler exploded" in caplog.text
    assert fake.token.split(":")[1] not in caplog.text


async def test_polling_survives_the_api_going_away_and_coming_back(adapter, fake):
    core = Recorder(lambda inc: [Outgoing("ok")])
    async with running(make_channel(adapter, fake), core):
        fake.push_text(4242, 77, "một")
        await fake.wait_for_sent(1)
        await fake.stop()
        await asyncio.sleep(0.3)
        await fake.start()  # same port
        fake.push_text(4242, 77, "hai")
        await fake.wait_for_sent(2, timeout=20)
    assert [inc.text for inc in core.got] == ["một", "hai"]


# ---- sending and its errors ---------------------------------------------------------------


async def test_send_returns_the_message_id(adapter, fake):
    channel = make_channel(adapter, fake)
    try:
        first = await channel.send("4242", Outgoing("a"))
        second = await channel.send("4243", Outgoing("b", BUTTONS))
    finally:
        await channel.stop()
    assert int(second.message_id) > int(first.message_id)
    assert [m.message_id for m in fake.sent] == [int(first.message_id), int(second.message_id)]
    assert fake.sent[1].buttons[0][0] == ("Đã xong", "done:17")


async def test_send_past_the_per_chat_limit_raises_retry_after(adapter, fake):
    channel = make_channel(adapter, fake)
    try:
        with pytest.raises(RetryAfter) as caught:
            for i in range(30):  # burst of 3, then 1 a second: fails long before 30
                await channel.send("4242", Outgoing(f"tin {i}"))
    finally:
        await channel.stop()
    assert caught.value.seconds >= 1
    assert fake.rate_limited == 1 and fake.rate_limited_by["chat"] == 1
    assert len(fake.sent) < 30


async def test_send_to_a_group_past_twenty_a_minute_raises_retry_after(adapter):
    limits = Limits(per_chat_per_second=1000, per_chat_burst=1000)  # only the group limit left
    async with FakeTelegram(limits=limits) as tg:
        channel = make_channel(adapter, tg)
        try:
            for i in range(20):
                await channel.send("-100500", Outgoing(f"tin {i}"))
            with pytest.raises(RetryAfter) as caught:
                await channel.send("-100500", Outgoing("tin 21"))
        finally:
            await channel.stop()
    assert caught.value.seconds >= 1
    assert tg.rate_limited_by["group"] == 1


@pytest.mark.parametrize("setup, error", [
    (lambda tg: tg.block(4242), ChatGone),
    (lambda tg: tg.kick(4242), ChatGone),
    (lambda tg: tg.forget_chat(4242), ChatGone),
    (lambda tg: tg.fail_next("sendMessage", 502, "Bad Gateway"), TransientError),
    (lambda tg: tg.fail_next("sendMessage", 500, "Internal Server Error"), TransientError),
    (lambda tg: tg.fail_next("sendMessage", 400, "Bad Request: can't parse entities"),
     PermanentError),
])
async def test_send_errors_map_to_channel_errors(adapter, fake, setup, error):
    setup(fake)
    channel = make_channel(adapter, fake)
    try:
        with pytest.raises(error) as caught:
            await channel.send("4242", Outgoing("Nhắc việc #17"))
    finally:
        await channel.stop()
    assert fake.token.split(":")[1] not in str(caught.value)
    assert fake.sent == []
    assert len(fake.calls_of("sendMessage")) == 1  # the library did not retry by itself


async def test_send_of_a_too_long_text_is_a_permanent_error(adapter, fake):
    channel = make_channel(adapter, fake)
    try:
        with pytest.raises(PermanentError, match="too long"):
            await channel.send("4242", Outgoing("x" * 4097))
        await channel.send("4242", Outgoing("x" * 4096))  # exactly the limit is fine
    finally:
        await channel.stop()
    assert len(fake.sent) == 1


async def test_send_while_the_network_is_down_is_transient(adapter, fake):
    channel = make_channel(adapter, fake)
    await fake.stop()
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send("4242", Outgoing("Nhắc việc #17"))
    finally:
        await channel.stop()
    assert fake.token.split(":")[1] not in str(caught.value)
    assert fake.token.split(":")[1] not in repr(channel)


async def test_send_document(adapter, fake):
    channel = make_channel(adapter, fake)
    try:
        sent = await channel.send_document("4242", "bao-cao-thang-11.xlsx", b"PK\x03\x04 xlsx",
                                           caption="Báo cáo tháng 11")
        fake.block(4243)
        with pytest.raises(ChatGone):
            await channel.send_document("4243", "a.txt", b"a")
    finally:
        await channel.stop()
    [doc] = fake.sent
    assert (doc.method, doc.file_name, doc.text) == (
        "sendDocument", "bao-cao-thang-11.xlsx", "Báo cáo tháng 11")
    assert str(doc.message_id) == sent.message_id
    stored = fake.calls_of("sendDocument")[0].params
    assert any(isinstance(v, dict) and v.get("content") == b"PK\x03\x04 xlsx"
               for v in stored.values())


async def test_username_comes_from_get_me(adapter, fake):
    channel = make_channel(adapter, fake)
    try:
        assert await channel.username() == "nhacviec_test_bot"
    finally:
        await channel.stop()


# ---- webhook mode ---------------------------------------------------------------------------


async def test_webhook_checks_the_secret_and_handles_updates(adapter, fake):
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    secret = "s3cret-Token_for-tests"
    core = Recorder(lambda inc: [Outgoing(f"nhận {inc.text}")])
    channel = make_channel(adapter, fake, webhook_url=url, webhook_secret=secret,
                           host="127.0.0.1", port=port)
    async with running(channel, core):
        await fake.wait_until(lambda: fake.webhook is not None, what="setWebhook")
        assert fake.webhook["url"] == url and fake.webhook["secret_token"] == secret

        fake.push_text(4242, 77, "qua webhook")  # the fake POSTs it with the right secret
        [reply] = await fake.wait_for_sent(1)

        forged = {"update_id": 999, "message": {
            "message_id": 5, "date": 1700000000, "text": "giả mạo",
            "chat": {"id": 4242, "type": "private", "first_name": "X"},
            "from": {"id": 77, "is_bot": False, "first_name": "X"}}}
        statuses = []
        async with aiohttp.ClientSession() as http:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {},
                            {"X-Telegram-Bot-Api-Secret-Token": secret + "x"}):
                async with http.post(url, json=forged, headers=headers) as resp:
                    statuses.append(resp.status)
        await asyncio.sleep(0.2)  # give a wrongly accepted update time to show up

    assert reply.text == "nhận qua webhook"
    assert fake.webhook_responses == [200]
    assert all(status in (401, 403) for status in statuses)
    assert [inc.text for inc in core.got] == ["qua webhook"]


async def test_webhook_mode_without_a_secret_makes_one_up(adapter, fake):
    port = free_port()
    channel = make_channel(adapter, fake, webhook_url=f"http://127.0.0.1:{port}/",
                           host="127.0.0.1", port=port)
    async with running(channel, Recorder()):
        await fake.wait_until(lambda: fake.webhook is not None, what="setWebhook")
    assert len(fake.webhook["secret_token"]) >= 32


def test_a_webhook_secret_telegram_would_refuse_is_rejected_at_once(adapter):
    with pytest.raises(ValueError, match="webhook secret"):
        adapter("1:x", "http://127.0.0.1:9", webhook_url="https://x/hook", webhook_secret="có dấu")


# ---- pure conversion ------------------------------------------------------------------------


def test_unknown_updates_are_ignored_and_callbacks_without_message_are_private():
    assert incoming_from_update({"update_id": 1, "edited_message": {}}) is None
    incoming = incoming_from_update({"update_id": 2, "callback_query": {
        "id": "q", "from": {"id": 5, "first_name": "An", "is_bot": False}, "data": "x",
        "chat_instance": "c"}})
    assert (incoming.chat_id, incoming.chat_type, incoming.button_data, incoming.message_id) == (
        "5", "private", "x", None)


def test_command_for_us():
    assert command_for_us("/start@my_bot ABC123", "my_bot") == "/start ABC123"
    assert command_for_us("/start@my_bot", "My_Bot") == "/start"
    assert command_for_us("/start@else_bot", "my_bot") is None
    assert command_for_us("/start ABC@x", "my_bot") == "/start ABC@x"
    assert command_for_us("email a@b.c", "my_bot") == "email a@b.c"


def test_reply_parts_keep_reply_to_first_and_buttons_last():
    parts = reply_parts(Outgoing("a" * 10 + "\n" + "b" * 10, BUTTONS, reply_to="3"), 12)
    assert [p.text for p in parts] == ["a" * 10, "b" * 10]
    assert (parts[0].reply_to, parts[0].buttons) == ("3", ())
    assert (parts[1].reply_to, parts[1].buttons) == (None, BUTTONS)
    single = Outgoing("short", BUTTONS, reply_to="3")
    assert reply_parts(single, 12) == [single]


async def test_download_returns_the_file_someone_sent(adapter):
    async with FakeTelegram(limits=None) as fake:
        channel = adapter(fake.token, fake.base_url, poll_timeout=1)
        got: list[Incoming] = []

        async def on_incoming(msg):
            got.append(msg)
            return []

        task = asyncio.create_task(channel.start(on_incoming))
        try:
            fake.push_document(42, 42, file_name="thong-bao.docx", content=b"PK fake docx bytes")
            await fake.wait_until(lambda: got, timeout=10, what="document received")
            assert got[0].attachment.file_name == "thong-bao.docx"
            assert await channel.download(got[0].attachment.file_id) == b"PK fake docx bytes"
        finally:
            await channel.stop()
            await asyncio.gather(task, return_exceptions=True)
