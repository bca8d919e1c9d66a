"""Helpers for the ledger tests: partner codes, a ledger snapshot, dates."""

from __future__ import annotations

import datetime

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

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


# --- The staff pages -----------------------------------------------------------------------


def url(name: str, office, pk: int | None = None) -> str:
    """A `blanko:` page of `office`, and of one of its objects when `pk` is given."""
    kwargs = {"code": office.code}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"blanko:{name}", kwargs=kwargs)


def messages_of(response) -> list[str]:
    """The flash messages a response carried."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response, name: str = "form") -> list[str]:
    """Every error of the form a response rendered, field and non-field, as text."""
    form = response.context[name]
    return [str(text) for errors in form.errors.values() for text in errors]
