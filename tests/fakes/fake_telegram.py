"""A fake Telegram Bot API server on loopback, for tests and benchmarks.

It speaks the Bot API the way aiogram and python-telegram-bot call it (`POST /bot{token}/{method}`
with JSON, urlencoded or multipart bodies) and enforces Telegram's documented limits:
texts over 4096 characters, about 1 message a second per chat (a small burst allowed),
20 a minute per group, 30 a second overall (429 with `parameters.retry_after`), and
403 for chats marked blocked.

    async with FakeTelegram() as tg:
        channel = TelegramChannel(tg.token, tg.base_url, poll_timeout=1)
        tg.push_text(chat_id=42, user_id=42, text="/start")
        [reply] = await tg.wait_for_sent(1)

Only what the project uses is implemented; unknown methods answer 404 like Telegram does.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

# Parameters Telegram expects as JSON-serialized strings inside form bodies.
_JSON_FIELDS = {
    "reply_markup", "reply_parameters", "allowed_updates", "entities", "caption_entities",
    "link_preview_options", "commands", "scope",
}
_SENDING_METHODS = {"sendMessage", "sendDocument", "sendPhoto"}


@dataclass(frozen=True)
class Limits:
    """Telegram's flood limits. Pass `limits=None` to FakeTelegram to turn them off."""

    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20
    global_per_second: float = 30.0
    global_burst: int = 30


