"""ZaloChannel against the fake Zalo Bot API server on loopback (tests/fakes/fake_zalo.py)."""
from __future__ import annotations

import asyncio
import logging
import re
import socket

import httpx
import pytest

from bot.channels.base import (
    Button,
    ChatGone,
    CommandInfo,
    Incoming,
    Outgoing,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.channels.zalo import (
    DEFAULT_RETRY_AFTER,
    ZaloChannel,
    as_command,
    command_words,
    fold,
    match_choice,
    update_to_incoming,
)
from handlers.commands import COMMANDS, channel_commands
from tests.fakes.fake_zalo import FakeZaloServer

WORDS = command_words(channel_commands("vi"))  # the core's command registry

HINT_VI = "Trả lời bằng số thứ tự (ví dụ: 1) hoặc nội dung lựa chọn."
PROGRESS_BUTTONS = ((Button("Đã xong", "done:17"), Button("Đang thực hiện", "doing:17")),
                    (Button("Xin gia hạn", "ext:17"),))


class Recorder:
    """The core's on_incoming: records what arrives and answers with preset replies."""

    def __init__(self, replies=None):
        self.received: asyncio.Queue[Incoming] = asyncio.Queue()
        self.all: list[Incoming] = []
        self.replies = replies or (lambda incoming: [])

    async def __call__(self, incoming: Incoming) -> list[Outgoing]:
        self.all.append(incoming)
        self.received.put_nowait(incoming)
        return self.replies(incoming)

    async def next(self, timeout: float = 5.0) -> Incoming:
        return await asyncio.wait_for(self.received.get(), timeout)


@pytest.fixture
async def zalo():
    async with FakeZaloServer() as server:
        yield server


class Runner:
    """Starts channels (polling or webhook) against the fake and stops them afterwards."""

    def __init__(self):
        self.tasks: dict[int, tuple[ZaloChannel, asyncio.Task]] = {}

    async def __call__(self, channel: ZaloChannel, handler) -> ZaloChannel:
        task = asyncio.create_task(channel.start(handler))
        self.tasks[id(channel)] = (channel, task)
        ready = asyncio.create_task(channel.ready.wait())
        await asyncio.wait({task, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if task.done():
            task.result()  # surface a start failure
        assert channel.ready.is_set()
        return channel

    async def stop(self, channel: ZaloChannel) -> None:
        """stop() and wait until start() returned (webhook work accepted is drained by then)."""
        _, task = self.tasks.pop(id(channel))
        await channel.stop()
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def running():
    runner = Runner()
    yield runner
    for channel, _ in list(runner.tasks.values()):
        await runner.stop(channel)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----- pure helpers ---------------------------------------------------------------------------


def test_fold_ignores_case_and_vietnamese_diacritics():
    assert fold("  Đang THỰC hiện. ") == "dang thuc hien"
    assert fold("Đã xong!") == "da xong"


def test_match_choice_by_number_or_words():
    choices = [b for row in PROGRESS_BUTTONS for b in row]
    assert match_choice("2", choices).data == "doing:17"
    assert match_choice(" 3. ", choices).data == "ext:17"
    assert match_choice("đang thực hiện", choices).data == "doing:17"
    assert match_choice("DANG THUC HIEN", choices).data == "doing:17"
    assert match_choice("4", choices) is None
    assert match_choice("0", choices) is None
    assert match_choice("đang làm tiếp", choices) is None
    assert match_choice("1", []) is None


def test_as_command_accepts_words_with_or_without_slash():
    assert as_command("status", WORDS) == "/status"
    assert as_command("  Status ", WORDS) == "/status"
    assert as_command("/tasks", WORDS) == "/tasks"
    assert as_command("lang en", WORDS) == "/lang en"
    assert as_command("start  ABC123", WORDS) == "/start ABC123"
    assert as_command("#17 xong", WORDS) is None
    assert as_command("statusx", WORDS) is None
    assert as_command("", WORDS) is None


def test_every_registered_command_is_a_zalo_command_with_or_without_slash():
    assert len(WORDS) >= len(COMMANDS) > 10
    for command in COMMANDS:
        for word in (command.name, *command.aliases):
            assert as_command(f"{word} 17", WORDS) == f"/{command.name} 17"
            assert as_command(f"/{word.upper()}", WORDS) == f"/{command.name}"


def test_aliases_become_their_command():
    words = command_words([CommandInfo("status", "tình hình", ("tinhhinh",))])
    assert as_command("TinhHinh Phường 1", words) == "/status Phường 1"
    assert as_command("/tinhhinh", words) == "/status"
    assert as_command("tasks", words) is None  # only the commands it was given


def test_update_to_incoming_maps_group_photo_and_unknown_events():
    update = {
        "event_name": "message.image.received",
        "message": {
            "message_id": "ab12", "date": 1764480000000,
            "chat": {"id": "g1", "chat_type": "GROUP"},
            "from": {"id": "u1", "display_name": "Trần Thị B", "is_bot": False},
            "photo_url": "https://x/p.jpg", "caption": "biên bản",
        },
    }
    incoming = update_to_incoming(update)
    assert (incoming.kind, incoming.chat_type, incoming.text) == ("photo", "group", "biên bản")
    assert incoming.attachment.file_id == "https://x/p.jpg"
    assert (incoming.update_id, incoming.message_id, incoming.user_name) == ("ab12", "ab12", "Trần Thị B")
    update["event_name"] = "message.unsupported.received"
    assert update_to_incoming(update).kind == "other"
    assert update_to_incoming({"event_name": "x"}) is None


# ----- the fake follows the platform facts ----------------------------------------------------


async def test_fake_server_follows_zalo_facts(zalo):
    base = f"{zalo.base_url}/bot{zalo.token}"
    async with httpx.AsyncClient() as http:
        me = (await http.post(f"{base}/getMe", json={})).json()
        assert me["ok"] and me["result"]["account_name"] == "bot.NhacViec"

        ok = (await http.post(f"{base}/sendMessage", json={"chat_id": "c1", "text": "x" * 2000})).json()
        assert ok["ok"] and re.fullmatch(r"[0-9a-f]+", ok["result"]["message_id"])
        assert ok["result"]["date"] > 10**12  # milliseconds
        for text in ("", "x" * 2001):
            refused = await http.post(f"{base}/sendMessage", json={"chat_id": "c1", "text": text})
            assert refused.status_code == 200 and refused.json()["ok"] is False
            assert refused.json()["error_code"] == 400

        empty = (await http.post(f"{base}/getUpdates", json={"timeout": 0})).json()
        assert empty == {"ok": False, "error_code": 408, "description": empty["description"]}

        zalo.push_text("c1", "u1", "một")
        zalo.push_text("c1", "u1", "hai")
        first = (await http.post(f"{base}/getUpdates", json={"timeout": 1})).json()
        assert first["ok"] and first["result"]["message"]["text"] == "một"  # one update per call
        assert zalo.pending_updates == 1

        short = (await http.post(f"{base}/setWebhook", json={"url": "https://x/h", "secret_token": "short"})).json()
        assert short["ok"] is False
        answer = await http.post(f"{base}/setWebhook", json={"url": "https://x/h", "secret_token": "s" * 8})
        assert answer.json()["ok"]
        refused = (await http.post(f"{base}/getUpdates", json={"timeout": 0})).json()
        assert refused["ok"] is False and refused["error_code"] != 408
        info = (await http.post(f"{base}/getWebhookInfo", json={})).json()
        assert info["result"]["url"] == "https://x/h"

        wrong_token = await http.post(f"{zalo.base_url}/botnope/getMe", json={})
        assert wrong_token.status_code == 401


# ----- polling --------------------------------------------------------------------------------


async def test_polling_delivers_text_image_sticker_and_replies(zalo, running):
    core = Recorder(lambda incoming: [Outgoing(f"Đã nhận: {incoming.kind}")])
    channel = await running(ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1), core)

    zalo.push_text("chat-1", "user-1", "#17 xong", display_name="Lê Văn C")
    text = await core.next()
    assert (text.channel, text.kind, text.text) == ("zalo", "text", "#17 xong")
    assert (text.chat_id, text.user_id, text.user_name, text.chat_type) == ("chat-1", "user-1", "Lê Văn C", "private")
    assert text.update_id == text.message_id and re.fullmatch(r"[0-9a-f]+", text.update_id)

    zalo.push_image("grp-1", "user-1", "https://zalo.example/a.jpg", caption="ảnh biên bản", chat_type="GROUP")
    photo = await core.next()
    assert (photo.kind, photo.text, photo.chat_type) == ("photo", "ảnh biên bản", "group")
    assert photo.attachment.kind == "photo" and photo.attachment.file_id == "https://zalo.example/a.jpg"

    zalo.push_sticker("chat-1", "user-1")
    assert (await core.next()).kind == "sticker"
    zalo.push_unsupported("chat-1", "user-1")
    assert (await core.next()).kind == "other"

    sent = await zalo.wait_for_sent(4)
    assert [(m["chat_id"], m["text"]) for m in sent] == [
        ("chat-1", "Đã nhận: text"), ("grp-1", "Đã nhận: photo"),
        ("chat-1", "Đã nhận: sticker"), ("chat-1", "Đã nhận: other"),
    ]
    assert channel.capabilities.max_text == 2000 and not channel.capabilities.buttons


async def test_empty_polls_loop_quietly(caplog, running):
    caplog.set_level(logging.INFO)
    async with FakeZaloServer(max_poll_timeout=0.05) as zalo:
        core = Recorder()
        await running(ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1), core)
        for _ in range(200):
            if zalo.calls.count("getUpdates") >= 4:
                break
            await asyncio.sleep(0.02)
        assert zalo.calls.count("getUpdates") >= 4  # several 408s answered, still polling
        zalo.push_text("c", "u", "sau nhiều lần chờ")
        assert (await core.next()).text == "sau nhiều lần chờ"
    assert not [r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.WARNING]


async def test_polling_backs_off_and_recovers_after_errors(zalo, running, caplog):
    zalo.fail_next(2, "500", method="getUpdates")
    core = Recorder()
    channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
    channel.initial_backoff = 0.05
    await running(channel, core)
    zalo.push_text("c", "u", "vẫn tới")
    assert (await core.next(timeout=10)).text == "vẫn tới"
    assert sum("getUpdates failed" in r.getMessage() for r in caplog.records) == 2


async def test_buttons_become_numbered_choices_answered_by_number_or_words(zalo, running):
    def replies(incoming):
        if incoming.kind == "text" and incoming.text == "#17":
            return [Outgoing("Nhiệm vụ #17: tiến độ thế nào?", buttons=PROGRESS_BUTTONS)]
        return []

    core = Recorder(replies)
    await running(ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1), core)
    zalo.push_text("chat-1", "user-1", "#17")
    await core.next()
    (offer,) = await zalo.wait_for_sent(1)
    assert offer["text"] == (
        "Nhiệm vụ #17: tiến độ thế nào?\n\n1. Đã xong\n2. Đang thực hiện\n3. Xin gia hạn\n" + HINT_VI
    )

    zalo.push_text("chat-1", "user-1", "2")
    pressed = await core.next()
    assert (pressed.kind, pressed.button_data) == ("button", "doing:17")
    zalo.push_text("chat-1", "user-1", "đang THUC hiện")
    assert (await core.next()).button_data == "doing:17"
    zalo.push_text("chat-1", "user-1", "Xin gia hạn.")
    assert (await core.next()).button_data == "ext:17"
    # Another chat was offered nothing: "2" there is plain text.
    zalo.push_text("chat-2", "user-2", "2")
    other = await core.next()
    assert (other.kind, other.button_data, other.text) == ("text", None, "2")


