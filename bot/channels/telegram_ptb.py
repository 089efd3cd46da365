"""Telegram channel on python-telegram-bot 22, behaving exactly like the aiogram one.

The shared behaviour (update conversion, button answers, split replies, per-chat order,
failure isolation, token redaction) lives in `telegram.TelegramBase`; this file only talks PTB.
Updates are received by the shared loop (`TelegramBase._poll`, getUpdates with an offset only
past what the core stored) or the shared aiohttp webhook, never by PTB's Updater, which confirms
updates as it fetches them; the Application only owns the Bot's life cycle.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from aiohttp import web
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.error import (
    RetryAfter as PTBRetryAfter,
)
from telegram.ext import Application

from bot.channels.base import ChannelError, ChatGone, PermanentError, RetryAfter, TransientError
from bot.channels.telegram import (
    _GONE_DESCRIPTIONS,
    ALLOWED_UPDATES,
    CONCURRENT_UPDATES,
    REQUEST_TIMEOUT,
    TelegramBase,
    log,
    redact,
)


class PTBTelegramChannel(TelegramBase):
    """Telegram through python-telegram-bot: long polling by default, webhook when set."""

    def __init__(self, token: str, api_base_url: str = "https://api.telegram.org", **options):
        super().__init__(token, api_base_url, **options)  # options: see TelegramBase
        builder = (
            Application.builder()
            .token(token)
            .base_url(f"{self.api_base_url}/bot")
            .base_file_url(f"{self.api_base_url}/file/bot")
            .read_timeout(REQUEST_TIMEOUT)
            .write_timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            .pool_timeout(REQUEST_TIMEOUT)
            .concurrent_updates(CONCURRENT_UPDATES)
            .job_queue(None)  # scheduling is the application's job (APScheduler in bot/)
            .updater(None)  # receiving is TelegramBase's (store, then confirm)
        )
        self._app = builder.build()
        self._bot_ready = False
        self._bot_lock = asyncio.Lock()

    async def _bot(self):
        """The PTB Bot, initialized once (sending works before or without `start`)."""
        if not self._bot_ready:
            async with self._bot_lock:
                if not self._bot_ready:
                    await self._app.bot.initialize()
                    self._bot_ready = True
        return self._app.bot

    async def _send_text(self, chat_id, text, buttons, reply_to) -> str | None:
        markup = None
        if buttons:
            markup = InlineKeyboardMarkup([
                [InlineKeyboardButton(text=b.text, callback_data=b.data) for b in row]
                for row in buttons
            ])
        reply = (ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                 if reply_to else None)
        bot = await self._bot()
        sent = await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup,
                                      reply_parameters=reply)
        return str(sent.message_id)

    async def _send_file(self, chat_id, file_name, content, caption) -> str | None:
        bot = await self._bot()
        sent = await bot.send_document(chat_id=chat_id, document=content, filename=file_name,
                                       caption=caption)
        return str(sent.message_id)

    async def _download(self, file_id: str) -> bytes:
        bot = await self._bot()
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    def _translate(self, exc: Exception) -> ChannelError | None:
        return translate_ptb_error(exc)

    async def _answer_callback(self, query_id: str) -> None:
        bot = await self._bot()
        await bot.answer_callback_query(query_id)

    async def _get_username(self) -> str:
        bot = await self._bot()
        return bot.username or ""

    async def _set_commands(self, commands: list[tuple[str, str]]) -> None:
        bot = await self._bot()
        await bot.set_my_commands([BotCommand(name, text) for name, text in commands])

    @asynccontextmanager
    async def _running_app(self) -> AsyncIterator[Application]:
        """The PTB Application, initialised and started; stopped (its updater first) after."""
        app = self._app
        await app.initialize()
        self._bot_ready = True
        await app.start()
        try:
            yield app
        finally:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()

    async def _get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        bot = await self._bot()
        updates = await bot.get_updates(offset=offset, timeout=dt.timedelta(seconds=timeout),
                                        allowed_updates=ALLOWED_UPDATES,
                                        read_timeout=timeout + REQUEST_TIMEOUT)
        return [u.to_dict() for u in updates]

    async def _delete_webhook(self) -> None:
        bot = await self._bot()
        await bot.delete_webhook(drop_pending_updates=False)

    def _fatal(self, exc: Exception) -> bool:
        return isinstance(exc, InvalidToken)

    async def _run_polling(self) -> None:
        async with self._running_app():
            await self._poll()

    async def _run_webhook(self) -> None:
        async with self._running_app() as app:
            web_app = web.Application()
            web_app.router.add_post(self._webhook_path(), self._on_webhook)

            async def set_webhook() -> None:  # once listening, so the first update finds us
                await app.bot.set_webhook(self.webhook_url, secret_token=self.webhook_secret,
                                          allowed_updates=ALLOWED_UPDATES,
                                          drop_pending_updates=False)

            await self._serve(web_app, set_webhook)

    async def _close(self) -> None:
        try:
            if self._app.running:
                await self._app.stop()
            if self._app._initialized:  # noqa: SLF001 - PTB has no public flag for it
                await self._app.shutdown()  # also shuts the bot's HTTP clients down
            elif self._bot_ready:  # used for sending only
                await self._app.bot.shutdown()
            self._bot_ready = False  # a send after aclose initializes the bot again
        except Exception as exc:  # noqa: BLE001 - closing must not fail the caller
            log.warning("closing the telegram application: %s", redact(f"{type(exc).__name__}"))


def _retry_seconds(exc: PTBRetryAfter) -> float:
    # PTB 22 keeps a timedelta inside; its public attribute warns and may be an int.
    value: Any = getattr(exc, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value) if value is not None else 1.0


def translate_ptb_error(exc: Exception) -> ChannelError | None:
    """Map a python-telegram-bot exception to the channel contract (messages without the token)."""
    detail = redact(getattr(exc, "message", None) or str(exc))
    if isinstance(exc, PTBRetryAfter):
        return RetryAfter(_retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return ChatGone(detail)
    if isinstance(exc, ChatMigrated):
        return ChatGone(f"group became supergroup {exc.new_chat_id}")
    if isinstance(exc, BadRequest):  # before NetworkError: BadRequest is a subclass of it
        if any(words in detail.lower() for words in _GONE_DESCRIPTIONS):
            return ChatGone(detail)
        return PermanentError(detail)
    if isinstance(exc, NetworkError) and "too large" in detail.lower():  # 413, as aiogram's
        return PermanentError(detail)
    if isinstance(exc, (NetworkError, TelegramError)):
        # Network trouble, timeouts, 5xx, and anything unexpected (invalid token, conflict).
        return TransientError(f"{type(exc).__name__}: {detail}")
    if isinstance(exc, (asyncio.TimeoutError, OSError)):
        return TransientError(f"{type(exc).__name__}: {detail}")
    return None
