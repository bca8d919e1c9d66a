"""The supervisor dashboard: the forecast against a history whose answer is known.

The scenario below is worked out by hand; every expected figure is derived in
the comments next to it.
"""

from __future__ import annotations

import datetime
import io
import itertools
import zoneinfo
from fractions import Fraction

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import access
from blanko import services as ledger
from blanko.models import Movement, Office
from blanko.selectors import balance_as_of, outstanding_loans, stock_on_hand
from layanan import services as layanan_services
from layanan.models import KeyDate, ServiceRequest
from layanan.rules import required_documents
from layanan.supervision import forecast, rollup
from layanan.supervision.charts import flow_chart, stock_chart
from layanan.supervision.dashboard import duration_text, last_store_movement_on, office_dashboard
from tests.factories import OfficeFactory, make_user

D = datetime.date
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
Kind = ServiceRequest.Kind
Status = ServiceRequest.Status
AS_OF = D(2024, 3, 31)
LATER = D(2024, 4, 5)  # the last day of the scenario, used as "today"
ADULT_BIRTH = D(1980, 5, 17)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=JAKARTA)


def post_use(office, by, day, quantity, *, reason=Movement.Reason.ISSUE, cause=""):
    """A daily recap posting: blanks out of the store with no request behind them."""
    return ledger.post_movement(
        from_location=ledger.office_location(office, "stock"),
        to_location=ledger.office_location(office, "spoiled" if cause else "issued"),
        quantity=quantity, reason=reason, cause=cause, by=by, occurred_on=day,
        reference=f"Rekap {day}",
    )


class Requests:
    """Registers requests at fixed moments, with a fresh NIK each time."""

    serials = itertools.count(1)  # NIKs stay unique across offices within a test

    def __init__(self, office, operator):
        self.office, self.operator = office, operator

    def submit(self, kind, when, *, born=ADULT_BIRTH, **kwargs):
        serial = next(self.serials)
        nik = f"217201{born.day:02d}{born:%m%y}{serial:04d}"
        if kind == Kind.LOST:
            kwargs["police_report_number"] = f"STPL/{serial}/2024"
        return layanan_services.submit_request(
            office=self.office, nik=nik, full_name="Warga Uji", kind=kind,
            channel=ServiceRequest.Channel.COUNTER, by=self.operator,
            married=kind != Kind.NEW, at=when, **kwargs,
        )

    def verify(self, request, when):
        return layanan_services.verify_request(
            request=request, by=self.operator, biometrics_recorded=True,
            documents=dict.fromkeys(required_documents(request.kind), True), at=when,
        )

    def print(self, request, when):
        return layanan_services.print_card(request=request, by=self.operator, at=when)

    def deliver(self, request, when):
        return layanan_services.deliver_request(request=request, by=self.operator, at=when)