async def test_send_remembers_choices_for_proactive_messages(zalo, running):
    core = Recorder()
    channel = await running(ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1, locale="en"), core)
    await channel.send("chat-9", Outgoing("Reminder: task #3 is due 15/05/2026.", buttons=(
        (Button("Done", "done:3"), Button("Need more time", "ext:3")),
    )))
    (reminder,) = await zalo.wait_for_sent(1)
    assert reminder["text"].endswith("1. Done\n2. Need more time\n"
                                     "Reply with the number (for example: 1) or the words of your choice.")
    zalo.push_text("chat-9", "u", "need more time")
    assert (await core.next()).button_data == "ext:3"


async def test_command_words_arrive_as_slash_commands(zalo, running):
    core = Recorder()
    await running(ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1,
                              commands=channel_commands("vi")), core)
    for said in ("status", "/Overdue", "lang en", "xong", "return 17 thiếu số liệu"):
        zalo.push_text("c", "u", said)
    assert [(await core.next()).text for _ in range(5)] == [
        "/status", "/overdue", "/lang en", "xong", "/return 17 thiếu số liệu"]


# ----- sending and error mapping --------------------------------------------------------------


async def test_long_text_is_split_on_line_boundaries(zalo):
    channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
    lines = [f"{i:03d}. Phòng Kinh tế chủ trì, phối hợp các đơn vị liên quan." for i in range(80)]
    text = "\n".join(lines)
    assert len(text) > 4000
    sent = await channel.send("chat-1", Outgoing(text))
    parts = [m["text"] for m in zalo.sent]
    assert len(parts) == 3 and all(1 <= len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == text
    assert sent.message_id == zalo.sent[0]["message_id"]
    await channel.aclose()


async def test_retry_of_a_split_message_skips_parts_already_delivered(zalo):
    channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
    text = "\n".join(f"Dòng {i}: " + "nội dung " * 20 for i in range(40))
    zalo.fail_next(1, "500", skip=1)  # the second part fails
    with pytest.raises(TransientError):
        await channel.send("chat-1", Outgoing(text))
    assert len(zalo.sent) == 1
    await channel.send("chat-1", Outgoing(text))  # the dispatcher's retry
    parts = [m["text"] for m in zalo.sent]
    assert "\n".join(parts) == text and len(parts) == len(set(parts))
    await channel.aclose()


async def test_send_errors_map_to_channel_errors(zalo):
    channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
    zalo.fail_next(1, "429", retry_after=7)
    with pytest.raises(RetryAfter) as limited:
        await channel.send("c", Outgoing("a"))
    assert limited.value.seconds == 7

    zalo.fail_next(1, "429", retry_after=None)
    with pytest.raises(RetryAfter) as limited:
        await channel.send("c", Outgoing("a"))
    assert limited.value.seconds == DEFAULT_RETRY_AFTER

    # 5xx and ok:false say the message was not delivered: retried (issue 5), no duplicate risk.
    zalo.fail_next(1, "500")
    with pytest.raises(TransientError) as server_error:
        await channel.send("c", Outgoing("a"))
    assert server_error.value.maybe_sent is False

    zalo.fail_next(1, "ok_false")
    with pytest.raises(TransientError) as refused:
        await channel.send("c", Outgoing("a"))
    assert refused.value.maybe_sent is False

    zalo.mark_gone("blocked-chat")
    with pytest.raises(ChatGone):
        await channel.send("blocked-chat", Outgoing("a"))

    with pytest.raises(PermanentError):
        await channel.send("c", Outgoing("  \n "))

    assert zalo.sent == []
    assert (await channel.send("c", Outgoing("a"))).message_id == zalo.sent[0]["message_id"]
    await channel.aclose()


async def test_unreachable_server_is_transient_and_safe_to_retry():
    channel = ZaloChannel("123:secret-token-value", f"http://127.0.0.1:{free_port()}", poll_timeout=1)
    with pytest.raises(TransientError) as unreachable:
        await channel.send("c", Outgoing("a"))
    assert unreachable.value.maybe_sent is False
    assert "secret-token-value" not in str(unreachable.value)
    await channel.aclose()


async def test_lost_answer_is_transient_but_maybe_sent(zalo, caplog):
    caplog.set_level(logging.DEBUG)
    channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
    channel.send_timeout = 0.2
    zalo.fail_next(1, "slow", delay=1.0)
    with pytest.raises(TransientError) as lost:
        await channel.send("c", Outgoing("có thể đã tới"))
    assert lost.value.maybe_sent is True  # the dispatcher must not blindly resend
    assert [m["text"] for m in zalo.sent] == ["có thể đã tới"]
    assert zalo.token.split(":")[1] not in f"{lost.value!s} {lost.value!r}{caplog.text}"
    await channel.aclose()


async def test_account_name_via_get_me(zalo):
    channel = ZaloChannel(zalo.token, zalo.base_url)
    assert await channel.account_name() == "bot.NhacViec"
    await channel.aclose()
    with pytest.raises(PermanentError):
        await ZaloChannel("wrong:token", zalo.base_url).account_name()


async def test_token_never_in_logs_or_errors(zalo, caplog):
    caplog.set_level(logging.DEBUG)
    channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
    errors: list[Exception] = []
    await channel.account_name()
    await channel.send("c", Outgoing("xin chào"))
    for kind in ("429", "500", "ok_false"):
        zalo.fail_next(1, kind)
        try:
            await channel.send("c", Outgoing("a"))
        except Exception as exc:  # noqa: BLE001 - collecting them all
            errors.append(exc)
    await channel.aclose()
    assert len(errors) == 3
    assert "httpx" in {r.name for r in caplog.records}  # the request log line was there...
    secret_part = zalo.token.split(":")[1]
    assert secret_part not in caplog.text  # ...scrubbed
    assert all(secret_part not in f"{e!s} {e!r}" for e in errors)
    assert secret_part not in repr(channel)


# ----- webhook --------------------------------------------------------------------------------


async def test_webhook_mode(zalo, running):
    port = free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    core = Recorder(lambda incoming: [Outgoing("Đã ghi nhận.")])
    channel = ZaloChannel(zalo.token, zalo.base_url, webhook_url=url, webhook_secret="s3cret-webhook-value",
                          host="127.0.0.1", port=port, commands=channel_commands("vi"))
    await running(channel, core)
    assert zalo.webhook == {"url": url, "secret_token": "s3cret-webhook-value"}

    wrapped = zalo.make_update("message.text.received", "c1", "u1", text="#17 xong")
    assert await zalo.post_webhook(url, wrapped, wrapped=True) == 200
    assert (await core.next()).text == "#17 xong"

    bare = zalo.make_update("message.text.received", "c1", "u1", text="status")
    assert await zalo.post_webhook(url, bare, wrapped=False) == 200
    assert (await core.next()).text == "/status"

    duplicate = await zalo.post_webhook(url, wrapped, wrapped=False)
    assert duplicate == 200
    intruder = zalo.make_update("message.text.received", "c1", "u1", text="giả mạo")
    assert await zalo.post_webhook(url, intruder, secret="wrong-secret-value") == 403
    assert await zalo.post_webhook(url, intruder, send_header=False) == 401

    await running.stop(channel)  # drains what was accepted
    assert [i.text for i in core.all] == ["#17 xong", "/status"]
    assert [m["text"] for m in zalo.sent] == ["Đã ghi nhận.", "Đã ghi nhận."]


async def test_webhook_duplicate_delivered_concurrently_is_handled_once(zalo, running):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    core = Recorder()
    channel = ZaloChannel(zalo.token, zalo.base_url, webhook_url=url, host="127.0.0.1", port=port)
    await running(channel, core)
    assert 8 <= len(zalo.webhook["secret_token"]) <= 256  # generated when none is configured
    update = zalo.make_update("message.text.received", "c1", "u1", text="một lần thôi")
    statuses = await asyncio.gather(*(zalo.post_webhook(url, update) for _ in range(3)))
    assert statuses == [200, 200, 200]
    await running.stop(channel)
    assert [i.text for i in core.all] == ["một lần thôi"]
