"""The supervisor dashboard: the forecast against a history whose answer is known.

The history (scenarios.march) is worked out by hand; every expected figure is
derived in the comments next to it. The forecast's arithmetic, the rollup and the
charts have their own modules (test_forecast, test_rollup, test_charts).
"""

from __future__ import annotations

import datetime
import io
import json
from fractions import Fraction

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from blanko import access, supply_figures
from blanko import selectors as ledger_selectors
from blanko import services as ledger
from blanko.models import Movement, Office
from blanko.selectors import balance_as_of, outstanding_loans, stock_on_hand
from layanan.models import KeyDate, ServiceRequest
from layanan.supervision import forecast
from layanan.supervision.dashboard import duration_text, office_dashboard
from layanan.supervision.views import dashboard as dashboard_views
from tests.factories import OfficeFactory, make_user
from tests.layanan.supervision import scenarios
from tests.layanan.supervision.scenarios import (
    AS_OF,
    JUNE_AS_OF,
    JUNE_TODAY,
    LATER,
    SUPPLY_AS_OF,
    SUPPLY_TODAY,
    D,
    count_queries,
    grow,
)

Status = ServiceRequest.Status


@pytest.fixture
def scenario(office, other_office, supervisor, other_supervisor):
    return scenarios.march(office, other_office, supervisor, other_supervisor)


def test_duration_text_reads_like_a_person_would_say_it():
    assert duration_text(30 * 60) == "30 menit"
    assert duration_text(2 * 3600) == "2 jam"
    assert duration_text(12.5 * 3600) == "12 jam 30 menit"
    assert duration_text(96 * 3600) == "4 hari"
    assert duration_text(0) == "0 menit"