@pytest.fixture
def scenario(office, other_office, supervisor, other_supervisor):
    """The hand-computed history, posted in date order.

    As of 31 March 2024:
    - stock = 1000 - 30 (lent 10 Jan) - 200 - 30 - 100 - 50 + 50 (reversed) - 40 - 1 (R1)
      - 4 - 1 (R2) - 22 = 572;
    - used in the 28 days 4-31 March = 100 + 40 + 1 + 4 + 1 + 22 = 168 (the 50 of
      10 March was reversed on 12 March; the 30 of 3 March is outside), so 6 a day.
    """
    operator = make_user(access.OPERATOR, office, username="petugas_skenario")
    r = Requests(office, operator)
    ledger.receive_allocation(office=office, quantity=1000, reference="BAST/1", by=supervisor,
                              occurred_on=D(2024, 1, 2))
    ledger.receive_allocation(office=other_office, quantity=500, reference="BAST/2",
                              by=other_supervisor, occurred_on=D(2024, 1, 2))
    ledger.lend_to_partner(office=office, partner_code="2101", quantity=30, reference="PJ/1",
                           by=supervisor, occurred_on=D(2024, 1, 10))
    requests = {}
    requests["R9"] = r.submit(Kind.DAMAGED, at(D(2024, 2, 1), 8))
    r.verify(requests["R9"], at(D(2024, 2, 1), 11))
    post_use(office, supervisor, D(2024, 2, 15), 200)
    post_use(office, supervisor, D(2024, 3, 3), 30)
    post_use(office, supervisor, D(2024, 3, 4), 100)
    mistake = post_use(office, supervisor, D(2024, 3, 10), 50)
    ledger.post_movement(from_location=mistake.to_location, to_location=mistake.from_location,
                         quantity=50, reason=Movement.Reason.REVERSAL, by=supervisor,
                         occurred_on=D(2024, 3, 12), reverses=mistake, note="salah input")
    # R7 turns 17 on 1 May (before the key date), R8 on 15 August (after it).
    requests["R7"] = r.submit(Kind.NEW, at(D(2024, 3, 15), 8), born=D(2007, 5, 1))
    r.verify(requests["R7"], at(D(2024, 3, 15), 10))
    requests["R8"] = r.submit(Kind.NEW, at(D(2024, 3, 16), 8), born=D(2007, 8, 15))
    requests["R1"] = r.submit(Kind.NEW, at(D(2024, 3, 18), 9), born=D(2000, 1, 1))
    r.verify(requests["R1"], at(D(2024, 3, 18), 11))
    requests["R2"] = r.submit(Kind.DAMAGED, at(D(2024, 3, 19), 9))
    r.verify(requests["R2"], at(D(2024, 3, 19), 13))
    post_use(office, supervisor, D(2024, 3, 20), 40)
    r.print(requests["R1"], at(D(2024, 3, 20), 11))
    r.deliver(requests["R1"], at(D(2024, 3, 21), 11))
    requests["R3"] = r.submit(Kind.LOST, at(D(2024, 3, 25), 8))
    r.print(requests["R2"], at(D(2024, 3, 25), 13))
    r.verify(requests["R3"], at(D(2024, 3, 25), 14))
    r.deliver(requests["R2"], at(D(2024, 3, 25), 14))
    post_use(office, supervisor, D(2024, 3, 25), 4, reason=Movement.Reason.SPOIL,
             cause=Movement.Cause.PRINT_FAILED)
    requests["R4"] = r.submit(Kind.DATA_CHANGE, at(D(2024, 3, 26), 8), replaces_suket=True)
    r.verify(requests["R4"], at(D(2024, 3, 26), 9))
    requests["R5"] = r.submit(Kind.NEW, at(D(2024, 3, 27), 8), born=D(2000, 2, 2))
    r.verify(requests["R5"], at(D(2024, 3, 27), 8, 30))
    loan = ledger.lend_to_office(lender=other_office, borrower=office, quantity=70,
                                 reference="PJ/2", by=other_supervisor,
                                 occurred_on=D(2024, 3, 28))
    requests["R10"] = r.submit(Kind.DAMAGED, at(D(2024, 3, 29), 8))
    r.verify(requests["R10"], at(D(2024, 3, 29), 11))
    requests["R6"] = r.submit(Kind.RELOCATION, at(D(2024, 3, 30), 8))
    post_use(office, supervisor, D(2024, 3, 31), 22)
    # After the as-of date: visible today, not on 31 March.
    r.print(requests["R10"], at(D(2024, 4, 2), 10))
    ledger.confirm_receipt(shipment=loan.shipments.get(), quantity=20, by=supervisor,
                           occurred_on=D(2024, 4, 3))
    post_use(office, supervisor, D(2024, 4, 5), 10)
    KeyDate.objects.create(name="Pemilu uji", date=D(2024, 7, 30), office=office)
    KeyDate.objects.create(name="Nasional nanti", date=D(2024, 8, 30))
    KeyDate.objects.create(name="Sudah lewat", date=D(2024, 3, 1))
    KeyDate.objects.create(name="Kantor lain", date=D(2024, 4, 15), office=other_office)
    return requests


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


def test_duration_text_reads_like_a_person_would_say_it():
    assert duration_text(30 * 60) == "30 menit"
    assert duration_text(2 * 3600) == "2 jam"
    assert duration_text(12.5 * 3600) == "12 jam 30 menit"
    assert duration_text(96 * 3600) == "4 hari"
    assert duration_text(0) == "0 menit"


