"""Loans still owed, and shipments on their way."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from blanko.models import Loan, Location, Office, Shipment

Kind = Location.Kind


@dataclass(frozen=True)
class Outstanding:
    partner: str
    direction: str  # "borrowed" or "lent"
    quantity: int
    in_transit: int
    oldest: datetime.date


def outstanding_loans(*, office: Office) -> list[Outstanding]:
    """What the office owes and is owed, per partner and direction.

    `quantity` is what has been delivered and not yet repaid; `in_transit` is
    what is still travelling (loans not yet received, repayments not yet in).
    """
    loans = (
        Loan.objects.filter(Q(lender_office=office) | Q(borrower_office=office))
        .exclude(status=Loan.Status.CANCELLED)
        .select_related("lender_office", "lender_partner", "borrower_office", "borrower_partner")
        .annotate(
            transit=Coalesce(
                Sum(
                    F("shipments__quantity") - F("shipments__received_quantity")
                    - F("shipments__cancelled_quantity"),
                    filter=Q(shipments__status=Shipment.Status.IN_TRANSIT),
                ),
                0,
            )
        )
    )
    grouped: dict[tuple[str, str], list] = {}
    for loan in loans:
        if loan.status == Loan.Status.SETTLED:
            continue
        borrowed = loan.borrower_office_id == office.pk
        partner = loan.lender_name if borrowed else loan.borrower_name
        key = (partner, "borrowed" if borrowed else "lent")
        quantity, transit, oldest = grouped.get(key, (0, 0, loan.opened_on))
        grouped[key] = (
            quantity + loan.outstanding, transit + loan.transit, min(oldest, loan.opened_on)
        )
    return [
        Outstanding(partner=p, direction=d, quantity=q, in_transit=t, oldest=o)
        for (p, d), (q, t, o) in sorted(grouped.items())
    ]


def pending_shipments(*, office: Office) -> QuerySet[Shipment]:
    """Shipments in transit to or from the office."""
    return (
        Shipment.objects.filter(Q(sender=office) | Q(receiver=office),
                                status=Shipment.Status.IN_TRANSIT)
        .select_related("sender", "receiver", "loan")
    )
