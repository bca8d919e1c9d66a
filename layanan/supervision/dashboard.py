"""The supervisor dashboard of one office, as of any date.

`office_dashboard` gathers every figure of the page in a fixed number of
queries: the "now" stock comes from the Balance row, a past one from the
ledger; everything else is an aggregate or a query bounded by the window.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from blanko import selectors as ledger
from blanko.models import Loan, Location, Movement, Office
from blanko.services import office_location
from layanan.models import KeyDate, ServiceRequest
from layanan.supervision import forecast
from layanan.supervision.aggregates import Median, SecondsBetween

Kind = Location.Kind
Reason = Movement.Reason
Status = ServiceRequest.Status

CHART_DAYS = 90
STAGE_WINDOW_DAYS = 30
RECEIPT_REASONS = (Reason.RECEIPT_DITJEN, Reason.RECEIPT_PROVINCE, Reason.LOAN_IN,
                   Reason.REPAYMENT_IN)
BACKLOG_STATUSES = (Status.SUBMITTED, Status.VERIFIED, Status.PRINTED)


@dataclass(frozen=True)
class Day:
    day: datetime.date
    stock: int  # in the store at the end of the day
    received: int
    used: int


def daily_series(*, office: Office, as_of: datetime.date, stock: int,
                 days: int = CHART_DAYS) -> list[Day]:
    """The store's count, receipts and use for each day up to `as_of`, in three queries.

    The counts are walked back from `stock` (the count at the end of `as_of`)
    with each day's net movement, so no movement before the window is read.
    What went out and what came in are read apart, each from its (location, day,
    reason, quantity) index alone; use is then less the reversals of it.
    """
    store = office_location(office, Kind.STOCK)
    start = as_of - datetime.timedelta(days=days - 1)
    window = {"occurred_on__range": (start, as_of)}
    out = (
        Movement.objects.filter(from_location=store, **window).values("occurred_on")
        .annotate(total=Sum("quantity"),
                  used=Coalesce(Sum("quantity", filter=Q(reason__in=forecast.USE_REASONS)), 0))
        .order_by()
    )
    came_in = (
        Movement.objects.filter(to_location=store, **window).values("occurred_on")
        .annotate(total=Sum("quantity"),
                  received=Coalesce(Sum("quantity", filter=Q(reason__in=RECEIPT_REASONS)), 0))
        .order_by()
    )
    put_back = (
        forecast.reversed_uses(as_of=as_of, start=start, end=as_of, from_location=store)
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
        day = as_of - datetime.timedelta(days=offset)
        net, received, used = by_day.get(day, (0, 0, 0))
        series.append(Day(day, level, received, used))
        level -= net
    series.reverse()
    return series


@dataclass(frozen=True)
class Backlog:
    """Open requests on the as-of date, by status and priority tier."""

    cells: dict[tuple[str, int], int]

    @property
    def rows(self) -> list[tuple[str, str, list[int], int]]:
        """(status, label, counts per tier 1-4, total) for each open status."""
        tiers = ServiceRequest.Tier.values
        result = []
        for status in BACKLOG_STATUSES:
            counts = [self.cells.get((status, tier), 0) for tier in tiers]
            result.append((status, Status(status).label, counts, sum(counts)))
        return result

    @property
    def tier_totals(self) -> list[int]:
        return [sum(self.cells.get((s, tier), 0) for s in BACKLOG_STATUSES)
                for tier in ServiceRequest.Tier.values]

    @property
    def total(self) -> int:
        return sum(self.tier_totals)


def backlog(*, office: Office, as_of: datetime.date, today: datetime.date) -> Backlog:
    rows = (
        forecast.open_requests_as_of(as_of=as_of, today=today)
        .filter(office=office, state__in=BACKLOG_STATUSES)
        .values("state", "priority_tier").annotate(n=Count("*")).order_by()
    )
    return Backlog({(row["state"], row["priority_tier"]): row["n"] for row in rows})


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    done: int  # requests that finished this stage in the window
    median_seconds: float | None
    slowest: bool = False

    @property
    def median_text(self) -> str:
        return duration_text(self.median_seconds) if self.median_seconds is not None else "–"


# (code, label, the request field set when the stage begins, the one set when it ends)
STAGES = (
    ("receiving", _("Penerimaan (verifikasi)"), "submitted_at", "verified_at"),
    ("processing", _("Pemrosesan (cetak)"), "verified_at", "printed_at"),
    ("sending", _("Pengiriman (penyerahan)"), "printed_at", "delivered_at"),
)


def stage_times(*, office: Office, as_of: datetime.date) -> list[Stage]:
    """Throughput and median time of each stage, over the 30 days ending on `as_of`.

    Read from the requests' own timestamps: each is set by the one transition
    that ends its stage (a spoiled print leaves a request verified), so it
    equals the time of that event. One aggregate query per stage, answered from
    the office's index of (stage end, stage start) and bounded by the window,
    not by the history; the database computes the median.
    """
    start = forecast.end_of_day(as_of - datetime.timedelta(days=STAGE_WINDOW_DAYS))
    end = forecast.end_of_day(as_of)
    stages = []
    for code, label, began, ended in STAGES:
        row = ServiceRequest.objects.filter(
            office=office, **{f"{ended}__gte": start, f"{ended}__lt": end,
                              f"{began}__isnull": False},
        ).aggregate(done=Count("*"), median=Median(SecondsBetween(ended, began)))
        stages.append(Stage(code, str(label), row["done"], row["median"]))
    timed = [stage for stage in stages if stage.median_seconds is not None]
    if timed:
        slowest = max(timed, key=lambda stage: stage.median_seconds)
        stages = [Stage(s.code, s.label, s.done, s.median_seconds, s is slowest) for s in stages]
    return stages


def duration_text(seconds: float) -> str:
    """A median in words, e.g. "45 menit", "3 jam 30 menit", "4 hari 2 jam"."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%d hari", "%d hari", days) % days)
    if hours:
        parts.append(ngettext("%d jam", "%d jam", hours) % hours)
    if minutes and not days:
        parts.append(ngettext("%d menit", "%d menit", minutes) % minutes)
    return " ".join(parts) or ngettext("%d menit", "%d menit", 0) % 0


