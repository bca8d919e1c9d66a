"""The span of an office's ledger: when it begins, and when its store last moved."""

from __future__ import annotations

import datetime

from django.db.models import Min, OuterRef, Subquery

from blanko.models import Location, Movement, Office

Kind = Location.Kind


def first_movement_on(*, office: Office) -> datetime.date | None:
    """The business date of the office's first movement, in one query; None if none."""
    return Movement.objects.for_office(office).aggregate(first=Min("occurred_on"))["first"]


def last_store_movement_on(*, office: Office, as_of: datetime.date) -> datetime.date | None:
    """The date of the store's last movement on or before `as_of`, in one query.

    One newest-first lookup per direction, each a step down its (location, date)
    index: MAX over "into OR out of" read every movement of the store.
    """

    def newest(direction: str) -> Subquery:
        return Subquery(
            Movement.objects.filter(**{direction: OuterRef("pk")}, occurred_on__lte=as_of)
            .order_by("-occurred_on").values("occurred_on")[:1]
        )

    row = Location.objects.filter(office=office, kind=Kind.STOCK).values_list(
        newest("to_location"), newest("from_location")).get()
    return max((day for day in row if day is not None), default=None)
