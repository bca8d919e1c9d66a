"""The forecast: its arithmetic, which reads nothing, and the requests it reads.

The figures come from the March 2024 history worked out by hand in
tests/layanan/supervision/scenarios.py.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest

from blanko.selectors import Day, OpenRequest
from layanan.models import KeyDate
from layanan.supervision import forecast
from tests.layanan.supervision import scenarios
from tests.layanan.supervision.scenarios import AS_OF, LATER, D


@pytest.fixture
def scenario(office, other_office, supervisor, other_supervisor):
    return scenarios.march(office, other_office, supervisor, other_supervisor)


# --- The arithmetic ---------------------------------------------------------------------


def test_forecast_divides_the_use_by_the_days_counted_and_floors_the_cover():
    prediction = forecast.Forecast(as_of=D(2024, 3, 31), stock=572, used=168, days_counted=28)
    assert prediction.average == 6
    assert prediction.days_of_cover == Fraction(286, 3)  # 95.33 days
    assert str(prediction.cover_shown) == "95.3"
    assert prediction.stockout_on == D(2024, 7, 4)  # 31 March + 95 days
    assert prediction.demand_until(D(2024, 7, 30)) == 726  # 6 × 121 days
    assert prediction.safety_stock == 84  # 6 × 14 days
    # The same use over 21 counted days (7 of stock-out left out): 8 a day.
    short = forecast.Forecast(as_of=D(2024, 3, 31), stock=572, used=168, days_counted=21)
    assert (short.average, short.days_left_out) == (8, 7)
    assert short.days_of_cover == Fraction(143, 2) and str(short.cover_shown) == "71.5"
    assert short.stockout_on == D(2024, 6, 10)  # 31 March + 71 days
    assert short.demand_until(D(2024, 7, 30)) == 968  # 8 × 121
    assert short.safety_stock == 112  # 8 × 14


def test_forecast_without_use_has_no_cover_and_an_empty_store_runs_out_today():
    idle = forecast.Forecast(as_of=AS_OF, stock=500, used=0, days_counted=28)
    assert (idle.average, idle.stockout_on, idle.days_of_cover, idle.ask_by) == (
        0, None, None, None)
    assert forecast.Forecast(as_of=AS_OF, stock=0, used=10, days_counted=28).stockout_on == AS_OF


def test_no_average_when_no_day_of_the_window_counts():
    """An office whose store stayed empty for the whole window: nothing to measure."""
    empty = forecast.Forecast(as_of=AS_OF, stock=0, used=0, days_counted=0)
    assert empty.average is None and empty.days_left_out == 28
    assert (empty.days_of_cover, empty.cover_shown, empty.stockout_on) == (None, None, None)
    assert (empty.demand_until(D(2024, 7, 30)), empty.safety_stock) == (0, 0)
    assert (empty.ask_by, empty.ask_days_late) == (None, 0)


def test_demand_is_rounded_up_to_whole_blanks():
    one = forecast.Forecast(as_of=AS_OF, stock=0, used=1, days_counted=28)
    assert one.demand_until(AS_OF + datetime.timedelta(1)) == 1


def test_ask_by_is_the_stockout_less_the_lead_time_and_the_safety_margin():
    # 6 a day, 572 in stock: runs out on 4 July; 4 July - 30 - 14 days = 21 May.
    on_time = forecast.Forecast(as_of=AS_OF, stock=572, used=168, days_counted=28)
    assert on_time.lead_time_days == 30
    assert (on_time.ask_by, on_time.ask_days_late) == (D(2024, 5, 21), 0)
    slow = forecast.Forecast(as_of=AS_OF, stock=572, used=168, days_counted=28,
                             lead_time_days=60)
    assert slow.ask_by == D(2024, 4, 21)
    # Runs out 31 March + 40 days = 10 May; 10 May - 44 days = 27 March: 4 days past.
    late = forecast.Forecast(as_of=AS_OF, stock=240, used=168, days_counted=28)
    assert (late.stockout_on, late.ask_by, late.ask_days_late) == (
        D(2024, 5, 10), D(2024, 3, 27), 4)
    # On the last day itself it is not yet past: 264 / 6 = 44 days of cover exactly.
    due_today = forecast.Forecast(as_of=D(2024, 3, 23), stock=264, used=168, days_counted=28)
    assert (due_today.ask_by, due_today.ask_days_late) == (D(2024, 3, 23), 0)


def test_an_office_that_has_asked_already_is_not_late_to_ask():
    """The last day to ask stays what it was; an open request means it was asked."""
    asked = forecast.Forecast(as_of=AS_OF, stock=240, used=168, days_counted=28,
                              open_request=OpenRequest("PB/2172/2024/0001", D(2024, 3, 20)))
    assert (asked.ask_by, asked.ask_days_late, asked.asked_days_late) == (
        D(2024, 3, 27), 0, 0)
    late = forecast.Forecast(as_of=AS_OF, stock=240, used=168, days_counted=28,
                             open_request=OpenRequest("PB/2172/2024/0001", D(2024, 3, 30)))
    assert (late.ask_days_late, late.asked_days_late) == (0, 3)
    assert forecast.Forecast(as_of=AS_OF, stock=240, used=168,
                             days_counted=28).ask_days_late == 4


def test_request_to_ditjen_adds_14_days_of_use_and_rounds_up_to_hundreds():
    prediction = forecast.Forecast(as_of=AS_OF, stock=572, used=168, days_counted=28)
    key = KeyDate(name="x", date=D(2024, 7, 30))
    short = forecast.Shortfall(key_date=key, forecast=prediction, waiting=5, pemula=1,
                               incoming=70)
    assert (short.balance, short.shortfall, short.to_request) == (90, 90, 200)
    def with_incoming(incoming):
        return forecast.Shortfall(key_date=key, forecast=prediction, waiting=5, pemula=1,
                                  incoming=incoming)

    # Stock and loans cover the need exactly: only the safety margin is asked for.
    assert (with_incoming(160).balance, with_incoming(160).to_request) == (0, 100)
    # 84 left over is the whole safety margin: nothing to ask for.
    assert (with_incoming(244).surplus, with_incoming(244).to_request) == (84, 0)
    assert (with_incoming(243).surplus, with_incoming(243).to_request) == (83, 100)


def test_loans_owed_by_the_key_date_are_part_of_the_need():
    prediction = forecast.Forecast(as_of=AS_OF, stock=572, used=168, days_counted=28)
    key = KeyDate(name="x", date=D(2024, 7, 30))
    owing = forecast.Shortfall(key_date=key, forecast=prediction, waiting=5, pemula=1,
                               incoming=70, owed=300)
    assert owing.need == 5 + 726 + 1 + 300
    assert (owing.balance, owing.to_request) == (390, 500)  # 390 + 84 -> 500


# --- Which days count --------------------------------------------------------------------


def days_from(start, *points):
    """Days from `start`, one per (opening, came in, used, went out besides use)."""
    days = []
    for n, (opening, came_in, used, other_out) in enumerate(points):
        went_out = used + other_out
        days.append(Day(start + datetime.timedelta(days=n), opening + came_in - went_out,
                        came_in, used, came_in, went_out))
    return days


def test_a_day_counts_when_the_store_had_blanks_at_its_start_or_got_some():
    start = D(2024, 3, 1)
    series = days_from(start, (5, 0, 5, 0), (0, 0, 0, 0), (0, 30, 0, 0), (30, 0, 0, 30),
                       (0, 0, 0, 0))
    assert [forecast.counts_toward_use(day) for day in series] == [
        True,  # stock at the start, all of it used
        False,  # empty morning, nothing came in: a day of stock-out
        True,  # empty morning, a delivery came in: counts even with no use
        True,  # stock at the start, all of it lent out
        False,
    ]
    # A use on an empty morning with nothing in (a back-dated entry) is never left out.
    assert forecast.counts_toward_use(Day(start, -3, 0, 3, 0, 3))


def test_forecast_from_series_averages_over_the_counted_days_of_the_last_28():
    start = D(2024, 3, 1)
    # 10 days using 10 a day from 100, 8 empty days, 20 arrive, then 10 days using 1 a day.
    points = [(100 - 10 * n, 0, 10, 0) for n in range(10)] + [(0, 0, 0, 0)] * 8
    points += [(0, 20, 1, 0)] + [(19 - n, 0, 1, 0) for n in range(9)]
    series = days_from(start - datetime.timedelta(days=2), (100, 0, 0, 0), (100, 0, 0, 0),
                       *points)
    as_of = series[-1].day
    assert as_of == D(2024, 3, 28)
    prediction = forecast.forecast_from_series(as_of=as_of, stock=series[-1].stock,
                                               series=series, lead_time_days=7)
    assert (prediction.used, prediction.days_counted, prediction.days_left_out) == (110, 20, 8)
    assert prediction.average == Fraction(11, 2)
    assert prediction.stock == 10 and prediction.stockout_on == D(2024, 3, 29)  # 10/5.5
    assert prediction.ask_by == D(2024, 3, 8)  # 29 March - 7 - 14
    with pytest.raises(ValueError):
        forecast.forecast_from_series(as_of=D(2024, 3, 27), stock=10, series=series)
    with pytest.raises(ValueError):
        forecast.forecast_from_series(as_of=as_of, stock=10, series=series[-27:])


# --- What it reads ----------------------------------------------------------------------


def test_queue_counts_answer_the_pemula_question_for_each_horizon_asked(office, scenario):
    counts = forecast.queue_counts(
        office_ids=[office.pk], as_of=AS_OF, today=LATER,
        horizons=[D(2024, 4, 30), D(2024, 5, 1), D(2024, 8, 15)],
    )[office.pk]
    assert counts.waiting == 5
    assert counts.pemula_until(D(2024, 4, 30)) == 0
    assert counts.pemula_until(D(2024, 5, 1)) == 1  # R7 turns 17 that day
    assert counts.pemula_until(D(2024, 8, 15)) == 2  # and R8
    assert counts.pemula_until(AS_OF) == 0
    with pytest.raises(ValueError):
        counts.pemula_until(D(2024, 6, 1))  # not counted: refused, never guessed



def test_the_use_window_is_the_28_days_ending_on_the_as_of_date():
    assert forecast.use_window(AS_OF) == (D(2024, 3, 4), AS_OF)
    start, end = forecast.use_window(AS_OF)
    assert (end - start).days + 1 == forecast.USE_WINDOW_DAYS


def test_the_next_key_date_is_the_offices_own_or_a_national_one(office, other_office,
                                                                scenario):
    ids = [office.pk, other_office.pk]
    first = forecast.next_key_dates(office_ids=ids, as_of=AS_OF)
    assert {pk: key.name for pk, key in first.items()} == {
        office.pk: "Pemilu uji", other_office.pk: "Kantor lain"}
    later = forecast.next_key_dates(office_ids=ids, as_of=D(2024, 8, 1))
    assert {key.name for key in later.values()} == {"Nasional nanti"}
    assert forecast.next_key_dates(office_ids=ids, as_of=D(2024, 9, 1)) == {}


def test_a_pemula_is_waiting_from_the_day_they_turn_17(office, scenario):
    """R7, verified in March, turns 17 on 1 May: counted as waiting from that day on."""

    def waiting(day):
        counts = forecast.queue_counts(office_ids=[office.pk], as_of=day, today=D(2024, 6, 1))
        return counts[office.pk].waiting

    # R3, R4, R5 and R9 (R10 was printed on 2 April); then R7 too.
    assert (waiting(D(2024, 4, 30)), waiting(D(2024, 5, 1))) == (4, 5)


def test_requests_open_on_a_past_day_carry_the_status_they_had_then(office, scenario):
    states = dict(forecast.open_requests_as_of(as_of=AS_OF, today=LATER)
                  .filter(office=office).values_list("registration_number", "state"))
    assert states[scenario["R10"].registration_number] == "verified"  # printed 2 April
    assert scenario["R1"].registration_number not in states  # delivered 21 March
    today = dict(forecast.open_requests_as_of(as_of=LATER, today=LATER)
                 .filter(office=office).values_list("registration_number", "state"))
    assert today[scenario["R10"].registration_number] == "printed"
