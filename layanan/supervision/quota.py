"""The daily print quota: how many blanks a day an office may print so that its stock
lasts until the next delivery is expected (README "Forecast method", issue 14).

The quota is a figure for the whole day. It is planned from the stock at the start of
the as-of day (`start_stock`): the stock at the end of it plus what the store used on
it (issued and ruined prints, less their reversals: `Day.used` of the same
blanko.selectors.daily_series the forecast reads). So printing during the day does not
change it, and the page can say how much of it is used and what is left; a delivery, a
loan sent or a count on the day still does, since it changes the blanks there are.

The rule, in `quota_from` (which reads nothing):
- the next expected arrival is the earliest of
  - each open request for blanks: its submission date + the office's lead time (whole
    days, rounded up); when that day has come and the blanks have not, the request is
    late and is expected no sooner than a dispatch today could arrive, the as-of date +
    TRANSIT_DAYS;
  - each shipment in transit towards the office (a dispatch from Ditjen, a loan or a
    repayment) with blanks still on it: its sent date + TRANSIT_DAYS; when that day has
    come, it is expected the next day;
- the quota spreads the stock at the start of the day over the days from the as-of
  date to the day before the arrival: floor(start stock / days until the arrival);
- there is none when nothing is expected, nothing is used, or the start stock lasts
  those days at the average use (its days of cover are at least the days until the
  arrival). So a quota is always below the average use: it is shown only when it asks
  for less than the office prints. The dashboard's stock-out date counts from the
  stock at the end of the day and up to the arrival day itself, so it may fall before
  the arrival by up to a day's use while there is no quota.
- It is advice: printing stays possible, and the reservation rule still serves the
  higher tiers first.

The quota is for today: the open requests and shipments are read as they are now
(like the dashboard's list of open requests), so a past as-of date has none.
`office_quota` reads what it needs in a fixed number of queries; the dashboard passes
what it has already read to `quota_from` instead.
"""

from __future__ import annotations

import dataclasses
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
    start_stock: int  # at the start of the as-of day: its end stock + its use
    used_today: int  # used on the as-of day (issued and ruined prints)
    days: int  # from the as-of date to the arrival
    as_of: datetime.date
    average: float  # blanks used per day, rounded to a tenth

    @property
    def until(self) -> datetime.date:
        """The last day the quota applies: the day before the arrival."""
        return self.arrival_on - datetime.timedelta(days=1)

    @property
    def remaining(self) -> int:
        """What is left of the day's quota: 0 once it is used up, never below."""
        return max(0, self.quantity - self.used_today)

    @property
    def reached(self) -> bool:
        return self.used_today >= self.quantity

    @property
    def headline(self) -> str:
        return _("%(quantity)s blanko per hari sampai %(day)s") % {
            "quantity": number(self.quantity), "day": date_format(self.until, "j F Y")}

    @property
    def progress(self) -> str:
        """How much of the day's quota is used, or that it is reached."""
        figures = {"used": number(self.used_today), "quantity": number(self.quantity),
                   "remaining": number(self.remaining)}
        if self.reached:
            return _("Kuota hari ini sudah tercapai: hari ini sudah terpakai %(used)s "
                     "dari %(quantity)s.") % figures
        return _("Hari ini sudah terpakai %(used)s, sisa kuota %(remaining)s.") % figures

    @property
    def reason(self) -> str:
        """Why, in words an operator uses: the stock, the use, the arrival it has to last
        until, and that it is advice (the reservation rule, said plainly)."""
        figures = {
            "stock": number(self.start_stock), "average": _one_decimal(self.average),
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
            "Stok hari ini ditambah yang sudah terpakai hari ini, %(stock)s blanko, tidak "
            "cukup untuk pemakaian rata-rata "
            "%(average)s per hari sampai kiriman berikutnya: %(arrival)s. Kuota ini saran, "
            "bukan larangan: mencetak tetap bisa, dan pemohon berprioritas lebih tinggi, "
            "seperti pemula, tetap dilayani lebih dulu saat stok menipis."
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


def quota_from(*, prediction: forecast.Forecast, used_today: int,
               arrival: Arrival | None) -> Quota | None:
    """The quota from the forecast on its as-of date, what the store used on that day
    (`Day.used` of the series the forecast was made from) and the next arrival; None
    when there is no arrival, nothing is used or the start stock lasts until it."""
    # The forecast from the start of the day: the same use, the stock before it.
    start = dataclasses.replace(prediction, stock=prediction.stock + used_today)
    if arrival is None or start.days_of_cover is None:
        return None  # nothing expected, or nothing used: no reason to ration
    days = (arrival.on - start.as_of).days
    if start.days_of_cover >= days:
        return None
    return Quota(
        quantity=start.stock // days, arrival_on=arrival.on, source=arrival.source,
        reference=arrival.reference, late=arrival.late, start_stock=start.stock,
        used_today=used_today, days=days, as_of=start.as_of,
        average=round(float(start.average), 1),
    )


def office_quota(*, office: Office, as_of: datetime.date | None = None,
                 stock: int | None = None) -> Quota | None:
    """The office's quota today (None for a past as-of date: see the module's note).
    A fixed number of queries: the open requests and the shipments on their way, and
    only when something is expected the stock (unless given: `stock`, now), the use
    window (today's use is its last day) and the lead time."""
    today = timezone.localdate()
    as_of = as_of or today
    if as_of != today:
        return None
    requests = ledger.open_blank_requests(office=office, brief=True)
    shipments = ledger.shipments_towards(office=office)
    if not requests and not shipments:
        return None
    if stock is None:
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
    return quota_from(prediction=prediction, used_today=series[-1].used, arrival=arrival)


def daily_quota(*, office: Office, as_of: datetime.date | None = None) -> int | None:
    """Blanks a day the office may print so that its stock lasts until the next expected
    arrival: floor(s / days until the arrival), where s is the stock at the start of the
    as-of day (the stock at its end plus the blanks issued and ruined on it), so the
    figure stays the same all day while the office prints. None when nothing is
    expected, nothing is used, or s lasts until the arrival at the average use; None
    for a past as-of date too (issue 14's contract; see the module's note)."""
    quota = office_quota(office=office, as_of=as_of)
    return quota.quantity if quota else None
