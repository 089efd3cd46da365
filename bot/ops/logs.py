"""Logging, set up in one place from NHACVIEC_LOG_LEVEL and NHACVIEC_LOG_FORMAT (text | json).

The libraries' chatter (APScheduler's "Running job" every few seconds, one line per HTTP request)
stays at WARNING, so an idle bot writes a few lines a day. Secrets are replaced in every line the
handler writes, whichever logger wrote it: the channels also scrub their own loggers, this is the
net under them for the rest.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Iterable, TextIO

QUIET_LOGGERS = ("apscheduler", "httpx", "httpcore", "aiohttp.access", "aiogram.event",
                 "telegram.ext", "asyncio")
_HANDLER_NAME = "nhacviec"


class SecretFilter(logging.Filter):
    """Replaces secrets (bot tokens, webhook secrets) in the message and the traceback."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Hide `secret` from now on; a Telegram token's secret half can appear alone (URL-encoded
        paths), so it is hidden too. Longest first, so a part never leaves the rest showing."""
        parts = {p for p in (secret, (secret or "").split(":", 1)[-1]) if p and len(p) >= 6}
        self.secrets = sorted(set(self.secrets) | parts, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def _not_a_skipped_tick(record: logging.LogRecord) -> bool:
    """The ticks run with max_instances=1 and coalesce on purpose: a tick still under way when the
    next one is due is skipped by design, which APScheduler reports as a WARNING every time."""
    return not (record.name == "apscheduler.scheduler"
                and "maximum number of running instances reached" in str(record.msg))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text", secrets: Iterable[str | None] = (),
                  stream: TextIO | None = None) -> logging.Handler:
    """Replace the root handler by ours (calling it again reconfigures); returns the handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_not_a_skipped_tick)
    handler.addFilter(SecretFilter(secrets))
    root.addHandler(handler)
    root.setLevel(level)
    # DEBUG asks for everything, the libraries included; otherwise they speak only of trouble.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    return handler
