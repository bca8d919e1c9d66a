"""The daily print quota: how many blanks a day an office may print so that its stock
lasts until the next delivery is expected (README "Forecast method", issue 14).

The rule, in `quota_from` (which reads nothing):
- the next expected arrival is the earliest of
  - each open request for blanks: its submission date + the office's lead time (whole
    days, rounded up); when that day has come and the blanks have not, the request is
    late and is expected no sooner than a dispatch today could arrive, the as-of date +
    TRANSIT_DAYS;
  - each shipment in transit towards the office (a dispatch from Ditjen, a loan or a
    repayment) with blanks still on it: its sent date + TRANSIT_DAYS; when that day has
    come, it is expected the next day;
- when there is none, or the stock lasts until it (the days of cover at the average
  use are at least the days until it: the projected stock-out date is on or after it),
  there is no quota;
- else the quota is floor(stock / days until the arrival): the stock spread over the
  days from the as-of date to the day before the arrival. It is advice: printing stays
  possible, and the reservation rule still protects the higher tiers.

The quota is for today: the open requests and shipments are read as they are now
(like the dashboard's list of open requests), so a past as-of date has none.
`office_quota` reads what it needs in a fixed number of queries; the dashboard passes
what it has already read to `quota_from` instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from blanko import selectors as ledger
from blanko.formatting import number
from layanan.supervision import forecast

if TYPE_CHECKING:
    from blanko.models import BlankRequest, Office

# Days a shipment takes on the road: from Ditjen or a nearby kab/kota, a few days. The
# lead time measures the whole cycle (request to receipt); this is its last leg only.
TRANSIT_DAYS = 3

REQUEST = "request"
SHIPMENT = "shipment"


@dataclass(frozen=True)
class Arrival:
    """When blanks are next expected, and from what."""

    on: datetime.date
    source: str  # REQUEST or SHIPMENT
    reference: str  # the request's number, or the shipment's letter (BAST, loan letter)
    late: bool  # its own expected day had come without the blanks


@dataclass(frozen=True)
class Quota:
    """A daily print quota and the figures behind it."""

    quantity: int  # blanks per day
    arrival_on: datetime.date
    source: str  # REQUEST or SHIPMENT
    reference: str
    late: bool
    stock: int
    days: int  # from the as-of date to the arrival
    as_of: datetime.date
    average: float  # blanks used per day, rounded to a tenth

    @property
    def until(self) -> datetime.date:
        """The last day the quota applies: the day before the arrival."""
        return self.arrival_on - datetime.timedelta(days=1)

    @property
    def headline(self) -> str:
        return _("Kuota cetak harian: %(quantity)s per hari sampai %(day)s") % {
            "quantity": number(self.quantity), "day": date_format(self.until, "j F Y")}

    @property
    def reason(self) -> str:
        """Why, in words: the stock, the use and the arrival it has to last until."""
        figures = {
            "stock": number(self.stock), "average": _one_decimal(self.average),
            "days": number(self.days), "day": date_format(self.arrival_on, "j F Y"),
            "reference": self.reference,
        }
        if self.source == SHIPMENT:
            arrival = (_("kiriman %(reference)s yang masih dalam perjalanan, diperkirakan "
                         "tiba %(day)s (%(days)s hari lagi)") % figures)
        else:
            arrival = (_("permohonan blanko %(reference)s, diperkirakan tiba %(day)s "
                         "(%(days)s hari lagi) menurut waktu tunggu kantor ini") % figures)
        if self.late:
            arrival += _("; sudah melewati perkiraan semula")
        return _(
            "Stok %(stock)s tidak cukup dengan pemakaian rata-rata %(average)s per hari "
            "sampai kiriman berikutnya: %(arrival)s. Kuota ini saran: aturan pencadangan "
            "untuk prioritas yang lebih tinggi tetap berlaku."
        ) % {**figures, "arrival": arrival}


def _one_decimal(value: float) -> str:
    return number_format(value, 1, force_grouping=True)


def next_arrival(*, as_of: datetime.date, lead_time_days: int,
                 requests: Iterable[BlankRequest], shipments: Iterable[Any],
                 office_id: int) -> Arrival | None:
    """The earliest expected arrival of blanks at the office (see the module's rule).
    `requests` are its open requests for blanks, `shipments` those in transit to or from
    it, as blanko.selectors.pending_shipments gives them (only those towards it with
    blanks still on them count)."""
    candidates = []
    for request in requests:
        expected = request.submitted_on + datetime.timedelta(days=lead_time_days)
        late = expected <= as_of
        if late:
            expected = as_of + datetime.timedelta(days=TRANSIT_DAYS)
        candidates.append(Arrival(expected, REQUEST, request.number, late))
    for shipment in shipments:
        if shipment.receiver_id != office_id or shipment.remaining <= 0:
            continue
        expected = shipment.sent_on + datetime.timedelta(days=TRANSIT_DAYS)
        late = expected <= as_of
        if late:
            expected = as_of + datetime.timedelta(days=1)
        candidates.append(Arrival(expected, SHIPMENT, shipment.letter, late))
    # Earliest first; on the same day a shipment (already on the road) before a request.
    return min(candidates, key=lambda a: (a.on, a.source != SHIPMENT, a.reference),
               default=None)


def quota_from(*, prediction: forecast.Forecast, arrival: Arrival | None) -> Quota | None:
    """The quota from the forecast and the next arrival; None when there is no arrival or
    the stock lasts until it."""
    if arrival is None or prediction.days_of_cover is None:
        return None  # nothing expected, or nothing used: no reason to ration
    days = (arrival.on - prediction.as_of).days
    if prediction.days_of_cover >= days:
        return None
    return Quota(
        quantity=prediction.stock // days, arrival_on=arrival.on, source=arrival.source,
        reference=arrival.reference, late=arrival.late, stock=prediction.stock, days=days,
        as_of=prediction.as_of, average=round(float(prediction.average), 1),
    )


def office_quota(*, office: Office, as_of: datetime.date | None = None) -> Quota | None:
    """The office's quota today (None for a past as-of date: see the module's note).
    A fixed number of queries: the stock, the use window, the lead time, the open
    requests and the shipments in transit."""
    today = timezone.localdate()
    as_of = as_of or today
    if as_of != today:
        return None
    requests = ledger.open_blank_requests(office=office)
    shipments = list(ledger.pending_shipments(office=office))
    if not requests and not any(s.receiver_id == office.pk for s in shipments):
        return None
    stock = ledger.stock_on_hand(office=office)
    series = ledger.daily_series(office=office, end=as_of, stock=stock,
                                 days=forecast.USE_WINDOW_DAYS)
    lead_time = ledger.lead_times(offices=[office], as_of=as_of)[office.pk]
    lead_days = forecast.whole_lead_days(lead_time.days)
    prediction = forecast.forecast_from_series(as_of=as_of, stock=stock, series=series,
                                               lead_time_days=lead_days,
                                               lead_time_source=lead_time.source)
    arrival = next_arrival(as_of=as_of, lead_time_days=lead_days, requests=requests,
                           shipments=shipments, office_id=office.pk)
    return quota_from(prediction=prediction, arrival=arrival)


def daily_quota(*, office: Office, as_of: datetime.date | None = None) -> int | None:
    """Blanks a day the office may print so that its stock lasts until the next expected
    arrival; None when nothing is expected or the stock lasts (issue 14's contract)."""
    quota = office_quota(office=office, as_of=as_of)
    return quota.quantity if quota else None
