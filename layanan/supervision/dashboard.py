"""The supervisor dashboard of one office, as of any date.

`office_dashboard` gathers every figure of the page in a fixed number of
queries: the stock, the daily flows, the loans, what Ditjen has allocated or
sent and the lead time from blanko.selectors (the "now" stock is the Balance
row, a past one the ledger's own sum); the requests' figures are aggregates
bounded by their window. `request_figures` hands the same figures to a request
for blanks (blanko.supply_figures), which blanko cannot compute itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from blanko import selectors as ledger
from blanko.formatting import number
from blanko.models import Office
from layanan.models import KeyDate, ServiceRequest
from layanan.supervision import forecast, quota
from layanan.supervision.aggregates import Median, SecondsBetween

if TYPE_CHECKING:
    from blanko.models import BlankRequest

Status = ServiceRequest.Status

# The days the charts span (the forecast's use window is the end of them), and the
# window of the stage times.
CHART_DAYS = 90
STAGE_WINDOW_DAYS = 30
BACKLOG_STATUSES = (Status.SUBMITTED, Status.VERIFIED, Status.PRINTED)


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

    def minutes_text(n: int) -> str:
        return ngettext("%(minutes)s menit", "%(minutes)s menit", n) % {"minutes": n}

    parts = []
    if days:
        parts.append(ngettext("%(days)s hari", "%(days)s hari", days) % {"days": number(days)})
    if hours:
        parts.append(ngettext("%(hours)s jam", "%(hours)s jam", hours) % {"hours": hours})
    if minutes and not days:
        parts.append(minutes_text(minutes))
    return " ".join(parts) or minutes_text(0)


# Where a lead time comes from, in a word (the rollup's cells); lead_time_text says it whole.
LEAD_TIME_SOURCES = {
    "measured": _("terukur"),
    "province": _("median provinsi"),
    "default": _("isian kantor"),
}


def lead_time_text(lead_time: ledger.LeadTime) -> str:
    """Where the lead time comes from, in words, for the line under "ask Ditjen by"."""
    if lead_time.source == "measured":
        return ngettext(
            "median dari %(n)s permohonan kantor ini dalam 365 hari terakhir",
            "median dari %(n)s permohonan kantor ini dalam 365 hari terakhir",
            lead_time.requests) % {"n": number(lead_time.requests)}
    if lead_time.source == "province":
        return str(_("median kantor-kantor di provinsi ini; kantor ini belum pernah menerima "
                     "kiriman atas permohonannya dalam 365 hari terakhir"))
    return str(_("isian waktu tunggu kantor ini; belum ada permohonan yang diterima di "
                 "provinsi ini dalam 365 hari terakhir"))


@dataclass(frozen=True)
class Dashboard:
    office: Office
    as_of: datetime.date
    is_today: bool
    forecast: forecast.Forecast
    key_date: KeyDate | None
    shortfall: forecast.Shortfall | None
    waiting: int
    incoming: int  # loans and repayments on their way
    from_ditjen: int  # allocated by Ditjen and not yet received
    owed: int
    lead_time: ledger.LeadTime
    # The office's open requests for blanks, today only: their state on a past day is
    # not what the list would show.
    blank_requests: list[BlankRequest]
    backlog: Backlog
    stages: list[Stage]
    loans: list[ledger.Outstanding]
    series: list[ledger.Day]
    last_movement_on: datetime.date | None
    # The daily print quota (quota.py), today only, like the open requests.
    quota: quota.Quota | None = None

    @property
    def lead_time_source(self) -> str:
        return lead_time_text(self.lead_time)

    @property
    def request_ages(self) -> list[tuple[BlankRequest, int]]:
        """The open requests with their age in days on the as-of date."""
        return [(r, r.age_days(self.as_of)) for r in self.blank_requests]

    @property
    def window_start(self) -> datetime.date:
        return forecast.use_window(self.as_of)[0]

    @property
    def runs_out_first(self) -> bool:
        """The store is forecast to run out on or before the next key date."""
        stockout, shortfall = self.forecast.stockout_on, self.shortfall
        return bool(shortfall and stockout and stockout <= shortfall.key_date.date)

    @property
    def quiet(self) -> bool:
        """No movement in the charts' window although the office has a history."""
        return self.last_movement_on is not None and self.last_movement_on < self.series[0].day

    def figures(self) -> dict[str, Any]:
        """The figures behind "ask Ditjen for", JSON-safe, as a request for blanks stores
        them (BlankRequest.figures): dates as ISO strings, averages as floats."""
        f, s = self.forecast, self.shortfall

        def day(value: datetime.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "office": self.office.code, "as_of": day(self.as_of), "stock": f.stock,
            "average": None if f.average is None else round(float(f.average), 1),
            "days_of_cover": None if f.cover_shown is None else float(f.cover_shown),
            "stockout_on": day(f.stockout_on),
            "key_date": day(s.key_date.date) if s else None,
            "key_date_name": s.key_date.name if s else "",
            "shortfall": s.shortfall if s else None,
            "to_request": s.to_request if s else None,
            "waiting": self.waiting, "demand": s.demand if s else None,
            "pemula": s.pemula if s else None, "owed": self.owed,
            "incoming_loans": self.incoming, "incoming_ditjen": self.from_ditjen,
            "lead_time_days": f.lead_time_days, "lead_time_source": f.lead_time_source,
            "ask_by": day(f.ask_by),
        }


