"""The ledger's staff pages, one module per concern."""

from __future__ import annotations

from blanko.views.common import apply_form_errors, scoped_office
from blanko.views.ledger import health, home, movement_reverse, office_list, stock

__all__ = [
    "apply_form_errors",
    "health",
    "home",
    "movement_reverse",
    "office_list",
    "scoped_office",
    "stock",
]
