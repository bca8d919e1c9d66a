from __future__ import annotations


def number(value: int) -> str:
    """Indonesian thousands separator for messages built outside templates: 6.000."""
    return f"{value:,}".replace(",", ".")
