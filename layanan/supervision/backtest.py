"""The forecast's backtest: the stock-out date the dashboard showed on each past day,
by the old method and the new, against the day the store actually ran out.

The method is written in the README ("Forecast method", its "Backtest"). For each as-of
day in the range:

- the forecasts are the dashboard's own (forecast.forecast_from_series), rebuilt for
  that day: the store's count at its end, and its 28 days of use as they stood then (a
  use reversed only later still counts). The old method is the same forecast with every
  day of the window counted (use ÷ 28), the new one counts only the days on which the
  store had blanks;
- the actual run-out is the first later day at whose end the store is empty, if that
  comes before any delivery (a receipt from Ditjen or the province, or a loan or a
  repayment received). When a delivery comes first, the store never showed when it
  would have run out: the run-out is estimated at the pace it actually used,
  as-of + stock × n ÷ (blanks used in those n days), rounded down like the forecast's,
  where the n days are the whole weeks that fit between the as-of day and the delivery
  (both left out), counted from the day after the as-of day. Whole weeks, because use
  follows the working week: a pace measured from Friday to Monday is mostly a weekend;
- a day is compared when both methods gave a date and the run-out is known. Days on
  which the store was already empty, with no whole week before the delivery or no use
  in it, or whose store neither ran out nor got a delivery before the ledger ends
  (its last movement), are not.

Everything is read in a fixed number of queries (the store's days once, and the
reversals of use), whatever the length of the range.
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from blanko import selectors as ledger
from blanko.models import Office
from layanan.supervision import forecast

# How the actual run-out of a day is known.
RAN_OUT = "ran_out"  # the store was empty at the end of that day
DELIVERY = "delivery"  # estimated: a delivery came before the store ran out
EMPTY = "empty"  # not compared: the store was empty on the as-of day itself
NO_PACE = "no_pace"  # not compared: no whole week, or no use, to measure the pace on
HISTORY_END = "history_end"  # not compared: the ledger ends before either happened
WEEK = 7


@dataclass(frozen=True)
class BacktestDay:
    as_of: datetime.date
    stock: int
    days_counted: int  # of the 28, by the new method
    old: datetime.date | None  # the stock-out date by the 28-day average
    new: datetime.date | None  # by the average over the days with stock
    actual: datetime.date | None
    how: str  # one of RAN_OUT, DELIVERY, HISTORY_END, EMPTY, NO_PACE

    def _error(self, projected: datetime.date | None) -> int | None:
        if projected is None or self.actual is None:
            return None
        return (projected - self.actual).days

    @property
    def old_error(self) -> int | None:
        """Days the old forecast was late (positive) or early (negative)."""
        return self._error(self.old)

    @property
    def new_error(self) -> int | None:
        return self._error(self.new)

    @property
    def compared(self) -> bool:
        return self.old_error is not None and self.new_error is not None


@dataclass(frozen=True)
class Backtest:
    office: Office
    start: datetime.date
    end: datetime.date
    history_end: datetime.date | None  # the store's last movement
    days: list[BacktestDay]

    @cached_property
    def compared(self) -> list[BacktestDay]:
        return [day for day in self.days if day.compared]

    @cached_property
    def old_median(self) -> float | None:
        """The median absolute error of the old method, in days, over the days compared."""
        return _median_abs([day.old_error for day in self.compared])

    @cached_property
    def new_median(self) -> float | None:
        return _median_abs([day.new_error for day in self.compared])

    @cached_property
    def after_stockout(self) -> list[BacktestDay]:
        """The days compared whose window held days of stock-out: the only days on
        which the two methods differ (on the others every day counts in both)."""
        return [day for day in self.compared
                if day.days_counted < forecast.USE_WINDOW_DAYS]

    def count(self, *hows: str) -> int:
        return sum(1 for day in self.days if day.how in hows)

    def summary(self) -> dict:
        return {
            "days": len(self.days), "compared": len(self.compared),
            "ran_out": sum(1 for day in self.compared if day.how == RAN_OUT),
            "estimated": sum(1 for day in self.compared if day.how == DELIVERY),
            "empty": self.count(EMPTY), "no_pace": self.count(NO_PACE),
            "history_end": self.count(HISTORY_END),
            "old_median_abs_error": self.old_median, "new_median_abs_error": self.new_median,
            "after_stockout": len(self.after_stockout),
            "after_stockout_old_median_abs_error": _median_abs(
                [day.old_error for day in self.after_stockout]),
            "after_stockout_new_median_abs_error": _median_abs(
                [day.new_error for day in self.after_stockout]),
        }


def _median_abs(errors: list[int | None]) -> float | None:
    values = [abs(error) for error in errors if error is not None]
    return float(statistics.median(values)) if values else None


def _actual_run_out(series: list[ledger.Day], index: int, last: int
                    ) -> tuple[datetime.date | None, str]:
    """When the store of series[index] ran out, and how that is known (see the module)."""
    as_of, stock = series[index].day, series[index].stock
    if stock <= 0:
        return None, EMPTY
    for later in range(index + 1, last + 1):
        if series[later].stock <= 0:
            return series[later].day, RAN_OUT
        if series[later].received > 0:
            break
    else:
        return None, HISTORY_END
    weeks = (later - index - 1) // WEEK
    observed = series[index + 1:index + 1 + weeks * WEEK]
    used = sum(day.used for day in observed)
    if not observed or used <= 0:
        return None, NO_PACE
    return as_of + datetime.timedelta(days=stock * len(observed) // used), DELIVERY


def backtest(*, office: Office, start: datetime.date, end: datetime.date,
             today: datetime.date) -> Backtest:
    """The forecast of every day from `start` to `end` (on or before `today`) against
    what the store did afterwards, up to its last movement."""
    if start > end:
        raise ValueError("start is after end")
    end = min(end, today)
    history_end = ledger.last_store_movement_on(office=office, as_of=today)
    last_day = max(end, history_end or end)
    first_day = start - datetime.timedelta(days=forecast.USE_WINDOW_DAYS - 1)
    series = ledger.daily_series(
        office=office, end=last_day, stock=ledger.balance_as_of(office=office, day=last_day),
        days=(last_day - first_day).days + 1,
    )
    # Use reversed after an as-of day still counted on it: put back per as-of day.
    late_reversals: dict[datetime.date, list[tuple[datetime.date, int]]] = defaultdict(list)
    for used_on, reversed_on, quantity in ledger.use_reversals(office=office, start=first_day,
                                                               end=last_day):
        late_reversals[used_on].append((reversed_on, quantity))
    # The observation stops at the ledger's last movement: after it nothing is known.
    last = (history_end - first_day).days if history_end else -1

    days = []
    for index in range(forecast.USE_WINDOW_DAYS - 1, (end - first_day).days + 1):
        as_of, stock = series[index].day, series[index].stock
        window = [
            dataclasses.replace(day, used=day.used + sum(
                quantity for reversed_on, quantity in late_reversals[day.day]
                if reversed_on > as_of))
            if day.day in late_reversals else day
            for day in series[index + 1 - forecast.USE_WINDOW_DAYS:index + 1]
        ]
        new = forecast.forecast_from_series(as_of=as_of, stock=stock, series=window,
                                            lead_time_days=office.lead_time_days)
        old = forecast.Forecast(as_of=as_of, stock=stock, used=sum(d.used for d in window),
                                days_counted=forecast.USE_WINDOW_DAYS)
        actual, how = _actual_run_out(series, index, last)
        days.append(BacktestDay(as_of=as_of, stock=stock, days_counted=new.days_counted,
                                old=old.stockout_on, new=new.stockout_on, actual=actual,
                                how=how))
    return Backtest(office=office, start=start, end=end, history_end=history_end, days=days)
