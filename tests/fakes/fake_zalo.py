"""A fake Zalo Bot API server on loopback, following the Zalo Bot Platform facts of issue 5.

    async with FakeZaloServer() as zalo:
        channel = ZaloChannel(zalo.token, zalo.base_url, poll_timeout=1)
        zalo.push_text("chat-1", "user-1", "xong")
        sent = await zalo.wait_for_sent(1)

Routes: POST /bot{TOKEN}/{method} with a JSON body. Every answer is
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": ...}`;
as on the real platform an `ok: false` may come with HTTP 200.

- getUpdates {timeout}: ONE update per call (no update_id, no offset); when none arrives within
  the timeout: HTTP 200 `{"ok": false, "error_code": 408}`. Refused (error_code 409) while a
  webhook is set.
- sendMessage {chat_id, text}: text of 1..2000 characters else ok:false 400; returns
  `{message_id: <hex>, date: <ms>}`.
- setWebhook {url, secret_token 8..256 chars}, deleteWebhook, getWebhookInfo, getMe.

Failure injection:
- `fail_next(n, "429" | "500" | "ok_false" | "slow", method="sendMessage", skip=0)`: the next n
  calls of that method (after `skip` good ones) answer HTTP 429 (with `parameters.retry_after`),
  HTTP 500 (plain-text body) or HTTP 200 ok:false error_code 400; "slow" does the work (a
  message IS recorded as sent) but answers only after `delay` seconds, as when a reply is lost.
- `mark_gone(chat_id)`: sendMessage to that chat answers HTTP 200 ok:false **error_code 403**
  ("the user blocked the bot or the chat no longer exists"). The Zalo documentation does not
  publish a code for this; 403 is our plausible choice and the one ZaloChannel maps to ChatGone.
- A wrong token answers HTTP 401 ok:false error_code 401.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

DEFAULT_TOKEN = "1234567890:fAkE-ZaLo-ToKeN-abcdefXYZ"
MAX_TEXT = 2000
CHAT_GONE_CODE = 403
WEBHOOK_HEADER = "X-Bot-Api-Secret-Token"


@dataclass
class _Failure:
    kind: str  # "429" | "500" | "ok_false" | "slow"
    method: str | None
    remaining: int
    skip: int
    retry_after: int | None
    delay: float


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeZaloServer:
    def __init__(self, token: str = DEFAULT_TOKEN, *, max_poll_timeout: float = 5.0):
        self.token = token
        self.max_poll_timeout = max_poll_timeout
        self.bot_info = {
            "id": "9876543210",
            "account_name": "bot.NhacViec",
            "account_type": "BASIC",
            "can_join_groups": True,
        }
        self.sent: list[dict[str, Any]] = []  # every accepted sendMessage: chat_id, text, message_id, date
        self.calls: list[str] = []  # method names, in order
        self.webhook: dict[str, str] | None = None
        self.gone_chats: set[str] = set()
        self._updates: asyncio.Queue[dict] = asyncio.Queue()
        self._failures: list[_Failure] = []
        self._sent_changed = asyncio.Condition()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # ----- lifecycle -------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        # access_log=None: the access log would print the token that sits in the path.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeZaloServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ----- test helpers ----------------------------------------------------------------------

    def new_message_id(self) -> str:
        # Zalo message ids are hex strings.
        return secrets.token_hex(16)

    def make_update(
        self,
        event_name: str,
        chat_id: str,
        user_id: str,
        *,
        display_name: str = "Nguyễn Văn A",
        chat_type: str = "PRIVATE",
        message_id: str | None = None,
        **fields: Any,
    ) -> dict:
        message = {
            "message_id": message_id or self.new_message_id(),
            "date": _now_ms(),
            "chat": {"id": chat_id, "chat_type": chat_type},
            "from": {"id": user_id, "display_name": display_name, "is_bot": False},
            **fields,
        }
        return {"event_name": event_name, "message": message}

    def push(self, update: dict) -> dict:
        """Queue an update for getUpdates."""
        self._updates.put_nowait(update)
        return update

    def push_text(self, chat_id: str, user_id: str, text: str, **kw: Any) -> dict:
        return self.push(self.make_update("message.text.received", chat_id, user_id, text=text, **kw))

    def push_image(
        self, chat_id: str, user_id: str, photo_url: str = "https://zalo.example/photo.jpg",
        caption: str = "", **kw: Any,
    ) -> dict:
        fields = {"photo_url": photo_url}
        if caption:
            fields["caption"] = caption
        return self.push(self.make_update("message.image.received", chat_id, user_id, **fields, **kw))

    def push_sticker(self, chat_id: str, user_id: str, sticker: str = "bfe458bf64fa8da4d4eb", **kw: Any) -> dict:
        return self.push(self.make_update("message.sticker.received", chat_id, user_id, sticker=sticker, **kw))

    def push_unsupported(self, chat_id: str, user_id: str, **kw: Any) -> dict:
        return self.push(self.make_update("message.unsupported.received", chat_id, user_id, **kw))

    @property
    def pending_updates(self) -> int:
        return self._updates.qsize()

    def fail_next(
        self, n: int, kind: str, *, method: str | None = "sendMessage", skip: int = 0,
        retry_after: int | None = 1, delay: float = 2.0,
    ) -> None:
        if kind not in {"429", "500", "ok_false", "slow"}:
            raise ValueError(f"unknown failure kind {kind!r}")
        self._failures.append(_Failure(kind, method, n, skip, retry_after, delay))

    def mark_gone(self, chat_id: str) -> None:
        self.gone_chats.add(chat_id)

    async def wait_for_sent(self, n: int, timeout: float = 5.0) -> list[dict]:
        """Wait until at least n messages were accepted; return them all."""
        async with self._sent_changed:
            await asyncio.wait_for(self._sent_changed.wait_for(lambda: len(self.sent) >= n), timeout)
        return list(self.sent)

    async def post_webhook(
        self, url: str, update: dict, *, secret: str | None = None, wrapped: bool = True,
        send_header: bool = True,
    ) -> int:
        """POST an update to a webhook as Zalo would; returns the HTTP status.

        `secret` defaults to the secret_token given to setWebhook; `send_header=False` omits it.
        """
        body = {"ok": True, "result": update} if wrapped else update
        headers = {}
        if send_header:
            value = secret if secret is not None else (self.webhook or {}).get("secret_token", "")
            headers[WEBHOOK_HEADER] = value
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=json.dumps(body), headers={
                "Content-Type": "application/json", **headers,
            }) as response:
                await response.read()
                return response.status

    # ----- the API ---------------------------------------------------------------------------

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, status: int = 200, **extra: Any) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": code, "description": description, **extra}, status=status,
        )

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method not in (None, method) or failure.remaining <= 0:
                continue
            if failure.skip > 0:
                failure.skip -= 1
                return None
            failure.remaining -= 1
            return failure
        return None

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized: invalid token", status=401)
        method = request.match_info["method"]
        self.calls.append(method)
        try:
            payload = await request.json() if request.can_read_body else {}
        except json.JSONDecodeError:
            return self._error(400, "Bad Request: body is not JSON", status=400)
        if not isinstance(payload, dict):
            return self._error(400, "Bad Request: body must be an object", status=400)

        failure = self._take_failure(method)
        if failure is not None and failure.kind == "slow":
            handler = getattr(self, f"_api_{method}")
            response = await handler(payload)
            await asyncio.sleep(failure.delay)
            return response
        if failure is not None:
            if failure.kind == "429":
                extra = {"parameters": {"retry_after": failure.retry_after}} if failure.retry_after else {}
                return self._error(429, "Too Many Requests", status=429, **extra)
            if failure.kind == "500":
                return web.Response(status=500, text="Internal Server Error")
            return self._error(400, "Bad Request: injected failure")

        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(404, f"Not Found: method {method}", status=404)
        return await handler(payload)

    async def _api_getMe(self, payload: dict) -> web.Response:
        return self._ok(self.bot_info)

    async def _api_getUpdates(self, payload: dict) -> web.Response:
        if self.webhook is not None:
            return self._error(409, "Conflict: webhook is active, getUpdates is not allowed")
        try:
            timeout = float(payload.get("timeout", 30))
        except (TypeError, ValueError):
            return self._error(400, "Bad Request: timeout must be a number")
        timeout = max(0.0, min(timeout, self.max_poll_timeout))
        try:
            update = await asyncio.wait_for(self._updates.get(), timeout)
        except asyncio.TimeoutError:
            return self._error(408, "Request timeout: no update")
        return self._ok(update)

    async def _api_sendMessage(self, payload: dict) -> web.Response:
        chat_id = payload.get("chat_id")
        text = payload.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            return self._error(400, "Bad Request: chat_id is required")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            return self._error(400, f"Bad Request: text must be 1..{MAX_TEXT} characters")
        if chat_id in self.gone_chats:
            return self._error(CHAT_GONE_CODE, "Forbidden: the user blocked the bot or the chat is gone")
        result = {"message_id": self.new_message_id(), "date": _now_ms()}
        async with self._sent_changed:
            self.sent.append({"chat_id": chat_id, "text": text, **result})
            self._sent_changed.notify_all()
        return self._ok(result)

    async def _api_setWebhook(self, payload: dict) -> web.Response:
        url = payload.get("url")
        secret = payload.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return self._error(400, "Bad Request: url is invalid")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return self._error(400, "Bad Request: secret_token must be 8..256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        return self._ok({"url": url, "updated_at": _now_ms()})

    async def _api_deleteWebhook(self, payload: dict) -> web.Response:
        url = (self.webhook or {}).get("url", "")
        self.webhook = None
        return self._ok({"url": url, "updated_at": _now_ms()})

    async def _api_getWebhookInfo(self, payload: dict) -> web.Response:
        return self._ok({"url": (self.webhook or {}).get("url", ""), "updated_at": _now_ms()})
