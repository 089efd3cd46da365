"""Thin per-platform drivers for the contract suite: they hide how each fake Bot API server is
poked (a user's text, a button press, a reply) and read (what the bot sent), so that one set of
conversations runs unchanged on aiogram, python-telegram-bot and Zalo.

A "person" is a small int; each driver maps it to its platform's chat id (Telegram: an int,
Zalo: a hex string) and `chat_id(person)` gives the string the core stores.
"""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

from bot.channels.base import Incoming
from bot.channels.console import ConsoleChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_ptb import PTBTelegramChannel
from bot.channels.zalo import ZaloChannel
from handlers.commands import channel_commands
from tests.fakes.fake_telegram import ApiError, FakeTelegram
from tests.fakes.fake_zalo import FakeZaloServer

POLL_TIMEOUT = 1  # seconds: short long-polls keep start/stop quick


@dataclass(frozen=True)
class Seen:
    """One message the bot sent, the same shape on every platform."""

    chat_id: str
    text: str
    message_id: str
    buttons: tuple[tuple[str, str], ...] = field(default=())  # (label, data); Telegram only


class Unsupported(Exception):
    """The platform has no such feature (Zalo: reply-to)."""


class _ThrottlingFakeTelegram(FakeTelegram):
    """The fake Telegram server, able to answer the next sends with a real 429 + retry_after
    (FakeTelegram.fail_next sends no `parameters.retry_after`, so the frameworks would not see
    a rate limit but a generic error)."""

    def __init__(self) -> None:
        super().__init__(limits=None)
        self.throttle_next = 0

    def _check_limits(self, chat_id):
        if self.throttle_next > 0:
            self.throttle_next -= 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        super()._check_limits(chat_id)


class TelegramDriver:
    platform = "telegram"
    supports_reply_to = True
    max_text = 4096

    def __init__(self, adapter: type):
        self.adapter = adapter
        self.fake = _ThrottlingFakeTelegram()
        self.channel = None

    async def start(self) -> None:
        await self.fake.start()
        self.channel = self.adapter(self.fake.token, self.fake.base_url, poll_timeout=POLL_TIMEOUT,
                                    commands=channel_commands("vi"))

    async def stop(self) -> None:
        await self.fake.stop()

    @property
    def token(self) -> str:
        return self.fake.token

    def _native(self, person: int) -> int:
        return 700_000 + person

    def chat_id(self, person: int) -> str:
        return str(self._native(person))

    def say(self, person: int, text: str, name: str = "Lan") -> None:
        self.fake.push_text(self._native(person), self._native(person), text, first_name=name)

    def reply(self, person: int, to: Seen, text: str) -> None:
        chat = self._native(person)
        self.fake.push_text(chat, chat, text, reply_to_message_id=int(to.message_id))

    def press(self, person: int, message: Seen, label: str) -> None:
        data = dict(message.buttons)[label]
        chat = self._native(person)
        self.fake.push_callback(chat, chat, data, int(message.message_id))

    def labels(self, message: Seen) -> list[str]:
        return [label for label, _ in message.buttons]

    def sent(self) -> list[Seen]:
        return [Seen(str(m.chat_id), m.text or "", str(m.message_id),
                     tuple(b for row in m.buttons for b in row)) for m in self.fake.sent]

    def throttle_next_send(self) -> None:
        self.fake.throttle_next += 1

    def rate_limited(self) -> int:
        return self.fake.rate_limited

    def make_gone(self, person: int) -> None:
        self.fake.block(self._native(person))


_CHOICE = re.compile(r"^(\d+)\. (.+)$")


class ZaloDriver:
    platform = "zalo"
    supports_reply_to = False
    max_text = 2000

    def __init__(self) -> None:
        self.fake = FakeZaloServer(max_poll_timeout=POLL_TIMEOUT)
        self.channel = None

    async def start(self) -> None:
        await self.fake.start()
        self.channel = ZaloChannel(self.fake.token, self.fake.base_url, poll_timeout=POLL_TIMEOUT,
                                  commands=channel_commands("vi"))

    async def stop(self) -> None:
        await self.fake.stop()

    @property
    def token(self) -> str:
        return self.fake.token

    def chat_id(self, person: int) -> str:
        return f"{0x5a10000 + person:x}"  # Zalo ids are strings

    def say(self, person: int, text: str, name: str = "Lan") -> None:
        self.fake.push_text(self.chat_id(person), self.chat_id(person), text, display_name=name)

    def reply(self, person: int, to: Seen, text: str) -> None:
        raise Unsupported("Zalo has no reply-to")

    def press(self, person: int, message: Seen, label: str) -> None:
        """Zalo shows buttons as numbered lines: answer with the number."""
        for line in message.text.splitlines():
            found = _CHOICE.match(line.strip())
            if found and found.group(2) == label:
                self.say(person, found.group(1))
                return
        raise AssertionError(f"no numbered choice {label!r} in {message.text!r}")

    def labels(self, message: Seen) -> list[str]:
        return [m.group(2) for line in message.text.splitlines()
                if (m := _CHOICE.match(line.strip()))]

    def sent(self) -> list[Seen]:
        return [Seen(m["chat_id"], m["text"], m["message_id"]) for m in self.fake.sent]

    def throttle_next_send(self) -> None:
        self.fake.fail_next(1, "429", retry_after=1)

    def rate_limited(self) -> int:
        # Every sendMessage call the fake answered without recording a message was refused.
        return self.fake.calls.count("sendMessage") - len(self.fake.sent)

    def make_gone(self, person: int) -> None:
        self.fake.mark_gone(self.chat_id(person))


def make_driver(name: str):
    if name == "aiogram":
        return TelegramDriver(TelegramChannel)
    if name == "ptb":
        return TelegramDriver(PTBTelegramChannel)
    if name == "zalo":
        return ZaloDriver()
    if name == "console":
        return ConsoleDriver()
    raise ValueError(name)


async def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.02)


class ConsoleDriver:
    """The console channel: what a person types is pushed straight into the started channel."""

    platform = "console"
    supports_reply_to = True
    max_text = 4096

    def __init__(self) -> None:
        self.channel = ConsoleChannel(show=lambda chat_id, out: None, group_chats={"g-1"})

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def chat_id(self, person: int) -> str:
        return f"c-{person}"

    def say(self, person: int, text: str, name: str = "Lan") -> None:
        chat = self.chat_id(person)
        asyncio.get_running_loop().create_task(self.channel.push(
            Incoming(channel="console", chat_id=chat, user_id=chat, text=text, user_name=name)))

    def press(self, person: int, message: Seen, label: str) -> None:
        chat = self.chat_id(person)
        asyncio.get_running_loop().create_task(self.channel.push(Incoming(
            channel="console", chat_id=chat, user_id=chat, kind="button",
            button_data=dict(message.buttons)[label], message_id=message.message_id)))

    def sent(self) -> list[Seen]:
        return [Seen(chat_id, out.text, message_id,
                     tuple((b.text, b.data) for row in out.buttons for b in row))
                for chat_id, out, message_id in self.channel.sent]
