"""Telegram channel on aiogram 3, and the parts both Telegram adapters share.

Both adapters (this one and `telegram_ptb.PTBTelegramChannel`) inherit `TelegramBase`, so they
convert updates, answer button presses, split replies and survive handler failures the same way;
only the framework calls and the translation of framework errors differ.

Updates are converted from the raw Bot API JSON (`incoming_from_update`), which is the same
whichever framework parsed it. Updates of one chat are handled one after another (in the order
Telegram gave them); different chats are handled concurrently.

Store, then confirm (issue 10): both adapters long-poll with their own getUpdates loop
(`TelegramBase._poll`), not the framework's, because the frameworks confirm an update (the next
offset) as soon as they fetched it. Here the offset moves past an update only once the core has
committed it to the inbox; a webhook answers 200 only then, and 503 otherwise, so Telegram
sends it again. A resend of an update already handled is recognised by its update id.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, Literal, Sequence
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from aiohttp import web

from bot.channels.base import (
    Attachment,
    Button,
    Capabilities,
    Channel,
    ChannelError,
    ChatGone,
    CommandInfo,
    Incoming,
    IncomingHandler,
    NotStored,
    Outgoing,
    PermanentError,
    RetryAfter,
    Sent,
    TransientError,
    split_text,
)
from bot.ops.logs import SecretFilter

log = logging.getLogger("bot.channels.telegram")

TELEGRAM_CAPABILITIES = Capabilities(max_text=4096, buttons=True, reply_to=True, groups=True)
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REQUEST_TIMEOUT = 30.0  # seconds, for every call except long polling
CONCURRENT_UPDATES = 64
STOP_GRACE = 10.0  # seconds given to handlers still running when the channel stops
REPLY_RETRY_AFTER_MAX = 30.0  # a reply waits out a 429 up to this long, then gives up
POLL_BACKOFF = (1.0, 30.0)  # seconds before polling again after a failure: first, at most
_SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts for secret_token
# Bad Request descriptions that mean the chat is not reachable any more.
_GONE_DESCRIPTIONS = ("chat not found", "user not found", "peer_id_invalid", "chat_write_forbidden")


# ---- tokens never reach the logs ---------------------------------------------------------------


# One filter for every token: the same one that `nhacviec`'s log handler uses (bot.ops.logs).
_REDACTOR = SecretFilter()
# Libraries that may log request URLs (which carry the token) or exceptions quoting it.
_LOGGER_PREFIXES = ("aiogram", "telegram", "httpx", "httpcore", "aiohttp", "bot.channels")


def protect_token(token: str) -> None:
    """Keep `token` out of every log record of the Telegram libraries and of this package.

    Filters attach to loggers, not to their children, so every existing logger under the
    prefixes gets one (the libraries create theirs at import, before a channel is built).
    """
    _REDACTOR.add(token)  # and its secret half, also when URL-encoded
    names = [n for n in logging.root.manager.loggerDict if n.startswith(_LOGGER_PREFIXES)]
    for name in {*names, *_LOGGER_PREFIXES, log.name}:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


def redact(text: str) -> str:
    return _REDACTOR.redact(text)


# ---- raw Bot API JSON → Incoming -----------------------------------------------------------------


def incoming_from_update(update: dict[str, Any], channel: str = "telegram") -> Incoming | None:
    """The neutral message for a Bot API update, or None for updates the bot ignores.

    Handles `message` and `callback_query`. For a button press, `message_id` is the message
    that carried the buttons and `button_data` the button's callback data.
    """
    update_id = str(update["update_id"]) if "update_id" in update else None
    if "callback_query" in update:
        query = update["callback_query"]
        user = query.get("from") or {}
        message = query.get("message") or {}
        chat = message.get("chat") or {"id": user.get("id"), "type": "private"}
        return Incoming(
            channel=channel,
            chat_id=str(chat["id"]),
            user_id=str(user.get("id", "")),
            user_name=_full_name(user),
            chat_type=_chat_type(chat),
            message_id=str(message["message_id"]) if "message_id" in message else None,
            button_data=query.get("data") or "",
            update_id=update_id,
            language=user.get("language_code"),
            kind="button",
            raw=update,
        )
    message = update.get("message")
    if not message:
        return None
    user = message.get("from") or {}
    chat = message["chat"]
    replied = message.get("reply_to_message") or {}
    attachment: Attachment | None = None
    kind: Literal["text", "button", "sticker", "photo", "document", "other"]
    text = message.get("text") or message.get("caption") or ""
    if "text" in message:
        kind = "text"
    elif "sticker" in message:
        kind = "sticker"
    elif "document" in message:
        kind, doc = "document", message["document"]
        attachment = Attachment(kind="document", file_id=doc["file_id"],
                                file_name=doc.get("file_name"), mime_type=doc.get("mime_type"),
                                size=doc.get("file_size"))
    elif message.get("photo"):
        kind = "photo"
        largest = max(message["photo"], key=lambda p: (p.get("width", 0) * p.get("height", 0),
                                                       p.get("file_size") or 0))
        attachment = Attachment(kind="photo", file_id=largest["file_id"],
                                size=largest.get("file_size"))
    else:
        kind = "other"
    return Incoming(
        channel=channel,
        chat_id=str(chat["id"]),
        user_id=str(user.get("id", chat["id"])),
        text=text,
        user_name=_full_name(user) or chat.get("title", ""),
        chat_type=_chat_type(chat),
        message_id=str(message["message_id"]),
        reply_to=str(replied["message_id"]) if "message_id" in replied else None,
        update_id=update_id,
        language=user.get("language_code"),
        attachment=attachment,
        kind=kind,
        raw=update,
    )


def command_for_us(text: str, username: str) -> str | None:
    """"/status@our_bot 3" → "/status 3" (the form group command menus send); None when the
    command is addressed to another bot; other texts unchanged."""
    if not text.startswith("/"):
        return text
    first, sep, rest = text.partition(" ")
    command, at, addressee = first.partition("@")
    if not at:
        return text
    if addressee.lower() != username.lower():
        return None
    return f"{command}{sep}{rest}"


def _full_name(user: dict[str, Any]) -> str:
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
    return name or user.get("username") or ""


def _chat_type(chat: dict[str, Any]) -> Literal["private", "group"]:
    return "private" if chat.get("type", "private") == "private" else "group"


def reply_parts(message: Outgoing, limit: int) -> list[Outgoing]:
    """A reply too long for one message, as several: the first keeps reply_to, the last the buttons."""
    texts = split_text(message.text, limit)
    if len(texts) == 1:
        return [message]
    last = len(texts) - 1
    return [
        Outgoing(text=text, buttons=message.buttons if i == last else (),
                 reply_to=message.reply_to if i == 0 else None)
        for i, text in enumerate(texts)
    ]


def reply_message_id(reply_to: str | None) -> int | None:
    try:
        return int(reply_to) if reply_to else None
    except ValueError:
        return None


class _PerChatOrder:
    """One lock per chat, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    @asynccontextmanager
    async def hold(self, chat_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(chat_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._locks.pop(chat_id, None)


# ---- what both adapters share --------------------------------------------------------------------


class TelegramBase(Channel):
    """The Telegram behaviour common to the aiogram and python-telegram-bot adapters."""

    name = "telegram"
    capabilities = TELEGRAM_CAPABILITIES

    def __init__(
        self,
        token: str,
        api_base_url: str = "https://api.telegram.org",
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        host: str = "0.0.0.0",
        port: int = 8080,
        poll_timeout: int = 30,
        commands: Sequence[CommandInfo] = (),
    ):
        protect_token(token)
        self.commands = tuple(commands)  # the core's commands: the menu set at start
        if webhook_secret and not _SECRET_FORMAT.fullmatch(webhook_secret):
            raise ValueError("the webhook secret must be 1-256 characters A-Z, a-z, 0-9, _ or -")
        self.api_base_url = api_base_url.rstrip("/")
        self.webhook_url = webhook_url
        # Webhook mode always checks the header: without a configured secret, make one up.
        self.webhook_secret = webhook_secret or (secrets.token_urlsafe(32) if webhook_url else None)
        self.host, self.port = host, port
        self.poll_timeout = poll_timeout
        self._on_incoming: IncomingHandler | None = None
        self._order = _PerChatOrder()
        self._inflight: set[asyncio.Task] = set()
        self._stop_requested = asyncio.Event()
        self._stopped = asyncio.Event()
        self._started = False
        self._runner: asyncio.Task | None = None

    def __repr__(self) -> str:  # never show the token
        return f"{type(self).__name__}(api_base_url={self.api_base_url!r})"

    # -- to implement per framework --

    async def _send_text(self, chat_id: str, text: str,
                         buttons: tuple[tuple[Button, ...], ...],
                         reply_to: int | None) -> str | None:
        raise NotImplementedError

    async def _send_file(self, chat_id: str, file_name: str, content: bytes,
                         caption: str | None) -> str | None:
        raise NotImplementedError

    async def _download(self, file_id: str) -> bytes:
        raise NotImplementedError

    def _translate(self, exc: Exception) -> ChannelError | None:
        """The ChannelError for a framework exception, or None when it is not one of ours."""
        raise NotImplementedError

    async def _answer_callback(self, query_id: str) -> None:
        raise NotImplementedError

    async def _get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """One getUpdates call: the updates as Bot API JSON (confirms those before `offset`)."""
        raise NotImplementedError

    async def _delete_webhook(self) -> None:
        raise NotImplementedError

    def _fatal(self, exc: Exception) -> bool:
        """True for a polling error that retrying cannot cure (the token was revoked)."""
        raise NotImplementedError

    async def _run_polling(self) -> None:
        await self._poll()

    async def _run_webhook(self) -> None:
        raise NotImplementedError

    async def _get_username(self) -> str:
        raise NotImplementedError

    async def _set_commands(self, commands: list[tuple[str, str]]) -> None:
        """setMyCommands with (command, description) pairs."""
        raise NotImplementedError

    async def _close(self) -> None:
        """Release the framework's HTTP resources; safe to call again."""
        raise NotImplementedError

    async def _stop_receiving(self) -> None:
        """Let the receiving loop end by itself (the poll loop finishes the batch it holds and
        confirms it); whatever still runs after STOP_GRACE is then cancelled."""
        if self._runner is not None and not self.webhook_url:
            await asyncio.wait({self._runner}, timeout=STOP_GRACE)

    # -- the Channel protocol --

    async def send(self, chat_id: str, message: Outgoing) -> Sent:
        """Send one message as it is: no retry, no split (the dispatcher owns both)."""
        try:
            message_id = await self._send_text(
                chat_id, message.text, message.buttons, reply_message_id(message.reply_to))
        except ChannelError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is reported as a ChannelError
            translated = self._translate(exc)
            if translated is None:
                raise
            raise translated from None  # the original may quote the request URL with the token
        return Sent(message_id=message_id)

    async def send_document(self, chat_id: str, file_name: str, content: bytes,
                            caption: str | None = None) -> Sent:
        """Send a file (a report as .xlsx/.docx); errors as for `send`. Not part of `Channel`."""
        try:
            message_id = await self._send_file(chat_id, file_name, content, caption)
        except Exception as exc:  # noqa: BLE001
            translated = self._translate(exc)
            if translated is None:
                raise
            raise translated from None
        return Sent(message_id=message_id)

    async def download(self, file_id: str) -> bytes:
        """The content of a file someone sent (getFile, then the file URL); errors as for `send`."""
        try:
            return await self._download(file_id)
        except Exception as exc:  # noqa: BLE001
            translated = self._translate(exc)
            if translated is None:
                raise
            raise translated from None

    async def start(self, on_incoming: IncomingHandler) -> None:
        """Receive updates until `stop` is called: long polling, or a webhook if one is set."""
        if self._started:
            raise RuntimeError("this channel was already started")
        self._started = True
        self._on_incoming = on_incoming
        await self._publish_commands()
        runner = asyncio.create_task(self._run_webhook() if self.webhook_url else self._run_polling())
        self._runner = runner
        stop_wait = asyncio.create_task(self._stop_requested.wait())
        try:
            await asyncio.wait({runner, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_wait.cancel()
            if not runner.done():
                await self._stop_receiving()
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
            if self._inflight:
                await asyncio.wait(self._inflight, timeout=STOP_GRACE)
            await self._close()
            self._stopped.set()
        if runner.done() and not runner.cancelled() and runner.exception() is not None:
            exc = runner.exception()
            raise TransientError(f"Telegram receiving stopped: {type(exc).__name__}: "
                                 f"{redact(str(exc))}") from None

    async def stop(self) -> None:
        self._stop_requested.set()
        if self._started:
            await self._stopped.wait()
        else:
            await self._close()

    async def aclose(self) -> None:
        """Close the HTTP session(s) used for sending; a later send opens them again."""
        await self._close()

    def is_group(self, chat_id: str) -> bool:
        """Telegram's group, supergroup and channel ids are negative; people's are positive."""
        return chat_id.startswith("-")
    async def _publish_commands(self) -> None:
        """Telegram's command menu from the core's commands. A failure is logged, not fatal:
        commands typed by hand work without the menu."""
        if not self.commands:
            return
        try:
            await self._set_commands([(c.name, c.description) for c in self.commands])
        except Exception as exc:  # noqa: BLE001
            translated = self._translate(exc)
            if translated is None:
                raise
            log.warning("Telegram command menu not set: %s", redact(str(translated)))

    async def username(self) -> str:
        """The bot's @username (getMe), for t.me invite links."""
        try:
            return await self._get_username()
        except Exception as exc:  # noqa: BLE001
            translated = self._translate(exc)
            if translated is None:
                raise
            raise translated from None

    # -- incoming updates --

    async def _handle_update(self, update: dict[str, Any]) -> bool:
        """Convert, hand to the core, send its replies. False only when the core could not
        store the update (it must not be confirmed); never raises: polling must go on."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            incoming = incoming_from_update(update, self.name)
            if incoming is None or self._on_incoming is None:
                return True
            async with self._order.hold(incoming.chat_id):  # in order, from the start
                if incoming.text.startswith("/") and "@" in incoming.text.split(" ", 1)[0]:
                    text = command_for_us(incoming.text, await self.username())
                    if text is None:
                        return True
                    incoming = replace(incoming, text=text)
                try:
                    replies = await self._on_incoming(incoming)
                except NotStored:
                    return False
                except Exception:  # noqa: BLE001 - a failing handler must not stop the channel
                    log.exception("handler failed for telegram update %s", incoming.update_id)
                    return True
                if "callback_query" in update:  # only once kept: a resend is pressed again
                    await self._answer_quietly(update["callback_query"]["id"])
                for reply in replies or []:
                    if not await self._send_reply(incoming.chat_id, reply):
                        break
        except Exception:  # noqa: BLE001
            log.exception("could not process telegram update %s", update.get("update_id"))
        finally:
            if task is not None:
                self._inflight.discard(task)
        return True

    async def _poll(self) -> None:
        """Long polling that confirms only what the core kept.

        Each batch is handled (chats concurrently, each chat in order) before the next call;
        that call's offset is the first update not kept, so Telegram gives it (and what follows,
        recognised as duplicates by the core) again. Ends when `stop` is requested, after the
        batch under way and one last call that confirms it."""
        # A webhook left from an earlier run would make every getUpdates fail with 409.
        await self._delete_webhook()
        offset: int | None = None
        backoff = POLL_BACKOFF[0]
        limit = asyncio.Semaphore(CONCURRENT_UPDATES)

        async def one(update: dict[str, Any]) -> bool:
            async with limit:
                return await self._handle_update(update)

        stop_wait = asyncio.ensure_future(self._stop_requested.wait())
        try:
            while not self._stop_requested.is_set():
                poll = asyncio.ensure_future(self._get_updates(offset, self.poll_timeout))
                await asyncio.wait({poll, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                if not poll.done():  # stopping: what this poll fetched is not confirmed
                    poll.cancel()
                    await asyncio.gather(poll, return_exceptions=True)
                    break
                try:
                    updates = sorted(poll.result(), key=lambda u: u["update_id"])
                except Exception as exc:  # noqa: BLE001
                    if self._fatal(exc):
                        raise
                    log.warning("telegram polling failed, retrying in %.0fs: %s", backoff,
                                redact(f"{type(exc).__name__}: {exc}"))
                    await self._pause(backoff)
                    backoff = min(backoff * 2, POLL_BACKOFF[1])
                    continue
                backoff = POLL_BACKOFF[0]
                if not updates:
                    continue
                kept = await asyncio.gather(*(one(u) for u in updates))
                lost = [u["update_id"] for u, ok in zip(updates, kept, strict=True) if not ok]
                offset = lost[0] if lost else updates[-1]["update_id"] + 1
                if lost:  # the database is in trouble: give it time before asking again
                    log.warning("telegram updates %s not stored; asking for them again", lost)
                    await self._pause(backoff)
                    backoff = min(backoff * 2, POLL_BACKOFF[1])
        finally:
            stop_wait.cancel()
        if offset is not None:  # confirm the last batch, so a restart does not fetch it again
            try:
                await self._get_updates(offset, 0)
            except Exception as exc:  # noqa: BLE001 - a resend would only be a known duplicate
                log.info("telegram: final confirmation failed: %s", type(exc).__name__)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when stop is requested."""
        try:
            await asyncio.wait_for(self._stop_requested.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    async def _on_webhook(self, request: web.Request) -> web.Response:
        """200 only once the update is in the inbox (or is one the bot ignores); 503 when it
        could not be stored, so that Telegram delivers it again."""
        if not secret_matches(request.headers.get(SECRET_HEADER), self.webhook_secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400, text="Bad Request")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400, text="Bad Request")
        if not await self._handle_update(update):
            return web.Response(status=503, text="not stored, send again")
        return web.json_response({})

    async def _answer_quietly(self, query_id: str) -> None:
        try:
            await self._answer_callback(query_id)
        except Exception as exc:  # noqa: BLE001 - an expired query must not lose the press
            log.warning("answerCallbackQuery failed: %s", redact(f"{type(exc).__name__}: {exc}"))

    async def _send_reply(self, chat_id: str, reply: Outgoing) -> bool:
        """Send an immediate answer, split to the limit; waits out a short 429. False on failure."""
        for part in reply_parts(reply, self.capabilities.max_text):
            for _attempt in range(3):
                try:
                    await self.send(chat_id, part)
                    break
                except RetryAfter as exc:
                    if exc.seconds > REPLY_RETRY_AFTER_MAX:
                        log.warning("reply to chat %s dropped: rate limited for %ss",
                                    chat_id, exc.seconds)
                        return False
                    await asyncio.sleep(exc.seconds)
                except ChannelError as exc:
                    log.warning("reply to chat %s failed: %s: %s", chat_id,
                                type(exc).__name__, exc)
                    return False
            else:
                return False
        return True

    async def _serve(self, app: web.Application, when_listening: Callable[[], Awaitable[Any]]) -> None:
        """Run an aiohttp app on host:port until cancelled; `when_listening` runs once it accepts."""
        for mount in getattr(self, "web_mounts", ()):  # /healthz, /metrics (bot/ops/metrics.py)
            mount(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=STOP_GRACE)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
            log.info("telegram webhook listening on %s:%s%s", self.host, self.port,
                     self._webhook_path())
            await when_listening()
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    def _webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path or "/"


def secret_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of the webhook secret header (bytes: any header is safe)."""
    if not expected:
        return True
    return hmac.compare_digest((given or "").encode("utf-8", "surrogateescape"),
                               expected.encode("utf-8"))


# ---- aiogram -------------------------------------------------------------------------------------


class TelegramChannel(TelegramBase):
    """Telegram through aiogram 3: long polling by default, webhook when `webhook_url` is set."""

    def __init__(self, token: str, api_base_url: str = "https://api.telegram.org", **options):
        super().__init__(token, api_base_url, **options)  # options: see TelegramBase
        # aiogram's session sends each request once; it never retries (only polling does).
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.api_base_url),
                                 timeout=REQUEST_TIMEOUT)
        self._bot = Bot(token, session=session)

    async def _send_text(self, chat_id, text, buttons, reply_to) -> str | None:
        markup = None
        if buttons:
            markup = InlineKeyboardMarkup(inline_keyboard=[
                [InlineKeyboardButton(text=b.text, callback_data=b.data) for b in row]
                for row in buttons
            ])
        reply = (ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                 if reply_to else None)
        sent = await self._bot.send_message(chat_id=chat_id, text=text, reply_markup=markup,
                                            reply_parameters=reply)
        return str(sent.message_id)

    async def _send_file(self, chat_id, file_name, content, caption) -> str | None:
        sent = await self._bot.send_document(
            chat_id=chat_id, document=BufferedInputFile(content, filename=file_name),
            caption=caption)
        return str(sent.message_id)

    async def _download(self, file_id: str) -> bytes:
        file = await self._bot.get_file(file_id)
        assert file.file_path is not None  # Telegram gives one for every file it lets bots fetch
        buffer = await self._bot.download_file(file.file_path)
        assert buffer is not None  # None only when a destination is given
        return buffer.read()

    def _translate(self, exc: Exception) -> ChannelError | None:
        return translate_aiogram_error(exc)

    async def _answer_callback(self, query_id: str) -> None:
        await self._bot.answer_callback_query(query_id)

    async def _get_username(self) -> str:
        me = await self._bot.me()
        return me.username or ""

    async def _get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        updates = await self._bot.get_updates(offset=offset, timeout=timeout,
                                              allowed_updates=ALLOWED_UPDATES,
                                              request_timeout=timeout + int(REQUEST_TIMEOUT))
        return [_as_json(u) for u in updates]

    async def _set_commands(self, commands: list[tuple[str, str]]) -> None:
        await self._bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands])

    async def _delete_webhook(self) -> None:
        await self._bot.delete_webhook(drop_pending_updates=False)

    def _fatal(self, exc: Exception) -> bool:
        return isinstance(exc, TelegramUnauthorizedError)

    async def _run_webhook(self) -> None:
        app = web.Application()
        app.router.add_post(self._webhook_path(), self._on_webhook)

        async def set_webhook() -> None:  # once listening, so the first update finds us
            assert self.webhook_url is not None  # webhook mode is chosen by having one
            await self._bot.set_webhook(self.webhook_url, secret_token=self.webhook_secret,
                                        allowed_updates=ALLOWED_UPDATES,
                                        drop_pending_updates=False)

        await self._serve(app, set_webhook)

    async def _close(self) -> None:
        await self._bot.session.close()


def _as_json(update: Update) -> dict[str, Any]:
    return update.model_dump(mode="json", exclude_none=True, by_alias=True)


def translate_aiogram_error(exc: Exception) -> ChannelError | None:
    """Map an aiogram exception to the channel contract (messages without the token)."""
    detail = redact(getattr(exc, "message", None) or str(exc))
    if isinstance(exc, TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after))
    if isinstance(exc, TelegramForbiddenError):
        return ChatGone(detail)
    if isinstance(exc, TelegramMigrateToChat):
        return ChatGone(f"group became supergroup {exc.migrate_to_chat_id}")
    if isinstance(exc, TelegramBadRequest):
        if any(words in detail.lower() for words in _GONE_DESCRIPTIONS):
            return ChatGone(detail)
        return PermanentError(detail)
    if isinstance(exc, TelegramEntityTooLarge):
        return PermanentError(detail)
    if isinstance(exc, (TelegramNetworkError, TelegramAPIError, ClientDecodeError)):
        # Network trouble, timeouts, 5xx, and anything unexpected (401, 409, garbled answers):
        # retrying later loses nothing.
        return TransientError(f"{type(exc).__name__}: {detail}")
    if isinstance(exc, (asyncio.TimeoutError, OSError)):
        return TransientError(f"{type(exc).__name__}: {detail}")
    return None
