"""A channel that prints to the terminal: the demo's chat window, and a handy test double."""
from __future__ import annotations

import asyncio
import itertools
from typing import Callable, Iterable

from bot.channels.base import Capabilities, Channel, Incoming, IncomingHandler, Outgoing, Sent


class ConsoleChannel(Channel):
    name = "console"
    capabilities = Capabilities(max_text=4096, buttons=True, reply_to=True)

    def __init__(self, show: Callable[[str, Outgoing], None] | None = None,
                 group_chats: Iterable[str] = ()):
        self.show = show or (lambda chat_id, out: print(f"[→ {chat_id}] {out.text}"))
        self.sent: list[tuple[str, Outgoing, str]] = []
        self.group_chats = frozenset(group_chats)  # console chats are private unless named here
        self._ids = itertools.count(1)
        self._stop = asyncio.Event()
        self._on_incoming: IncomingHandler | None = None

    async def send(self, chat_id: str, message: Outgoing) -> Sent:
        message_id = str(next(self._ids))
        self.sent.append((chat_id, message, message_id))
        self.show(chat_id, message)
        return Sent(message_id)

    async def start(self, on_incoming: IncomingHandler) -> None:
        """Receive what `push` types until `stop` (the demo script calls the core directly)."""
        self._on_incoming = on_incoming
        self._stop.clear()
        try:
            await self._stop.wait()
        finally:
            self._on_incoming = None

    async def push(self, incoming: Incoming) -> list[Sent]:
        """Someone types into the console while it is started: hand it on, send the answers."""
        if self._on_incoming is None:
            raise RuntimeError("the console channel is not started")
        return [await self.send(incoming.chat_id, answer)
                for answer in await self._on_incoming(incoming)]

    async def stop(self) -> None:
        self._stop.set()

    async def aclose(self) -> None:  # nothing to release
        return None

    def is_group(self, chat_id: str) -> bool:
        return chat_id in self.group_chats
