"""A channel that prints to the terminal: the demo's chat window, and a handy test double."""
from __future__ import annotations

import itertools
from typing import Callable

from bot.channels.base import Capabilities, IncomingHandler, Outgoing, Sent


class ConsoleChannel:
    name = "console"
    capabilities = Capabilities(max_text=4096, buttons=True, reply_to=True)

    def __init__(self, show: Callable[[str, Outgoing], None] | None = None):
        self.show = show or (lambda chat_id, out: print(f"[→ {chat_id}] {out.text}"))
        self.sent: list[tuple[str, Outgoing, str]] = []
        self._ids = itertools.count(1)

    async def send(self, chat_id: str, message: Outgoing) -> Sent:
        message_id = str(next(self._ids))
        self.sent.append((chat_id, message, message_id))
        self.show(chat_id, message)
        return Sent(message_id)

    async def start(self, on_incoming: IncomingHandler) -> None:  # input comes from the demo script
        return None

    async def stop(self) -> None:
        return None
