"""The contract between the channel-neutral core and each chat platform.

A channel turns platform updates into `Incoming` and hands them to the core's `on_incoming`
callback, which returns the immediate answers as `Outgoing`; the channel sends those back.
Proactive messages (reminders, digests) are sent by the dispatcher through `Channel.send`.
Nothing in a channel knows what a task is; nothing in the core knows which platform it talks to.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Literal, Protocol, Sequence


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # at most 64 bytes (Telegram's callback_data limit)


@dataclass(frozen=True)
class Attachment:
    kind: Literal["document", "photo"]
    file_id: str  # platform file id or URL
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    channel: str  # "telegram" | "zalo" | "console"
    chat_id: str
    user_id: str
    text: str = ""
    user_name: str = ""
    chat_type: Literal["private", "group"] = "private"
    message_id: str | None = None
    reply_to: str | None = None  # platform id of the message this one answers
    button_data: str | None = None  # set when a button was pressed
    update_id: str | None = None  # unique per channel: used to drop duplicates
    language: str | None = None  # the platform's hint (Telegram's language_code)
    attachment: Attachment | None = None
    kind: Literal["text", "button", "sticker", "photo", "document", "other"] = "text"
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Outgoing:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    reply_to: str | None = None


@dataclass(frozen=True)
class Capabilities:
    max_text: int
    buttons: bool
    reply_to: bool
    groups: bool = True  # the platform has group chats at all; which chat is one: Channel.is_group


@dataclass(frozen=True)
class CommandInfo:
    """A command the core understands, as a channel offers it (Telegram's menu, Zalo's words);
    the composition root gives each channel the core's list."""
    name: str
    description: str  # for a menu, in the default language
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sent:
    message_id: str | None


class ChannelError(Exception):
    """Base of what `Channel.send` raises; the dispatcher decides what to do from the type."""


class RetryAfter(ChannelError):
    def __init__(self, seconds: float):
        super().__init__(f"rate limited, retry after {seconds}s")
        self.seconds = seconds


class ChatGone(ChannelError):
    """The person blocked the bot or the chat no longer exists: deactivate the contact."""


class TransientError(ChannelError):
    """Network trouble or a 5xx: retry with backoff.

    `maybe_sent` is True when the request reached the platform and only the answer was lost (a
    read timeout): the message may have been delivered, and a retry could duplicate it."""

    maybe_sent: bool = False


class PermanentError(ChannelError):
    """The platform refused this message for good (400): do not retry."""


class NotStored(Exception):
    """Raised by the core's `on_incoming` when the update could not be committed to the inbox
    (database locked, gone or full, after a bounded retry). The channel must not confirm it to
    the platform (no offset past it, an error status to a webhook), so that it comes again; where
    the platform cannot send it again, the sender is asked to."""


# Returns the immediate answers; raises NotStored when the update was not kept.
IncomingHandler = Callable[[Incoming], Awaitable[list[Outgoing]]]


class Channel(ABC):
    """What every adapter (aiogram, python-telegram-bot, Zalo, the console) implements fully.

    An ABC rather than a Protocol so that an adapter missing a method fails when it is built,
    not when the dispatcher first needs it. tests/contract/test_channels.py checks each adapter.

    Lifecycle: `start` receives until `stop`; `stop` ends receiving (and is safe before `start`);
    `aclose` releases what sending holds (HTTP sessions) and may be called any number of times,
    after `stop` or without `start` at all (a `nhacviec remind` pass only sends). `send` works
    before, during and after `start`; after `aclose` it opens what it needs again.

    What the core gives an adapter comes through its constructor from the composition root
    (bot/app.py): a `ChoiceStore` for a channel without buttons, the core's `CommandInfo` list
    (Telegram's menu, Zalo's command words); an adapter given none works without them.
    """

    name: str
    capabilities: Capabilities

    @abstractmethod
    async def start(self, on_incoming: IncomingHandler) -> None:
        """Receive updates (long polling or webhook), hand each to `on_incoming`, send its
        answers, until `stop` is called."""

    @abstractmethod
    async def stop(self) -> None:
        """End receiving; `start` returns soon after."""

    @abstractmethod
    async def send(self, chat_id: str, message: Outgoing) -> Sent:
        """Send one message; raises a ChannelError subclass, never a library's exception."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the sending side (HTTP sessions); idempotent."""

    # A method, not a field of `Capabilities`: capabilities are plain data, the same for every
    # chat, while "is this chat a group" is a question about one chat id that only the
    # platform's adapter can answer (Telegram: negative ids). The dispatcher paces groups by it.
    @abstractmethod
    def is_group(self, chat_id: str) -> bool:
        """Whether messages to `chat_id` go to a group (paced at 20 a minute), not one person."""


class ChoiceStore(Protocol):
    """Where a channel without buttons (Zalo) keeps the numbered choices it last offered each
    chat, so that "2" still means the second button after a restart. The composition root gives
    the channel one in the database (storage.choices); channels know nothing of tables."""

    async def save(self, channel: str, chat_id: str, choices: Sequence[Button]) -> None: ...

    async def load(self, channel: str, chat_id: str) -> list[Button]: ...


class MemoryChoices:
    """A ChoiceStore in memory, bounded (oldest chat forgotten first): lost on restart, for
    tests and for channels built without a database."""

    def __init__(self, limit: int = 10_000):
        self.limit = limit
        self._choices: OrderedDict[tuple[str, str], list[Button]] = OrderedDict()

    async def save(self, channel: str, chat_id: str, choices: Sequence[Button]) -> None:
        self._choices[(channel, chat_id)] = list(choices)
        self._choices.move_to_end((channel, chat_id))
        while len(self._choices) > self.limit:
            self._choices.popitem(last=False)

    async def load(self, channel: str, chat_id: str) -> list[Button]:
        return list(self._choices.get((channel, chat_id), []))


def split_text(text: str, limit: int) -> list[str]:
    """Split a long text on line boundaries (then on spaces, then hard) into parts <= limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        current = line
    if current:
        parts.append(current)
    return parts
