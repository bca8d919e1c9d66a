"""blanko.text: what is seen is what is stored."""

from __future__ import annotations

import pytest

from blanko.text import clean_text, is_invisible, normalise_reference

INVISIBLE = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width, BOM, soft hyphen
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u200e", "\u200f", "\u061c",  # bidi embeddings, overrides, isolates and marks
    "\x00", "\x07", "\x1b", "\x7f", "\x80", "\x9f",  # C0, DEL, C1 controls
    "\u3164", "\u115f", "\ufe0f",  # Hangul filler, variation selector
]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_are_removed(char):
    assert is_invisible(char)
    assert clean_text(f"Ab{char}c") == "Abc"
    assert clean_text(char * 3) == ""


@pytest.mark.parametrize("char", [" ", "a", "é", "/", "\u4e00", "ß"])
def test_visible_characters_and_spaces_are_not_invisible(char):
    assert not is_invisible(char)


def test_whitespace_is_collapsed_and_trimmed():
    assert clean_text(" \tSiti \n\u00a0 Aminah\u2003 ") == "Siti Aminah"


def test_nfkc_turns_full_width_characters_into_ascii():
    assert clean_text("\uff14\uff17\uff10\uff0fＢＡＳＴ") == "470/BAST"


def test_none_and_empty_give_an_empty_string():
    assert clean_text(None) == clean_text("") == ""


def test_a_note_keeps_its_line_breaks_but_not_a_run_of_blank_lines():
    note = "Baris satu \r\n\r\n\r\n\u200bBaris\t dua\u2028tiga "
    assert clean_text(note, multiline=True) == "Baris satu\n\nBaris dua\ntiga"


def test_a_reference_has_no_spaces_around_its_separators():
    assert normalise_reference(" 470 / 0112 - DUK . I ") == "470/0112-DUK.I"
    assert normalise_reference("BAST 12/2020") == "BAST 12/2020"


def test_references_compare_without_case_or_invisible_characters():
    # The services compare normalised numbers with iexact, the constraints with Lower().
    assert (normalise_reference("bast\u200b/001").lower()
            == normalise_reference("BAST/001").lower())
