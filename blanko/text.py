"""Cleaning text that people type: the one home for it, used by blanko and layanan.

Text pasted from a letter, a spreadsheet or a chat message often carries characters
that cannot be seen: zero-width spaces and joiners, a byte-order mark, bidirectional
controls (which can even show a number backwards), soft hyphens, control characters,
or digits in their full-width form. Two references that look the same on screen
must then be the same string, or a uniqueness check can be walked around with an
invisible character ("470/0112/DUK/I/2020" and "470/0112\u200b/DUK/I/2020").

- `clean_text` normalises any single-line text: Unicode NFKC, invisible characters
  removed, whitespace collapsed to single spaces and trimmed.
- `normalise_reference` is `clean_text` for a document number (BAST, berita acara,
  letter number) before it is stored and before its uniqueness check; compare the
  results case-insensitively (`iexact`, as the database constraints do with Lower()).
- `is_invisible` says whether a character is one that `clean_text` removes, for
  callers (e.g. a name check) that want to refuse text made only of such characters.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that render as blank space although Unicode does not class them as format
# characters (Hangul fillers, the braille blank, Khmer inherent vowels, ...).
BLANK_LOOKING = frozenset(
    "\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"
    "\u034f"  # combining grapheme joiner
    "\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07"  # variation selectors 1-8
    "\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f"  # variation selectors 9-16
)

_WHITESPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BLANK_LINES = re.compile(r"\n{3,}")


def is_invisible(char: str) -> bool:
    """True for a character that shows nothing and is not whitespace.

    That is every control (C0, DEL, C1: category Cc) that is not whitespace, every
    format character (Cf: zero-width space/non-joiner/joiner, word joiner, BOM,
    soft hyphen, the bidi embeddings, overrides, isolates and marks, ...), lone
    surrogates, and the blank-looking letters in BLANK_LOOKING.
    """
    if char.isspace():
        return False
    return unicodedata.category(char) in {"Cc", "Cf", "Cs"} or char in BLANK_LOOKING


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Typed text, normalised: what is seen is what is stored.

    Unicode NFKC (so full-width digits and letters become ASCII, a no-break space
    becomes a space, ligatures are split), then every invisible character removed
    (see `is_invisible`), then every run of whitespace (tabs and line breaks
    included) collapsed to one space, and the ends trimmed. None gives "".
    A string made only of invisible characters gives "": check emptiness after
    cleaning, not before.

    With multiline=True (a note typed in a textarea) line breaks are kept: each
    line is cleaned as above, and blank lines are kept at most one in a row.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(char for char in text if not is_invisible(char))
    # NFKC again: removing a character can leave a new composable pair behind.
    text = unicodedata.normalize("NFKC", text)
    if not multiline:
        return _WHITESPACE.sub(" ", text).strip()
    lines = [_WHITESPACE.sub(" ", line).strip() for line in _LINE_BREAK.split(text)]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalise_reference(value: str | None) -> str:
    """A document number (BAST, berita acara, letter number) as stored and compared.

    `clean_text`, and also no spaces around a slash, hyphen or dot ("470 / 0112"
    is "470/0112"), as a number's parts are joined on paper. Case is kept for
    display; compare with `iexact` (the database constraints use Lower()).
    """
    text = clean_text(value).translate(_REFERENCE_PUNCTUATION)
    return re.sub(r"\s*([/.\-])\s*", r"\1", text)


# Dashes and slashes that a word processor types in place of "-" and "/", which NFKC
# leaves alone: on paper they are the same number.
_REFERENCE_PUNCTUATION = str.maketrans({
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\u2044": "/", "\u2215": "/", "\u29f8": "/",
})
