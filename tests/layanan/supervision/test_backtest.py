"""The forecast's backtest, against a small history whose answer is worked out by hand.

The history (stock at the end of each day):
- 1 February 2024: 200 arrive; 2 February - 12 March: 5 used a day (40 days): empty at
  the end of 12 March.
- 13-19 March: empty, nothing comes in (7 days of stock-out).
- 20 March: 300 arrive; 20 March - 12 April: 10 used a day: 60 left on 12 April.
- 13 April: 1,000 arrive (a delivery before the store ran out); the ledger ends there.
"""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blanko import services as ledger
from blanko.models import Movement
from layanan.supervision import backtest as method
from layanan.supervision.dashboard import office_dashboard
from tests.layanan.supervision.scenarios import D, post_use

TODAY = D(2024, 5, 1)


def days(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def history(office, supervisor, receive):
    receive(office, 200, occurred_on=D(2024, 2, 1))
    for day in days(D(2024, 2, 2), D(2024, 3, 12)):
        post_use(office, supervisor, day, 5)
    receive(office, 300, occurred_on=D(2024, 3, 20))
    for day in days(D(2024, 3, 20), D(2024, 4, 12)):
        post_use(office, supervisor, day, 10)
    receive(office, 1000, occurred_on=D(2024, 4, 13))


def test_each_day_against_the_hand_computed_run_out(office, history):
    result = method.backtest(office=office, start=D(2024, 3, 10), end=D(2024, 3, 22),
                             today=TODAY)
    rows = [(d.as_of, d.stock, d.days_counted, d.old, d.new, d.actual, d.how)
            for d in result.days]
    empty = [(D(2024, 3, 12 + n), 0, 28 - n, D(2024, 3, 12 + n), D(2024, 3, 12 + n), None,
              method.EMPTY) for n in range(8)]
    assert rows == [
        # 10 March: 10 left, 5 a day over 28 stocked days: 2 days, 12 March, as it was.
        (D(2024, 3, 10), 10, 28, D(2024, 3, 12), D(2024, 3, 12), D(2024, 3, 12),
         method.RAN_OUT),
        (D(2024, 3, 11), 5, 28, D(2024, 3, 12), D(2024, 3, 12), D(2024, 3, 12),
         method.RAN_OUT),
        # Empty at the end of the day: nothing to forecast. 12 March still counts (5 at
        # dawn); from 13 March on each empty day drops out of the window.
        *empty,
        # 20 March: 290 left. Window 22 Feb - 20 March: 20 days of 5 + 10 on the 20th
        # (counted: 300 came in) = 110 over 21 days; 7 left out.
        # New: 290 × 21 / 110 = 55.4 -> 14 May. Old: 290 × 28 / 110 = 73.8 -> 1 June.
        # Actual: the delivery of 13 April comes first; the 3 whole weeks from 21 March
        # used 210, 10 a day: 290 / 10 = 29 days -> 18 April.
        (D(2024, 3, 20), 290, 21, D(2024, 6, 1), D(2024, 5, 14), D(2024, 4, 18),
         method.DELIVERY),
        # 21 March: 280; 19 × 5 + 20 = 115 over 21. New 51.1 -> 11 May; old 68.2 -> 28 May;
        # 280 / 10 = 28 -> 18 April.
        (D(2024, 3, 21), 280, 21, D(2024, 5, 28), D(2024, 5, 11), D(2024, 4, 18),
         method.DELIVERY),
        # 22 March: 270; 18 × 5 + 30 = 120 over 21. New 47.25 -> 8 May; old 63 -> 24 May.
        (D(2024, 3, 22), 270, 21, D(2024, 5, 24), D(2024, 5, 8), D(2024, 4, 18),
         method.DELIVERY),
    ]
    assert [(d.old_error, d.new_error) for d in result.compared] == [
        (0, 0), (0, 0), (44, 26), (40, 23), (36, 20)]
    assert result.summary() == {
        "days": 13, "compared": 5, "ran_out": 2, "estimated": 3, "empty": 8, "no_pace": 0,
        "history_end": 0,
        "old_median_abs_error": 36.0, "new_median_abs_error": 20.0,
        "after_stockout": 3,
        "after_stockout_old_median_abs_error": 40.0, "after_stockout_new_median_abs_error": 23.0,
    }


def test_a_pace_needs_a_whole_week_and_the_ledger_must_go_on(office, history):
    result = method.backtest(office=office, start=D(2024, 4, 5), end=D(2024, 4, 13),
                             today=TODAY)
    by_day = {d.as_of: d for d in result.days}
    # 5 April: 130 left; 6-12 April is one whole week at 10 a day: 13 days -> 18 April.
    assert (by_day[D(2024, 4, 5)].actual, by_day[D(2024, 4, 5)].how) == (
        D(2024, 4, 18), method.DELIVERY)
    # 6 April: six days to the delivery, no whole week: not compared.
    assert [by_day[day].how for day in days(D(2024, 4, 6), D(2024, 4, 12))] == [
        method.NO_PACE] * 7
    # 13 April is the ledger's last day: what came after is not known.
    assert (by_day[D(2024, 4, 13)].actual, by_day[D(2024, 4, 13)].how) == (
        None, method.HISTORY_END)
    assert result.history_end == D(2024, 4, 13)
    # 5 April's window: 4 days of 5 and 17 of 10, 190 over 21 days (old: over 28).
    # New: 130 × 21 / 190 = 14.4 -> 19 April (+1); old: 130 × 28 / 190 = 19.2 -> 24 April.
    assert (len(result.compared), result.old_median, result.new_median) == (1, 6.0, 1.0)


def test_each_forecast_is_the_one_the_dashboard_showed_that_day(
        office, supervisor, history):
    """Reversed use counts until the day of its reversal, on the dashboard and here."""
    mistake = post_use(office, supervisor, D(2024, 3, 21), 7)
    ledger.post_movement(from_location=mistake.to_location, to_location=mistake.from_location,
                         quantity=7, reason=Movement.Reason.REVERSAL, by=supervisor,
                         occurred_on=D(2024, 3, 23), reverses=mistake, note="dobel")
    counts = []
    for start in (D(2024, 4, 13), D(2024, 3, 1)):  # one day, then 44: the same queries
        with CaptureQueriesContext(connection) as captured:
            result = method.backtest(office=office, start=start, end=D(2024, 4, 13),
                                     today=TODAY)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 7
    assert len(result.days) == 44
    for day in result.days:
        shown = office_dashboard(office=office, as_of=day.as_of, today=TODAY).forecast
        assert (day.stock, day.days_counted, day.new) == (
            shown.stock, shown.days_counted, shown.stockout_on), day.as_of
    by_day = {d.as_of: d for d in result.days}
    assert by_day[D(2024, 3, 22)].stock == 263  # the 7 are back only on 23 March


def test_the_command_prints_the_table_and_the_summary(office, history):
    out = io.StringIO()
    call_command("backtest_forecast", office=office.code, start=D(2024, 3, 10),
                 end=D(2024, 3, 22), stdout=out)
    text = out.getvalue()
    assert "2024-03-20     290    21/28  2024-06-01    2024-05-14    2024-04-18" in text
    assert "+44" in text and "+26" in text and "gudang sudah kosong" in text
    assert "Hari dibandingkan: 5 dari 13" in text
    assert "metode lama (rata-rata 28 hari): 36 hari" in text
    assert "metode baru (hari berstok): 20 hari" in text

    out = io.StringIO()
    call_command("backtest_forecast", "--office", office.code, "--start", "2024-03-20",
                 "--end", "2024-03-20", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["days"] == [{
        "as_of": "2024-03-20", "stock": 290, "days_counted": 21, "old": "2024-06-01",
        "new": "2024-05-14", "actual": "2024-04-18", "how": "delivery", "old_error": 44,
        "new_error": 26,
    }]
    assert data["summary"]["compared"] == 1


def test_the_command_refuses_an_unknown_office_or_a_backwards_range(office):
    with pytest.raises(CommandError, match="9999"):
        call_command("backtest_forecast", office="9999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--start"):
        call_command("backtest_forecast", office=office.code, start=D(2024, 3, 2),
                     end=D(2024, 3, 1), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("backtest_forecast", "--office", office.code, "--start", "2024-13-01",
                     stdout=io.StringIO())
