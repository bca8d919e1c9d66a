"""Numbers in Indonesian words ("terbilang"), as official reports write quantities."""

from __future__ import annotations

_ONES = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan",
         "sembilan", "sepuluh", "sebelas"]
_SCALES = ((1_000_000_000_000, "triliun"), (1_000_000_000, "miliar"), (1_000_000, "juta"))


def terbilang(value: int) -> str:
    """terbilang(1250) == "seribu dua ratus lima puluh"."""
    if value < 0:
        return "minus " + terbilang(-value)
    if value < 12:
        return _ONES[value]
    if value < 20:
        return f"{_ONES[value - 10]} belas"
    if value < 100:
        tens, ones = divmod(value, 10)
        return f"{_ONES[tens]} puluh" + (f" {_ONES[ones]}" if ones else "")
    if value < 1000:
        return _compound(value, 100, "ratus", "seratus")
    if value < 1_000_000:
        return _compound(value, 1000, "ribu", "seribu")
    for scale, word in _SCALES:
        if value >= scale:
            return _compound(value, scale, word, None)
    raise ValueError(value)  # pragma: no cover - every int matches a branch above


def _compound(value: int, unit: int, word: str, one_word: str | None) -> str:
    # Indonesian says "seratus", "seribu" for one hundred/thousand, but "satu juta".
    count, rest = divmod(value, unit)
    head = one_word if count == 1 and one_word else f"{terbilang(count)} {word}"
    return head + (f" {terbilang(rest)}" if rest else "")
