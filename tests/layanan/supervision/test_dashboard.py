"""The supervisor dashboard: the forecast against a history whose answer is known.

The history (scenarios.march) is worked out by hand; every expected figure is
derived in the comments next to it. The forecast's arithmetic, the rollup and the
charts have their own modules (test_forecast, test_rollup, test_charts).
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from blanko import access
from blanko import selectors as ledger_selectors
from blanko import services as ledger
from blanko.models import Movement, Office
from blanko.selectors import balance_as_of, outstanding_loans, stock_on_hand
from layanan.models import KeyDate, ServiceRequest
from layanan.supervision.dashboard import duration_text, office_dashboard
from layanan.supervision.views import dashboard as dashboard_views
from tests.factories import OfficeFactory, make_user
from tests.layanan.supervision import scenarios
from tests.layanan.supervision.scenarios import AS_OF, LATER, D, count_queries, grow

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
    assert "dalam 1.234 hari" in html and "dibagi 1.234" in html
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


# --- The demo -------------------------------------------------------------------------


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
