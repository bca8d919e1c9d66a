"""The stock-out forecast: average daily use, days of cover and the shortfall.

The method is written in the README ("Forecast method"). The arithmetic lives
in Forecast and Shortfall, which read nothing, and the rule of which days count
toward the average in counts_toward_use; the functions below read the
requests they need for any number of offices at once, each in one or two
queries whatever the size of the queue. The ledger's figures (stock, use,
blanks in transit) come from blanko.selectors.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from blanko.models import DEFAULT_LEAD_TIME_DAYS
from blanko.selectors import Day, OpenRequest, StoreWindow
from layanan.models import KeyDate, RequestEvent, ServiceRequest
from layanan.selectors import printable_q

Status = ServiceRequest.Status

USE_WINDOW_DAYS = 28
# What the request to Ditjen adds on top of the shortfall, so that the store is
# not empty on the key date itself, and the unit it is rounded up to.
SAFETY_DAYS = 14
REQUEST_ROUNDING = 100
OPEN_BEFORE_PRINT = (Status.SUBMITTED, Status.VERIFIED)


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def whole_lead_days(days: float) -> int:
    """A lead time in whole days, rounded up: a median of 45.5 days means asking on the
    46th day before, never a day too late."""
    return math.ceil(days)


def counts_toward_use(day: Day) -> bool:
    """Whether a day of the use window counts toward the average: the store had blanks
    to give out that day.

    It held some at the start of the day (the count at the end of the day before), or
    some came into it that day, whatever the reason (a delivery, a loan or a repayment
    received, a shipment cancelled back, a count found more, a draw reversed). A day
    that used blanks counts in any case: only an entry back-dated into an empty stretch
    can show use on a morning that looks empty with nothing coming in. So the days left
    out are the days of a stock-out, on which nobody could be served: counting them as
    days of no use hid the demand behind the stock-out.
    """
    return day.opening > 0 or day.came_in > 0 or day.used > 0


@dataclass(frozen=True)
class Forecast:
    """Stock on the as-of date, and the blanks used over the days of the 28 ending on
    it on which the store had blanks (`days_counted`; see counts_toward_use).

    The derived figures are cached: a rollup of 514 offices reads each several
    times while rendering.
    """

    as_of: datetime.date
    stock: int
    used: int
    days_counted: int
    lead_time_days: int = DEFAULT_LEAD_TIME_DAYS
    # Where the lead time comes from (blanko.selectors.LeadTime.source): "measured" from
    # the office's own requests, the "province" median, or the office's "default" field.
    lead_time_source: str = "default"
    # The office's newest request for blanks still open on the as-of date
    # (blanko.selectors.newest_open_requests), None for none: the office has asked.
    open_request: OpenRequest | None = None

    @cached_property
    def days_left_out(self) -> int:
        """Days of the window on which the store was empty: not counted."""
        return USE_WINDOW_DAYS - self.days_counted

    @cached_property
    def average(self) -> Fraction | None:
        """Blanks used per counted day; None when no day counts."""
        return Fraction(self.used, self.days_counted) if self.days_counted else None

    @cached_property
    def days_of_cover(self) -> Fraction | None:
        """How many days the stock lasts at the average; None when nothing is used."""
        return Fraction(self.stock * self.days_counted, self.used) if self.used else None

    @cached_property
    def cover_shown(self) -> Decimal | None:
        """Days of cover rounded down to a tenth, so that it never promises more than the
        stock-out date (as-of + whole days of cover) does."""
        if not self.used:
            return None
        return Decimal(self.stock * self.days_counted * 10 // self.used) / 10

    @cached_property
    def stockout_on(self) -> datetime.date | None:
        if not self.used:
            return None
        whole_days = self.stock * self.days_counted // self.used
        return self.as_of + datetime.timedelta(days=whole_days)

    @cached_property
    def ask_by(self) -> datetime.date | None:
        """The last day to ask Ditjen for blanks: the stock-out date less the office's
        lead time and the safety margin. None without a stock-out date."""
        if self.stockout_on is None:
            return None
        return self.stockout_on - datetime.timedelta(days=self.lead_time_days + SAFETY_DAYS)

    @cached_property
    def ask_days_late(self) -> int:
        """Days since the last day to ask had passed, on the as-of date; 0 if not past, and
        0 while a request is open: the office did ask, and the pages said "late" to an
        office whose blanks Ditjen had already allocated. The dashboard and the rollup
        both read this, and show the open request instead (`open_request`)."""
        if self.open_request or not self.ask_by:
            return 0
        return max(0, (self.as_of - self.ask_by).days)

    @cached_property
    def asked_days_late(self) -> int:
        """Days after the last day to ask that the open request was made; 0 when it was
        made in time or there is none. The office has asked, but its blanks may come
        after its stock runs out: the pages say so beside the request."""
        if not self.open_request or not self.ask_by:
            return 0
        return max(0, (self.open_request.submitted_on - self.ask_by).days)

    def demand_until(self, day: datetime.date) -> int:
        """Blanks used from the day after as-of up to and including `day`, rounded up;
        0 without an average."""
        if not self.days_counted:
            return 0
        days = max(0, (day - self.as_of).days)
        return ceil_div(self.used * days, self.days_counted)

    @cached_property
    def safety_stock(self) -> int:
        return self.demand_until(self.as_of + datetime.timedelta(days=SAFETY_DAYS))


def forecast_from_series(*, as_of: datetime.date, stock: int, series: Sequence[Day],
                         lead_time_days: int = DEFAULT_LEAD_TIME_DAYS,
                         lead_time_source: str = "default",
                         open_request: OpenRequest | None = None) -> Forecast:
    """The forecast from the store's days (blanko.selectors.daily_series) ending on
    `as_of`: the last USE_WINDOW_DAYS of them make the window. The one place where the
    dashboard, the rollup (forecast_from_window) and the backtest apply the stocked-days
    rule."""
    window = series[-USE_WINDOW_DAYS:]
    if len(window) != USE_WINDOW_DAYS or window[-1].day != as_of:
        raise ValueError(f"need the {USE_WINDOW_DAYS} days ending on {as_of}")
    counted = [day for day in window if counts_toward_use(day)]
    return Forecast(as_of=as_of, stock=stock, used=sum(day.used for day in counted),
                    days_counted=len(counted), lead_time_days=lead_time_days,
                    lead_time_source=lead_time_source, open_request=open_request)


def forecast_from_window(*, as_of: datetime.date, stock: int, window: StoreWindow,
                         lead_time_days: int = DEFAULT_LEAD_TIME_DAYS,
                         lead_time_source: str = "default",
                         open_request: OpenRequest | None = None) -> Forecast:
    """The forecast from blanko.selectors.store_windows (the rollup's read): the days,
    when the store may have started one empty; else every day counts, since the store
    held blanks at the start of each (counts_toward_use)."""
    if window.days is not None:
        return forecast_from_series(as_of=as_of, stock=stock, series=window.days,
                                    lead_time_days=lead_time_days,
                                    lead_time_source=lead_time_source,
                                    open_request=open_request)
    return Forecast(as_of=as_of, stock=stock, used=window.used, days_counted=USE_WINDOW_DAYS,
                    lead_time_days=lead_time_days, lead_time_source=lead_time_source,
                    open_request=open_request)


@dataclass(frozen=True)
class Shortfall:
    """What the office lacks on a key date, and what to ask Ditjen Dukcapil for."""

    key_date: KeyDate
    forecast: Forecast
    waiting: int
    pemula: int
    incoming: int  # loans and repayments on their way to the office
    owed: int = 0  # still to pay back on loans due on or before the key date
    # Allocated by Ditjen and not yet dispatched, or dispatched and not yet received.
    from_ditjen: int = 0

    @cached_property
    def days_left(self) -> int:
        return max(0, (self.key_date.date - self.forecast.as_of).days)

    @cached_property
    def demand(self) -> int:
        return self.forecast.demand_until(self.key_date.date)

    @cached_property
    def need(self) -> int:
        return self.waiting + self.demand + self.pemula + self.owed

    @cached_property
    def supply(self) -> int:
        return self.forecast.stock + self.incoming + self.from_ditjen

    @cached_property
    def balance(self) -> int:
        """Positive: blanks missing on the key date; negative: blanks left over."""
        return self.need - self.supply

    @cached_property
    def shortfall(self) -> int:
        return max(0, self.balance)

    @cached_property
    def surplus(self) -> int:
        return max(0, -self.balance)

    @cached_property
    def to_request(self) -> int:
        """The shortfall plus SAFETY_DAYS of use, rounded up to REQUEST_ROUNDING; or 0."""
        wanted = self.balance + self.forecast.safety_stock
        if wanted <= 0:
            return 0
        return ceil_div(wanted, REQUEST_ROUNDING) * REQUEST_ROUNDING


# --- Reads -----------------------------------------------------------------------------


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Local midnight after `day`: events strictly before it happened on or before `day`."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight)


def use_window(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    return as_of - datetime.timedelta(days=USE_WINDOW_DAYS - 1), as_of


def open_requests_as_of(*, as_of: datetime.date, today: datetime.date
                        ) -> QuerySet[ServiceRequest]:
    """Requests that may have been open at the end of `as_of`, with `state`: their
    status on that day (callers filter on it).

    Today it is the status column. For a past date it is the target of each
    request's last event before the end of that day, read in the same query;
    requests closed before then cannot have been open, so the years of
    delivered requests are not read at all.
    """
    if as_of >= today:
        return ServiceRequest.objects.annotate(state=F("status"))
    cutoff = end_of_day(as_of)
    last_event = (
        RequestEvent.objects.filter(request=OuterRef("pk"), at__lt=cutoff)
        .order_by("-at", "-id").values("to_status")[:1]
    )
    return ServiceRequest.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff), submitted_at__lt=cutoff,
    ).annotate(state=Subquery(last_event))


@dataclass
class QueueCounts:
    """An office's requests before printing on the as-of date, grouped finely enough
    to answer both "verified and printable" and "pemula turning 17 by a horizon".

    Each group holds the date from which its requests may be printed: None for
    "already", else the first horizon on or after their 17th birthday
    (datetime.date.max past every horizon). See queue_counts.
    """

    as_of: datetime.date
    horizons: frozenset[datetime.date] = frozenset()
    # (status, is a pemula request, printable from, count)
    groups: list[tuple[str, bool, datetime.date | None, int]] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        """Verified requests that may be printed on the as-of date."""
        return sum(
            n for state, _pemula, printable_from, n in self.groups
            if state == Status.VERIFIED and (printable_from is None
                                             or printable_from <= self.as_of)
        )

    def pemula_until(self, day: datetime.date) -> int:
        """Recorded first-time applicants, not yet 17, who turn 17 on or before `day`."""
        if day <= self.as_of:
            return 0
        if day not in self.horizons:
            raise ValueError(f"{day} was not among the horizons counted: {self.horizons}")
        return sum(
            n for _state, pemula, printable_from, n in self.groups
            if pemula and printable_from is not None
            and self.as_of < printable_from <= day
        )


def queue_counts(*, office_ids: list[int], as_of: datetime.date, today: datetime.date,
                 horizons: Iterable[datetime.date] = ()) -> dict[int, QueueCounts]:
    """Submitted and verified requests on `as_of`, per office, in two queries.

    `printable_from` is the 17th birthday of a pemula who registered early
    (see layanan.rules.printable_from), so it is where the birth dates come in.
    Only two things about it change an answer: whether it is after `as_of`, and
    before which of the `horizons` (the key dates that will be asked about) it
    falls. So one query counts the verified requests printable on `as_of`, per
    office, and the other the pemula still too young then, grouped by the first
    horizon they reach: a few groups per office instead of one per birthday, each
    query read from a partial index alone.
    """
    later = sorted({day for day in horizons if day > as_of})
    reached = Case(*(When(printable_from__lte=day, then=Value(day)) for day in later),
                   default=Value(datetime.date.max), output_field=DateField())
    open_requests = open_requests_as_of(as_of=as_of, today=today).filter(
        office_id__in=office_ids)
    printable = (
        open_requests.filter(printable_q(today=as_of, status_field="state"))
        .values("office_id").annotate(n=Count("*")).values_list("office_id", "n")
        .order_by()
    )
    too_young = (
        open_requests.filter(kind=ServiceRequest.Kind.NEW, printable_from__gt=as_of,
                             state__in=OPEN_BEFORE_PRINT)
        .values("office_id", "state", reached=reached).annotate(n=Count("*")).order_by()
    )
    counts = {pk: QueueCounts(as_of=as_of, horizons=frozenset(later)) for pk in office_ids}
    for pk, n in printable:
        counts[pk].groups.append((Status.VERIFIED, False, None, n))
    for row in too_young:
        counts[row["office_id"]].groups.append((row["state"], True, row["reached"], row["n"]))
    return counts


def next_key_dates(*, office_ids: list[int], as_of: datetime.date) -> dict[int, KeyDate]:
    """The first key date on or after `as_of` for each office (its own or for all)."""
    key_dates = KeyDate.objects.filter(
        Q(office__isnull=True) | Q(office_id__in=office_ids), date__gte=as_of
    ).order_by("date", "id")
    found: dict[int, KeyDate] = {}
    for key_date in key_dates:
        for pk in [key_date.office_id] if key_date.office_id else office_ids:
            found.setdefault(pk, key_date)
    return found
