"""Helpers for the ledger tests: partner codes, a ledger snapshot, dates."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

from blanko.models import (
    Balance,
    Delivery,
    Destruction,
    Loan,
    Location,
    MonthClose,
    Movement,
    Shipment,
    StockCount,
)
from tests.helpers import raises_without_change, today

PARTNER_BINTAN = "2101"  # Kabupaten Bintan: a kab/kota that does not use SiBlanko
PARTNER_KARIMUN = "2102"


def ledger_snapshot() -> dict:
    """Everything a ledger write could change, to check that a refused call wrote nothing."""
    return {
        "movements": Movement.objects.count(),
        "balances": dict(Balance.objects.values_list("location__code", "quantity")),
        "deliveries": Delivery.objects.count(),
        "loans": list(
            Loan.objects.order_by("pk").values_list(
                "pk", "delivered_quantity", "repaid_quantity", "status"
            )
        ),
        "shipments": list(
            Shipment.objects.order_by("pk").values_list(
                "pk", "received_quantity", "cancelled_quantity", "status"
            )
        ),
        "stock_counts": StockCount.objects.count(),
        "destructions": Destruction.objects.count(),
        "month_closes": MonthClose.objects.count(),
        "locations": Location.objects.count(),
    }


def refused(exception: type[Exception] = ValidationError, match: str | None = None):
    """Expects `exception` (with a message matching `match`) and no change to the ledger."""
    return raises_without_change(ledger_snapshot, exception, match)


def previous_month_day(day: int = 15) -> datetime.date:
    """A day in the month before the current one."""
    return (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=day)
