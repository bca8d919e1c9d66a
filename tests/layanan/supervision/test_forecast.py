"""The forecast: its arithmetic, which reads nothing, and the requests it reads.

The figures come from the March 2024 history worked out by hand in
tests/layanan/supervision/scenarios.py.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest

from layanan.models import KeyDate
from layanan.supervision import forecast
from tests.layanan.supervision import scenarios
from tests.layanan.supervision.scenarios import AS_OF, LATER, D


@pytest.fixture
def scenario(office, other_office, supervisor, other_supervisor):
    return scenarios.march(office, other_office, supervisor, other_supervisor)


# --- The arithmetic ---------------------------------------------------------------------


def test_forecast_divides_28_days_of_use_and_floors_the_cover():
    prediction = forecast.Forecast(as_of=D(2024, 3, 31), stock=572, used=168)
    assert prediction.average == 6
    assert prediction.days_of_cover == Fraction(286, 3)  # 95.33 days
    assert str(prediction.cover_shown) == "95.3"
    assert prediction.stockout_on == D(2024, 7, 4)  # 31 March + 95 days
    assert prediction.demand_until(D(2024, 7, 30)) == 726  # 6 × 121 days
    assert prediction.safety_stock == 84  # 6 × 14 days


def test_forecast_without_use_has_no_cover_and_an_empty_store_runs_out_today():
    assert forecast.Forecast(as_of=AS_OF, stock=500, used=0).stockout_on is None
    assert forecast.Forecast(as_of=AS_OF, stock=500, used=0).days_of_cover is None
    assert forecast.Forecast(as_of=AS_OF, stock=0, used=10).stockout_on == AS_OF


def test_demand_is_rounded_up_to_whole_blanks():
    assert forecast.Forecast(as_of=AS_OF, stock=0, used=1).demand_until(AS_OF
                                                                       + datetime.timedelta(1)) == 1


def test_request_to_ditjen_adds_14_days_of_use_and_rounds_up_to_hundreds():
    prediction = forecast.Forecast(as_of=AS_OF, stock=572, used=168)
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
