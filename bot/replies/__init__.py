"""What a short reply from an officer means: intent, percent, requested date, task codes, cause.

    >>> r = classify("#12 xong, #15 đang làm 50%", today=date(2026, 5, 4))
    >>> [(i.code, i.intent, i.percent) for i in r.items]
    [(12, 'done', None), (15, 'in_progress', 50)]

Pure and offline: no network, no model, no clock (`today` is an argument, used for relative
dates such as "thêm 3 ngày"). The grammar itself is in rules.py; plain.py turns chat typing
into plain words; extract.py reads figures. When the grammar is unsure, `confident` is False and
the bot asks with buttons; it never guesses "done".
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator

from bot.replies import extract, rules
from bot.replies.plain import Normalised, assemble, normalise

INTENTS = ("done", "in_progress", "blocked", "extension", "not_done", "question", "other")

__all__ = ["INTENTS", "Reply", "ReplyItem", "classify", "intent_lines"]


@dataclass(frozen=True)
class ReplyItem:
    """One task's part of a message ("#12 xong, #15 đang làm 50%" gives two)."""
    code: int | None
    intent: str
    percent: int | None
    until: date | None
    reason: str | None
    confident: bool = True


@dataclass(frozen=True)
class Reply:
    text: str
    intent: str
    percent: int | None
    until: date | None
    codes: tuple[int, ...]
    reason: str | None
    confident: bool
    items: tuple[ReplyItem, ...]
    # a mixed message's other intents ("xong phần 1, phần 2 xin thêm 1 tuần": extension, also
    # in_progress); the bot may show them, `intent` alone decides what is recorded
    also: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "intent": self.intent,
            "percent": self.percent,
            "until": self.until.isoformat() if self.until else None,
            "codes": list(self.codes),
            "reason": self.reason,
        }


def _read_part(norm: Normalised, code: int | None, today: date) -> ReplyItem:
    verdict = rules.judge(norm.s)
    intent = verdict.intent
    pct = extract.percent(norm.s) if intent in ("in_progress", "done", "not_done", "blocked") else None
    if intent == "done" and pct is not None and pct < 100:
        pct = None  # "xong 5/5 xã" reads 100; a stray lower figure is not this task's progress
    until = extract.requested_date(norm.s, today) if intent == "extension" else None
    reason = None
    if intent == "blocked" and verdict.cause:
        reason = extract.reason(norm, *verdict.cause)
    elif intent == "extension":
        reason = extract.stated_cause(norm)  # "xin gia hạn ... vì thiếu số liệu"
    return ReplyItem(code, intent, pct, until, reason, verdict.confident)


_CONNECTOR_ONLY = re.compile(r"^(?:[^a-z0-9]|\b(?:va|voi|cung|ca|nhiem vu|viec|so|thi|la)\b|\s)*$")


def _has_content(norm: Normalised) -> bool:
    return not _CONNECTOR_ONLY.match(norm.s)


def _split_by_code(norm: Normalised) -> list[tuple[int | None, Normalised]]:
    """One part per task code, the words after each code up to the next one.

    A code with no words of its own shares the next part's words ("#12 và #13 xong"), or the
    previous part's when it comes last; words before the first code join the first part
    ("Dạ báo cáo: #12 xong, #15 đang làm"). Each part comes back without its codes."""
    spans = extract.code_spans(norm)
    if len({code for code, _, _ in spans}) <= 1:
        return [(spans[0][0] if spans else None, _without_codes(norm, spans))]
    bodies = []
    for k, (code, _first, last) in enumerate(spans):
        end = spans[k + 1][1] if k + 1 < len(spans) else len(norm.pieces)
        bodies.append((code, norm.sub(0 if k == 0 else last, end)))
    parts: list[tuple[int, Normalised]] = []
    pending: list[int] = []
    for code, body in bodies:
        body = _without_codes(body)
        if _has_content(body):
            parts.extend((waiting, body) for waiting in pending + [code])
            pending = []
        else:
            pending.append(code)
    if pending:
        shared = parts[-1][1] if parts else _without_codes(norm)
        parts.extend((code, shared) for code in pending)
    seen: set[int] = set()
    unique: list[tuple[int | None, Normalised]] = []
    for code, body in parts:
        if code not in seen:
            seen.add(code)
            unique.append((code, body))
    return unique


def _without_codes(norm: Normalised, spans: list | None = None) -> Normalised:
    """The same words with task codes blanked, so "#12" is never read as a date or figure."""
    if spans is None:
        spans = extract.code_spans(norm)
    if not spans:
        return norm
    drop = {i for _, first, last in spans for i in range(first, last)}
    kept = [p for i, p in enumerate(norm.pieces) if i not in drop]
    return assemble(norm.original, kept, norm.accented)


def classify(text: str, today: date) -> Reply:
    """Read one reply. `today` anchors relative dates ("thêm 3 ngày", "tuần sau")."""
    norm = normalise(text)
    items = tuple(_read_part(body, code, today) for code, body in _split_by_code(norm))
    first = items[0]
    codes = tuple(item.code for item in items if item.code is not None)
    return Reply(
        text=text,
        intent=first.intent,
        percent=first.percent,
        until=first.until,
        codes=codes,
        reason=first.reason,
        confident=all(item.confident for item in items),
        items=items,
        also=tuple(i for i in rules.part_intents(norm.s) if i != first.intent) if len(items) == 1 else (),
    )


def intent_lines(lines: Iterable[str], today: date) -> Iterator[str]:
    """For `nhacviec intent`: one JSON object per input line."""
    for line in lines:
        yield json.dumps(classify(line.rstrip("\r\n"), today).to_json(), ensure_ascii=False)
