"""The daily print quota (issue 14, part 3): floor(s / days until the next expected
arrival), s the stock at the start of the day (its end stock plus what was used on it),
when s will not last until the arrival. A figure for the whole day: printing does not
change it; the page says how much of it is used today and what is left. Every expected
figure is worked out by hand in the comments next to it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blanko import services as ledger
from blanko.models import Movement
from blanko.selectors import stock_on_hand
from layanan import advice
from layanan import services as layanan_services
from layanan.supervision import quota
from layanan.supervision.forecast import Forecast
from layanan.supervision.quota import TRANSIT_DAYS, Arrival, next_arrival, quota_from
from tests.layanan.supervision.scenarios import D, Kind, Requests, post_use

DAY = D(2024, 6, 30)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def request(submitted_on: datetime.date, number: str = "PB/2172/2024/0001"):
    return SimpleNamespace(submitted_on=submitted_on, number=number)


def shipment(sent_on: datetime.date, *, receiver_id: int = 1, remaining: int = 60,
             letter: str = "PJ/BATAM/VI"):
    return SimpleNamespace(sent_on=sent_on, receiver_id=receiver_id, remaining=remaining,
                           letter=letter)


# 560 blanks used over 28 stocked days: 20 a day. Stock 440: 22 days of cover. With
# nothing used on the as-of day (`plan`'s default), 440 is also the stock at its start.
FORECAST = Forecast(as_of=DAY, stock=440, used=560, days_counted=28, lead_time_days=30)


def plan(prediction=FORECAST, *, used_today=0, requests=(), shipments=()):
    arrival = next_arrival(as_of=prediction.as_of, lead_time_days=prediction.lead_time_days,
                           requests=requests, shipments=shipments, office_id=1)
    return arrival, quota_from(prediction=prediction, used_today=used_today, arrival=arrival)


# --- The rule, by hand --------------------------------------------------------------------


def test_a_shortage_before_the_expected_arrival_gives_stock_over_the_days_until_it():
    # Asked 5 days ago, lead time 30: expected in 25 days (25 July). 440 lasts 22 days
    # at 20 a day, so ration: floor(440 / 25) = 17 a day, up to 24 July.
    arrival, q = plan(requests=[request(DAY - days(5))])
    assert arrival == Arrival(D(2024, 7, 25), quota.REQUEST, "PB/2172/2024/0001", False)
    assert (q.quantity, q.days, q.start_stock, q.arrival_on, q.until) == (
        17, 25, 440, D(2024, 7, 25), D(2024, 7, 24))
    assert q.average == 20.0
    # Nothing used yet today: all 17 left.
    assert (q.used_today, q.remaining, q.reached) == (0, 17, False)
    assert q.headline == "17 blanko per hari sampai 24 Juli 2024"
    assert q.progress == "Hari ini sudah terpakai 0, sisa kuota 17."


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
    q = plan(empty, requests=[request(DAY - days(5))])[1]
    # Nothing to print: a quota of 0, reached before the first print.
    assert (q.quantity, q.remaining, q.reached) == (0, 0, True)


# --- A figure for the whole day --------------------------------------------------------------


def day_of(printed: int) -> tuple[Forecast, int]:
    """The as-of day after `printed` blanks of it: 540 used on the 27 days before (20 a
    day), 440 in the store at the start of the day. The forecast's window (28 days, all
    stocked) holds 540 + printed, its stock is 440 - printed."""
    return (Forecast(as_of=DAY, stock=440 - printed, used=540 + printed, days_counted=28,
                     lead_time_days=30), printed)


@pytest.mark.parametrize(("printed", "remaining", "reached", "progress"), [
    # The request asked 5 days ago is expected in 25 days. s = 440 whatever is printed:
    # floor(440 / 25) = 17 all day. From the end-of-day stock it would have fallen to
    # floor(423 / 25) = 16 after the 17th print and floor(415 / 25) = 16 after the 25th.
    (0, 17, False, "Hari ini sudah terpakai 0, sisa kuota 17."),
    (10, 7, False, "Hari ini sudah terpakai 10, sisa kuota 7."),
    (16, 1, False, "Hari ini sudah terpakai 16, sisa kuota 1."),
    (17, 0, True, "Kuota hari ini sudah tercapai: hari ini sudah terpakai 17 dari 17."),
    (25, 0, True, "Kuota hari ini sudah tercapai: hari ini sudah terpakai 25 dari 17."),
])
def test_printing_during_the_day_does_not_change_the_quota(printed, remaining, reached,
                                                           progress):
    prediction, used_today = day_of(printed)
    q = plan(prediction, used_today=used_today, requests=[request(DAY - days(5))])[1]
    assert (q.quantity, q.start_stock, q.days) == (17, 440, 25)
    assert (q.used_today, q.remaining, q.reached) == (printed, remaining, reached)
    assert q.progress == progress


def test_the_stock_at_the_start_of_the_day_decides_whether_there_is_a_quota():
    # End-of-day stock 400 at 20 a day (560 over 28 days), 100 of them used today: the
    # day started with 500. Expected in 25 days (asked 5 days ago): 500 lasts 500 / 20 =
    # 25 days, so no quota; a quota would be floor(500 / 25) = 20, the average itself.
    # From the end-of-day stock (20 days of cover) there would have been one of 16.
    prediction = Forecast(as_of=DAY, stock=400, used=560, days_counted=28,
                          lead_time_days=30)
    asked = [request(DAY - days(5))]
    assert plan(prediction, used_today=100, requests=asked)[1] is None
    # 99 used today: the day started with 499, 24.95 days: floor(499 / 25) = 19 a day.
    q = plan(prediction, used_today=99, requests=asked)[1]
    assert (q.quantity, q.start_stock, q.remaining) == (19, 499, 0)


def test_the_reason_says_plainly_that_it_is_advice_and_who_comes_first():
    q = plan(requests=[request(DAY - days(5))])[1]
    assert q.reason == (
        "Stok hari ini ditambah yang sudah terpakai hari ini, 440 blanko, tidak cukup "
        "untuk pemakaian rata-rata 20,0 per "
        "hari sampai kiriman berikutnya: permohonan blanko PB/2172/2024/0001, diperkirakan "
        "tiba 25 Juli 2024 (25 hari lagi) menurut waktu tunggu kantor ini. Kuota ini saran, "
        "bukan larangan: mencetak tetap bisa, dan pemohon berprioritas lebih tinggi, "
        "seperti pemula, tetap dilayani lebih dulu saat stok menipis."
    )
    assert "pencadangan" not in q.reason


# --- On the office's pages, today -----------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


def history(office, supervisor, *, today, received: int, used_today: int = 20) -> None:
    """`received` blanks 40 days ago, then 20 used on each of the 27 days before today and
    `used_today` today. The day starts with received - 540 whatever is used today; with
    the default 20, the average is 20 a day and the stock received - 560."""
    ledger.receive_allocation(office=office, quantity=received, reference="BAST/AWAL",
                              by=supervisor, occurred_on=today - days(40))
    for n in range(1, 28):
        post_use(office, supervisor, today - days(n), 20)
    if used_today:
        post_use(office, supervisor, today, used_today)


def ask(office, supervisor, submitted_on):
    return ledger.request_blanks(office=office, quantity=1000, by=supervisor,
                                 at=timezone.make_aware(datetime.datetime.combine(
                                     submitted_on, datetime.time(9))))


def test_the_dashboard_and_the_queue_show_the_quota_with_its_reason(
        client, office, supervisor, operator, today):
    # The day started with 1,000 - 540 = 460; 6 used so far today: stock 454, average
    # (540 + 6) / 28 = 19.5. Asked 5 days ago with the office's 30-day lead time (no
    # request of the province was ever received): 25 days to go; 460 lasts 460 / 19.5
    # = 23.6 days: floor(460 / 25) = 18 a day, 6 used, 12 left.
    history(office, supervisor, today=today, received=1000, used_today=6)
    asked = ask(office, supervisor, today - days(5))
    q = quota.office_quota(office=office)
    assert (q.quantity, q.arrival_on, q.reference) == (18, today + days(25), asked.number)
    assert (q.start_stock, q.used_today, q.remaining, q.reached) == (460, 6, 12, False)
    assert quota.daily_quota(office=office) == 18
    assert q.headline.startswith("18 blanko per hari sampai ")
    assert q.progress == "Hari ini sudah terpakai 6, sisa kuota 12."
    assert asked.number in q.reason
    assert "Stok hari ini ditambah yang sudah terpakai hari ini, 460 blanko" in q.reason

    client.force_login(supervisor)
    page = client.get(reverse("layanan:dashboard", args=[office.code]))
    assert page.context["d"].quota == q
    text = page.content.decode()
    assert 'data-testid="quota"' in text and 'class="alert alert-warning mb-4"' in text
    assert 'id="quota-heading"' in text and ">Kuota cetak harian</h2>" in text
    for part in (q.headline, q.progress, asked.number):
        assert part in text

    client.force_login(operator)
    page = client.get(reverse("layanan:queue", args=[office.code]))
    assert page.status_code == 200 and page.context["quota"] == q
    text = page.content.decode()
    assert 'data-testid="queue-quota"' in text and 'id="queue-quota-heading"' in text
    assert q.headline in text and q.progress in text


def test_printing_and_ruined_prints_use_up_the_days_quota_without_changing_it(
        client, office, supervisor, operator, today):
    # As above: the day starts with 460, 18 a day, 6 used by the morning's recap.
    history(office, supervisor, today=today, received=1000, used_today=6)
    ask(office, supervisor, today - days(5))
    counter = Requests(office, operator)
    first = counter.verify(counter.submit(Kind.DAMAGED, timezone.now()), timezone.now())
    # One print ruined, then printed: 2 more used, 8 in all; stock 452, the day still
    # started with 460: 18 a day, 10 left.
    layanan_services.record_spoiled_print(request=first, by=operator,
                                          cause=Movement.Cause.PRINT_FAILED)
    layanan_services.print_card(request=first, by=operator)
    q = quota.office_quota(office=office)
    assert (q.quantity, q.start_stock, q.used_today, q.remaining) == (18, 460, 8, 10)

    # The afternoon's recap: 10 more, 18 used: the quota is reached, still 18 (from the
    # stock now, 442, it would have fallen to floor(442 / 25) = 17).
    post_use(office, supervisor, today, 10)
    q = quota.office_quota(office=office)
    assert (q.quantity, q.used_today, q.remaining, q.reached) == (18, 18, 0, True)
    assert quota.daily_quota(office=office) == 18
    reached = "Kuota hari ini sudah tercapai: hari ini sudah terpakai 18 dari 18."
    assert q.progress == reached

    client.force_login(operator)
    text = client.get(reverse("layanan:queue", args=[office.code])).content.decode()
    assert 'class="alert alert-danger mb-4"' in text and reached in text
    assert "sisa kuota" not in text


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
    # 20 days to go; the day started with 460: 23 days at 20 a day.
    ask(office, supervisor, today - days(10))
    assert quota.daily_quota(office=office) is None
    client.force_login(supervisor)
    page = client.get(reverse("layanan:dashboard", args=[office.code]))
    assert 'data-testid="quota"' not in page.content.decode()
    client.force_login(operator)
    page = client.get(reverse("layanan:queue", args=[office.code]))
    assert 'data-testid="queue-quota"' not in page.content.decode()


@pytest.fixture
def lent_today(office, other_office, supervisor, other_supervisor, today):
    """The day started with 590 - 540 = 50 (20 used today: stock 30); Batam lends 60
    today: expected in 3 days."""
    history(office, supervisor, today=today, received=590)
    ledger.receive_allocation(office=other_office, quantity=100, reference="BAST/BTM",
                              by=other_supervisor, occurred_on=today - days(40))
    ledger.lend_to_office(lender=other_office, borrower=office, quantity=60,
                          reference="PJ/BATAM/UJI", by=other_supervisor, occurred_on=today)


def test_a_loan_on_its_way_is_the_arrival_the_quota_runs_to(lent_today, office,
                                                            other_office):
    # 50 last 2.5 days at 20 a day: floor(50 / 3) = 16 a day.
    q = quota.office_quota(office=office)
    assert (q.quantity, q.days, q.source, q.reference) == (16, 3, quota.SHIPMENT,
                                                           "PJ/BATAM/UJI")
    assert (q.start_stock, q.used_today, q.remaining, q.reached) == (50, 20, 0, True)
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


def test_a_stock_already_read_gives_the_same_quota_in_one_query_less(lent_today, office):
    with CaptureQueriesContext(connection) as reading:
        read = quota.office_quota(office=office)
    stock = stock_on_hand(office=office)
    with CaptureQueriesContext(connection) as given:
        passed = quota.office_quota(office=office, stock=stock)
    assert read is not None and passed == read
    assert len(given.captured_queries) == len(reading.captured_queries) - 1


def test_nothing_on_its_way_reads_nothing_more_than_that(office, supervisor, today):
    history(office, supervisor, today=today, received=590)
    with CaptureQueriesContext(connection) as queries:
        assert quota.office_quota(office=office, stock=30) is None
    assert len(queries.captured_queries) == 2  # the open requests and the shipments