@dataclass(frozen=True)
class LoanRow:
    partner: str
    direction: str  # "borrowed" or "lent"
    outstanding: int  # delivered and not yet repaid
    in_transit: int  # sent, not yet received (either way)
    oldest: datetime.date
    age_days: int


def loans_as_of(*, office: Office, as_of: datetime.date) -> list[LoanRow]:
    """What the office owes and is owed on `as_of`, per partner and direction.

    Rebuilt from the loans' movements dated on or before `as_of` (two queries),
    so that it holds for a past date too; today it equals
    blanko.selectors.outstanding_loans.
    """
    loans = list(
        Loan.objects.filter(Q(lender_office=office) | Q(borrower_office=office),
                            opened_on__lte=as_of)
        .select_related("lender_office", "lender_partner", "borrower_office",
                        "borrower_partner")
    )
    partner = Q(to_location__kind=Kind.PARTNER)
    totals = {
        row["loan"]: row for row in
        Movement.objects.filter(loan__in=[loan.pk for loan in loans], occurred_on__lte=as_of)
        .values("loan")
        .annotate(
            delivered=Coalesce(Sum("quantity", filter=Q(reason=Reason.LOAN_IN)
                                   | (Q(reason=Reason.LOAN_OUT) & partner)), 0),
            repaid=Coalesce(Sum("quantity", filter=Q(reason=Reason.REPAYMENT_IN)
                                | (Q(reason=Reason.REPAYMENT_OUT) & partner)), 0),
            transit=Coalesce(Sum("quantity", filter=Q(to_location__kind=Kind.TRANSIT)), 0)
            - Coalesce(Sum("quantity", filter=Q(from_location__kind=Kind.TRANSIT)), 0),
        )
        .order_by()
    } if loans else {}
    grouped: dict[tuple[str, str], list] = {}
    for loan in loans:
        row = totals.get(loan.pk, {"delivered": 0, "repaid": 0, "transit": 0})
        outstanding, transit = row["delivered"] - row["repaid"], row["transit"]
        if not outstanding and not transit:
            continue
        borrowed = loan.borrower_office_id == office.pk
        key = (loan.lender_name if borrowed else loan.borrower_name,
               "borrowed" if borrowed else "lent")
        sums = grouped.setdefault(key, [0, 0, loan.opened_on])
        sums[0] += outstanding
        sums[1] += transit
        sums[2] = min(sums[2], loan.opened_on)
    return [
        LoanRow(partner, direction, outstanding, transit, oldest, (as_of - oldest).days)
        for (partner, direction), (outstanding, transit, oldest) in sorted(grouped.items())
    ]


