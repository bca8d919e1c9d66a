"""The movements a ledger page lists."""

from __future__ import annotations

import datetime

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from blanko.models import Location, Movement, Office

Kind = Location.Kind


def office_movements(
    *, office: Office, reason: str | None = None, date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Movement]:
    """The office's movements, newest first, with what a ledger page shows."""
    movements = (
        Movement.objects.for_office(office)
        .select_related("from_location", "to_location", "recorded_by", "reverses")
        .annotate(
            # The office's own store count after this movement, when it touched the store.
            stock_after=Case(
                When(Q(from_location__office=office, from_location__kind=Kind.STOCK),
                     then=F("from_balance_after")),
                When(Q(to_location__office=office, to_location__kind=Kind.STOCK),
                     then=F("to_balance_after")),
                default=Value(None), output_field=IntegerField(),
            ),
            signed_quantity=Case(
                When(Q(to_location__office=office, to_location__kind=Kind.STOCK),
                     then=F("quantity")),
                When(Q(from_location__office=office, from_location__kind=Kind.STOCK),
                     then=-F("quantity")),
                default=Value(0), output_field=IntegerField(),
            ),
        )
        .order_by("-occurred_on", "-id")
    )
    if reason:
        movements = movements.filter(reason=reason)
    if date_from:
        movements = movements.filter(occurred_on__gte=date_from)
    if date_to:
        movements = movements.filter(occurred_on__lte=date_to)
    return movements


def reversal_of(*, movement: Movement) -> Movement | None:
    """The movement that reversed `movement`, if one did (there is at most one)."""
    return Movement.objects.filter(reverses=movement).first()
