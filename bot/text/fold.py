"""The one folding of Vietnamese diacritics.

A character loses its marks (tone and vowel marks, "ệ" → "e") and "đ"/"Đ" becomes "d"/"D" (đ is a
letter of its own, not a base with a mark, so Unicode cannot take it apart). Input may be NFC or
NFD: marks are dropped wherever they are. Only combining marks (canonical class > 0) are marks
here; emoji variation selectors and the like are kept.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _bare(ch: str) -> str:
    """One character without its marks: 'ệ' → 'e', 'Đ' → 'D', a lone mark → ''."""
    if ch == "đ":
        return "d"
    if ch == "Đ":
        return "D"
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


class _Table(dict):
    """A str.translate table filled on first sight of each character (fast after warm-up)."""

    def __init__(self, aligned: bool):
        super().__init__()
        self.aligned = aligned

    def __missing__(self, code: int) -> str:
        bare = _bare(chr(code))
        # aligned: exactly one character out for one in, so spans stay valid
        self[code] = (bare[:1] or " ") if self.aligned else bare
        return self[code]


_BARE = _Table(aligned=False)
_ALIGNED = _Table(aligned=True)


def strip_marks(text: str) -> str:
    """Diacritics off, case kept: 'Phòng Tài chính' → 'Phong Tai chinh', 'Đà' → 'Da'."""
    return text.translate(_BARE)


def fold(text: str) -> str:
    """The form to compare names and words by: lower case, no diacritics, single spaces, ends
    trimmed. 'Đã  XONG ' → 'da xong'."""
    return " ".join(strip_marks(text.casefold()).split())


def lower_aligned(text: str) -> str:
    """Lower case without changing the length (a few characters lower-case to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join((c.lower() or c)[0] for c in text)


def strip_marks_aligned(text: str) -> str:
    """strip_marks keeping the length: character i of the result comes from character i of the
    text, a lone mark becomes a space. For NFC text whose spans matter (a reply quoted back)."""
    return text.translate(_ALIGNED)


def fold_aligned(text: str) -> str:
    """Lower case and no diacritics, the same length as `text`: 'Đã XONG' → 'da xong'."""
    return strip_marks_aligned(lower_aligned(text))
