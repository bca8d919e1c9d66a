"""The forecast of every office in a viewer's scope, on one page.

Each figure is read for all offices at once (the ledger's through blanko.selectors, the
requests' through layanan.supervision.forecast), so the page runs the same number of
queries for one office or for 514 (three more when any store came near empty in the use
window, for those stores' days); the average is the dashboard's, over the days each store
had blanks (forecast.forecast_from_window), and so are the lead time, what Ditjen has
allocated or sent, and whether the office has asked already (an open request for blanks,
which stops "ask Ditjen by" being late). Ditjen's central store (code "00") issues no
cards: it is left out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from django.db.models import QuerySet

from blanko import selectors as ledger
from blanko.models import LocationKind, Office
from layanan.models import KeyDate
from layanan.supervision import forecast

SORTS = ("cover", "-cover", "code", "-code")


@dataclass(frozen=True)
class OfficeRow:
    office: Office
    forecast: forecast.Forecast
    waiting: int
    incoming: int  # loans and repayments on their way
    from_ditjen: int  # allocated by Ditjen and not yet received
    shortfall: forecast.Shortfall | None

    @property
    def days_to_key_date(self) -> int | None:
        """Days from the as-of date to the next key date; None without one."""
        return self.shortfall.days_left if self.shortfall else None

    @cached_property
    def supply_days(self) -> Fraction | None:
        """Days the stock and what is on its way (loans, Ditjen's allocations and
        shipments) last at the average use; None for an office that uses nothing.

        The flags read this rather than the stock's cover alone: blanks on the road are
        the office's, and the row beside them shows them (the shortfall counts them too).
        """
        f = self.forecast
        if not f.average:
            return None
        return Fraction(f.stock + self.incoming + self.from_ditjen) / Fraction(f.average)

    @property
    def short_of_key_date(self) -> bool:
        """The stock, with what is on its way, runs out before the next key date."""
        days = self.supply_days
        return bool(self.shortfall and days is not None
                    and days < (self.shortfall.key_date.date - self.forecast.as_of).days)

    @property
    def runs_out_before_shipment(self) -> bool:
        """The stock, with what is on its way, runs out before a shipment asked for today
        could reach the office: fewer days of supply than its lead time."""
        days = self.supply_days
        return bool(days is not None and days < self.forecast.lead_time_days)


def _cover_key(row: OfficeRow) -> tuple[bool, float]:
    # Offices that use nothing have no stock-out date: they sort after every other.
    cover = row.forecast.days_of_cover
    return (cover is None, float(cover) if cover is not None else 0.0)


def _owed_by_office(*, key_dates: dict[int, KeyDate], as_of: datetime.date
                    ) -> dict[int, int]:
    """What each office with a key date still owes, on the loans due by that date: one
    query, whatever the offices' key dates."""
    if not key_dates:
        return {}
    return ledger.owed_on_loans_due(
        office_ids=list(key_dates), as_of=as_of,
        due_by={pk: key_date.date for pk, key_date in key_dates.items()})


def office_rollup(*, offices: QuerySet[Office], as_of: datetime.date, today: datetime.date,
                  sort: str = "cover") -> list[OfficeRow]:
    """One row per office: stock, use, cover, stock-out date and key-date shortfall."""
    as_of = min(as_of, today)
    office_list = [office for office in offices.order_by("code") if not office.is_central]
    ids = [office.pk for office in office_list]
    balances = ledger.balances_as_of(office_ids=ids, day=as_of, today=today)
    stock = {pk: balances.get((pk, LocationKind.STOCK), 0) for pk in ids}
    windows = ledger.store_windows(office_ids=ids, end=as_of, stock=stock,
                                   days=forecast.USE_WINDOW_DAYS)
    key_dates = forecast.next_key_dates(office_ids=ids, as_of=as_of)
    queues = forecast.queue_counts(office_ids=ids, as_of=as_of, today=today,
                                   horizons={key_date.date for key_date in key_dates.values()})
    incoming = ledger.incoming_by_office(office_ids=ids, as_of=as_of, today=today)
    from_ditjen = ledger.incoming_from_ditjen(office_ids=ids, as_of=as_of, today=today)
    lead_times = ledger.lead_times(offices=office_list, as_of=as_of)
    asked = ledger.newest_open_requests(office_ids=ids, as_of=as_of, today=today)
    owed = _owed_by_office(key_dates=key_dates, as_of=as_of)
    rows = []
    for office in office_list:
        lead_time = lead_times[office.pk]
        prediction = forecast.forecast_from_window(
            as_of=as_of, stock=stock[office.pk], window=windows[office.pk],
            lead_time_days=forecast.whole_lead_days(lead_time.days),
            lead_time_source=lead_time.source, open_request=asked.get(office.pk))
        queue, key_date = queues[office.pk], key_dates.get(office.pk)
        on_loan, sent = incoming.get(office.pk, 0), from_ditjen.get(office.pk, 0)
        shortfall = None
        if key_date is not None:
            shortfall = forecast.Shortfall(
                key_date=key_date, forecast=prediction, waiting=queue.waiting,
                pemula=queue.pemula_until(key_date.date), incoming=on_loan,
                owed=owed.get(office.pk, 0), from_ditjen=sent,
            )
        rows.append(OfficeRow(office, prediction, queue.waiting, on_loan, sent, shortfall))
    if sort.lstrip("-") == "cover":
        rows.sort(key=_cover_key, reverse=sort.startswith("-"))
    elif sort == "-code":
        rows.reverse()
    return rows
