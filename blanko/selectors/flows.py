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
    received: int  # from Ditjen, the province, a loan or a repayment
    used: int  # issued or spoiled, less the reversals of it
    came_in: int = 0  # every blank moved into the store that day, whatever the reason
    went_out: int = 0  # every blank moved out of it

    @property
    def opening(self) -> int:
        """In the store at the start of the day: the count at the end of the day before."""
        return self.stock - self.came_in + self.went_out


# Per day: [went out, came in, received, used]
_Flows = dict[datetime.date, list[int]]


def _walk_back(flows: _Flows, *, end: datetime.date, stock: int, days: int) -> list[Day]:
    """The days up to `end`, each count walked back from `stock` (the end of `end`)."""
    series: list[Day] = []
    level = stock
    for offset in range(days):
        day = end - datetime.timedelta(days=offset)
        went_out, came_in, received, used = flows.get(day, (0, 0, 0, 0))
        series.append(Day(day, level, received, used, came_in, went_out))
        level -= came_in - went_out
    series.reverse()
    return series


def _daily_flows(*, start: datetime.date, end: datetime.date, out: Q, into: Q,
                 reversed_from: dict, office_field: str | None) -> dict[int | None, _Flows]:
    """What left the store(s) and came in, per (office, day), in three queries: the two
    directions apart, each from its (location, day, reason, quantity) index alone, then
    the reversals of use (use is given out less them). `office_field` is None for one
    store, whose flows are then keyed None."""
    window = Q(occurred_on__range=(start, end))

    def key(prefix: str) -> list[str]:
        return [f"{prefix}__{office_field}"] if office_field else []

    went_out = (
        Movement.objects.filter(out, window).values(*key("from_location"), "occurred_on")
        .annotate(total=Sum("quantity"),
                  used=Coalesce(Sum("quantity", filter=Q(reason__in=USE_REASONS)), 0))
        .order_by()
    )
    came_in = (
        Movement.objects.filter(into, window).values(*key("to_location"), "occurred_on")
        .annotate(total=Sum("quantity"),
                  received=Coalesce(Sum("quantity", filter=Q(reason__in=RECEIPT_REASONS)), 0))
        .order_by()
    )
    put_back = (
        _reversed_uses(start=start, end=end, **reversed_from)
        .values(*key("reverses__from_location"), "reverses__occurred_on")
        .annotate(total=Sum("reverses__quantity"))
        .order_by()
    )

    def office_of(row: dict, prefix: str) -> int | None:
        return row[f"{prefix}__{office_field}"] if office_field else None

    flows: dict[int | None, _Flows] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    for row in went_out:
        day = flows[office_of(row, "from_location")][row["occurred_on"]]
        day[0] += row["total"]
        day[3] += row["used"]
    for row in came_in:
        day = flows[office_of(row, "to_location")][row["occurred_on"]]
        day[1] += row["total"]
        day[2] += row["received"]
    for row in put_back:
        flows[office_of(row, "reverses__from_location")][row["reverses__occurred_on"]][3] \
            -= row["total"]
    return flows


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
    flows = _daily_flows(start=start, end=end, out=Q(from_location=store),
                         into=Q(to_location=store), reversed_from={"from_location": store},
                         office_field=None)
    return _walk_back(flows.get(None, {}), end=end, stock=stock, days=days)


def daily_series_by_office(*, office_ids: Collection[int], end: datetime.date,
                           stock: Mapping[int, int], days: int) -> dict[int, list[Day]]:
    """daily_series for many stores at once, in three queries whatever their number:
    each office's days up to `end`, walked back from its `stock` at the end of `end`
    (0 when missing)."""
    start = end - datetime.timedelta(days=days - 1)
    stores = {"kind": Kind.STOCK, "office_id__in": office_ids}
    flows = _daily_flows(
        start=start, end=end,
        out=Q(**{f"from_location__{k}": v for k, v in stores.items()}),
        into=Q(**{f"to_location__{k}": v for k, v in stores.items()}),
        reversed_from={f"from_location__{k}": v for k, v in stores.items()},
        office_field="office_id",
    )
    return {pk: _walk_back(flows.get(pk, {}), end=end, stock=stock.get(pk, 0), days=days)
            for pk in office_ids}


@dataclass(frozen=True)
class StoreWindow:
    """What a store used over a window, with its days when it may have been empty at
    the start of one of them (`days` None: it held blanks at the start of every day)."""

    used: int
    days: list[Day] | None


def store_windows(*, office_ids: Collection[int], end: datetime.date,
                  stock: Mapping[int, int], days: int) -> dict[int, StoreWindow]:
    """Each store's use over the `days` ending on `end`, and its days only when it may
    have started one of them empty: the forecast's window for many offices at once.

    Three grouped queries give each store's blanks out (and used) and in over the
    window, and the reversals of its use. A store whose count before the window less
    everything that left it during the window is still above 0 held blanks at the
    start of every day, whatever came in: its days are not needed. The others' days
    are read by daily_series_by_office, three queries more for all of them, and none
    when no store came near empty: reading every store's days for 514 offices cost
    more than the rest of the rollup.
    """
    start = end - datetime.timedelta(days=days - 1)
    stores = {"from_location__kind": Kind.STOCK, "from_location__office_id__in": office_ids}
    window = {"occurred_on__range": (start, end)}
    went_out = {
        pk: (total, used) for pk, total, used in
        Movement.objects.filter(**stores, **window).values("from_location__office_id")
        .annotate(total=Sum("quantity"),
                  used=Coalesce(Sum("quantity", filter=Q(reason__in=USE_REASONS)), 0))
        .values_list("from_location__office_id", "total", "used").order_by()
    }
    came_in = dict(
        Movement.objects.filter(to_location__kind=Kind.STOCK,
                                to_location__office_id__in=office_ids, **window)
        .values("to_location__office_id").annotate(total=Sum("quantity"))
        .values_list("to_location__office_id", "total").order_by()
    )
    put_back = dict(
        _reversed_uses(start=start, end=end, **stores)
        .values("reverses__from_location__office_id")
        .annotate(total=Sum("reverses__quantity"))
        .values_list("reverses__from_location__office_id", "total").order_by()
    )
    windows: dict[int, StoreWindow] = {}
    near_empty = []
    for pk in office_ids:
        out, used = went_out.get(pk, (0, 0))
        before = stock.get(pk, 0) - came_in.get(pk, 0) + out  # at the end of the day before
        if before - out > 0:
            windows[pk] = StoreWindow(used=used - put_back.get(pk, 0), days=None)
        else:
            near_empty.append(pk)
    if near_empty:
        series = daily_series_by_office(office_ids=near_empty, end=end, stock=stock, days=days)
        for pk, store_days in series.items():
            windows[pk] = StoreWindow(used=sum(day.used for day in store_days), days=store_days)
    return windows


def use_reversals(*, office: Office, start: datetime.date, end: datetime.date
                  ) -> list[tuple[datetime.date, datetime.date, int]]:
    """(day used, day reversed, blanks) for the reversals dated on or before `end` of the
    store's issues and spoils dated `start` to `end`, in one query.

    daily_series takes a use off its day whatever the reversal's date up to its `end`;
    whoever replays the days one by one (the forecast's backtest) puts back, for each
    as-of day, the ones not yet reversed on it.
    """
    store = office_location(office, Kind.STOCK)
    return list(
        _reversed_uses(start=start, end=end, from_location=store)
        .values_list("reverses__occurred_on", "occurred_on")
        .annotate(total=Sum("reverses__quantity"))
        .order_by("reverses__occurred_on", "occurred_on")
    )


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
