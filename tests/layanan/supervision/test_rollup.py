"""The rollup of every office in scope: the same figures as each office's dashboard,
read for all offices at once, in a fixed number of queries."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.urls import reverse

from blanko import access
from blanko import selectors as ledger
from blanko import services as ledger_services
from blanko.models import Office
from blanko.selectors import balance_as_of
from layanan.models import KeyDate
from layanan.supervision import rollup
from layanan.supervision.dashboard import office_dashboard
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


@pytest.fixture
def scenario(office, other_office, supervisor, other_supervisor):
    return scenarios.march(office, other_office, supervisor, other_supervisor)


# --- What it reads from the ledger ------------------------------------------------------


def test_the_past_and_present_paths_agree_on_the_last_day(office, scenario):
    """Rebuilding from the ledger gives what the balances and shipments say."""
    ids, tomorrow = [office.pk], LATER + datetime.timedelta(1)
    assert (ledger.balances_as_of(office_ids=ids, day=LATER, today=LATER)
            == ledger.balances_as_of(office_ids=ids, day=LATER, today=tomorrow)
            == {(office.pk, "stock"): 581})
    assert (ledger.incoming_by_office(office_ids=ids, as_of=LATER, today=LATER)
            == ledger.incoming_by_office(office_ids=ids, as_of=LATER, today=tomorrow)
            == {office.pk: 50})


@pytest.mark.parametrize(("day", "incoming"), [
    (D(2024, 1, 1), 0), (D(2024, 3, 27), 0), (D(2024, 3, 28), 70), (AS_OF, 70),
    (D(2024, 4, 2), 70), (D(2024, 4, 3), 50),
])
def test_the_rollup_reads_any_past_day_like_the_ledger(office, scenario, day, incoming):
    ids = [office.pk]
    stock = ledger.balances_as_of(office_ids=ids, day=day, today=LATER)
    assert stock == {(office.pk, "stock"): balance_as_of(office=office, day=day)}
    assert ledger.incoming_by_office(office_ids=ids, as_of=day, today=LATER) == {
        office.pk: incoming}


# --- The rows ---------------------------------------------------------------------------


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


def test_the_rollup_sorts_by_code_either_way_and_never_looks_past_today(
        office, other_office, scenario):
    offices = Office.objects.filter(pk__in=[office.pk, other_office.pk])

    def codes(sort):
        return [row.office.code for row in rollup.office_rollup(
            offices=offices, as_of=AS_OF, today=LATER, sort=sort)]

    assert (codes("code"), codes("-code")) == (["2171", "2172"], ["2172", "2171"])
    future = rollup.office_rollup(offices=offices, as_of=D(2030, 1, 1), today=LATER)
    assert {row.forecast.as_of for row in future} == {LATER}
    own = next(row for row in future if row.office == office)
    assert (own.forecast.stock, own.incoming) == (581, 50)  # the balance row, the shipment


def test_the_rollup_uses_the_dashboards_average_over_stocked_days_and_owed_loans(
        client, office, other_office, supervisor, other_supervisor, region_viewer):
    """scenarios.june, as on the dashboard: 290 used over 20 stocked days, 300 owed."""
    scenarios.june(office, other_office, supervisor, other_supervisor)
    KeyDate.objects.create(name="Batam nanti", date=D(2024, 9, 30), office=other_office)
    offices = Office.objects.filter(pk__in=[office.pk, other_office.pk])
    rows = {row.office.code: row for row in rollup.office_rollup(
        offices=offices, as_of=JUNE_AS_OF, today=JUNE_TODAY)}
    own = rows["2172"]
    board = office_dashboard(office=office, as_of=JUNE_AS_OF, today=JUNE_TODAY)
    # Tanjungpinang ran dry (its days are read); Batam never came near empty (they are not).
    assert own.forecast == board.forecast
    assert rows["2171"].forecast == office_dashboard(
        office=other_office, as_of=JUNE_AS_OF, today=JUNE_TODAY).forecast
    assert (own.forecast.days_counted, own.forecast.average) == (20, Fraction(29, 2))
    assert (own.forecast.ask_by, own.forecast.ask_days_late) == (D(2024, 6, 3), 27)
    assert (own.shortfall.owed, own.shortfall.balance) == (300, 490) == (
        board.shortfall.owed, board.shortfall.balance)
    # Batam lent, and owes nothing: its own later key date asks its own question.
    assert (rows["2171"].shortfall.key_date.name, rows["2171"].shortfall.owed) == (
        "Batam nanti", 0)

    client.force_login(region_viewer)
    html = client.get(reverse("layanan:rollup"), {"as_of": "2024-06-30"}).content.decode()
    assert "14,5" in html and "20 dari 28 hari berstok" in html
    assert 'data-testid="ask-by-2172" class="text-danger-emphasis fw-semibold">3 Jun 2024' in html
    assert "sudah lewat" in html


# --- The page ---------------------------------------------------------------------------


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


def test_the_rollup_runs_the_same_queries_for_one_office_and_for_several(client, db):
    """Each office's days of stock-out and loans owed by the (national) key date are read
    for all offices at once."""
    viewer = make_user(access.VIEWER, None, username="peninjau_nasional", office__national=True)
    client.force_login(viewer)
    url = reverse("layanan:rollup")
    KeyDate.objects.create(name="Nasional", date=D(2024, 6, 30))
    counts = []
    for code in ("2101", "2102", "2103"):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        grow(office, boss, make_user(access.OPERATOR, office, username=f"op{code}"),
             movements=5, requests=2)
        ledger_services.borrow_from_partner(office=office, partner_code="2105", quantity=7,
                                            reference=f"B/{code}", by=boss,
                                            occurred_on=D(2024, 3, 3), due_on=D(2024, 4, 30))
        count_queries(client, url, {"as_of": "2024-03-31"})
        counts.append(count_queries(client, url, {"as_of": "2024-03-31"}))
    assert len(set(counts)) == 1


def test_stores_that_ran_dry_add_the_same_queries_for_one_office_or_several(client, db):
    """Their days are read for all of them at once: three queries more, whatever their number."""
    viewer = make_user(access.VIEWER, None, username="peninjau_nasional", office__national=True)
    client.force_login(viewer)
    url = reverse("layanan:rollup")
    counts = []
    for code in ("2101", "2102", "2103"):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        ledger_services.receive_allocation(office=office, quantity=30, reference=f"BAST/{code}",
                                           by=boss, occurred_on=D(2024, 3, 10))
        for day in (11, 12, 13):
            scenarios.post_use(office, boss, D(2024, 3, day), 10)  # empty from 14 March
        count_queries(client, url, {"as_of": "2024-03-31"})
        counts.append(count_queries(client, url, {"as_of": "2024-03-31"}))
        rows = rollup.office_rollup(offices=Office.objects.all(), as_of=D(2024, 3, 31),
                                    today=D(2024, 4, 5))
        # 10-13 March count (10 March: an empty dawn, but 30 came in); the other 24 not.
        assert {(row.forecast.days_counted, row.forecast.average) for row in rows} == {
            (4, Fraction(30, 4))}
    assert len(set(counts)) == 1


# --- The supply cycle (scenarios.supply) ------------------------------------------------


def test_every_offices_shortfall_counts_what_ditjen_has_allocated_or_sent(
        client, office, other_office, supervisor, other_supervisor, region_viewer):
    supply = scenarios.supply(office, other_office, supervisor, other_supervisor)
    outside = OfficeFactory(code="3171", name="Kota Jakarta Selatan")
    offices = Office.objects.filter(pk__in=[office.pk, other_office.pk, outside.pk])
    rows = {row.office.code: row for row in rollup.office_rollup(
        offices=offices, as_of=SUPPLY_AS_OF, today=SUPPLY_TODAY)}
    own = rows["2172"]
    board = office_dashboard(office=office, as_of=SUPPLY_AS_OF, today=SUPPLY_TODAY)
    assert own.forecast == board.forecast
    assert (own.incoming, own.from_ditjen) == (60, 700)  # each on its own line
    assert (own.shortfall.balance, own.shortfall.to_request) == (440, 800) == (
        board.shortfall.balance, board.shortfall.to_request)
    # The lead time: measured for Tanjungpinang, its province's for Batam, the office's
    # field for Jakarta Selatan (no request in province 31).
    assert {code: (row.forecast.lead_time_days, row.forecast.lead_time_source)
            for code, row in rows.items()} == {
        "2172": (21, "measured"), "2171": (21, "province"), "3171": (30, "default")}
    assert (rows["2171"].from_ditjen, rows["3171"].from_ditjen) == (0, 0)

    client.force_login(region_viewer)
    html = client.get(reverse("layanan:rollup"), {"as_of": "2024-06-30"}).content.decode()
    assert 'data-testid="from-ditjen-2172">700<' in html
    assert 'data-testid="lead-time-2172">21 hari, terukur<' in html
    assert 'data-testid="lead-time-2171">21 hari, median provinsi<' in html
    assert "Dari Ditjen (dialokasikan, belum diterima)" in html
    assert "Pinjaman dalam perjalanan" in html and "Kiriman Ditjen" not in html
    # 28 May is past, but PB/0003 is open: said, and not coloured as late.
    cell = html.split('data-testid="ask-by-2172"')[1].split("</td>")[0]
    assert cell.startswith(">28 Mei 2024") and "sudah lewat" not in cell
    assert ('data-testid="asked-2172">sudah diminta: PB/2172/2024/0003, 6 hari setelah '
            'tanggal itu<') in cell
    assert own.forecast.open_request == board.forecast.open_request
    assert own.forecast.open_request.number == "PB/2172/2024/0003"
    # The central store is no row of the rollup, even for its allocator.
    client.force_login(supply["allocator"])
    codes = {line.row.office.code
             for line in client.get(reverse("layanan:rollup")).context["rows"]}
    assert "00" not in codes and {"2171", "2172", "3171"} <= codes
    # Today: 250 still on the way from Ditjen, and Batam's loan received: the dispatch in
    # transit is Ditjen's line only, never a loan on its way too.
    today = {row.office.code: row for row in rollup.office_rollup(
        offices=offices, as_of=SUPPLY_TODAY, today=SUPPLY_TODAY)}
    assert (today["2172"].from_ditjen, today["2172"].incoming) == (250, 0)


@pytest.mark.parametrize("as_of", ["2024-03-31", ""])
def test_ditjens_blanks_and_lead_times_add_no_query_per_office(client, db, as_of):
    viewer = make_user(access.VIEWER, None, username="peninjau_nasional", office__national=True)
    coordinator = make_user(access.PROVINCE, None, username="koordinator", office__region="21")
    allocator = make_user(access.NATIONAL, None, username="alokator", office__national=True)
    ledger_services.receive_into_central_store(quantity=1000, reference="KONTRAK/UJI",
                                               by=allocator, occurred_on=D(2024, 1, 2))
    client.force_login(viewer)
    url = reverse("layanan:rollup")
    KeyDate.objects.create(name="Nasional", date=D(2024, 6, 30))
    counts = []
    for n, code in enumerate(("2101", "2102", "2103")):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        grow(office, boss, make_user(access.OPERATOR, office, username=f"op{code}"),
             movements=5, requests=2)
        request = ledger_services.request_blanks(office=office, quantity=50, by=boss,
                                                 at=scenarios.at(D(2024, 2, 1 + n), 9))
        ledger_services.forward_blank_request(blank_request=request, by=coordinator,
                                              at=scenarios.at(D(2024, 2, 1 + n), 10))
        ledger_services.allocate_blanks(blank_request=request, quantity=40, by=allocator,
                                        at=scenarios.at(D(2024, 2, 1 + n), 11))
        shipment = ledger_services.dispatch_blanks(
            blank_request=request, quantity=30, reference=f"BAST/PUSAT/{code}", by=allocator,
            occurred_on=D(2024, 3, 1))
        ledger_services.confirm_receipt(shipment=shipment, quantity=10, by=boss,
                                        occurred_on=D(2024, 3, 5))
        count_queries(client, url, {"as_of": as_of})
        counts.append(count_queries(client, url, {"as_of": as_of}))
        rows = rollup.office_rollup(offices=Office.objects.all(), as_of=D(2024, 3, 31),
                                    today=D(2024, 4, 5))
        # 40 allocated, 10 received: 30 to come (20 on the way, 10 in the central store).
        assert {row.from_ditjen for row in rows} == {30}
        assert {row.forecast.lead_time_source for row in rows} == {"measured"}
    assert len(set(counts)) == 1


# --- For the province coordinator and the national allocator (issue 14) ------------------


@pytest.fixture
def supply(office, other_office, supervisor, other_supervisor):
    return scenarios.supply(office, other_office, supervisor, other_supervisor)


@pytest.fixture
def bintan(supply, root):
    """Bintan, of the same province: 300 received on 1 June 2024, 280 used on 30 June:
    20 left, 10 a day over a window that had stock every day, nothing on its way."""
    bintan = OfficeFactory(code="2101", name="Kabupaten Bintan")
    ledger_services.receive_allocation(office=bintan, quantity=300, reference="BAST/BTN/2024",
                                       by=root, occurred_on=D(2024, 6, 1))
    scenarios.use(bintan, root, D(2024, 6, 30), 280)
    return bintan


def test_offices_that_run_out_before_a_shipment_can_reach_them_are_flagged(
        office, other_office, supply, bintan):
    """As of 30 June (scenarios.supply), each against its 21-day lead time and the key
    date 62 days away:
    - Tanjungpinang's 40 blanks last 2 days (stock-out 2 July), but 60 on loan and 700
      from Ditjen are on their way: 800 blanks, 40 days at 20 a day. Past its lead time
      (no flag), short of the key date.
    - Bintan: 20 left at 10 a day and nothing coming: 2 days. Flagged; the key date is
      Tanjungpinang's own, so Bintan has none to be short of.
    - Batam uses nothing: no stock-out date, no flag."""
    offices = Office.objects.filter(pk__in=[office.pk, other_office.pk, bintan.pk])
    rows = {row.office.code: row for row in rollup.office_rollup(
        offices=offices, as_of=SUPPLY_AS_OF, today=SUPPLY_TODAY)}
    tpi, batam, btn = rows["2172"], rows["2171"], rows["2101"]
    assert (tpi.forecast.stockout_on, tpi.forecast.lead_time_days) == (D(2024, 7, 2), 21)
    assert tpi.supply_days == 40
    assert (tpi.runs_out_before_shipment, tpi.days_to_key_date, tpi.short_of_key_date) == (
        False, 62, True)
    assert (btn.supply_days, btn.forecast.lead_time_days) == (2, 21)
    assert (btn.runs_out_before_shipment, btn.days_to_key_date, btn.short_of_key_date) == (
        True, None, False)
    assert (batam.runs_out_before_shipment, batam.short_of_key_date) == (False, False)
    # Today (10 July) Tanjungpinang holds 510 and 250 are on their way from Ditjen; its
    # window (13 June - 10 July) used 18 x 20 + 2 x 20 = 400 in 28 days: 760 x 28 / 400 =
    # 53.2 days: past 21 days and past its key date, 52 days away: no flag at all.
    today = {row.office.code: row for row in rollup.office_rollup(
        offices=offices, as_of=SUPPLY_TODAY, today=SUPPLY_TODAY)}["2172"]
    assert (today.forecast.stock, today.forecast.stockout_on) == (510, D(2024, 8, 14))
    assert today.supply_days == Fraction(760 * 28, 400)
    assert (today.runs_out_before_shipment, today.days_to_key_date,
            today.short_of_key_date) == (False, 52, False)


def _fake_plans(monkeypatch):
    """The two plan pages as if their helpers had landed them."""
    from django.urls import NoReverseMatch

    from layanan.supervision.views import dashboard as views

    real = views.reverse

    def fake(name, *args, kwargs=None, **rest):
        if name == "layanan:allocation_plan":
            return "/pusat/rencana-alokasi/"
        if name == "layanan:rebalancing_plan":
            return f"/provinsi/{kwargs['province']}/pemerataan/"
        return real(name, *args, kwargs=kwargs, **rest)

    def missing(name, *args, kwargs=None, **rest):
        if name in ("layanan:allocation_plan", "layanan:rebalancing_plan"):
            raise NoReverseMatch(name)
        return real(name, *args, kwargs=kwargs, **rest)

    return lambda present: monkeypatch.setattr(views, "reverse", fake if present else missing)


def test_the_rollup_flags_and_links_to_the_plans_by_role(client, monkeypatch, supply, bintan):
    coordinator, allocator = supply["coordinator"], supply["allocator"]
    viewer = make_user(access.VIEWER, None, username="peninjau_kepri", office__region="21")
    plans = _fake_plans(monkeypatch)
    url = reverse("layanan:rollup")
    plans(True)
    pages = {}
    for user in (coordinator, allocator, viewer):
        client.force_login(user)
        pages[user.username] = client.get(url, {"as_of": SUPPLY_AS_OF.isoformat()})
    assert pages["koordinator_kepri"].context["plans"] == [
        ("Rencana pemerataan provinsi", "/provinsi/21/pemerataan/")]
    assert pages["alokator_ditjen"].context["plans"] == [
        ("Rencana alokasi nasional", "/pusat/rencana-alokasi/")]
    assert pages["peninjau_kepri"].context["plans"] == []
    text = pages["koordinator_kepri"].content.decode()
    assert 'href="/provinsi/21/pemerataan/"' in text
    assert pages["koordinator_kepri"].context["running_out"] == 1
    assert 'data-testid="running-out"' in text
    assert "Habis sebelum kiriman tiba" in text and "62 hari lagi" in text
    # Before the plan pages exist, the rollup still works, without the links.
    plans(False)
    client.force_login(coordinator)
    page = client.get(url, {"as_of": SUPPLY_AS_OF.isoformat()})
    assert page.status_code == 200 and page.context["plans"] == []
    assert 'data-testid="plan-links"' not in page.content.decode()


def test_the_flags_and_plan_links_add_no_query_per_office(client, monkeypatch, db):
    """Stock-out flags for N offices, seen by a coordinator, in the same queries."""
    _fake_plans(monkeypatch)(True)
    coordinator = make_user(access.PROVINCE, None, username="koordinator", office__region="21")
    client.force_login(coordinator)
    url = reverse("layanan:rollup")
    KeyDate.objects.create(name="Nasional", date=D(2030, 1, 1))
    counts, flagged = [], []
    for code in ("2101", "2102", "2103"):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        grow(office, boss, make_user(access.OPERATOR, office, username=f"op{code}"),
             movements=40, requests=2)
        count_queries(client, url, {"as_of": "2024-03-31"})
        counts.append(count_queries(client, url, {"as_of": "2024-03-31"}))
        page = client.get(url, {"as_of": "2024-03-31"})
        flagged.append(page.context["running_out"])
        assert len(page.context["plans"]) == 1
    assert len(set(counts)) == 1
    assert flagged == [0, 0, 0]  # 10,000 blanks each: nobody runs out
