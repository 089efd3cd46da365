"""Every user-facing sentence has a Vietnamese translation with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file

from bot.i18n import catalog, t

ROOT = Path(__file__).resolve().parents[1]
# t(lang, msgid), ctx.tr(msgid), N_(msgid), and the exceptions that carry a msgid.
KEYWORDS = {"t": (2,), "tr": None, "N_": None, "_say": (2,), "RegistryError": None,
            "UndoError": None, "CommandError": None}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def used_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for lineno, msg, _comments, _ctx in extract_from_file("python", str(path), keywords=KEYWORDS):
                msg = msg[0] if isinstance(msg, tuple) else msg
                if msg:
                    found.setdefault(msg, f"{path.relative_to(ROOT)}:{lineno}")
    return found


def test_every_sentence_has_a_vietnamese_translation():
    vi = catalog("vi")
    used = used_msgids()
    assert len(used) > 100  # the extraction really found the bot's sentences
    missing = [f"{where}: {msgid!r}" for msgid, where in used.items() if msgid not in vi]
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders():
    wrong = [msgid for msgid, msgstr in catalog("vi").items()
             if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(msgstr))]
    assert not wrong, wrong


def test_lookup_formats_and_falls_back_to_english():
    assert t("vi", "Recorded: task {code} «{title}» — {status} at {time} on {date}.", code="#17",
             title="x", status="hoàn thành", time="09:12", date="24/11/2026").startswith(
        "Đã ghi nhận: nhiệm vụ #17")
    assert t("en", "deadline: {deadline}", deadline="30/04/2026") == "deadline: 30/04/2026"
    assert t("fr", "Done") == "Đã xong"  # unknown languages get Vietnamese, the first language
