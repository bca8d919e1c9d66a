from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import formats, translation
from django.utils.dates import MONTHS_3

if TYPE_CHECKING:
    from blanko.models import Office


def number(value: int) -> str:
    """An integer grouped as the active language writes it, for messages built outside
    templates: 6.000 (id), 6,000 (en). Django's number_format, always grouped."""
    if translation.get_language() is None:
        # Translations deactivated (a @no_translations command): the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            return formats.number_format(value, force_grouping=True)
    return formats.number_format(value, force_grouping=True)


_WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+")


# Numbers posted back are at most 18 digits: every one fits a database integer (a
# bigint holds 19), and int() is never asked for thousands of digits, which Python
# refuses with a ValueError.
MAX_DIGITS = 18


def parse_digits(text: str | None) -> int | None:
    """Plain ASCII digits, as a page writes an id or a hidden quantity; None for anything
    else ("²", "6_00" and "٣" are digits to str.isdigit or int(), not to a form), and
    for more than MAX_DIGITS of them."""
    text = text or ""
    if len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def parse_whole(text: str | None) -> int | None:
    """A whole number as a person or a form field types it: ASCII digits, or thousands
    grouped by dots as Indonesian writes them ("3.000"); None for anything else. A
    decimal ("1.5"), a sign or a digit that only looks like one ("²") is not taken for a
    different number."""
    text = (text or "").strip()
    if not _WHOLE.fullmatch(text):
        return None
    digits = text.replace(".", "")
    return int(digits) if len(digits) <= MAX_DIGITS else None


class TableFormat:
    """intcomma, floatformat:1 and date:"j M Y" in the active language, for long tables.

    The same text as those filters (tests/layanan/test_templatetags.py checks it),
    with the language's separators and month names looked up once per table
    instead of once per cell: on the 514-row national rollup the lookups were
    most of the rendering time.
    """

    def __init__(self) -> None:
        self.thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
        self.point = str(formats.get_format("DECIMAL_SEPARATOR"))
        self.months: dict[int, str] = {}

    def grouped(self, value) -> str:
        """An integer with the thousands separator: 6.000 (id), 6,000 (en)."""
        if value is None or value == "":
            return ""
        return f"{int(value):,}".replace(",", self.thousands)

    def one_decimal(self, value) -> str:
        """Rounded half up to one decimal: 1.234,5 (id), 1,234.5 (en)."""
        if value is None or value == "":
            return ""
        rounded = Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{rounded:,.1f}".translate({ord(","): self.thousands, ord("."): self.point})

    def short_date(self, value) -> str:
        """14 Nov 2020, the month abbreviated in the active language."""
        if not value:
            return ""
        month = self.months.get(value.month)
        if month is None:
            month = self.months[value.month] = str(MONTHS_3[value.month]).title()
        return f"{value.day} {month} {value.year}"


# "Kota Tanjungpinang" signs as "Tanjungpinang", "Kabupaten Bintan" as "Bintan".
PLACE_PREFIXES = ("Kota ", "Kabupaten ", "Kab. ")


def place_name(office: Office) -> str:
    """The town for "<place>, <date>" above a signature: "Kota Batam" gives "Batam"; Ditjen
    Dukcapil's central store signs in Jakarta."""
    if office.is_central:
        return "Jakarta"
    for prefix in PLACE_PREFIXES:
        if office.name.startswith(prefix):
            return office.name.removeprefix(prefix)
    return office.name
