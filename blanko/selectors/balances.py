"""Balances: what a store holds now and held at the end of a past day."""

from __future__ import annotations

import datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from blanko.models import Balance, Location, Movement, Office

Kind = Location.Kind


def stock_on_hand(*, office: Office) -> int:
    """Blanks in the office's store now, in O(1) from its balance row."""
    return (
        Balance.objects.filter(location__office=office, location__kind=Kind.STOCK)
        .values_list("quantity", flat=True)
        .get()
    )


def office_balances(*, office: Office) -> dict[str, int]:
    """Current counts of every balanced location of an office, by kind."""
    rows = Balance.objects.filter(location__office=office).values_list(
        "location__kind", "quantity"
    )
    return dict(rows)


def balances_as_of(*, locations, day: datetime.date) -> QuerySet[Balance]:
    """The balance rows of `locations`, each with `count_as_of`: its count at the end of
    `day`, in one statement.

    The row's quantity less the movements dated after `day`: the days since then are
    read, not the whole history. It equals balance_as_of (the ledger's own sum)
    because a posting moves its balance and writes its movement in one transaction,
    which verify_ledger checks; and one statement sees one snapshot, so a posting
    committed meanwhile is in both the quantity and the sum, or in neither.
    """
    later = Movement.objects.filter(occurred_on__gt=day).order_by()

    def moved(direction: str) -> Coalesce:
        total = (later.filter(**{direction: OuterRef("location")}).values(direction)
                 .annotate(total=Sum("quantity")).values("total"))
        return Coalesce(Subquery(total), 0)

    return Balance.objects.filter(location__in=locations).annotate(
        count_as_of=F("quantity") - moved("to_location") + moved("from_location"))


def balance_as_of(*, office: Office, day: datetime.date, kind: str = Kind.STOCK) -> int:
    """The count of one of the office's locations at the end of a business date, summed
    from the ledger alone (any location, with or without a balance row)."""
    location = Location.objects.get(office=office, kind=kind)
    totals = Movement.objects.filter(
        Q(to_location=location) | Q(from_location=location), occurred_on__lte=day
    ).aggregate(
        incoming=Coalesce(Sum("quantity", filter=Q(to_location=location)), 0),
        outgoing=Coalesce(Sum("quantity", filter=Q(from_location=location)), 0),
    )
    return totals["incoming"] - totals["outgoing"]


def offices_with_stock(*, offices: QuerySet[Office]) -> QuerySet[Office]:
    """Offices annotated with their store count, in one query."""
    return offices.annotate(
        stock=Sum("locations__balance__quantity", filter=Q(locations__kind=Kind.STOCK))
    ).order_by("code")
