"""Row locks on balances, for callers that must read a count and act on it atomically."""

from __future__ import annotations

from blanko.models import Balance, Location, Office
from blanko.services.offices import office_location


def lock_stock(*, office: Office) -> int:
    """Locks the office's store balance row until the transaction ends; returns its count.

    Call it inside `transaction.atomic`: a rule that reads the stock and then draws
    (the print reservation, say) must hold the lock that every posting on the store
    also takes, or two requests could both see the last blank.
    """
    stock = office_location(office, Location.Kind.STOCK)
    return Balance.objects.select_for_update().values_list("quantity", flat=True).get(
        location=stock)


def lock_office_balances(office: Office) -> None:
    """Takes the row locks of every balance of an office, in location-id order."""
    list(
        Balance.objects.select_for_update()
        .filter(location__office=office)
        .order_by("location_id")
        .values_list("location_id", flat=True)
    )
