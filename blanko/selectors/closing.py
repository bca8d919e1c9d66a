"""The records a month ends with: its close, and the destruction batches (berita acara)."""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet

from blanko.models import Destruction, MonthClose, Office


def month_close(*, office: Office, month: datetime.date) -> MonthClose | None:
    """The close of the month whose first day is `month`, with who closed it; or None."""
    return (MonthClose.objects.filter(office=office, month=month)
            .select_related("closed_by").first())


def closed_months(*, office: Office) -> set[datetime.date]:
    """The first day of every month the office has closed, in one query."""
    return set(MonthClose.objects.filter(office=office).values_list("month", flat=True))


def destructions(*, office: Office, start: datetime.date | None = None,
                 end: datetime.date | None = None) -> QuerySet[Destruction]:
    """The office's destruction batches, newest first; only those dated `start` to `end`
    when given. Each carries `reversal_id`: the movement that reversed (cancelled) its
    destruction, or None."""
    batches = _with_reversal(Destruction.objects.filter(office=office))
    if start is not None and end is not None:
        batches = batches.filter(destroyed_on__range=(start, end))
    return batches


def destruction(*, office: Office, pk: int) -> Destruction | None:
    """One of the office's destruction batches, with the movement, who recorded it and
    `reversal_id` (as in `destructions`); None when the office has no such batch."""
    return (_with_reversal(Destruction.objects.select_related("movement__recorded_by"))
            .filter(office=office, pk=pk).first())


def _with_reversal(batches: QuerySet[Destruction]) -> QuerySet[Destruction]:
    # A reversed destruction stays on record (movements are append-only) but its berita
    # acara no longer holds: the pages mark it cancelled.
    return batches.annotate(reversal_id=F("movement__reversed_by__id"))
