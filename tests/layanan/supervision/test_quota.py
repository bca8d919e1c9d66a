"""The daily print quota (issue 14, part 3): floor(stock / days until the next expected
arrival), when the stock will not last until it. Every expected figure is worked out by
hand in the comments next to it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from blanko import services as ledger
from layanan import advice
from layanan.supervision import quota
from layanan.supervision.forecast import Forecast
from layanan.supervision.quota import TRANSIT_DAYS, Arrival, next_arrival, quota_from
from tests.layanan.supervision.scenarios import D, post_use

DAY = D(2024, 6, 30)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def request(submitted_on: datetime.date, number: str = "PB/2172/2024/0001"):
    return SimpleNamespace(submitted_on=submitted_on, number=number)


def shipment(sent_on: datetime.date, *, receiver_id: int = 1, remaining: int = 60,
             letter: str = "PJ/BATAM/VI"):
    return SimpleNamespace(sent_on=sent_on, receiver_id=receiver_id, remaining=remaining,
                           letter=letter)


# 560 blanks used over 28 stocked days: 20 a day. Stock 440: 22 days of cover.
FORECAST = Forecast(as_of=DAY, stock=440, used=560, days_counted=28, lead_time_days=30)


def plan(prediction=FORECAST, *, requests=(), shipments=()):
    arrival = next_arrival(as_of=prediction.as_of, lead_time_days=prediction.lead_time_days,
                           requests=requests, shipments=shipments, office_id=1)
    return arrival, quota_from(prediction=prediction, arrival=arrival)


# --- The rule, by hand --------------------------------------------------------------------


def test_a_shortage_before_the_expected_arrival_gives_stock_over_the_days_until_it():
    # Asked 5 days ago, lead time 30: expected in 25 days (25 July). 440 lasts 22 days
    # at 20 a day, so ration: floor(440 / 25) = 17 a day, up to 24 July.
    arrival, q = plan(requests=[request(DAY - days(5))])
    assert arrival == Arrival(D(2024, 7, 25), quota.REQUEST, "PB/2172/2024/0001", False)
    assert (q.quantity, q.days, q.stock, q.arrival_on, q.until) == (
        17, 25, 440, D(2024, 7, 25), D(2024, 7, 24))
    assert q.average == 20.0


def test_enough_stock_until_the_arrival_gives_no_quota():
    # Asked 10 days ago: expected in 20 days; 22 days of cover last until then.
    assert plan(requests=[request(DAY - days(10))])[1] is None
    # Asked 8 days ago: expected in exactly 22 days, the projected stock-out day: lasts.
    assert FORECAST.stockout_on == DAY + days(22)
    assert plan(requests=[request(DAY - days(8))])[1] is None
    # Asked 7 days ago: 23 days; one day short, floor(440 / 23) = 19.
    assert plan(requests=[request(DAY - days(7))])[1].quantity == 19


def test_no_expected_arrival_or_no_use_gives_no_quota():
    assert plan() == (None, None)
    unused = Forecast(as_of=DAY, stock=440, used=0, days_counted=28, lead_time_days=30)
    assert plan(unused, requests=[request(DAY)])[1] is None


def test_a_shipment_in_transit_is_expected_three_days_after_it_was_sent():
    # Stock 30 at 20 a day: 1.5 days of cover. Batam's loan sent yesterday is expected
    # on 2 July (29 June + 3), 2 days away: floor(30 / 2) = 15 a day. The request asked
    # today (expected in 30 days) comes later and does not count.
    short = Forecast(as_of=DAY, stock=30, used=560, days_counted=28, lead_time_days=30)
    arrival, q = plan(short, requests=[request(DAY)],
                      shipments=[shipment(DAY - days(1))])
    assert TRANSIT_DAYS == 3
    assert arrival == Arrival(D(2024, 7, 2), quota.SHIPMENT, "PJ/BATAM/VI", False)
    assert (q.quantity, q.days) == (15, 2)


def test_only_shipments_towards_the_office_with_blanks_left_on_them_count():
    short = Forecast(as_of=DAY, stock=30, used=560, days_counted=28, lead_time_days=30)
    outgoing = shipment(DAY, receiver_id=2)
    emptied = shipment(DAY, remaining=0)
    assert plan(short, shipments=[outgoing, emptied]) == (None, None)


def test_a_late_arrival_is_expected_no_sooner_than_it_still_could_come():
    # Asked 40 days ago with a 30-day lead time: 10 days late. Not dispatched, so at the
    # earliest a dispatch today arrives in 3 days: floor(30 / 3) = 10.
    short = Forecast(as_of=DAY, stock=30, used=560, days_counted=28, lead_time_days=30)
    arrival, q = plan(short, requests=[request(DAY - days(40))])
    assert (arrival.on, arrival.late, q.quantity) == (DAY + days(3), True, 10)
    assert "melewati perkiraan semula" in q.reason
    # A shipment sent 5 days ago is 2 days late: expected tomorrow; 30 last 1.5 days.
    arrival, q = plan(short, shipments=[shipment(DAY - days(5))])
    assert (arrival.on, arrival.late, q) == (DAY + days(1), True, None)


def test_an_empty_store_waiting_for_blanks_gets_a_quota_of_zero():
    empty = Forecast(as_of=DAY, stock=0, used=560, days_counted=20, lead_time_days=30)
    assert plan(empty, requests=[request(DAY - days(5))])[1].quantity == 0


# --- On the office's pages, today -----------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


def history(office, supervisor, *, today, received: int) -> None:
    """`received` blanks 40 days ago, then 20 used on each of the 28 days ending today:
    average 20 a day, stock received - 560."""
    ledger.receive_allocation(office=office, quantity=received, reference="BAST/AWAL",
                              by=supervisor, occurred_on=today - days(40))
    for n in range(28):
        post_use(office, supervisor, today - days(n), 20)


def ask(office, supervisor, submitted_on):
    return ledger.request_blanks(office=office, quantity=1000, by=supervisor,
                                 at=timezone.make_aware(datetime.datetime.combine(
                                     submitted_on, datetime.time(9))))


def test_the_dashboard_and_the_queue_show_the_quota_with_its_reason(
        client, office, supervisor, operator, today):
    # Stock 1,000 - 560 = 440; asked 5 days ago with the office's 30-day lead time (no
    # request of the province was ever received): 25 days to go, 22 of cover: 17 a day.
    history(office, supervisor, today=today, received=1000)
    asked = ask(office, supervisor, today - days(5))
    q = quota.office_quota(office=office)
    assert (q.quantity, q.arrival_on, q.reference) == (17, today + days(25), asked.number)
    assert quota.daily_quota(office=office) == 17
    assert "17 per hari" in q.headline
    assert asked.number in q.reason and "440" in q.reason

    client.force_login(supervisor)
    page = client.get(reverse("layanan:dashboard", args=[office.code]))
    assert page.context["d"].quota == q
    text = page.content.decode()
    assert 'data-testid="quota"' in text and q.headline in text and asked.number in text

    client.force_login(operator)
    page = client.get(reverse("layanan:queue", args=[office.code]))
    assert page.status_code == 200 and page.context["quota"] == q
    assert 'data-testid="queue-quota"' in page.content.decode()
    assert q.headline in page.content.decode()


def test_a_past_dashboard_shows_no_quota(client, office, supervisor, today):
    history(office, supervisor, today=today, received=1000)
    ask(office, supervisor, today - days(5))
    assert quota.daily_quota(office=office, as_of=today - days(1)) is None
    client.force_login(supervisor)
    page = client.get(reverse("layanan:dashboard", args=[office.code]),
                      {"as_of": (today - days(1)).isoformat()})
    assert page.context["d"].quota is None and 'data-testid="quota"' not in page.content.decode()


def test_no_quota_is_shown_when_the_stock_lasts_until_the_arrival(
        client, office, supervisor, operator, today):
    history(office, supervisor, today=today, received=1000)
    ask(office, supervisor, today - days(10))  # 20 days to go, 22 of cover
    assert quota.daily_quota(office=office) is None
    client.force_login(supervisor)
    page = client.get(reverse("layanan:dashboard", args=[office.code]))
    assert 'data-testid="quota"' not in page.content.decode()
    client.force_login(operator)
    page = client.get(reverse("layanan:queue", args=[office.code]))
    assert 'data-testid="queue-quota"' not in page.content.decode()


def test_a_loan_on_its_way_is_the_arrival_the_quota_runs_to(
        office, other_office, supervisor, other_supervisor, today):
    # Stock 590 - 560 = 30; Batam lends 60 today: expected in 3 days. 1.5 days of cover:
    # floor(30 / 3) = 10 a day.
    history(office, supervisor, today=today, received=590)
    ledger.receive_allocation(office=other_office, quantity=100, reference="BAST/BTM",
                              by=other_supervisor, occurred_on=today - days(40))
    ledger.lend_to_office(lender=other_office, borrower=office, quantity=60,
                          reference="PJ/BATAM/UJI", by=other_supervisor, occurred_on=today)
    q = quota.office_quota(office=office)
    assert (q.quantity, q.days, q.source, q.reference) == (10, 3, quota.SHIPMENT,
                                                           "PJ/BATAM/UJI")
    # The lender's own outgoing shipment is no arrival for it.
    assert quota.daily_quota(office=other_office) is None


def test_the_queue_works_and_shows_no_quota_without_a_provider(
        client, office, supervisor, operator, today):
    history(office, supervisor, today=today, received=1000)
    ask(office, supervisor, today - days(5))
    client.force_login(operator)
    advice.register_quota_provider(None)
    try:
        page = client.get(reverse("layanan:queue", args=[office.code]))
    finally:
        advice.register_quota_provider(quota.office_quota)
    assert page.status_code == 200 and page.context["quota"] is None
    assert 'data-testid="queue-quota"' not in page.content.decode()


def test_supervision_fills_the_queue_slot_at_start_up(office):
    assert advice._provider is quota.office_quota


def test_the_quota_adds_no_query_per_request_or_shipment(
        client, office, other_office, supervisor, other_supervisor, operator, today):
    from tests.layanan.supervision.scenarios import count_queries

    history(office, supervisor, today=today, received=1000)
    ledger.receive_allocation(office=other_office, quantity=500, reference="BAST/BTM",
                              by=other_supervisor, occurred_on=today - days(40))
    counts = []
    for n in range(3):
        ask(office, supervisor, today - days(5 + n))
        ledger.lend_to_office(lender=other_office, borrower=office, quantity=10,
                              reference=f"PJ/{n}", by=other_supervisor, occurred_on=today)
        for user, name in ((supervisor, "layanan:dashboard"), (operator, "layanan:queue")):
            client.force_login(user)
            url = reverse(name, args=[office.code])
            count_queries(client, url)
            counts.append((name, count_queries(client, url)))
    assert len(set(counts)) == 2
