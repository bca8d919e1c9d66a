from __future__ import annotations

from django import template

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
