"""What flows in and out of an office's stores: blanks used, each day's flows, the
lines of a month.

"Use" is what a store gave out to be printed or ruined (ISSUE and SPOIL), less the
reversals of it: the forecast divides it by its window, the charts draw it per day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db.models import Case, CharField, Expression, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from blanko.models import Location, Movement, Office
from blanko.selectors.locations import office_location

Kind = Location.Kind
Reason = Movement.Reason

USE_REASONS = (Reason.ISSUE, Reason.SPOIL)
RECEIPT_REASONS = (Reason.RECEIPT_DITJEN, Reason.RECEIPT_PROVINCE, Reason.LOAN_IN,
                   Reason.REPAYMENT_IN)


def _reversed_uses(*, start: datetime.date, end: datetime.date,
                   **original) -> QuerySet[Movement]:
    """Reversals dated on or before `end` of issues and spoils dated `start`..`end`
    (and matching `original`, lookups on the reversed movement).

    A reversal gives back its movement's whole quantity, once. Reversals are rare,
    so use is counted as gross use less these, a handful of rows, instead of a
    NOT EXISTS probe per draw (tens of thousands at national scale).
    """
    return Movement.objects.filter(
        reverses__isnull=False, occurred_on__lte=end,
        reverses__reason__in=USE_REASONS, reverses__occurred_on__range=(start, end),
        **{f"reverses__{lookup}": value for lookup, value in original.items()},
    )


def used_by_office(*, office_ids: Collection[int], start: datetime.date,
                   end: datetime.date) -> dict[int, int]:
    """Blanks each office's store used from `start` to `end`, in two queries: what the
    stores gave out for issue and spoil, less the reversals of it dated by `end`.
    Offices that used nothing are left out."""
    stores = {"from_location__kind": Kind.STOCK, "from_location__office_id__in": office_ids}
    used = dict(
        Movement.objects.filter(reason__in=USE_REASONS, occurred_on__range=(start, end),
                                **stores)
        .values("from_location__office_id")
        .annotate(total=Sum("quantity"))
        .values_list("from_location__office_id", "total")
    )
    put_back = (
        _reversed_uses(start=start, end=end, **stores)
        .values("reverses__from_location__office_id")
        .annotate(total=Sum("reverses__quantity"))
        .values_list("reverses__from_location__office_id", "total")
    )
    for pk, total in put_back:
        used[pk] -= total
    return {pk: total for pk, total in used.items() if total}


@dataclass(frozen=True)
class Day:
    day: datetime.date
    stock: int  # in the store at the end of the day
    received: int
    used: int


def daily_series(*, office: Office, end: datetime.date, stock: int, days: int) -> list[Day]:
    """The store's count, receipts and use for each of `days` days up to `end`, in three
    queries (four when the office's locations are not read yet).

    The counts are walked back from `stock` (the count at the end of `end`) with each
    day's net movement, so no movement before the window is read. What went out and
    what came in are read apart, each from its (location, day, reason, quantity) index
    alone; use is then less the reversals of it.
    """
    store = office_location(office, Kind.STOCK)
    start = end - datetime.timedelta(days=days - 1)
    window = {"occurred_on__range": (start, end)}
    out = (
        Movement.objects.filter(from_location=store, **window).values("occurred_on")
        .annotate(total=Sum("quantity"),
                  used=Coalesce(Sum("quantity", filter=Q(reason__in=USE_REASONS)), 0))
        .order_by()
    )
    came_in = (
        Movement.objects.filter(to_location=store, **window).values("occurred_on")
        .annotate(total=Sum("quantity"),
                  received=Coalesce(Sum("quantity", filter=Q(reason__in=RECEIPT_REASONS)), 0))
        .order_by()
    )
    put_back = (
        _reversed_uses(start=start, end=end, from_location=store)
        .values("reverses__occurred_on").annotate(total=Sum("reverses__quantity"))
        .values_list("reverses__occurred_on", "total")
    )
    by_day: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0])  # net, in, used
    for row in out:
        by_day[row["occurred_on"]][0] -= row["total"]
        by_day[row["occurred_on"]][2] += row["used"]
    for row in came_in:
        by_day[row["occurred_on"]][0] += row["total"]
        by_day[row["occurred_on"]][1] += row["received"]
    for day, total in put_back:
        by_day[day][2] -= total
    series: list[Day] = []
    level = stock
    for offset in range(days):
        day = end - datetime.timedelta(days=offset)
        net, received, used = by_day.get(day, (0, 0, 0))
        series.append(Day(day, level, received, used))
        level -= net
    series.reverse()
    return series


def flows_by_reason(
    *, office: Office, start: datetime.date, end: datetime.date,
    group_by: Mapping[str, Expression] | None = None,
) -> QuerySet[dict]:
    """The movements in or out of the office's store and spoiled pile dated `start` to
    `end`, summed per reason and cause, in one query (two when the office's locations
    are not read yet).

    Each row holds `reason`, `cause`, `source` and `target` ("stock", "spoiled", or ""
    for any other location) and `total`, plus one key per `group_by` expression: a
    caller groups by what it relates to a movement (the monthly report, by the kind of
    request a card was printed for) without this package knowing about it.
    """
    stock, spoiled = office_location(office, Kind.STOCK), office_location(office, Kind.SPOILED)
    touches = (Q(from_location=stock) | Q(to_location=stock) | Q(from_location=spoiled)
               | Q(to_location=spoiled))

    def side(field_name: str) -> Case:
        return Case(When(**{field_name: stock}, then=Value(Kind.STOCK.value)),
                    When(**{field_name: spoiled}, then=Value(Kind.SPOILED.value)),
                    default=Value(""), output_field=CharField())

    return (
        Movement.objects.filter(touches, occurred_on__range=(start, end))
        .values("reason", "cause")
        .annotate(source=side("from_location"), target=side("to_location"),
                  **(group_by or {}), total=Sum("quantity"))
        .order_by()
    )
