"""Turn a chat reply into a plain form the grammar can read.

Officers type on phones: with or without diacritics, in shorthand ("dx r a", "ko kip", "dc"),
with emoji and polite padding. The grammar works on one form only: lowercase, diacritics
stripped, shorthand expanded, one space between words ("đx r ạ" -> "da xong roi a").

Each normalised word remembers where it came from in the original text, so that a cause found
in the plain form ("thieu so lieu") can be quoted back as the officer wrote it ("thiếu số liệu").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from bot.text.fold import lower_aligned, strip_marks_aligned


class Piece(NamedTuple):  # a tuple: built for every token, so it must be cheap
    word: str   # normalised word(s); one original token may expand to several ("dx" -> "da xong")
    start: int  # span of the token in the original (NFC) text
    end: int


@dataclass(frozen=True)
class Normalised:
    original: str               # the NFC text the spans refer to
    pieces: tuple[Piece, ...]
    s: str                      # the pieces' words joined by single spaces
    offsets: tuple[int, ...]    # where each piece starts in `s`
    accented: bool              # the officer typed diacritics somewhere

    def quote(self, a: int, b: int) -> str:
        """The original text behind s[a:b], widened to whole tokens."""
        chosen = [p for p, off in zip(self.pieces, self.offsets, strict=True) if off < b and off + len(p.word) > a]
        if not chosen:
            return ""
        return self.original[chosen[0].start:chosen[-1].end]

    def sub(self, i: int, j: int) -> "Normalised":
        """Pieces i..j-1 as their own Normalised (one task's part of a message)."""
        return assemble(self.original, self.pieces[i:j], self.accented)


def assemble(original: str, pieces, accented: bool) -> Normalised:
    offsets, pos = [], 0
    for piece in pieces:
        offsets.append(pos)
        pos += len(piece.word) + 1
    s = " ".join(p.word for p in pieces)
    return Normalised(original, tuple(pieces), s, tuple(offsets), accented)


# A token: a task code, a number (date, fraction, percent), a word, or any other single symbol.
_TOKEN = re.compile(
    r"#\s?\d+"
    r"|\d+(?:[/.\-]\d+)*(?:\s?%)?(?![a-z])"
    r"|[a-z0-9]+(?:[&/\-][a-z0-9]+)*"
    r"|\S"
)

# Shorthand and teencode, by folded token. Ambiguous ones ("a" = anh or ạ) are left alone:
# the grammar treats them as padding anyway.
SHORTHAND = {
    # negation
    "k": "khong", "ko": "khong", "kh": "khong", "khg": "khong", "kg": "khong", "hok": "khong",
    "hong": "khong", "hk": "khong", "khum": "khong", "hem": "khong", "khonq": "khong",
    # done / finished
    "dx": "da xong", "xog": "xong", "xg": "xong", "xon": "xong", "done": "xong", "ht": "hoan thanh",
    "htat": "hoan tat", "chx": "chua xong", "ch": "chua",
    # particles
    "r": "roi", "rui": "roi", "roai": "roi", "roy": "roi", "rrr": "roi", "dc": "duoc", "dk": "duoc",
    "dduoc": "duoc", "dag": "dang", "dg": "dang", "e": "em", "ah": "a", "ak": "a", "nha": "nhe",
    "nhen": "nhe", "nhaa": "nhe", "thui": "thoi", "lun": "luon", "wa": "qua", "cx": "cung",
    "ms": "moi", "trc": "truoc", "vs": "voi", "j": "gi", "bik": "biet", "bit": "biet",
    # acknowledgement / thanks
    "oke": "ok", "okie": "ok", "oki": "ok", "okey": "ok", "okay": "ok", "okela": "ok", "oce": "ok",
    "okla": "ok", "okk": "ok", "uk": "ok", "uh": "u", "uhm": "u", "um": "u", "vg": "vang",
    "tks": "cam on", "thanks": "cam on", "thank": "cam on", "thx": "cam on", "camon": "cam on",
    "cmon": "cam on", "xl": "xin loi", "sr": "xin loi", "sorry": "xin loi",
    # questions and time
    "ntn": "nhu the nao", "bh": "bao gio", "bjo": "bao gio", "bgio": "bao gio", "h": "gio",
    "hnay": "hom nay", "hqua": "hom qua", "cn": "chu nhat",
    "t2": "thu 2", "t3": "thu 3", "t4": "thu 4", "t5": "thu 5", "t6": "thu 6", "t7": "thu 7",
    # office words
    "bc": "bao cao", "bcao": "bao cao", "kp": "kinh phi", "tg": "thoi gian", "sl": "so lieu", "nv": "nhiem vu",
    "d/c": "dong chi", "a/c": "anh chi",
}

# Words that fold onto another word; when typed with diacritics we know which one was meant.
ACCENTED = {
    "chờ": "chodoi", "đợi": "chodoi",      # wait (not "cho" = give, not "đổi"/"đội")
    "đó": "doday",                         # "that" (not "do" = because)
    "đăng": "dangtai", "đáng": "dangle",   # not "đang" (ongoing)
    "bão": "baolu",                        # storm (not "báo" = report)
    "mốt": "ngaykia",                      # the day after tomorrow (not "một")
    "nửa": "nuaphan",                      # half (not "nữa" = more)
    "muốn": "muonmuon",                    # want (not "muộn" = late)
    "à": "aq", "hả": "ha", "hở": "ha",     # question particles (not "ạ", polite)
    "một": "1", "hai": "2", "ba": "3", "bốn": "4", "tư": "4", "sáu": "6", "bảy": "7",
    "tám": "8", "chín": "9", "mười": "10",
}
_REPEATS = re.compile(r"([a-z])\1{2,}")
_WAITING_BEFORE = {"dang", "dg", "dag", "van", "con", "phai", "ngoi", "de"}


@lru_cache(maxsize=8192)
def _plain_word(word: str) -> str:
    """A folded word with stretched letters squeezed ("xonggg" -> "xong") and shorthand expanded."""
    if word.startswith("#"):
        return "#" + word[1:].strip()
    word = _REPEATS.sub(r"\1", word)
    return SHORTHAND.get(word, word)


def _expand(word: str, original: str, prev: str, nxt: str, accented: bool) -> str:
    if original in ACCENTED:
        return ACCENTED[original]
    if word == "ht" and (prev in {"loi", "co"} or nxt == "loi"):
        return "he thong"  # "lỗi ht" is a system fault, not "hoàn thành"
    if word == "cho" and not accented and prev in _WAITING_BEFORE:
        return "chodoi"  # "dang cho y kien" without diacritics: waiting
    if word == "mua" and accented and original == "mua":
        return "muasam"  # plain "mua" in an accented message is "buy", not rain
    return _plain_word(word)


# Zero-width and direction marks and the soft hyphen: left by copy-paste and phone keyboards,
# never meant, and they would split "#1\u200b7" or hide a word from the grammar.
INVISIBLE = {cp: None for cp in (0x00AD, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
                                 *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF)}
# Superscript, subscript and full-width digits (and full-width signs such as ％ ＃ ／) read as
# the plain ones, so "#¹⁷" and "５０％" are #17 and 50%. One character each: spans stay aligned.
PLAIN_FORMS = {**INVISIBLE, **{
    cp: plain for cp in (0xB2, 0xB3, 0xB9, *range(0x2070, 0x209D), *range(0xFF01, 0xFF5F))
    if len(plain := unicodedata.normalize("NFKC", chr(cp))) == 1 and plain.isascii()}}


def clean(text: str | None) -> str:
    """The text without invisible marks, with plain digits; NFC."""
    return unicodedata.normalize("NFC", (text or "").translate(PLAIN_FORMS))


def normalise(text: str) -> Normalised:
    original = clean(text)
    lower = lower_aligned(original)
    folded = strip_marks_aligned(lower)
    accented = folded != lower
    matches = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    words = [w for w, _, _ in matches]
    pieces = []
    for i, (word, a, b) in enumerate(matches):
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        pieces.append(Piece(_expand(word, lower[a:b], prev, nxt, accented), a, b))
    return assemble(original, pieces, accented)