class _Bucket:
    """A token bucket: `rate` tokens a second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: float, now: float):
        self.rate, self.capacity = rate, capacity
        self.tokens, self.stamp = capacity, now

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class SentMessage:
    """One message the bot sent (sendMessage / sendDocument / sendPhoto)."""

    chat_id: int | str
    text: str | None
    message_id: int
    reply_markup: dict | None = None
    reply_to: int | None = None
    method: str = "sendMessage"
    file_name: str | None = None

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard rows as (text, callback_data) pairs."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b.get("text"), b.get("callback_data")) for b in row] for row in rows]


@dataclass
class Call:
    method: str
    params: dict[str, Any]


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class _Failure:
    status: int
    description: str
    remaining: int


class FakeTelegram:
    def __init__(
        self,
        token: str = "123456:TEST-token-for-the-fake-server",
        *,
        limits: Limits | None = Limits(),
        bot_username: str = "nhacviec_test_bot",
        host: str = "127.0.0.1",
    ):
        self.token = token
        self.limits = limits
        self.host = host
        self.port: int | None = None
        self.bot_user = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
            "is_bot": True,
            "first_name": "Nhắc việc",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        # What tests look at.
        self.sent: list[SentMessage] = []
        self.calls: list[Call] = []
        self.rate_limited = 0
        self.rate_limited_by: Counter[str] = Counter()
        self.answered_callbacks: list[str] = []
        self.commands: list[dict] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_responses: list[int] = []
        # Chat states set by tests.
        self.blocked: set[int] = set()
        self.kicked: set[int] = set()
        self.missing: set[int] = set()
        self._failures: dict[str, list[_Failure]] = {}
        # Internal state.
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._updates: list[dict] = []
        self._messages: dict[tuple[int | str, int], dict] = {}
        self._chats: dict[int | str, dict] = {}
        self._files: dict[str, tuple[str | None, bytes]] = {}
        self._open_callbacks: set[str] = set()
        self._changed = asyncio.Event()  # replaced after every set: wakes all waiters once
        self._chat_buckets: dict[Any, _Bucket] = {}
        self._group_buckets: dict[Any, _Bucket] = {}
        self._global_bucket: _Bucket | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._webhook_tasks: set[asyncio.Task] = set()

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> FakeTelegram:
        """Listen on a free port (or the same port again after `stop`, to simulate recovery)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port or 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop listening: clients then see connection errors, as when the network is down."""
        self._closing = True
        self._notify()
        for task in list(self._webhook_tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- test helpers: incoming updates ----------------------------------------------------

    def push_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        reply_to_message_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Lan",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        title: str | None = None,
    ) -> dict:
        message = self._user_message(
            chat_id, user_id, chat_type, first_name, last_name, username, language_code, title,
        )
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to_message_id is not None:
            replied = self._messages.get((chat_id, reply_to_message_id))
            message["reply_to_message"] = replied or {
                "message_id": reply_to_message_id, "date": message["date"], "chat": message["chat"],
            }
        return self.push_update({"message": message})

    def push_callback(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        message_id: int,
        first_name: str = "Lan",
        language_code: str | None = "vi",
        chat_type: str = "private",
    ) -> dict:
        chat = self._chat(chat_id, chat_type, None, first_name)
        message = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id, "date": int(time.time()), "chat": chat,
            "from": self.bot_user, "text": "",
        }
        query_id = f"cb{next(self._callback_ids)}"
        self._open_callbacks.add(query_id)
        user = self._user(user_id, first_name, None, None, language_code)
        return self.push_update({
            "callback_query": {
                "id": query_id, "from": user, "message": message,
                "chat_instance": f"ci{chat_id}", "data": data,
            }
        })

    def push_document(
        self,
        chat_id: int,
        user_id: int,
        file_name: str = "bao-cao.pdf",
        content: bytes = b"%PDF-1.4 fake",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        chat_type: str = "private",
        first_name: str = "Lan",
        language_code: str | None = "vi",
    ) -> dict:
        message = self._user_message(chat_id, user_id, chat_type, first_name, None, None,
                                     language_code, None)
        file_id = self._store_file(file_name, content)
        message["document"] = {
            "file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
            "mime_type": mime_type, "file_size": len(content),
        }
        if caption:
            message["caption"] = caption
        return self.push_update({"message": message})

    def push_photo(self, chat_id: int, user_id: int, content: bytes = b"\x89PNG fake",
                   caption: str | None = None, **kw: Any) -> dict:
        message = self._user_message(chat_id, user_id, kw.get("chat_type", "private"),
                                     kw.get("first_name", "Lan"), None, None,
                                     kw.get("language_code", "vi"), None)
        small, large = self._store_file(None, content[:10]), self._store_file(None, content)
        message["photo"] = [
            {"file_id": small, "file_unique_id": f"u{small}", "width": 90, "height": 90,
             "file_size": len(content[:10])},
            {"file_id": large, "file_unique_id": f"u{large}", "width": 800, "height": 600,
             "file_size": len(content)},
        ]
        if caption:
            message["caption"] = caption
        return self.push_update({"message": message})

    def push_sticker(self, chat_id: int, user_id: int, emoji: str = "👍", **kw: Any) -> dict:
        message = self._user_message(chat_id, user_id, kw.get("chat_type", "private"),
                                     kw.get("first_name", "Lan"), None, None,
                                     kw.get("language_code", "vi"), None)
        message["sticker"] = {
            "file_id": f"sticker{message['message_id']}", "file_unique_id": "us",
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": emoji,
        }
        return self.push_update({"message": message})

    def push_update(self, update: dict) -> dict:
        """Queue any update (an `update_id` is added); delivered by getUpdates or the webhook."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        if self.webhook and self.webhook.get("url"):
            task = asyncio.get_running_loop().create_task(self._deliver_webhook(update))
            self._webhook_tasks.add(task)
            task.add_done_callback(self._webhook_tasks.discard)
        self._notify()
        return update

    # ---- test helpers: chat states and failures --------------------------------------------

    def block(self, chat_id: int) -> None:
        """The person blocked the bot: sends to this chat get 403."""
        self.blocked.add(chat_id)

    def kick(self, chat_id: int) -> None:
        self.kicked.add(chat_id)

    def forget_chat(self, chat_id: int) -> None:
        """The chat does not exist: sends get 400 "chat not found"."""
        self.missing.add(chat_id)

    def fail_next(self, method: str, status: int = 502, description: str = "Bad Gateway",
                  count: int = 1) -> None:
        """The next `count` calls of `method` answer with this error."""
        self._failures.setdefault(method, []).append(_Failure(status, description, count))

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for_sent(self, n: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until at least `n` messages were sent; return them all."""
        await self._wait(lambda: len(self.sent) >= n, timeout, f"{n} sent messages")
        return list(self.sent)

    async def wait_for_call(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        await self._wait(lambda: len(self.calls_of(method)) >= n, timeout, f"{n} x {method}")
        return self.calls_of(method)

    async def wait_until(self, predicate: Any, timeout: float = 5.0, what: str = "condition"):
        await self._wait(predicate, timeout, what)

    # ---- internals -------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, predicate: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"fake Telegram: waited {timeout}s for {what}; "
                                   f"sent={len(self.sent)} calls={len(self.calls)}")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    def _user(self, user_id: int, first_name: str, last_name: str | None,
              username: str | None, language_code: str | None) -> dict:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int, chat_type: str, title: str | None, first_name: str) -> dict:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": title or f"Nhóm {chat_id}"}
        self._chats[chat_id] = chat
        return chat

    def _user_message(self, chat_id, user_id, chat_type, first_name, last_name, username,
                      language_code, title) -> dict:
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, title, first_name),
            "from": self._user(user_id, first_name, last_name, username, language_code),
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _store_file(self, file_name: str | None, content: bytes) -> str:
        file_id = f"file{next(self._ids)}"
        self._files[file_id] = (file_name, content)
        return file_id

    async def _deliver_webhook(self, update: dict) -> None:
        assert self.webhook is not None
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        try:
            async with ClientSession(timeout=ClientTimeout(total=10)) as http:
                async with http.post(self.webhook["url"], json=update, headers=headers) as resp:
                    self.webhook_responses.append(resp.status)
        except Exception:  # noqa: BLE001 - an unreachable webhook is recorded, like Telegram does
            self.webhook_responses.append(0)
        self._notify()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"file_name": value.filename, "content": value.file.read()}
            elif key in _JSON_FIELDS and isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
            else:
                params[key] = value
        return params

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(_error(401, "Unauthorized"), status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self._files:
            return web.json_response(_error(404, "Not Found"), status=404)
        return web.Response(body=self._files[file_id][1])

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(_error(401, "Unauthorized"), status=401)
        params = await self._params(request)
        self.calls.append(Call(method, params))
        self._notify()
        try:
            failure = self._next_failure(method)
            if failure:
                raise ApiError(failure.status, failure.description)
            handler = getattr(self, f"_api_{method[:1].lower()}{method[1:]}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as e:
            if e.code == 429:
                self.rate_limited += 1
            return web.json_response(_error(e.code, e.description, e.retry_after), status=e.code)
        return web.json_response({"ok": True, "result": result})

    def _next_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    # ---- rate limits -----------------------------------------------------------------------

    def _check_limits(self, chat_id: int | str) -> None:
        """Raise 429 if sending now would break a limit; otherwise count the message."""
        if self.limits is None:
            return
        lim, now = self.limits, time.monotonic()
        buckets: list[tuple[str, _Bucket]] = []
        if self._global_bucket is None:
            self._global_bucket = _Bucket(lim.global_per_second, lim.global_burst, now)
        buckets.append(("global", self._global_bucket))
        if chat_id not in self._chat_buckets:
            self._chat_buckets[chat_id] = _Bucket(lim.per_chat_per_second, lim.per_chat_burst, now)
        buckets.append(("chat", self._chat_buckets[chat_id]))
        if self._is_group(chat_id):
            if chat_id not in self._group_buckets:
                self._group_buckets[chat_id] = _Bucket(lim.group_per_minute / 60, lim.group_burst, now)
            buckets.append(("group", self._group_buckets[chat_id]))
        waits = [(bucket.wait_time(now), name) for name, bucket in buckets]
        wait, reason = max(waits)
        if wait > 0:
            self.rate_limited_by[reason] += 1
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        for _, bucket in buckets:
            bucket.take()

    def _is_group(self, chat_id: int | str) -> bool:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat["type"] != "private"
        return isinstance(chat_id, int) and chat_id < 0

    # ---- Bot API methods -------------------------------------------------------------------

    async def _api_getMe(self, p: dict) -> dict:
        return self.bot_user

    async def _api_logOut(self, p: dict) -> bool:
        return True

    async def _api_close(self, p: dict) -> bool:
        return True

    async def _api_setMyCommands(self, p: dict) -> bool:
        self.commands = list(p.get("commands") or [])
        return True

    async def _api_deleteWebhook(self, p: dict) -> bool:
        self.webhook = None
        if _bool(p.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def _api_setWebhook(self, p: dict) -> bool:
        if not p.get("url"):
            raise ApiError(400, "Bad Request: bad webhook: URL must not be empty")
        self.webhook = {"url": p["url"], "secret_token": p.get("secret_token"),
                        "allowed_updates": p.get("allowed_updates")}
        if _bool(p.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, p: dict) -> dict:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _api_getUpdates(self, p: dict) -> list[dict]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = _int(p.get("offset"), 0)
        limit = min(max(_int(p.get("limit"), 100), 1), 100)
        timeout = max(_int(p.get("timeout"), 0), 0)
        allowed = p.get("allowed_updates") or None
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:  # confirms every update before `offset`
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self._updates if allowed is None or any(k in u for k in allowed)]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                return ready[:limit]
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    def _target_chat(self, p: dict) -> int | str:
        if p.get("chat_id") in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = _chat_id(p["chat_id"])
        if chat_id in self.missing:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.kicked:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return chat_id

    def _reply_markup(self, p: dict) -> dict | None:
        markup = p.get("reply_markup")
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _reply_to(self, chat_id: int | str, p: dict) -> int | None:
        params = p.get("reply_parameters") or {}
        reply_to = _int(params.get("message_id") or p.get("reply_to_message_id"), 0) or None
        allow_without = _bool(params.get("allow_sending_without_reply")
                              or p.get("allow_sending_without_reply"))
        if reply_to and (chat_id, reply_to) not in self._messages:
            if not allow_without:
                raise ApiError(400, "Bad Request: message to be replied not found")
            return None
        return reply_to

    def _bot_message(self, chat_id: int | str, reply_to: int | None, markup: dict | None) -> dict:
        chat = self._chats.get(chat_id) or {
            "id": chat_id, "type": "private" if not self._is_group(chat_id) else "group",
            **({"first_name": "User"} if not self._is_group(chat_id) else {"title": "Group"}),
        }
        message: dict[str, Any] = {
            "message_id": next(self._ids), "date": int(time.time()), "chat": chat,
            "from": self.bot_user,
        }
        if reply_to:
            message["reply_to_message"] = self._messages[(chat_id, reply_to)]
        if markup:
            message["reply_markup"] = markup
        return message

    def _record(self, message: dict, method: str, text: str | None, markup: dict | None,
                reply_to: int | None, file_name: str | None = None) -> None:
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        self.sent.append(SentMessage(
            chat_id=message["chat"]["id"], text=text, message_id=message["message_id"],
            reply_markup=markup, reply_to=reply_to, method=method, file_name=file_name,
        ))
        self._notify()

    async def _api_sendMessage(self, p: dict) -> dict:
        chat_id = self._target_chat(p)
        text = p.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._reply_markup(p)
        reply_to = self._reply_to(chat_id, p)
        self._check_limits(chat_id)
        message = self._bot_message(chat_id, reply_to, markup)
        message["text"] = text
        self._record(message, "sendMessage", text, markup, reply_to)
        return message

    async def _api_sendDocument(self, p: dict) -> dict:
        chat_id = self._target_chat(p)
        document = p.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = p.get(document[len("attach://"):])
        if isinstance(document, dict):
            file_name, content = document.get("file_name"), document.get("content", b"")
        elif isinstance(document, str) and document:
            file_name, content = self._files.get(document, (document, b""))
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = p.get("caption")
        if caption and len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = self._reply_markup(p)
        reply_to = self._reply_to(chat_id, p)
        self._check_limits(chat_id)
        file_id = self._store_file(file_name, content)
        message = self._bot_message(chat_id, reply_to, markup)
        message["document"] = {"file_id": file_id, "file_unique_id": f"u{file_id}",
                               "file_name": file_name, "file_size": len(content)}
        if caption:
            message["caption"] = caption
        self._record(message, "sendDocument", caption, markup, reply_to, file_name)
        return message

    async def _api_editMessageText(self, p: dict) -> dict:
        chat_id = self._target_chat(p)
        message_id = _int(p.get("message_id"), 0)
        text = p.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        message = self._messages.get((chat_id, message_id))
        if message is None or message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = self._reply_markup(p)
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        message = {**message, "text": text, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message_id)] = message
        self._notify()
        return message

    async def _api_answerCallbackQuery(self, p: dict) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                                "or query ID is invalid")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append(query_id)
        return True

    async def _api_getFile(self, p: dict) -> dict:
        file_id = str(p.get("file_id") or "")
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                "file_size": len(self._files[file_id][1]), "file_path": f"documents/{file_id}"}


def _error(code: int, description: str, retry_after: int | None = None) -> dict:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _chat_id(value: Any) -> int | str:
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


try:  # a ready-made pytest fixture: `from tests.fakes.fake_telegram import fake_telegram`
    import pytest

    @pytest.fixture
    async def fake_telegram():
        """A running FakeTelegram with Telegram's limits on, stopped after the test."""
        async with FakeTelegram() as tg:
            yield tg
except ImportError:  # benchmarks may run without pytest installed
    pass
