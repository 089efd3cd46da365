"""Button payloads: one frozen dataclass per action, encoded and decoded here and nowhere else.

A button carries its state in its callback data (no conversation state lives in memory), as
short strings whose shapes are kept exactly as they were before this module, so that buttons
already sitting in people's chats keep working after an upgrade:

    r:<done|progress|blocked|extend>:<assignment>   an officer's answer to a reminder
    p:<assignment>:<inbox>                           which task an earlier message was about
    u:<inbox>:<assignment>                           undo what that message recorded on the task
    x:<ok|no|other>:<extension request>              a leader decides an extension request
    c:<ok|ret>:<assignment>                          the Office confirms or returns a result
    i:<ok|no>:<inbox>, i:more:<inbox>[:<page>]       the Office reviews a pasted notice

`decode` gives None for anything else (an old bot's button, garbled data, a forged press): the
router answers "This button is no longer valid." instead of failing; so does an id above
MAX_ID, which PostgreSQL could not even be asked about. Every payload encodes within Telegram's
64-byte callback_data limit, even with ids up to SQLite's largest rowid.

Imports only the channel contract and i18n, so that the planner (bot.followup) can build the
same answer buttons as the handlers without depending on anything else in handlers/.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Union, get_args

from bot.channels.base import Button
from bot.i18n import N_, t

MAX_BYTES = 64  # Telegram's limit for callback_data
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: a larger number names nothing
SQLITE_MAX_ID = 2**63 - 1  # SQLite's largest rowid: payloads still encode within 64 bytes
_NUMBER = re.compile(r"[0-9]{1,19}")  # ASCII digits only: str.isdigit() also accepts "²"

ReportAction = Literal["done", "progress", "blocked", "extend"]
DecisionAction = Literal["ok", "no", "other"]
ResultAction = Literal["ok", "ret"]
ReviewAction = Literal["ok", "no", "more"]


def _join(*parts: object) -> str:
    data = ":".join(str(part) for part in parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def _id(text: str) -> int | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


@dataclass(frozen=True)
class Report:
    """r:ACTION:ASSIGNMENT — an answer button under a reminder or an unclear message."""

    action: ReportAction
    assignment_id: int

    def encode(self) -> str:
        return _join("r", self.action, self.assignment_id)


@dataclass(frozen=True)
class Pick:
    """p:ASSIGNMENT:INBOX — the officer says which task an earlier message was about."""

    assignment_id: int
    inbox_id: int

    def encode(self) -> str:
        return _join("p", self.assignment_id, self.inbox_id)


@dataclass(frozen=True)
class Undo:
    """u:INBOX:ASSIGNMENT — undo the report that message made on that task."""

    inbox_id: int
    assignment_id: int

    def encode(self) -> str:
        return _join("u", self.inbox_id, self.assignment_id)


@dataclass(frozen=True)
class Decision:
    """x:ACTION:REQUEST — approve, reject or ask for another date on an extension request."""

    action: DecisionAction
    request_id: int

    def encode(self) -> str:
        return _join("x", self.action, self.request_id)


@dataclass(frozen=True)
class ResultCheck:
    """c:ACTION:ASSIGNMENT — the Office confirms (ok) or returns (ret) a reported result."""

    action: ResultAction
    assignment_id: int

    def encode(self) -> str:
        return _join("c", self.action, self.assignment_id)


@dataclass(frozen=True)
class Review:
    """i:ok:INBOX / i:no:INBOX / i:more:INBOX:PAGE — the Office on a notice under review."""

    action: ReviewAction
    inbox_id: int
    page: int = 0  # for "more": which page of tasks to show

    def encode(self) -> str:
        if self.action == "more":
            return _join("i", "more", self.inbox_id, self.page)
        return _join("i", self.action, self.inbox_id)


Payload = Union[Report, Pick, Undo, Decision, ResultCheck, Review]


def _action(text: str, kind) -> str | None:
    return text if text in get_args(kind) else None


def decode(data: str | None) -> Payload | None:
    """The payload a button's data stands for, or None when it is not one of ours."""
    parts = (data or "").split(":")
    head, rest = parts[0], parts[1:]
    if head == "r" and len(rest) == 2:
        action, number = _action(rest[0], ReportAction), _id(rest[1])
        return Report(action, number) if action and number is not None else None  # type: ignore[arg-type]
    if head in ("p", "u") and len(rest) == 2:
        first, second = _id(rest[0]), _id(rest[1])
        if first is None or second is None:
            return None
        return Pick(first, second) if head == "p" else Undo(first, second)
    if head == "x" and len(rest) == 2:
        action, number = _action(rest[0], DecisionAction), _id(rest[1])
        return Decision(action, number) if action and number is not None else None  # type: ignore[arg-type]
    if head == "c" and len(rest) == 2:
        action, number = _action(rest[0], ResultAction), _id(rest[1])
        return ResultCheck(action, number) if action and number is not None else None  # type: ignore[arg-type]
    if head == "i" and len(rest) >= 2:
        action, number = _action(rest[0], ReviewAction), _id(rest[1])
        if not action or number is None:
            return None
        if action != "more":
            # Buttons sent before this module were read leniently: extra parts were ignored.
            return Review(action, number)  # type: ignore[arg-type]
        # "i:more:INBOX" without a page, or with a garbled one, showed the first page.
        page = _id(rest[2]) if len(rest) > 2 else 0
        return Review("more", number, page or 0)
    return None


# ---- the one builder of answer buttons ----------------------------------------------------------

_ANSWERS: tuple[tuple[ReportAction, str], ...] = (
    ("done", N_("Done")),
    ("progress", N_("In progress")),
    ("blocked", N_("Blocked")),
    ("extend", N_("Ask for more time")),
)


def answer_buttons(lang: str, assignment_id: int, per_row: int = 2) -> list[list[Button]]:
    """The four answers to a task (done, in progress, blocked, more time), `per_row` a row:
    four in one row under a reminder, two by two under an unclear message."""
    buttons = [Button(t(lang, label), Report(action, assignment_id).encode())
               for action, label in _ANSWERS]
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
