"""User-facing sentences, looked up in locales/<lang>/LC_MESSAGES/*.po (gettext, read with Babel).

Code speaks English: the msgid is the English sentence, and the Vietnamese catalogue translates it.
Every `.po` file in a language folder is merged, so each part of the bot can keep its own file
(messages.po for the core, notices.po for the notice importer, ...).

    t("vi", "Task {code} recorded as done at {time}.", code="#17", time="09:12")

`N_()` marks a sentence for extraction where it is defined but translated later.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from babel.messages.pofile import read_po

# The top-level `locales` package: beside the source tree in a checkout, package data in a wheel.
LOCALES_DIR = files("locales")
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def N_(msgid: str) -> str:
    return msgid


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    folder = LOCALES_DIR / lang / "LC_MESSAGES"
    for path in sorted((p for p in folder.iterdir() if p.name.endswith(".po")), key=lambda p: p.name):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string:
                    messages[message.id] = message.string
    return messages


def normalise_language(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANGUAGE
    lang = lang.lower().split("-")[0].split("_")[0]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(lang: str | None, msgid: str, /, **values: object) -> str:
    text = catalog(normalise_language(lang)).get(msgid, msgid)
    return text.format(**values) if values else text