# --- The history, as of 31 March 2024 -------------------------------------------------


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
    rows = {(row.direction, row.quantity, row.in_transit, row.oldest, row.age_days)
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
    assert [(r.partner, r.direction, r.quantity, r.in_transit) for r in data.loans] == [
        (o.partner, o.direction, o.quantity, o.in_transit)
        for o in outstanding_loans(office=office)
    ]


def test_stock_series_walks_back_to_the_balance_of_each_day(office, scenario):
    series = office_dashboard(office=office, as_of=AS_OF, today=LATER).series
    assert len(series) == 90 and series[-1].day == AS_OF
    for point in (series[0], series[40], series[-5], series[-1]):
        assert point.stock == balance_as_of(office=office, day=point.day)
    assert sum(point.used for point in series[-28:]) == 168
    by_day = {point.day: point for point in series}
    assert by_day[D(2024, 3, 10)].used == 0  # reversed two days later
    assert by_day[D(2024, 3, 28)].received == 0  # in transit, not yet received


def test_the_last_store_movement_is_the_newest_in_either_direction(office, scenario):
    store = ledger.office_location(office, "stock")
    moves = Movement.objects.filter(Q(to_location=store) | Q(from_location=store))
    days = sorted(set(moves.values_list("occurred_on", flat=True)))
    for day in [days[0] - datetime.timedelta(days=1), *days, LATER]:
        expected = max((d for d in days if d <= day), default=None)
        assert ledger_selectors.last_store_movement_on(office=office, as_of=day) == expected


# --- A stock-out in the window, a loan due before the key date (scenarios.june) ---------


@pytest.fixture
def june(office, other_office, supervisor, other_supervisor):
    return scenarios.june(office, other_office, supervisor, other_supervisor)


def test_days_of_stock_out_are_left_out_of_the_average(office, june):
    data = office_dashboard(office=office, as_of=JUNE_AS_OF, today=JUNE_TODAY)
    f = data.forecast
    assert f.stock == 260 == balance_as_of(office=office, day=JUNE_AS_OF)
    # 3-12 June and 21-30 June count (21 June: empty at dawn, the loan came in); 13-20 not.
    assert (f.used, f.days_counted, f.days_left_out) == (290, 20, 8)
    assert f.average == Fraction(29, 2)  # 14.5, not the 28-day 10.36
    assert str(f.cover_shown) == "17.9"
    assert f.stockout_on == D(2024, 7, 17)
    assert (f.ask_by, f.ask_days_late) == (D(2024, 6, 3), 27)


def test_the_shortfall_counts_what_is_owed_on_loans_due_by_the_key_date(office, june):
    short = office_dashboard(office=office, as_of=JUNE_AS_OF, today=JUNE_TODAY).shortfall
    assert (short.key_date.name, short.days_left) == ("Pilkada uji", 31)
    assert short.demand == 450  # 14.5 × 31 = 449.5, rounded up
    assert short.owed == 300  # Bintan's 400 less 100 paid back; Batam's is due later
    assert (short.waiting, short.pemula, short.incoming) == (0, 0, 0)
    assert short.balance == 450 + 300 - 260 == 490
    assert short.to_request == 700  # 490 + 203 (14.5 × 14), rounded up


def test_a_loan_falls_into_the_shortfall_once_its_due_date_is_set_before_the_key_date(
        office, supervisor, other_supervisor, june):
    # Batam, the lender, moves its loan's due date to the key date itself.
    ledger.set_loan_due_date(loan=june["batam"], due_on=D(2024, 7, 31), by=other_supervisor)
    short = office_dashboard(office=office, as_of=JUNE_AS_OF, today=JUNE_TODAY).shortfall
    assert short.owed == 350
    ledger.set_loan_due_date(loan=june["bintan"], due_on=None, by=supervisor)
    assert office_dashboard(office=office, as_of=JUNE_AS_OF,
                            today=JUNE_TODAY).shortfall.owed == 50


def test_the_stock_out_window_as_of_a_past_date_is_not_changed_by_later_days(office, june):
    """Today (5 July) the window is 8 June - 5 July; 30 June reads as it did then."""
    today = office_dashboard(office=office, as_of=JUNE_TODAY, today=JUNE_TODAY).forecast
    # 8-12 June 100, 22-30 June 90, 1 July 10, 2 July 15; 13-20 June still left out.
    assert (today.stock, today.used, today.days_counted) == (235, 215, 20)
    assert today.stock == stock_on_hand(office=office)
    past = office_dashboard(office=office, as_of=JUNE_AS_OF, today=JUNE_TODAY).forecast
    assert (past.stock, past.used, past.days_counted) == (260, 290, 20)


def test_the_lead_time_of_the_office_moves_the_day_to_ask(office, june):
    office.lead_time_days = 7
    office.save(update_fields=["lead_time_days"])
    f = office_dashboard(office=office, as_of=JUNE_AS_OF, today=JUNE_TODAY).forecast
    assert (f.ask_by, f.ask_days_late) == (D(2024, 6, 26), 4)  # 17 July - 7 - 14


def test_the_page_says_which_days_were_left_out_and_flags_a_late_request(
        client, office, supervisor, june):
    client.force_login(supervisor)
    html = client.get(reverse("layanan:dashboard", args=[office.code]),
                      {"as_of": "2024-06-30"}).content.decode()
    assert 'data-testid="average">14,5<' in html
    assert "290 blanko dicetak atau rusak dalam 20 hari berstok" in html
    assert "8 hari stok kosong tidak dihitung" in html
    assert "17,9 hari" in html and "17 Juli 2024" in html
    assert "Minta ke Ditjen paling lambat 3 Juni 2024" in html
    # Not by colour alone: the word says it.
    assert "Terlambat:" in html and "tanggal itu sudah lewat 27 hari" in html
    assert 'data-testid="owed">300<' in html
    assert 'data-testid="demand">450<' in html
    assert 'data-testid="shortfall">490<' in html
    assert "700 blanko" in html


def test_a_store_empty_for_the_whole_window_has_no_average(client, db):
    """No day of the 28 counts (the store never held a blank): no average, no stock-out
    date, no forecast demand, and the page says why."""
    bare = OfficeFactory(code="2105", name="Kabupaten Kepulauan Anambas")
    boss = make_user(access.SUPERVISOR, bare, username="kabid_anambas")
    KeyDate.objects.create(name="Pilkada uji", date=D(2024, 7, 31), office=bare)
    data = office_dashboard(office=bare, as_of=JUNE_AS_OF, today=JUNE_TODAY)
    assert (data.forecast.days_counted, data.forecast.average) == (0, None)
    assert (data.forecast.stockout_on, data.forecast.ask_by, data.shortfall.demand) == (
        None, None, 0)
    client.force_login(boss)
    html = client.get(reverse("layanan:dashboard", args=[bare.code]),
                      {"as_of": "2024-06-30"}).content.decode()
    assert 'data-testid="average">–<' in html
    assert "Gudang kosong sepanjang 28 hari terakhir" in html
    assert "rata-rata tidak diketahui" in html
    assert 'data-testid="ask-by"' not in html


def test_a_request_still_in_time_is_not_flagged(client, office, supervisor, scenario):
    client.force_login(supervisor)
    html = client.get(reverse("layanan:dashboard", args=[office.code]),
                      {"as_of": "2024-03-31"}).content.decode()
    # 4 July - 30 - 14 days = 21 May, after 31 March.
    assert "Minta ke Ditjen paling lambat 21 Mei 2024" in html
    assert "Terlambat" not in html and "hari stok kosong" not in html
    assert 'data-testid="owed">0<' in html


# --- The page -------------------------------------------------------------------------


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


def test_the_windows_the_pages_name_are_the_ones_the_figures_use(client, office, supervisor,
                                                                 scenario, monkeypatch):
    """No window length is written in a template: the page says what the code computes."""
    client.force_login(supervisor)
    url = reverse("layanan:dashboard", args=[office.code])
    html = client.get(url, {"as_of": "2024-03-31"}).content.decode()
    assert "168 blanko dicetak atau rusak dalam 28 hari" in html
    assert "cadangan 14 hari pemakaian" in html
    assert "Kecepatan layanan per tahap, 30 hari terakhir" in html
    monkeypatch.setitem(dashboard_views.WINDOW_DAYS, "use", 1234)
    monkeypatch.setitem(dashboard_views.WINDOW_DAYS, "safety", 77)
    monkeypatch.setitem(dashboard_views.WINDOW_DAYS, "stages", 31)
    html = client.get(url, {"as_of": "2024-03-31"}).content.decode()
    assert "dalam 1.234 hari" in html
    assert "dalam 1.234 hari terakhir dibagi jumlah hari berstok" in html
    assert "cadangan 77 hari pemakaian" in html
    assert "per tahap, 31 hari terakhir" in html
    assert "28 hari" not in html and "14 hari" not in html


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


# --- A fixed number of queries --------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2024-03-31", ""])
def test_the_dashboard_runs_the_same_queries_for_a_small_and_a_large_ledger(
        client, supervisor, as_of):
    """Stock-out days, loans owed and the day to ask add no query per day or per loan."""
    KeyDate.objects.create(name="Nasional", date=D(2030, 1, 1))
    counts = []
    for code, movements, requests in (("2101", 10, 2), ("2102", 200, 20)):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        grow(office, boss, make_user(access.OPERATOR, office, username=f"op{code}"),
             movements=movements, requests=requests)
        ledger.lend_to_partner(office=office, partner_code="2104", quantity=5, reference="P",
                               by=boss, occurred_on=D(2024, 3, 2))
        ledger.borrow_from_partner(office=office, partner_code="2105", quantity=7,
                                   reference="B", by=boss, occurred_on=D(2024, 3, 3),
                                   due_on=D(2024, 4, 30))
        client.force_login(boss)
        url = reverse("layanan:dashboard", args=[code])
        count_queries(client, url, {"as_of": as_of})  # warm the session and caches
        counts.append(count_queries(client, url, {"as_of": as_of}))
    assert counts[0] == counts[1]


def _network_users():
    return (make_user(access.PROVINCE, None, username="koordinator_uji", office__region="21"),
            make_user(access.NATIONAL, None, username="alokator_uji", office__national=True))


def ask_and_send(office, boss, coordinator, allocator, *, requests: int) -> None:
    """`requests` requests of `office`, each allocated 10, 6 dispatched, 2 received (and
    one more left at the province): a lead time to measure and blanks to come."""
    for n in range(requests):
        request = ledger.request_blanks(office=office, quantity=20, by=boss,
                                        at=scenarios.at(D(2024, 2, 1 + n), 9))
        ledger.forward_blank_request(blank_request=request, by=coordinator,
                                     at=scenarios.at(D(2024, 2, 1 + n), 10))
        ledger.allocate_blanks(blank_request=request, quantity=10, by=allocator,
                               at=scenarios.at(D(2024, 2, 1 + n), 11))
        shipment = ledger.dispatch_blanks(blank_request=request, quantity=6,
                                          reference=f"BAST/{office.code}/{n}", by=allocator,
                                          occurred_on=D(2024, 3, 1))
        ledger.confirm_receipt(shipment=shipment, quantity=2, by=boss,
                               occurred_on=D(2024, 3, 2 + n))
    ledger.request_blanks(office=office, quantity=5, by=boss)


@pytest.mark.parametrize("as_of", ["2024-03-31", ""])
def test_open_requests_and_ditjens_blanks_add_no_query_per_request(client, supervisor, as_of):
    KeyDate.objects.create(name="Nasional", date=D(2030, 1, 1))
    coordinator, allocator = _network_users()
    ledger.receive_into_central_store(quantity=1000, reference="KONTRAK/UJI", by=allocator,
                                      occurred_on=D(2024, 1, 2))
    counts = []
    for code, requests in (("2101", 1), ("2102", 6)):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        grow(office, boss, make_user(access.OPERATOR, office, username=f"op{code}"),
             movements=10, requests=2)
        ask_and_send(office, boss, coordinator, allocator, requests=requests)
        client.force_login(boss)
        url = reverse("layanan:dashboard", args=[code])
        count_queries(client, url, {"as_of": as_of})
        counts.append(count_queries(client, url, {"as_of": as_of}))
        data = office_dashboard(office=office, as_of=D(2024, 3, 31), today=LATER)
        assert (data.from_ditjen, data.lead_time.source) == (8 * requests, "measured")
        if not as_of:
            assert len(client.get(url).context["d"].blank_requests) == requests + 1
    assert counts[0] == counts[1]


# --- The demo -------------------------------------------------------------------------


def test_demo_tanjungpinang_as_of_1_august_2020_is_short_before_the_pilkada(client, db):
    call_command("seed_demo", stdout=io.StringIO())
    office = Office.objects.get(code="2172")
    data = office_dashboard(office=office, as_of=D(2020, 8, 1), today=D(2026, 1, 1))
    assert data.key_date.name == "Pilkada 9 Desember 2020"
    assert data.forecast.stock == balance_as_of(office=office, day=D(2020, 8, 1))
    assert data.shortfall.shortfall > 0
    assert data.shortfall.to_request > data.shortfall.shortfall
    # The store ran dry on 2 July and the loan came on the 14th: 5-13 July left out,
    # and the 209 blanks used are spread over 19 days, 11 a day (7.46 by the old rule).
    f, short = data.forecast, data.shortfall
    assert (f.used, f.days_counted, f.days_left_out, f.average) == (209, 19, 9, 11)
    assert (str(f.cover_shown), f.stockout_on) == ("71.9", D(2020, 10, 11))  # 791 / 11
    assert (f.ask_by, f.ask_days_late) == (D(2020, 8, 28), 0)  # 11 Oct - 30 - 14
    assert short.demand == 1430  # 11 × 130 days (971 by the old rule)
    # The 1,000 blanks lent by Batam fall due on 30 November, before the key date.
    assert (short.waiting, short.pemula, short.owed, short.incoming) == (20, 0, 1000, 0)
    assert (short.shortfall, short.to_request) == (1659, 1900)  # the README's figures

    client.force_login(User.objects.get(username="supervisor"))
    response = client.get(reverse("layanan:dashboard", args=["2172"]), {"as_of": "2020-08-01"})
    html = response.content.decode()
    assert "Pilkada 9 Desember 2020" in html
    assert "Kekurangan" in html
    assert "9 hari stok kosong tidak dihitung" in html
    assert "Minta ke Ditjen paling lambat 28 Agustus 2020" in html
    assert data.shortfall.key_date.date == D(2020, 12, 9)
    assert KeyDate.objects.filter(name="Pilkada 9 Desember 2020").count() == 1
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert KeyDate.objects.filter(name="Pilkada 9 Desember 2020").count() == 1


# --- Key dates in the admin -----------------------------------------------------------


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


# --- The supply cycle: what Ditjen has allocated or sent, the lead time (scenarios.supply) ---


@pytest.fixture
def supply(office, other_office, supervisor, other_supervisor):
    return scenarios.supply(office, other_office, supervisor, other_supervisor)


def test_blanks_allocated_or_sent_by_ditjen_count_as_incoming_in_the_shortfall(office,
                                                                               supply):
    data = office_dashboard(office=office, as_of=SUPPLY_AS_OF, today=SUPPLY_TODAY)
    f, short = data.forecast, data.shortfall
    assert f.stock == 40 == balance_as_of(office=office, day=SUPPLY_AS_OF)
    assert (f.used, f.days_counted, f.average) == (560, 28, 20)
    assert f.stockout_on == D(2024, 7, 2)
    assert (short.key_date.name, short.days_left, short.demand) == ("Pilkada uji", 62, 1240)
    # PB/0003: 800 allocated, 100 received: 500 still in the central store, 200 on the way.
    assert (data.from_ditjen, short.from_ditjen) == (700, 700)
    assert (data.incoming, short.incoming) == (60, 60)  # Batam's loan, on its own line
    assert (short.waiting, short.pemula, short.owed) == (0, 0, 0)
    assert short.balance == 1240 - 40 - 60 - 700 == 440
    assert short.to_request == 800  # 440 + 280 (20 × 14), rounded up


@pytest.mark.parametrize(("day", "from_ditjen"), [
    (D(2024, 6, 9), 0),  # PB/0003 forwarded, not yet allocated; PB/0002 all received
    (D(2024, 6, 10), 800),  # allocated
    (D(2024, 6, 14), 800),  # 300 dispatched: still to come, now partly on the way
    (D(2024, 6, 20), 700),  # 100 of them received
    (D(2024, 7, 2), 500),  # the rest of the first shipment received
    (D(2024, 7, 8), 250),  # 500 more dispatched on 3 July, 250 of them received
])
def test_a_past_day_counts_what_ditjen_had_allocated_and_not_yet_delivered_then(
        office, supply, day, from_ditjen):
    data = office_dashboard(office=office, as_of=day, today=SUPPLY_TODAY)
    assert data.from_ditjen == from_ditjen


def test_today_the_incoming_from_ditjen_comes_from_the_requests(office, supply):
    data = office_dashboard(office=office, as_of=SUPPLY_TODAY, today=SUPPLY_TODAY)
    # 800 allocated, 100 + 200 + 250 received: 250 still on the way, nothing in the store.
    assert data.from_ditjen == 250
    # Batam's loan has arrived; the dispatch still in transit is Ditjen's line, not a loan.
    assert data.incoming == 0
    assert data.forecast.stock == 510 == stock_on_hand(office=office)
    # Open today, newest first: PB/0004 at the province, PB/0003 partly received.
    assert [(r.number, r.status, age) for r, age in data.request_ages] == [
        ("PB/2172/2024/0004", "submitted", 5), ("PB/2172/2024/0003", "partly_received", 37)]


def test_ask_ditjen_by_uses_the_lead_time_measured_from_the_offices_requests(office, supply):
    f = office_dashboard(office=office, as_of=SUPPLY_AS_OF, today=SUPPLY_TODAY).forecast
    # Median of 17, 21 and 31 days; the office's field (30 days) is not used.
    assert (f.lead_time_days, f.lead_time_source) == (21, "measured")
    # 2 July - 21 - 14; not late: PB/0003 is open (test_an_open_request_...).
    assert (f.ask_by, f.ask_days_late) == (D(2024, 5, 28), 0)
    # On 1 June PB/0003 had not been asked yet: the median of 21 and 31.
    earlier = office_dashboard(office=office, as_of=D(2024, 6, 1), today=SUPPLY_TODAY)
    assert (earlier.lead_time.days, earlier.lead_time.requests) == (26, 2)
    assert earlier.forecast.lead_time_days == 26


def test_an_open_request_for_blanks_stops_ask_by_being_late(office, supply):
    """On 30 June the last day to ask (28 May) is 33 days past, but PB/0003, asked on
    3 June, is allocated and partly on its way: the office did ask, so it is not told
    it still has to. The request is read as it stood on the as-of date."""
    def forecast_on(day):
        return office_dashboard(office=office, as_of=day, today=SUPPLY_TODAY).forecast

    f = forecast_on(SUPPLY_AS_OF)
    # Asked on 3 June, 6 days after the last day to ask: said beside the number.
    assert (f.ask_by, f.open_request.number, f.ask_days_late, f.asked_days_late) == (
        D(2024, 5, 28), "PB/2172/2024/0003", 0, 6)
    # Today the newest open one: PB/0004, waiting at the province.
    assert forecast_on(SUPPLY_TODAY).open_request.number == "PB/2172/2024/0004"
    # On 2 June none was open (PB/0002 was received on 2 May, PB/0003 not yet asked).
    assert forecast_on(D(2024, 6, 2)).open_request is None
    assert forecast_on(D(2024, 4, 20)).open_request.number == "PB/2172/2024/0002"


def test_the_page_says_a_request_is_open_instead_of_late(client, office, supervisor,
                                                           supply):
    client.force_login(supervisor)
    html = client.get(reverse("layanan:dashboard", args=[office.code]),
                      {"as_of": "2024-06-30"}).content.decode()
    box = html.split('data-testid="ask-by"')[0].rsplit("<div", 1)[1] + html.split(
        'data-testid="ask-by"')[1].split("</div>")[0]
    assert "alert-danger" not in box and "Terlambat" not in box
    assert "sudah lewat" not in box
    assert ('data-testid="asked">sudah diminta: PB/2172/2024/0003, 6 hari setelah tanggal '
            'itu<') in box


def test_an_office_without_requests_takes_its_provinces_lead_time(other_office, supply):
    data = office_dashboard(office=other_office, as_of=SUPPLY_AS_OF, today=SUPPLY_TODAY)
    assert (data.lead_time.days, data.lead_time.source, data.lead_time.requests) == (
        21, "province", 3)
    assert "median kantor-kantor di provinsi ini" in data.lead_time_source


def test_a_request_for_blanks_gets_the_dashboards_figures_through_blankos_slot(office,
                                                                                supply):
    """blanko cannot import the forecast: SupervisionConfig.ready registers it, and the
    request form asks blanko.supply_figures for the figures of the day."""
    figures = supply_figures.request_figures(office=office, as_of=SUPPLY_AS_OF)
    assert figures == {
        "office": "2172", "as_of": "2024-06-30", "stock": 40, "average": 20.0,
        "days_of_cover": 2.0, "stockout_on": "2024-07-02", "key_date": "2024-08-31",
        "key_date_name": "Pilkada uji", "shortfall": 440, "to_request": 800, "waiting": 0,
        "demand": 1240, "pemula": 0, "owed": 0, "incoming_loans": 60, "incoming_ditjen": 700,
        "lead_time_days": 21, "lead_time_source": "measured", "ask_by": "2024-05-28",
    }
    assert json.loads(json.dumps(figures)) == figures  # stored as JSON as it is
    # Never a day after today.
    assert supply_figures.request_figures(office=office, as_of=D(2999, 1, 1))["as_of"] == (
        timezone.localdate().isoformat())


def test_a_median_lead_time_with_half_a_day_is_rounded_up_to_ask_a_day_earlier():
    """An even number of requests can give a median of x.5 days: asking on time means
    counting the whole day."""
    assert [forecast.whole_lead_days(days) for days in (21.0, 21.5, 26.0)] == [21, 22, 26]


def test_the_page_shows_ditjens_line_the_lead_time_and_the_open_requests(
        client, office, supervisor, supply):
    client.force_login(supervisor)
    url = reverse("layanan:dashboard", args=[office.code])
    html = client.get(url, {"as_of": "2024-06-30"}).content.decode()
    assert "Kiriman Ditjen yang sudah dialokasikan atau dalam perjalanan" in html
    assert 'data-testid="from-ditjen">700<' in html
    assert 'data-testid="incoming">60<' in html
    assert 'data-testid="shortfall">440<' in html
    assert "800 blanko" in html
    assert "Minta ke Ditjen paling lambat 28 Mei 2024" in html
    assert ("(21 hari, median dari 3 permohonan kantor ini dalam 365 hari terakhir)"
            in html)
    # A past day: the open requests are today's, so they are not listed, nor is the button.
    assert "ditampilkan pada dasbor hari ini" in html
    assert 'data-testid="blank-requests"' not in html
    assert 'data-testid="request-blanks"' not in html

    today = timezone.localdate()
    response = client.get(url)
    html = response.content.decode()
    third, waiting = supply["requests"][2], supply["requests"][3]
    table = html[html.index('data-testid="blank-requests"'):]
    table = table[:table.index("</table>")]
    assert table.index("PB/2172/2024/0004") < table.index("PB/2172/2024/0003")
    for request in (third, waiting):
        assert reverse("blanko:blank_request_detail", args=[office.code, request.pk]) in table
        assert f'data-testid="age-{request.pk}">{(today - request.submitted_on).days:,}'.replace(
            ",", ".") in table
    assert "Diterima sebagian" in table and "Diajukan" in table
    assert "PB/2172/2024/0002" not in table  # received: closed


def test_the_request_button_is_on_todays_dashboard_for_those_who_may_ask(
        client, office, supervisor, viewer, supply):
    today = timezone.localdate()
    KeyDate.objects.create(name="Pemilu depan", date=today + datetime.timedelta(days=60),
                           office=office)
    scenarios.post_use(office, supervisor, today, 500)  # 10 left, 250 still to come
    url = reverse("layanan:dashboard", args=[office.code])
    client.force_login(supervisor)
    response = client.get(url)
    to_request = response.context["d"].shortfall.to_request
    assert to_request > 0
    create = reverse("blanko:blank_request_create", args=[office.code])
    assert response.context["request_url"] == f"{create}?jumlah={to_request}"
    html = response.content.decode()
    assert f'href="{create}?jumlah={to_request}" data-testid="request-blanks"' in html
    assert "Ajukan permohonan blanko" in html
    # Not on a past day, even for the supervisor.
    past = client.get(url, {"as_of": "2024-06-30"})
    assert past.context["request_url"] == ""
    assert "Ajukan permohonan blanko" not in past.content.decode()
    # Not for those who read the dashboard but may not ask: the office's Viewer, the
    # province coordinator.
    for reader in (viewer, supply["coordinator"]):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["request_url"] == ""
        assert "Ajukan permohonan blanko" not in response.content.decode()
