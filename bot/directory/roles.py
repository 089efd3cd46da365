"""Roles and their rights, declared once: handlers ask `may(contact, action)` and never compare
role names themselves. Changing who may do what is a change to RIGHTS alone.

    officer  reports progress on their own unit's tasks (and sees only that unit)
    leader   sees every unit; decides extension requests
    admin    the Office: all a leader may, plus the meeting date, notice import, confirming results
"""
from __future__ import annotations

from typing import Literal, Protocol, get_args

from storage.models import ROLES

Action = Literal[
    "report",            # report progress, answer reminders, undo one's report, send evidence
    "see_all",           # /status and /overdue over every unit, /task N of any unit
    "decide_extension",  # /extensions, /extend, /reject, the Approve, Reject, Another date buttons
    "set_meeting",       # /meeting DD/MM (anyone may ask for the date)
    "import_notice",     # paste or send a notice, correct it, confirm / cancel its import
    "confirm_result",    # confirm or return a reported result (/return, its buttons)
]
ACTIONS: tuple[Action, ...] = get_args(Action)

RIGHTS: dict[str, frozenset[Action]] = {
    "officer": frozenset({"report"}),
    "leader": frozenset({"see_all", "decide_extension"}),
    "admin": frozenset({"see_all", "decide_extension", "set_meeting", "import_notice",
                        "confirm_result"}),
}
assert set(RIGHTS) == set(ROLES), "every role of storage.models.ROLES has its rights here"


class HasRole(Protocol):
    role: str


def may(contact: HasRole | None, action: Action) -> bool:
    """Whether this contact (None: not registered) may do `action`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")  # a typo must not silently forbid
    return contact is not None and action in RIGHTS.get(contact.role, frozenset())