# --- The scenario, as of 31 March 2024 --------------------------------------------------


def test_dashboard_as_of_a_past_date_matches_the_hand_computed_scenario(office, scenario):
    data = office_dashboard(office=office, as_of=AS_OF, today=LATER)

    assert data.forecast.stock == 572 == balance_as_of(office=office, day=AS_OF)
    assert data.forecast.used == 168
    assert data.forecast.average == 6
    assert data.forecast.stockout_on == D(2024, 7, 4)
    short = data.shortfall
    assert short.key_date.name == "Pemilu uji"  # not the past one, not another office's
    assert short.days_left == 121
    # Waiting: R3, R4, R5, R9 and R10 (printed only on 2 April). R7 is not 17 yet.
    assert short.waiting == 5
    assert short.demand == 726
    assert short.pemula == 1  # R7; R8 turns 17 after the key date
    assert short.incoming == 70  # Batam's loan, all still in transit on 31 March
    assert short.balance == 5 + 726 + 1 - 572 - 70 == 90
    assert short.to_request == 200  # 90 + 84, rounded up


def test_stage_medians_over_the_30_days_ending_on_the_as_of_date(office, scenario):
    stages = {stage.code: stage for stage in
              office_dashboard(office=office, as_of=AS_OF, today=LATER).stages}
    # Receiving: R1 2h, R2 4h, R3 6h, R4 1h, R5 0.5h, R7 2h, R10 3h (R9 was in February).
    assert stages["receiving"].done == 7
    assert stages["receiving"].median_seconds == 2 * 3600
    # Processing: R1 48h, R2 144h. Sending: R1 24h, R2 1h.
    assert (stages["processing"].done, stages["processing"].median_seconds) == (2, 96 * 3600)
    assert (stages["sending"].done, stages["sending"].median_seconds) == (2, 12.5 * 3600)
    assert [code for code, stage in stages.items() if stage.slowest] == ["processing"]


def test_backlog_shows_each_request_in_the_status_it_had_on_the_as_of_date(office, scenario):
    backlog = office_dashboard(office=office, as_of=AS_OF, today=LATER).backlog
    assert backlog.cells == {
        (Status.SUBMITTED, 1): 1, (Status.SUBMITTED, 4): 1,  # R8; R6
        (Status.VERIFIED, 1): 2, (Status.VERIFIED, 3): 1,  # R5, R7; R4 (suket)
        (Status.VERIFIED, 4): 3,  # R3, R9, R10
    }
    assert backlog.total == 8
    today = office_dashboard(office=office, as_of=LATER, today=LATER).backlog
    assert today.cells[(Status.PRINTED, 4)] == 1  # R10, printed on 2 April


def test_outstanding_loans_per_partner_with_their_age(office, scenario):
    loans = office_dashboard(office=office, as_of=AS_OF, today=LATER).loans
    rows = {(row.direction, row.outstanding, row.in_transit, row.oldest, row.age_days)
            for row in loans}
    assert rows == {
        ("borrowed", 0, 70, D(2024, 3, 28), 3),  # from Batam, still travelling
        ("lent", 30, 0, D(2024, 1, 10), 81),  # to Bintan, outside SiBlanko
    }


def test_today_the_figures_come_from_the_balances_and_shipments(office, scenario):
    data = office_dashboard(office=office, as_of=LATER, today=LATER)
    assert data.is_today
    # 572 - 1 (R10) + 20 (part of the loan) - 10 = 581, the balance row itself.
    assert data.forecast.stock == 581 == stock_on_hand(office=office)
    assert data.incoming == 50  # the rest of the shipment
    # 9 March to 5 April: 40 + 1 + 4 + 1 + 22 + 1 + 10 = 79.
    assert data.forecast.used == 79
    assert [(r.partner, r.direction, r.outstanding, r.in_transit) for r in data.loans] == [
        (o.partner, o.direction, o.quantity, o.in_transit)
        for o in outstanding_loans(office=office)
    ]


