"""bot/text: the one folding of diacritics and the one shortener."""
from __future__ import annotations

import unicodedata

import pytest

from bot.text.fold import fold, fold_aligned, strip_marks
from bot.text.shorten import shorten

WORDS = ["Đã xong", "ĐÃ XONG", "Phòng Tài chính - Kế hoạch", "Ủy ban nhân dân Phường 1",
         "Uỷ ban", "thiếu số liệu", "Nghệ An", "đường Quảng Trị"]


@pytest.mark.parametrize("text, folded", [
    ("Đã  XONG ", "da xong"),
    ("Phòng Tài chính - Kế hoạch", "phong tai chinh - ke hoach"),
    ("\tỦy ban\u00a0nhân dân\nPhường 1", "uy ban nhan dan phuong 1"),
    ("Nghệ An", "nghe an"),
    ("đường", "duong"),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("text", WORDS)
def test_nfc_and_nfd_fold_alike(text):
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != unicodedata.normalize("NFC", text) or text.isascii()
    assert fold(nfd) == fold(text)
    assert strip_marks(nfd) == strip_marks(unicodedata.normalize("NFC", text))


def test_strip_marks_keeps_case_and_spacing():
    assert strip_marks("Đà Nẵng  ĐÔNG") == "Da Nang  DONG"
    assert strip_marks("Uỷ") == strip_marks("Ủy") == "Uy"


def test_marks_are_combining_marks_only():
    # an emoji's variation selector is not a diacritic
    assert strip_marks("\u2764\ufe0f") == "\u2764\ufe0f"


@pytest.mark.parametrize("text", WORDS)
def test_fold_aligned_is_fold_with_the_length_kept(text):
    aligned = fold_aligned(text)
    assert len(aligned) == len(text)
    assert " ".join(aligned.split()) == fold(text)


def test_fold_aligned_keeps_the_length_where_lower_case_grows():
    assert len(fold_aligned("İstanbul")) == len("İstanbul")


def test_fold_aligned_of_a_lone_mark_is_a_space():
    assert fold_aligned("\u0301x") == " x"
    assert fold_aligned("Đã XONG") == "da xong"


def test_shorten_keeps_short_texts_and_collapses_spaces():
    assert shorten("ngắn", 300) == "ngắn"
    assert shorten("  Báo   cáo\nkết quả ", 40) == "Báo cáo kết quả"
    assert shorten(None, 10) == ""


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    text = "Báo cáo kết quả thực hiện nhiệm vụ"
    short = shorten(text, 16)
    assert short == "Báo cáo kết…"
    assert len(short) <= 16


def test_shorten_cuts_a_long_word_when_no_space_is_near():
    short = shorten("a " + "x" * 50, 10)
    assert short == "a " + "x" * 7 + "…" and len(short) == 10


def test_shorten_drops_punctuation_before_the_ellipsis():
    assert shorten("Việc một, việc hai, việc ba", 12) == "Việc một…"