def last_store_movement_on(*, office: Office, as_of: datetime.date) -> datetime.date | None:
    """The date of the store's last movement on or before `as_of`, in one query.

    One newest-first lookup per direction, each a step down its (location, date)
    index: MAX over "into OR out of" read every movement of the store.
    """
    store = office_location(office, Kind.STOCK)

    def newest(direction: str) -> Subquery:
        return Subquery(
            Movement.objects.filter(**{direction: store}, occurred_on__lte=as_of)
            .order_by("-occurred_on").values("occurred_on")[:1]
        )

    row = Location.objects.filter(pk=store.pk).values_list(
        newest("to_location"), newest("from_location")).get()
    return max((day for day in row if day is not None), default=None)


@dataclass(frozen=True)
class Dashboard:
    office: Office
    as_of: datetime.date
    is_today: bool
    forecast: forecast.Forecast
    key_date: KeyDate | None
    shortfall: forecast.Shortfall | None
    waiting: int
    incoming: int
    backlog: Backlog
    stages: list[Stage]
    loans: list[LoanRow]
    series: list[Day]
    last_movement_on: datetime.date | None

    @property
    def window_start(self) -> datetime.date:
        return forecast.use_window(self.as_of)[0]

    @property
    def quiet(self) -> bool:
        """No movement in the charts' window although the office has a history."""
        return self.last_movement_on is not None and self.last_movement_on < self.series[0].day


def office_dashboard(*, office: Office, as_of: datetime.date,
                     today: datetime.date) -> Dashboard:
    """Every figure of the dashboard of `office` on `as_of` (today or earlier)."""
    as_of = min(as_of, today)
    is_today = as_of >= today
    stock = (ledger.stock_on_hand(office=office) if is_today
             else ledger.balance_as_of(office=office, day=as_of))
    series = daily_series(office=office, as_of=as_of, stock=stock)
    used = sum(day.used for day in series[-forecast.USE_WINDOW_DAYS:])
    prediction = forecast.Forecast(as_of=as_of, stock=stock, used=used)
    ids = [office.pk]
    key_date = forecast.next_key_dates(office_ids=ids, as_of=as_of).get(office.pk)
    queue = forecast.queue_counts(office_ids=ids, as_of=as_of, today=today,
                                  horizons=[key_date.date] if key_date else [])[office.pk]
    incoming = forecast.incoming_by_office(office_ids=ids, as_of=as_of,
                                           today=today).get(office.pk, 0)
    shortfall = None
    if key_date is not None:
        shortfall = forecast.Shortfall(
            key_date=key_date, forecast=prediction, waiting=queue.waiting,
            pemula=queue.pemula_until(key_date.date), incoming=incoming,
        )
    last_movement_on = last_store_movement_on(office=office, as_of=as_of)
    return Dashboard(
        office=office, as_of=as_of, is_today=is_today, forecast=prediction, key_date=key_date,
        shortfall=shortfall, waiting=queue.waiting, incoming=incoming,
        backlog=backlog(office=office, as_of=as_of, today=today),
        stages=stage_times(office=office, as_of=as_of),
        loans=loans_as_of(office=office, as_of=as_of), series=series,
        last_movement_on=last_movement_on,
    )