def test_the_past_and_present_paths_agree_on_the_last_day(office, scenario):
    """Rebuilding from the ledger gives what the balances and shipments say."""
    ids = [office.pk]
    for read in (forecast.stock_by_office, forecast.incoming_by_office):
        assert (read(office_ids=ids, as_of=LATER, today=LATER)
                == read(office_ids=ids, as_of=LATER, today=LATER + datetime.timedelta(1)))


@pytest.mark.parametrize(("day", "incoming"), [
    (D(2024, 1, 1), 0), (D(2024, 3, 27), 0), (D(2024, 3, 28), 70), (AS_OF, 70),
    (D(2024, 4, 2), 70), (D(2024, 4, 3), 50),
])
def test_the_rollup_reads_any_past_day_like_the_ledger(office, scenario, day, incoming):
    ids = [office.pk]
    stock = forecast.stock_by_office(office_ids=ids, as_of=day, today=LATER)
    assert stock[office.pk] == balance_as_of(office=office, day=day)
    assert forecast.incoming_by_office(office_ids=ids, as_of=day, today=LATER) == {
        office.pk: incoming}


def test_stock_series_walks_back_to_the_balance_of_each_day(office, scenario):
    series = office_dashboard(office=office, as_of=AS_OF, today=LATER).series
    assert len(series) == 90 and series[-1].day == AS_OF
    for point in (series[0], series[40], series[-5], series[-1]):
        assert point.stock == balance_as_of(office=office, day=point.day)
    assert sum(point.used for point in series[-28:]) == 168
    by_day = {point.day: point for point in series}
    assert by_day[D(2024, 3, 10)].used == 0  # reversed two days later
    assert by_day[D(2024, 3, 28)].received == 0  # in transit, not yet received


def test_charts_are_named_described_images(office, scenario):
    series = office_dashboard(office=office, as_of=AS_OF, today=LATER).series
    for chart in (stock_chart(series), flow_chart(series)):
        assert chart.svg.startswith("<svg")
        assert 'role="img"' in chart.svg and "aria-labelledby=" in chart.svg
        assert "<title id=" in chart.svg and "<desc id=" in chart.svg
    assert "akhir 572" in stock_chart(series).summary


def test_rollup_agrees_with_each_office_dashboard_and_sorts_by_cover(
        office, other_office, scenario):
    offices = Office.objects.filter(pk__in=[office.pk, other_office.pk])
    rows = rollup.office_rollup(offices=offices, as_of=AS_OF, today=LATER)
    own = next(row for row in rows if row.office == office)
    assert (own.forecast.stock, own.forecast.used, own.shortfall.balance) == (572, 168, 90)
    # Batam uses nothing: no stock-out date, so it sorts after Tanjungpinang.
    assert [row.office.code for row in rows] == ["2172", "2171"]
    assert [row.office.code for row in rollup.office_rollup(
        offices=offices, as_of=AS_OF, today=LATER, sort="-cover")] == ["2171", "2172"]
    assert rows[1].shortfall.key_date.name == "Kantor lain"


# --- The pages --------------------------------------------------------------------------


