"""Zalo Bot Platform channel: an async client on httpx, long polling or a webhook (aiohttp).

Zalo facts that shape this file (issue 5):
- POST {base}/bot{TOKEN}/{method} with JSON; `{"ok": false, "error_code": N}` is an error even
  with HTTP 200.
- getUpdates returns ONE update, or error_code 408 when none came within the timeout. There is
  no offset: an update is handed out once, so polling keeps exactly one request in flight.
- No buttons, callbacks, reply-to or command menu: buttons become numbered text choices that
  the person answers with the number or the words (the choices offered are kept in a
  ChoiceStore, the database in the app); the core's commands (given as `commands` by the
  composition root, from handlers/commands.py) are accepted without the slash.

Which send failures are safe to retry without a duplicate (the dispatcher retries, not us):
- RetryAfter (429), PermanentError / ChatGone (ok:false): the platform refused the message.
- TransientError with `maybe_sent=False`: the request never reached the platform (connect
  error or connect timeout), or the platform answered that it failed (5xx, or `ok: false`
  with a code that is not "chat gone"): issue 5 asks for these to be retried with backoff.
- TransientError with `maybe_sent=True` (read timeout, connection dropped after sending):
  the message MAY have been delivered; Zalo has no idempotency key, so the dispatcher does not
  resend it (a duplicate reminder is worse than an unconfirmed one).
For a text split into several parts, the parts already delivered are remembered (bounded, in
memory) and skipped when the same text is sent again to the same chat, so a retry after a failed
second part does not repeat the first.

Store, then confirm (issue 10): a webhook POST is answered 200 only once the core has committed
the update to the inbox, 503 otherwise (Zalo sends it again). Polling cannot give an update
back (getUpdates hands it out once), so the core's bounded retry is all there is; when even that
fails, the sender is asked to send it again, never told it is saved.

The token is never logged: httpx's own request log line is scrubbed by a logging filter, and
every exception text we raise is built without the URL.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from aiohttp import web

from bot.channels.base import (
    Attachment,
    Button,
    Capabilities,
    Channel,
    ChannelError,
    ChatGone,
    ChoiceStore,
    CommandInfo,
    Incoming,
    IncomingHandler,
    MemoryChoices,
    NotStored,
    Outgoing,
    PermanentError,
    RetryAfter,
    Sent,
    TransientError,
    split_text,
)
from bot.i18n import N_, t
from bot.text.fold import fold as text_fold

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000
WEBHOOK_HEADER = "X-Bot-Api-Secret-Token"
NO_UPDATE_CODE = 408
# Zalo does not document a code for "blocked / chat gone"; we (and tests/fakes/fake_zalo.py) use 403.
CHAT_GONE_CODES = frozenset({403})
DEFAULT_RETRY_AFTER = 5.0
SEND_TIMEOUT = 15.0
MAX_BACKOFF = 30.0
# Bounded memories (oldest forgotten first).
SEEN_IDS_LIMIT = 10_000
PARTIAL_SENDS_LIMIT = 1_000

CHOICES_HINT = N_("Reply with the number (for example: 1) or the words of your choice.")
NOT_SAVED = N_("Sorry, your message could not be saved because of a problem on our side. "
               "Please send it again in a few minutes.")

EVENT_KINDS: dict[str, Literal["text", "photo", "sticker", "other"]] = {
    "message.text.received": "text",
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
}


class ZaloMaybeSent(TransientError):
    """A transient failure after the request was sent: the message may have been delivered."""

    maybe_sent = True


class ZaloNotSent(TransientError):
    """A transient failure before the request reached the platform: safe to retry."""

    maybe_sent = False


# ----- token scrubbing -----------------------------------------------------------------------

_TOKENS: set[str] = set()


class _TokenScrubber(logging.Filter):
    """Replaces known bot tokens in records of the loggers it is attached to (httpx logs URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _TOKENS:
            return True
        message = record.getMessage()
        if any(token in message for token in _TOKENS):
            for token in _TOKENS:
                message = message.replace(token, "***")
            record.msg, record.args = message, None
        return True


_SCRUBBER = _TokenScrubber()


def _register_token(token: str) -> None:
    _TOKENS.add(token)
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _SCRUBBER not in logger.filters:
            logger.addFilter(_SCRUBBER)


# ----- text helpers (pure) -------------------------------------------------------------------


def fold(text: str) -> str:
    """A choice as typed, for comparing with a button's words: folded, end punctuation dropped."""
    return text_fold(text).strip(" .!?,;:…")


def render_choices(text: str, buttons: tuple[tuple[Button, ...], ...], locale: str | None) -> tuple[str, list[Button]]:
    """Append the buttons as numbered lines ("1. Đã xong") and a short hint; return the flat list."""
    flat = [button for row in buttons for button in row]
    if not flat:
        return text, []
    lines = [f"{number}. {button.text}" for number, button in enumerate(flat, start=1)]
    rendered = "\n".join(lines) + "\n" + t(locale, CHOICES_HINT)
    return (f"{text}\n\n{rendered}" if text else rendered), flat


def match_choice(text: str, choices: list[Button]) -> Button | None:
    """The choice a reply names: its number ("2", "2.") or its words, ignoring case and diacritics."""
    folded = fold(text)
    if not folded:
        return None
    if folded.isdigit():
        number = int(folded)
        return choices[number - 1] if 1 <= number <= len(choices) else None
    for button in choices:
        if fold(button.text) == folded:
            return button
    return None


def command_words(commands: Iterable[CommandInfo]) -> dict[str, str]:
    """Every word that names a command (names and aliases, lower case) → the command's name."""
    return {word.lower(): c.name for c in commands for word in (c.name, *c.aliases)}


def as_command(text: str, words: dict[str, str]) -> str | None:
    """'status' or '/status' (any case, with arguments) -> '/status ...' when `words` (see
    command_words) knows the word, an alias as its command's name; None for other text."""
    stripped = text.strip()
    if not stripped:
        return None
    word, _, rest = stripped.partition(" ")
    name = words.get(word.lstrip("/").lower())
    if name is None:
        return None
    rest = rest.strip()
    return f"/{name} {rest}" if rest else f"/{name}"


def update_to_incoming(update: dict) -> Incoming | None:
    """A Zalo update as a core message (without the choice/command rewriting); None if unusable."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    chat_id = chat.get("id")
    message_id = message.get("message_id")
    if chat_id is None or message_id is None:
        return None
    kind = EVENT_KINDS.get(str(update.get("event_name", "")), "other")
    text = message.get("text") if kind == "text" else message.get("caption")
    attachment = None
    if kind == "photo" and message.get("photo_url"):
        attachment = Attachment(kind="photo", file_id=str(message["photo_url"]))
    return Incoming(
        channel="zalo",
        chat_id=str(chat_id),
        user_id=str(sender.get("id", chat_id)),
        text=str(text or ""),
        user_name=str(sender.get("display_name") or sender.get("name") or ""),
        chat_type="group" if str(chat.get("chat_type", "")).upper() == "GROUP" else "private",
        message_id=str(message_id),
        update_id=str(message_id),
        attachment=attachment,
        kind=kind,
        raw=update,
    )


class _BoundedSet:
    """Remembers the last `limit` keys."""

    def __init__(self, limit: int):
        self.limit = limit
        self._keys: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """Add key; False if it was already there."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self.limit:
            self._keys.popitem(last=False)
        return True

    def __contains__(self, key: str) -> bool:
        return key in self._keys


# ----- the channel ---------------------------------------------------------------------------


class ZaloChannel(Channel):
    name = "zalo"
    initial_backoff = 1.0  # seconds before re-polling after an error; doubles up to MAX_BACKOFF
    send_timeout = SEND_TIMEOUT  # seconds to wait for sendMessage's answer
    capabilities = Capabilities(max_text=MAX_TEXT, buttons=False, reply_to=False, groups=True)

    def __init__(
        self,
        token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        host: str = "0.0.0.0",
        port: int = 8080,
        poll_timeout: int = 30,
        locale: str = "vi",
        choices: ChoiceStore | None = None,
        commands: Iterable[CommandInfo] = (),
    ):
        if not token:
            raise ValueError("a Zalo bot token is required")
        # Zalo has no command menu: the core's commands are recognised as words, slash or not.
        self.commands = command_words(commands)
        self._token = token
        _register_token(token)
        self.api_base_url = api_base_url.rstrip("/")
        self.webhook_url = webhook_url
        # Zalo requires 8..256 characters; without one configured we make our own per run.
        self.webhook_secret = webhook_secret or secrets.token_urlsafe(32)
        if not 8 <= len(self.webhook_secret) <= 256:
            raise ValueError("the Zalo webhook secret must be 8..256 characters")
        self.host = host
        self.port = port  # the bound port once the webhook listens (port=0 picks a free one)
        self.poll_timeout = poll_timeout
        self.locale = locale
        self.ready = asyncio.Event()  # set once polling runs / the webhook listens
        self._client: httpx.AsyncClient | None = None
        self._on_incoming: IncomingHandler | None = None
        self._stopping = asyncio.Event()
        self._seen = _BoundedSet(SEEN_IDS_LIMIT)
        # The numbered choices offered per chat; the app gives a store that survives restarts.
        self._choices: ChoiceStore = choices if choices is not None else MemoryChoices()
        self._partial: OrderedDict[str, list[str]] = OrderedDict()  # key -> ids of parts delivered
        self._handling: dict[str, asyncio.Task] = {}  # webhook updates in progress, by id

    def __repr__(self) -> str:  # never show the token
        return f"ZaloChannel(api_base_url={self.api_base_url!r}, webhook={bool(self.webhook_url)})"

    # ----- HTTP ------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***")

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            # The read timeout stays above the long-poll timeout so a quiet poll is not an error.
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(10.0, read=self.poll_timeout + 15.0),
            )
        return self._client

    async def _call(self, method: str, payload: dict | None = None, *, read_timeout: float | None = None,
                    empty_ok: bool = False) -> Any:
        """One API call; the `result`, or None for an empty poll when `empty_ok`. Raises ChannelError."""
        url = f"{self.api_base_url}/bot{self._token}/{method}"
        timeout = httpx.Timeout(10.0, read=read_timeout) if read_timeout else httpx.USE_CLIENT_DEFAULT
        try:
            response = await self._http().post(url, json=payload or {}, timeout=timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ZaloNotSent(f"{method}: cannot reach Zalo ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise ZaloMaybeSent(f"{method}: network error ({type(exc).__name__}: {self._scrub(str(exc))})") from None

        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        code = body.get("error_code")
        code = code if isinstance(code, int) else response.status_code
        description = self._scrub(str(body.get("description") or response.reason_phrase or ""))

        if response.status_code == 429 or code == 429:
            raise RetryAfter(self._retry_hint(response, body))
        if body.get("ok") is True and response.status_code < 400:
            return body.get("result")
        if empty_ok and code == NO_UPDATE_CODE:
            return None
        if response.status_code >= 500 or (isinstance(code, int) and code >= 500):
            raise ZaloNotSent(f"{method}: Zalo server error {code} {description}".rstrip())
        if code in CHAT_GONE_CODES and method == "sendMessage":
            raise ChatGone(f"{method}: chat is gone ({code} {description})")
        if method == "sendMessage":  # the platform says it did not deliver: retried with backoff
            raise ZaloNotSent(f"{method}: refused by Zalo ({code} {description})")
        raise PermanentError(f"{method}: refused by Zalo ({code} {description})")

    @staticmethod
    def _retry_hint(response: httpx.Response, body: dict) -> float:
        candidates = [
            (body.get("parameters") or {}).get("retry_after") if isinstance(body.get("parameters"), dict) else None,
            response.headers.get("Retry-After"),
        ]
        for value in candidates:
            try:
                seconds = float(value)
            except (TypeError, ValueError):
                continue
            if seconds >= 0:
                return seconds
        return DEFAULT_RETRY_AFTER

    async def account_name(self) -> str:
        me = await self._call("getMe")
        return str((me or {}).get("account_name") or (me or {}).get("name") or "")

    # ----- sending ---------------------------------------------------------------------------

    async def send(self, chat_id: str, message: Outgoing) -> Sent:
        """Send one message (several parts if long); buttons become numbered choices. No retries here."""
        text, flat = render_choices(message.text, message.buttons, self.locale)
        if flat:  # stored before sending, so that an answer arriving at once finds them
            try:
                await self._choices.save(self.name, chat_id, flat)
            except Exception:  # noqa: BLE001 - the message still goes; only "2" won't be read
                log.exception("zalo: could not store the choices offered to chat %s", chat_id)
        parts = [part for part in split_text(text, MAX_TEXT) if part.strip()]
        if not parts:
            raise PermanentError("sendMessage: empty text (Zalo needs 1..2000 characters)")
        if len(parts) == 1:
            result = await self._call("sendMessage", {"chat_id": chat_id, "text": parts[0]},
                                      read_timeout=self.send_timeout)
            return Sent(message_id=self._message_id(result))

        # Several parts: remember which were delivered so a retry of the same text skips them.
        key = hashlib.sha256(f"{chat_id}\0{text}".encode()).hexdigest()
        delivered = self._partial.pop(key, [])
        try:
            for part in parts[len(delivered):]:
                result = await self._call("sendMessage", {"chat_id": chat_id, "text": part},
                                          read_timeout=self.send_timeout)
                delivered.append(self._message_id(result) or "")
        except ChannelError:
            if delivered:
                self._partial[key] = delivered
                while len(self._partial) > PARTIAL_SENDS_LIMIT:
                    self._partial.popitem(last=False)
            raise
        return Sent(message_id=delivered[0] or None)

    @staticmethod
    def _message_id(result: Any) -> str | None:
        if isinstance(result, dict) and result.get("message_id") is not None:
            return str(result["message_id"])
        return None

    # ----- receiving -------------------------------------------------------------------------

    async def to_incoming(self, update: dict) -> Incoming | None:
        """Convert an update, turning an answer to the last offered choices into a button press
        and a bare command word into its /command."""
        incoming = update_to_incoming(update)
        if incoming is None or incoming.kind != "text":
            return incoming
        try:
            offered = await self._choices.load(self.name, incoming.chat_id)
        except Exception:  # noqa: BLE001 - read the message as plain text rather than lose it
            log.exception("zalo: could not load the choices offered to chat %s", incoming.chat_id)
            offered = []
        choice = match_choice(incoming.text, offered)
        if choice is not None:
            return replace(incoming, kind="button", button_data=choice.data)
        command = as_command(incoming.text, self.commands)
        if command is not None and command != incoming.text:
            return replace(incoming, text=command)
        return incoming

    async def _handle(self, update: dict) -> bool:
        """Hand one update to the core and send its replies; False when the core could not
        store it (not to be confirmed)."""
        incoming = await self.to_incoming(update)
        if incoming is None:
            log.info("zalo: ignored an update without chat or message id (%s)", update.get("event_name"))
            return True
        sender = (update.get("message") or {}).get("from") or {}
        if sender.get("is_bot"):
            return True
        if (incoming.update_id or "") in self._seen:
            log.info("zalo: dropped duplicate message %s", incoming.update_id)
            return True
        assert self._on_incoming is not None
        try:
            replies = await self._on_incoming(incoming)
        except NotStored:
            return False
        except Exception:
            log.exception("zalo: the core failed on message %s", incoming.update_id)
            return True
        self._seen.add(incoming.update_id or "")  # only once kept: a resend must get through
        for reply in replies:
            try:
                await self.send(incoming.chat_id, reply)
            except ChannelError as exc:
                log.warning("zalo: reply to chat %s failed: %s", incoming.chat_id, exc)
        return True

    async def start(self, on_incoming: IncomingHandler) -> None:
        self._on_incoming = on_incoming
        self._stopping.clear()
        if self.webhook_url:
            await self._run_webhook()
        else:
            await self._run_polling()

    async def stop(self) -> None:
        self._stopping.set()

    async def aclose(self) -> None:
        """Close the HTTP client (send() reopens one if called again)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def is_group(self, chat_id: str) -> bool:
        """Always False: a Zalo chat id does not tell a group (its type comes only with an
        incoming message), so the dispatcher paces every Zalo chat as one person's."""
        return False

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once on stop()."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    # ----- long polling ----------------------------------------------------------------------

    async def _run_polling(self) -> None:
        try:
            await self._call("deleteWebhook")  # getUpdates fails while a webhook is set
        except ChannelError as exc:
            log.warning("zalo: deleteWebhook failed: %s", exc)
        self.ready.set()
        backoff = self.initial_backoff
        stop_wait = asyncio.ensure_future(self._stopping.wait())
        poll: asyncio.Future | None = None
        try:
            while not self._stopping.is_set():
                poll = asyncio.ensure_future(self._call(
                    "getUpdates", {"timeout": self.poll_timeout},
                    read_timeout=self.poll_timeout + 15.0, empty_ok=True,
                ))
                await asyncio.wait({poll, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                if not poll.done():
                    # Stopping mid-poll: an update Zalo hands out at this very instant is lost.
                    poll.cancel()
                    await asyncio.gather(poll, return_exceptions=True)
                    break
                try:
                    update = poll.result()
                except RetryAfter as exc:
                    log.warning("zalo: getUpdates rate limited, waiting %ss", exc.seconds)
                    await self._sleep(max(exc.seconds, backoff))
                    continue
                except ChannelError as exc:
                    log.warning("zalo: getUpdates failed, retrying in %.1fs: %s", backoff, exc)
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    continue
                backoff = self.initial_backoff
                if isinstance(update, dict) and not await self._handle(update):  # in order
                    await self._ask_to_resend(update)
        finally:
            stop_wait.cancel()
            if poll is not None and not poll.done():  # cancelled mid-poll: leave no orphan
                poll.cancel()
                await asyncio.gather(poll, return_exceptions=True)
            self.ready.clear()
            await self.aclose()

    async def _ask_to_resend(self, update: dict) -> None:
        """Polling handed us an update the core could not store, and Zalo will not hand it out
        again: the sender is asked to send it again (never told it is saved)."""
        chat_id = ((update.get("message") or {}).get("chat") or {}).get("id")
        if chat_id is None:
            return
        log.error("zalo: message %s could not be stored; the sender is asked to send it again",
                  (update.get("message") or {}).get("message_id"))
        try:
            await self._call("sendMessage", {"chat_id": str(chat_id),
                                             "text": t(self.locale, NOT_SAVED)},
                             read_timeout=self.send_timeout)
        except ChannelError as exc:
            log.warning("zalo: could not ask chat %s to send again: %s", chat_id, exc)

    # ----- webhook ---------------------------------------------------------------------------

    async def _run_webhook(self) -> None:
        app = web.Application()
        path = urlsplit(self.webhook_url or "").path or "/"
        app.router.add_post(path, self._on_webhook)
        for mount in getattr(self, "web_mounts", ()):  # /healthz, /metrics (bot/ops/metrics.py)
            mount(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            self.port = runner.addresses[0][1]
            await self._call("setWebhook", {"url": self.webhook_url, "secret_token": self.webhook_secret})
            log.info("zalo: webhook listening on %s:%s%s", self.host, self.port, path)
            self.ready.set()
            await self._stopping.wait()
        finally:
            self.ready.clear()
            await runner.cleanup()  # stop accepting, then finish what was accepted
            if self._handling:
                await asyncio.wait(list(self._handling.values()), timeout=10)
            await self.aclose()

    def _handled(self, key: str) -> Callable[[asyncio.Task], None]:
        def forget(_task: asyncio.Task) -> None:
            self._handling.pop(key, None)
        return forget

    async def _on_webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(WEBHOOK_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret")
        if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.Response(status=403, text="wrong secret")
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="bad json")
        update = body.get("result") if isinstance(body, dict) and "ok" in body and "result" in body else body
        if not isinstance(update, dict):
            return web.Response(status=400, text="bad update")
        message_id = (update.get("message") or {}).get("message_id")
        if message_id is not None and str(message_id) in self._seen:
            return web.Response(text="duplicate")
        # Answered only once the core stored it. The same update posted again meanwhile waits
        # for the first one's outcome instead of being handled twice.
        key = str(message_id) if message_id is not None else None
        task = self._handling.get(key) if key is not None else None
        if task is None:
            task = asyncio.ensure_future(self._handle(update))
            if key is not None:
                self._handling[key] = task
                task.add_done_callback(self._handled(key))
        try:
            kept = await asyncio.shield(task)  # a client that hangs up does not cancel it
        except Exception:  # noqa: BLE001 - _handle logs its own failures
            kept = False
        if not kept:
            return web.Response(status=503, text="not stored, send again")
        return web.Response(text="ok")
