from __future__ import annotations

from django import template

from blanko.formatting import TableFormat
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


# Fast equivalents of intcomma, floatformat:1 and date:"j M Y" for long tables
# (blanko.formatting.TableFormat, which a view can also use for a whole table).


@register.filter
def grouped(value) -> str:
    return TableFormat().grouped(value)


@register.filter
def one_decimal(value) -> str:
    return TableFormat().one_decimal(value)


@register.filter
def short_date(value) -> str:
    return TableFormat().short_date(value)