def test_dashboard_page_shows_the_figures_in_indonesian_format(client, office, supervisor,
                                                               scenario):
    client.force_login(supervisor)
    response = client.get(reverse("layanan:dashboard", args=[office.code]),
                          {"as_of": "2024-03-31"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="stock">572<' in html
    assert 'data-testid="average">6,0<' in html
    assert "95,3 hari" in html
    assert "4 Juli 2024" in html
    assert 'data-testid="shortfall">90<' in html
    assert "200 blanko" in html
    assert 'role="img"' in html and 'scope="col"' in html
    assert "style=" not in html  # the CSP blocks inline styles


def test_a_bad_or_future_as_of_date_falls_back_to_today(client, office, supervisor):
    client.force_login(supervisor)
    url = reverse("layanan:dashboard", args=[office.code])
    for value in ("kemarin", "2999-01-01", "2024-02-30"):
        response = client.get(url, {"as_of": value})
        assert response.status_code == 200
        assert response.context["d"].is_today
        assert response.context["as_of_error"]


@pytest.mark.parametrize("value", ["0001-01-01", "1900-01-01", "2010-12-31", "9999-12-31",
                                   "0000-00-00", "99999-01-01", "2024-13-01", "garbage",
                                   " ", "2024-03-31\x00"])
def test_an_out_of_range_as_of_date_gets_a_clear_message_not_a_500(client, office,
                                                                   supervisor, value):
    """?as_of=0001-01-01 raised OverflowError on both pages; the earliest day is 2011-01-01."""
    client.force_login(supervisor)
    for url in (reverse("layanan:dashboard", args=[office.code]), reverse("layanan:rollup")):
        response = client.get(url, {"as_of": value})
        assert response.status_code == 200, (url, value)
        if value.strip():
            assert response.context["as_of_error"], (url, value)
            assert "tanggal" in response.context["as_of_error"].lower()


def test_the_earliest_as_of_date_is_the_start_of_e_ktp(client, office, supervisor):
    client.force_login(supervisor)
    url = reverse("layanan:dashboard", args=[office.code])
    response = client.get(url, {"as_of": "2011-01-01"})
    assert response.status_code == 200
    assert not response.context["as_of_error"]
    assert response.context["d"].as_of == datetime.date(2011, 1, 1)
    before = client.get(url, {"as_of": "2010-12-31"})
    assert "1 Januari 2011" in before.context["as_of_error"]


def test_dashboard_is_for_the_users_own_office_and_needs_the_permission(
        client, office, other_office, supervisor, operator):
    client.force_login(supervisor)
    assert client.get(reverse("layanan:dashboard", args=[other_office.code])).status_code == 404
    client.force_login(operator)
    assert client.get(reverse("layanan:dashboard", args=[office.code])).status_code == 403
    assert client.get(reverse("layanan:rollup")).status_code == 403


def test_a_province_viewer_sees_every_office_of_the_province_and_nothing_else(
        client, office, other_office):
    outside = OfficeFactory(code="3171", name="Kota Jakarta Selatan")
    viewer = make_user(access.VIEWER, None, username="peninjau_provinsi", office__region="21")
    client.force_login(viewer)
    response = client.get(reverse("layanan:rollup"))
    assert response.status_code == 200
    assert {line.row.office.code for line in response.context["rows"]} == {"2171", "2172"}
    assert reverse("layanan:dashboard", args=["2171"]) in response.content.decode()
    assert client.get(reverse("layanan:dashboard", args=[office.code])).status_code == 200
    assert client.get(reverse("layanan:dashboard", args=[outside.code])).status_code == 404
    # Reading the dashboard is not reading the monthly report.
    report = reverse("layanan:report", args=[office.code, 2024, 3])
    assert client.get(report).status_code == 403


# --- A fixed number of queries ----------------------------------------------------------


def grow(office, by, operator, *, movements: int, requests: int) -> None:
    ledger.receive_allocation(office=office, quantity=10_000, reference=f"BAST/{office.code}",
                              by=by, occurred_on=D(2024, 1, 2))
    start = D(2024, 1, 3)
    for n in range(movements):
        post_use(office, by, start + datetime.timedelta(days=n % 85), 1 + n % 3)
    r = Requests(office, operator)
    for n in range(requests):
        day = D(2024, 3, 1) + datetime.timedelta(days=n % 25)
        request = r.submit(Kind.DAMAGED, at(day, 8))
        r.verify(request, at(day, 9))
        if n % 2:
            r.print(request, at(day, 10))
            r.deliver(request, at(day, 11))


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("as_of", ["2024-03-31", ""])
def test_the_dashboard_runs_the_same_queries_for_a_small_and_a_large_ledger(
        client, supervisor, as_of):
    counts = []
    for code, movements, requests in (("2101", 10, 2), ("2102", 200, 20)):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        grow(office, boss, make_user(access.OPERATOR, office, username=f"op{code}"),
             movements=movements, requests=requests)
        ledger.lend_to_partner(office=office, partner_code="2104", quantity=5, reference="P",
                               by=boss, occurred_on=D(2024, 3, 2))
        client.force_login(boss)
        url = reverse("layanan:dashboard", args=[code])
        count_queries(client, url, {"as_of": as_of})  # warm the session and caches
        counts.append(count_queries(client, url, {"as_of": as_of}))
    assert counts[0] == counts[1]


def test_the_rollup_runs_the_same_queries_for_one_office_and_for_several(client, db):
    viewer = make_user(access.VIEWER, None, username="peninjau_nasional", office__national=True)
    client.force_login(viewer)
    url = reverse("layanan:rollup")
    counts = []
    for code in ("2101", "2102", "2103"):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        grow(office, boss, make_user(access.OPERATOR, office, username=f"op{code}"),
             movements=5, requests=2)
        count_queries(client, url, {"as_of": "2024-03-31"})
        counts.append(count_queries(client, url, {"as_of": "2024-03-31"}))
    assert len(set(counts)) == 1


# --- The demo ---------------------------------------------------------------------------


def test_demo_tanjungpinang_as_of_1_august_2020_is_short_before_the_pilkada(client, db):
    call_command("seed_demo", stdout=io.StringIO())
    office = Office.objects.get(code="2172")
    data = office_dashboard(office=office, as_of=D(2020, 8, 1), today=D(2026, 1, 1))
    assert data.key_date.name == "Pilkada 9 Desember 2020"
    assert data.forecast.stock == balance_as_of(office=office, day=D(2020, 8, 1))
    assert data.shortfall.shortfall > 0
    assert data.shortfall.to_request > data.shortfall.shortfall

    client.force_login(User.objects.get(username="supervisor"))
    response = client.get(reverse("layanan:dashboard", args=["2172"]), {"as_of": "2020-08-01"})
    html = response.content.decode()
    assert "Pilkada 9 Desember 2020" in html
    assert "Kekurangan" in html
    assert data.shortfall.key_date.date == D(2020, 12, 9)
    assert KeyDate.objects.filter(name="Pilkada 9 Desember 2020").count() == 1
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert KeyDate.objects.filter(name="Pilkada 9 Desember 2020").count() == 1


# --- Key dates in the admin -------------------------------------------------------------


def test_an_office_administrator_adds_its_own_key_dates_but_not_national_ones(
        client, office, other_office):
    administrator = make_user(access.ADMINISTRATOR, office, username="admin_kantor",
                              is_staff=True)
    national = KeyDate.objects.create(name="Pilkada serentak", date=D(2030, 11, 27))
    client.force_login(administrator)
    add = client.get(reverse("admin:layanan_keydate_add"))
    assert add.status_code == 200
    assert list(add.context["adminform"].form.fields["office"].queryset) == [office]
    response = client.post(reverse("admin:layanan_keydate_add"),
                           {"name": "Pemilihan RT", "date": "2030-06-01", "office": office.pk})
    assert response.status_code == 302
    assert KeyDate.objects.filter(name="Pemilihan RT", office=office).exists()
    refused = client.post(reverse("admin:layanan_keydate_add"),
                          {"name": "Tanpa kantor", "date": "2030-06-01", "office": ""})
    assert refused.status_code == 200 and not KeyDate.objects.filter(name="Tanpa kantor")
    change = reverse("admin:layanan_keydate_change", args=[national.pk])
    assert client.post(change, {"name": "Diubah", "date": "2030-11-27"}).status_code == 403
    national.refresh_from_db()
    assert national.name == "Pilkada serentak"
    assert "Pilkada serentak" in client.get(
        reverse("admin:layanan_keydate_changelist")).content.decode()


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


def test_the_last_store_movement_is_the_newest_in_either_direction(office, scenario):
    store = ledger.office_location(office, "stock")
    moves = Movement.objects.filter(Q(to_location=store) | Q(from_location=store))
    days = sorted(set(moves.values_list("occurred_on", flat=True)))
    for day in [days[0] - datetime.timedelta(days=1), *days, LATER]:
        expected = max((d for d in days if d <= day), default=None)
        assert last_store_movement_on(office=office, as_of=day) == expected
