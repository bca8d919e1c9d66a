from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class InsufficientStock(ValidationError):
    """Raised when a location holds fewer blanks than a movement takes.

    It is a ValidationError so that views show it on the form like any other
    rule violation.
    """

    def __init__(self, message: str | None = None, *, available: int | None = None) -> None:
        self.available = available
        super().__init__(message or _("Stok blanko tidak mencukupi."),
                         code="insufficient_stock")


class IdempotencyConflict(ValidationError):
    """The same idempotency key was sent with different data."""

    def __init__(self) -> None:
        super().__init__(
            _("Kunci idempotensi ini sudah dipakai untuk transaksi lain dengan data berbeda."),
            code="idempotency_conflict",
        )