def office_dashboard(*, office: Office, as_of: datetime.date,
                     today: datetime.date) -> Dashboard:
    """Every figure of the dashboard of `office` on `as_of` (today or earlier)."""
    as_of = min(as_of, today)
    is_today = as_of >= today
    stock = (ledger.stock_on_hand(office=office) if is_today
             else ledger.balance_as_of(office=office, day=as_of))
    series = ledger.daily_series(office=office, end=as_of, stock=stock, days=CHART_DAYS)
    lead_time = ledger.lead_times(offices=[office], as_of=as_of)[office.pk]
    ids = [office.pk]
    # Read as the rollup reads it, for any as-of date: the open requests listed below
    # are today's only.
    asked = ledger.newest_open_requests(office_ids=ids, as_of=as_of, today=today)
    prediction = forecast.forecast_from_series(
        as_of=as_of, stock=stock, series=series,
        lead_time_days=forecast.whole_lead_days(lead_time.days),
        lead_time_source=lead_time.source, open_request=asked.get(office.pk))
    key_date = forecast.next_key_dates(office_ids=ids, as_of=as_of).get(office.pk)
    queue = forecast.queue_counts(office_ids=ids, as_of=as_of, today=today,
                                  horizons=[key_date.date] if key_date else [])[office.pk]
    incoming = ledger.incoming_by_office(office_ids=ids, as_of=as_of,
                                         today=today).get(office.pk, 0)
    from_ditjen = ledger.incoming_from_ditjen(office_ids=ids, as_of=as_of,
                                              today=today).get(office.pk, 0)
    shortfall, owed = None, 0
    if key_date is not None:
        owed = ledger.owed_on_loans_due(office_ids=ids, as_of=as_of,
                                        due_by=key_date.date)[office.pk]
        shortfall = forecast.Shortfall(
            key_date=key_date, forecast=prediction, waiting=queue.waiting,
            pemula=queue.pemula_until(key_date.date), incoming=incoming, owed=owed,
            from_ditjen=from_ditjen,
        )
    last_movement_on = ledger.last_store_movement_on(office=office, as_of=as_of)
    blank_requests, daily_quota = [], None
    if is_today:
        blank_requests = ledger.open_blank_requests(office=office)
        arrival = quota.next_arrival(
            as_of=as_of, lead_time_days=prediction.lead_time_days, requests=blank_requests,
            shipments=ledger.pending_shipments(office=office), office_id=office.pk)
        # The series ends on as_of: its last day's use makes the quota a figure for the day.
        daily_quota = quota.quota_from(prediction=prediction, used_today=series[-1].used,
                                       arrival=arrival)
    return Dashboard(
        office=office, as_of=as_of, is_today=is_today, forecast=prediction, key_date=key_date,
        shortfall=shortfall, waiting=queue.waiting, incoming=incoming,
        from_ditjen=from_ditjen, owed=owed, lead_time=lead_time,
        blank_requests=blank_requests, quota=daily_quota,
        backlog=backlog(office=office, as_of=as_of, today=today),
        stages=stage_times(office=office, as_of=as_of),
        loans=ledger.outstanding_loans(office=office, as_of=as_of), series=series,
        last_movement_on=last_movement_on,
    )


def request_figures(*, office: Office, as_of: datetime.date) -> dict[str, Any]:
    """The dashboard's figures of `office` on `as_of` (no later than today), for a request
    for blanks: registered with blanko.supply_figures by SupervisionConfig.ready, so
    that the request form computes them on the server when the request is made."""
    today = timezone.localdate()
    return office_dashboard(office=office, as_of=min(as_of, today), today=today).figures()
