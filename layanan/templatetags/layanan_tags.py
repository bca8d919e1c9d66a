from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats
from django.utils.dates import MONTHS_3

from layanan import nik as nik_module

register = template.Library()


@register.filter
def mask_nik(value: str) -> str:
    return nik_module.mask_nik(value or "")


@register.filter
def status_badge(status: str) -> str:
    """A Bootstrap colour for each status, chosen for readable contrast."""
    return {
        "submitted": "text-bg-secondary",
        "verified": "text-bg-primary",
        "printed": "text-bg-info",
        "delivered": "text-bg-success",
        "rejected": "text-bg-danger",
        "cancelled": "text-bg-dark",
    }.get(status, "text-bg-light")


# Fast equivalents of intcomma, floatformat:1 and date:"j M Y" for long tables (the
# national rollup renders 514 rows): the same text in the active language, without
# the per-call format lookups that made those filters most of the page's time.


def _separators() -> tuple[str, str]:
    return str(formats.get_format("THOUSAND_SEPARATOR")), str(
        formats.get_format("DECIMAL_SEPARATOR"))


@register.filter
def grouped(value) -> str:
    """An integer with the language's thousands separator: 6.000 (id), 6,000 (en)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", _separators()[0])


@register.filter
def one_decimal(value) -> str:
    """Rounded half up to one decimal, like floatformat:1: 1.234,5 (id), 1,234.5 (en)."""
    if value is None or value == "":
        return ""
    rounded = Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    thousands, point = _separators()
    return f"{rounded:,.1f}".translate({ord(","): thousands, ord("."): point})


@register.filter
def short_date(value) -> str:
    """Like date:"j M Y": 14 Nov 2020 (abbreviated month in the active language)."""
    if not value:
        return ""
    return f"{value.day} {str(MONTHS_3[value.month]).title()} {value.year}"
