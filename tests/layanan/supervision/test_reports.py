"""The monthly report of blank use: computed from the ledger alone, so it balances.

The May 2024 history (scenarios.may) is worked out by hand in its docstring. The
downloads have their own module, test_exports.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blanko import access
from blanko import services as ledger
from blanko.models import Destruction, MonthClose, Movement, Office
from blanko.selectors import balance_as_of, ledger_drift, stock_on_hand
from blanko.terbilang import terbilang
from layanan import services as layanan_services
from layanan.models import CardPrint, ServiceRequest
from layanan.supervision.reports import month_end, monthly_report
from tests.factories import OfficeFactory, make_user
from tests.layanan.supervision import scenarios
from tests.layanan.supervision.scenarios import JAKARTA, MAY, D, use

Kind = ServiceRequest.Kind
Cause = Movement.Cause


@pytest.fixture
def may(office, other_office, supervisor, other_supervisor):
    return scenarios.may(office, other_office, supervisor, other_supervisor)


def test_report_totals_match_the_hand_computed_month(office, may):
    report = monthly_report(office=office, month=D(2024, 5, 17))
    assert report.month == MAY and report.last_day == D(2024, 5, 31)
    assert report.opening == 895
    expected = {
        "received.ditjen": 500, "received.province": 200, "received.loan": 300,
        "received.repayment": 50, "in.reversal": 40, "in.adjustment": 0,
        "out.lent": 150, "out.repaid": 100,
        "issued.new": 2, "issued.damaged": 1, "issued.lost": 0, "issued.recap": 100,
        "spoil.print_failed": 3, "spoil.encode_failed": 1, "spoil.invalid": 2,
        "spoil.damaged": 0, "out.adjustment": 2,
        "spoiled.in": 6, "spoiled.destroyed": 8,
    }
    assert {code: report.line(code) for code in expected} == expected
    assert report.group("issued").total == 103
    assert report.group("spoiled").total == 6
    assert (report.total_in, report.total_out, report.closing) == (1090, 361, 1624)
    assert (report.spoiled_opening, report.spoiled_closing) == (5, 3)
    assert [d.number for d in report.destructions] == ["BA-PMS/01/V/2024"]


def test_opening_plus_in_minus_out_is_closing_and_matches_the_ledger(office, other_office,
                                                                     may):
    for target in (office, other_office):
        previous_closing = 0
        for month in (D(2024, 4, 1), MAY, D(2024, 6, 1)):
            report = monthly_report(office=target, month=month)
            assert report.opening == previous_closing
            assert report.closing == report.opening + report.total_in - report.total_out
            assert report.closing == balance_as_of(office=target, day=month_end(month))
            assert report.spoiled_closing == balance_as_of(office=target, day=month_end(month),
                                                           kind="spoiled")
            previous_closing = report.closing
        assert previous_closing == stock_on_hand(office=target)
    assert ledger_drift() == []


def test_the_lenders_loan_shows_on_the_other_office_report(other_office, may):
    report = monthly_report(office=other_office, month=MAY)
    # Batam received our 150 and sent 50 back (they reached us on 31 May).
    assert (report.line("received.loan"), report.line("out.repaid")) == (150, 50)
    assert report.closing == 100


def test_the_html_report_has_letterhead_sums_and_signature(client, office, supervisor, may):
    office.address = "Jl. Basuki Rahmat No. 1, Tanjungpinang"
    office.head_name = "Drs. Kepala Dinas"
    office.head_nip = "196801011990031001"
    office.save()
    client.force_login(supervisor)
    response = client.get(reverse("layanan:report", args=[office.code, 2024, 5]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "PEMERINTAH KOTA TANJUNGPINANG" in html
    assert "Jl. Basuki Rahmat No. 1" in html
    assert "Tanjungpinang, 31 Mei 2024" in html
    assert "Drs. Kepala Dinas" in html and "196801011990031001" in html
    assert 'data-testid="opening">895<' in html
    assert 'data-testid="total-in">1.090<' in html
    assert 'data-testid="closing">1.624<' in html
    assert "Rekap harian / tanpa permohonan" in html
    assert reverse("layanan:destruction_report",
                   args=[office.code, Destruction.objects.get().pk]) in html
    assert "style=" not in html


def test_a_supervisor_closes_a_finished_month_and_it_takes_no_more_movements(
        client, office, supervisor, may):
    client.force_login(supervisor)
    url = reverse("layanan:close_month", args=[office.code, 2024, 5])
    # A GET closes nothing: it goes back to the month's report (blanko.views.post_only).
    assert client.get(url)["Location"] == reverse("layanan:report",
                                                  args=[office.code, 2024, 5])
    assert not MonthClose.objects.exists()
    response = client.post(url, follow=True)
    assert MonthClose.objects.filter(office=office, month=MAY).exists()
    assert 'data-testid="month-closed"' in response.content.decode()
    with pytest.raises(ValidationError, match="sudah ditutup"):
        use(office, supervisor, D(2024, 5, 30), 1)
    again = client.post(url, follow=True)
    assert "sudah ditutup" in again.content.decode()
    assert MonthClose.objects.filter(office=office, month=MAY).count() == 1


def test_the_current_month_cannot_be_closed_and_says_why(client, office, supervisor):
    client.force_login(supervisor)
    today = timezone.localdate()
    response = client.post(
        reverse("layanan:close_month", args=[office.code, today.year, today.month]), follow=True)
    assert "Hanya bulan yang sudah berakhir" in response.content.decode()
    assert not MonthClose.objects.exists()


def test_closing_and_reading_need_the_rights_and_the_office(client, office, other_office,
                                                            operator, supervisor,
                                                            other_supervisor):
    client.force_login(operator)
    assert client.get(reverse("layanan:report", args=[office.code, 2024, 5])).status_code == 403
    assert client.post(reverse("layanan:close_month",
                               args=[office.code, 2024, 5])).status_code == 403
    client.force_login(other_supervisor)
    assert client.get(reverse("layanan:report", args=[office.code, 2024, 5])).status_code == 404
    assert client.post(reverse("layanan:close_month",
                               args=[office.code, 2024, 5])).status_code == 404
    assert not MonthClose.objects.exists()
    client.force_login(supervisor)
    for year, month in ((2024, 13), (2999, 1), (1999, 12)):
        url = reverse("layanan:report", args=[office.code, year, month])
        assert client.get(url).status_code == 404


def test_berita_acara_pemusnahan_is_printable_with_the_quantity_in_words(
        client, office, supervisor, other_supervisor, may):
    destruction = Destruction.objects.get()
    client.force_login(supervisor)
    url = reverse("layanan:destruction_report", args=[office.code, destruction.pk])
    html = client.get(url).content.decode()
    assert "BERITA ACARA PEMUSNAHAN BLANKO KTP-EL RUSAK" in html
    assert "BA-PMS/01/V/2024" in html
    assert "8 (delapan) lembar" in html
    assert "Senin, tanggal 20 Mei 2024" in html
    assert "Inspektorat" in html and "Kabid PIAK" in html
    assert "Blanko rusak sebelum pemusnahan" in html  # 11 before, 3 after
    client.force_login(other_supervisor)
    assert client.get(url).status_code == 404


def test_berita_acara_of_a_reversed_destruction_is_printed_as_cancelled(
        client, office, supervisor, may):
    destruction = Destruction.objects.get()
    url = reverse("layanan:destruction_report", args=[office.code, destruction.pk])
    client.force_login(supervisor)
    assert "DIBATALKAN" not in client.get(url).content.decode()
    supervisor.first_name, supervisor.last_name = "Rina", "Kabid"
    supervisor.save()
    reversal = ledger.reverse_movement(movement=destruction.movement, by=supervisor,
                                       reason="Nomor berita acara salah catat")
    html = client.get(url).content.decode()
    notice = html[html.index('data-testid="cancelled"'):]
    notice = notice[:notice.index("</section>")]
    assert '<h2 id="judul-dibatalkan"' in notice and "DIBATALKAN</h2>" in notice
    assert (f"Pemusnahan ini dibatalkan dengan mutasi pembalikan #{reversal.pk} pada "
            f"{reversal.occurred_on.day} ") in notice
    assert "oleh Rina Kabid." in notice
    assert "Alasan: Nomor berita acara salah catat" in notice
    # Inside the printed article, not in a screen-only part of the page.
    article = html[html.index('<article lang="id" class="print-page">'):
                   html.index("</article>")]
    assert 'data-testid="cancelled"' in article
    assert "no-print" not in notice
    # The document itself still says what was recorded.
    assert "8 (delapan) lembar" in html


def test_report_index_lists_months_and_destructions(client, office, supervisor, may):
    client.force_login(supervisor)
    html = client.get(reverse("layanan:report_index", args=[office.code])).content.decode()
    assert reverse("layanan:report", args=[office.code, 2024, 4]) in html
    assert "BA-PMS/01/V/2024" in html


@pytest.mark.parametrize(("value", "words"), [
    (0, "nol"), (8, "delapan"), (11, "sebelas"), (12, "dua belas"), (20, "dua puluh"),
    (100, "seratus"), (115, "seratus lima belas"), (1000, "seribu"),
    (1250, "seribu dua ratus lima puluh"), (6000, "enam ribu"),
    (21_000, "dua puluh satu ribu"), (1_000_000, "satu juta"),
    (2_500_001, "dua juta lima ratus ribu satu"),
])
def test_terbilang_writes_numbers_as_indonesian_reports_do(value, words):
    assert terbilang(value) == words


def test_the_report_runs_the_same_queries_for_a_small_and_a_large_ledger(client, db):
    counts = []
    for code, movements in (("2101", 10), ("2102", 200)):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        ledger.receive_allocation(office=office, quantity=5000, reference=f"BAST/{code}",
                                  by=boss, occurred_on=D(2024, 5, 1))
        for n in range(movements):
            use(office, boss, D(2024, 5, 1 + n % 28), 1, cause=Cause.values[n % 4] if n % 5
                else "")
        client.force_login(boss)
        for name in ("layanan:report", "layanan:report_xlsx"):
            url = reverse(name, args=[code, 2024, 5])
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append((name, len(captured.captured_queries)))
    assert counts[:2] == counts[2:]


def test_demo_reports_balance_every_month_and_match_the_ledger(db):
    call_command("seed_demo", stdout=io.StringIO())
    assert ledger_drift() == []
    # 2020's story, then the living months up to today. seed_demo posts nothing in
    # between, and the first living month's opening must equal December 2020's closing.
    today = timezone.localdate()
    living = (today - datetime.timedelta(days=130)).replace(day=1)
    for office in Office.objects.all():
        closing, month = 0, D(2020, 1, 1)
        while month <= today:
            report = monthly_report(office=office, month=month)
            assert report.opening == closing
            assert report.closing == report.opening + report.total_in - report.total_out
            assert report.closing == balance_as_of(office=office, day=month_end(month))
            assert report.spoiled_closing == balance_as_of(office=office, day=month_end(month),
                                                           kind="spoiled")
            closing, month = report.closing, month_end(month) + datetime.timedelta(days=1)
            if month == D(2021, 1, 1):
                month = living
        assert closing == stock_on_hand(office=office)
    tanjungpinang = Office.objects.get(code="2172")
    december = monthly_report(office=tanjungpinang, month=D(2020, 12, 1))
    printed = CardPrint.objects.filter(outcome="success", request__office=tanjungpinang)
    assert december.group("issued").total == printed.count()
    assert december.line("issued.recap") == 0
    july = monthly_report(office=tanjungpinang, month=D(2020, 7, 1))
    assert (july.line("received.loan"), july.line("issued.new")) == (1000, 0)
    assert july.line("issued.recap") > 0 and july.closed is not None
    assert monthly_report(office=tanjungpinang, month=D(2020, 11, 1)).closed is None


def test_a_national_viewer_cannot_read_reports_but_an_administrator_can(client, office, may):
    viewer = make_user(access.VIEWER, None, username="peninjau_pusat", office__national=True)
    client.force_login(viewer)
    assert client.get(reverse("layanan:report", args=[office.code, 2024, 5])).status_code == 403
    admin = User.objects.get(pk=make_user(access.ADMINISTRATOR, office, username="adm").pk)
    client.force_login(admin)
    assert client.get(reverse("layanan:report", args=[office.code, 2024, 5])).status_code == 200


def test_a_card_found_defective_shows_as_ruined_by_cause_and_less_issued(office, may):
    """Printed on 10 May (a DAMAGED request), found defective on 3 June: June's report
    shows it ruined by its cause and one card less issued, and still balances; May's
    report does not change."""
    may_before = monthly_report(office=office, month=MAY)
    printed = CardPrint.objects.filter(outcome=CardPrint.Outcome.SUCCESS,
                                       request__kind=Kind.DAMAGED).get()
    layanan_services.record_defective_card(
        request=printed.request, by=may["operator"], cause=Cause.PRINT_FAILED,
        at=datetime.datetime(2024, 6, 3, 10, tzinfo=JAKARTA))
    assert monthly_report(office=office, month=MAY) == may_before
    june = monthly_report(office=office, month=D(2024, 6, 1))
    assert june.line("spoil.print_failed") == 1
    assert june.group("spoiled").total == 1
    assert june.line("issued.defective") == -1
    assert june.group("issued").total == -1
    assert june.line("spoiled.in") == 1
    assert june.opening == may_before.closing
    assert june.total_out == 0  # the store did not move
    assert june.closing == june.opening + june.total_in - june.total_out
    assert june.closing == balance_as_of(office=office, day=D(2024, 6, 30))
    assert (june.spoiled_opening, june.spoiled_closing) == (3, 4)
    assert june.spoiled_closing == balance_as_of(office=office, day=D(2024, 6, 30),
                                                 kind="spoiled")
    assert ledger_drift() == []


def test_the_report_pages_mark_a_cancelled_destruction(client, office, supervisor, receive):
    from blanko import services as ledger_services

    receive(office, 10, occurred_on=timezone.localdate().replace(day=1))
    for _ in range(3):
        ledger_services.spoil_blank(office=office, by=supervisor, cause="damaged")
    batch = ledger_services.destroy_spoiled(office=office, quantity=3, number="BA/9",
                                            by=supervisor)
    reversal = ledger_services.reverse_movement(movement=batch.movement, by=supervisor,
                                                reason="salah catat")
    client.force_login(supervisor)
    today = timezone.localdate()
    for url in (reverse("layanan:report_index", args=[office.code]),
                reverse("layanan:report", args=[office.code, today.year, today.month])):
        html = client.get(url).content.decode()
        assert f"dibatalkan (#{reversal.pk})" in html, url


# --- The supply cycle: receipts by request number, the central store (scenarios.supply) ---


@pytest.fixture
def supply(office, other_office, supervisor, other_supervisor):
    return scenarios.supply(office, other_office, supervisor, other_supervisor)


def _details(report, code):
    line = next(line for group in report.groups_in + report.groups_out
                for line in group.lines if line.code == code)
    return [(d.number, d.office_code, d.reference, d.day, d.quantity) for d in line.details]


def test_receipts_from_ditjen_are_listed_by_request_number(office, supply):
    february = monthly_report(office=office, month=D(2024, 2, 1))
    assert february.line("received.ditjen") == 900
    # The dispatch of PB/0001, and a delivery received directly, with no request.
    assert _details(february, "received.ditjen") == [
        ("PB/2172/2024/0001", "2172", "BAST/PUSAT/2024/01", D(2024, 2, 26), 500),
        ("", "", "", None, 400),
    ]
    july = monthly_report(office=office, month=D(2024, 7, 1))
    assert july.line("received.ditjen") == 450
    assert _details(july, "received.ditjen") == [
        ("PB/2172/2024/0003", "2172", "BAST/PUSAT/2024/03", D(2024, 7, 2), 200),
        ("PB/2172/2024/0003", "2172", "BAST/PUSAT/2024/04", D(2024, 7, 8), 250),
    ]
    assert july.line("received.loan") == 60
    june = monthly_report(office=office, month=D(2024, 6, 1))
    assert (june.opening, june.line("received.ditjen"), june.line("issued.recap"),
            june.closing) == (500, 100, 560, 40)
    assert ledger_drift() == []


def test_the_report_page_and_downloads_show_the_receipts_by_request(client, office,
                                                                   supervisor, supply):
    client.force_login(supervisor)
    html = client.get(reverse("layanan:report", args=[office.code, 2024, 7])).content.decode()
    assert "PB/2172/2024/0003, BAST BAST/PUSAT/2024/03, 2 Jul 2024" in html
    assert 'data-detail="received.ditjen:PB/2172/2024/0003">250<' in html
    rows = list(csv.DictReader(io.StringIO(client.get(reverse(
        "layanan:report_csv", args=[office.code, 2024, 2])).content.decode("utf-8-sig"))))
    details = [(row["uraian"], int(row["jumlah"])) for row in rows
               if row["kode"] == "detail.received.ditjen"]
    assert details == [("PB/2172/2024/0001 · BAST BAST/PUSAT/2024/01 · 26-02-2024", 500),
                       ("Tanpa permohonan blanko (diterima langsung)", 400)]
    # Summed without the detail rows, the lines still make the totals.
    values = {row["kode"]: int(row["jumlah"]) for row in rows
              if not row["kode"].startswith("detail.")}
    assert values["received.ditjen"] == 900 == sum(quantity for _label, quantity in details)


def test_the_central_stores_month_balances_and_matches_the_ledger(supply):
    central = ledger.central_office()
    june = monthly_report(office=central, month=D(2024, 6, 1))
    assert june.central
    assert june.opening == 19_100  # 20,000 procured less PB/0001's 500 and PB/0002's 400
    assert (june.line("received.procurement"), june.line("out.dispatched")) == (5000, 300)
    assert (june.total_in, june.total_out, june.closing) == (5000, 300, 23_800)
    assert _details(june, "out.dispatched") == [
        ("PB/2172/2024/0003", "2172", "BAST/PUSAT/2024/03", D(2024, 6, 14), 300)]
    t = june.transit
    assert (t.opening, t.dispatched, t.received, t.cancelled, t.closing) == (0, 300, 100, 0, 200)
    # No line of an office's report: the central store issues and lends nothing.
    assert [group.code for group in june.groups_in + june.groups_out] == [
        "received", "in_other", "dispatched", "out_other"]
    assert not june.shows_spoiled
    closing, month = 0, D(2024, 1, 1)
    while month <= D(2024, 7, 1):
        report = monthly_report(office=central, month=month)
        assert report.opening == closing
        assert report.closing == report.opening + report.total_in - report.total_out
        assert report.closing == balance_as_of(office=central, day=month_end(month))
        assert report.transit.closing == balance_as_of(office=central, day=month_end(month),
                                                       kind="transit")
        closing, month = report.closing, month_end(month) + datetime.timedelta(days=1)
    assert closing == 23_300 == stock_on_hand(office=central)
    july = monthly_report(office=central, month=D(2024, 7, 1))
    assert (july.transit.opening, july.transit.dispatched, july.transit.received,
            july.transit.closing) == (200, 500, 450, 250)
    assert ledger_drift() == []


def test_the_national_allocator_reads_the_central_stores_report(client, office, supervisor,
                                                                 viewer, supply):
    url = reverse("layanan:report", args=["00", 2024, 6])
    client.force_login(supply["allocator"])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "LAPORAN BULANAN GUDANG PUSAT BLANKO KTP-EL" in html
    assert "DIREKTORAT JENDERAL KEPENDUDUKAN DAN PENCATATAN SIPIL" in html
    assert 'data-testid="opening">19.100<' in html and 'data-testid="closing">23.800<' in html
    assert 'data-testid="transit-closing">200<' in html
    assert ("PB/2172/2024/0003, BAST BAST/PUSAT/2024/03, 14 Jun 2024 · 2172 Kota Tanjungpinang"
            in html)
    assert 'data-testid="report-spoiled"' not in html
    assert "Tutup bulan" not in html  # the store's months are not closed here
    for name in ("layanan:report_csv", "layanan:report_xlsx"):
        assert client.get(reverse(name, args=["00", 2024, 6])).status_code == 200
    assert client.get(reverse("layanan:report_index", args=["00"])).status_code == 200
    rows = list(csv.DictReader(io.StringIO(client.get(reverse(
        "layanan:report_csv", args=["00", 2024, 6])).content.decode("utf-8-sig"))))
    values = {row["kode"]: int(row["jumlah"]) for row in rows}
    assert (values["received.procurement"], values["out.dispatched"], values["closing"],
            values["transit.received"], values["transit.closing"]) == (5000, 300, 23_800,
                                                                       100, 200)
    # Not the office's supervisor, its viewer, nor the province coordinator: the store is
    # in no office's or province's scope.
    for reader, status in ((supervisor, 404), (viewer, 403), (supply["coordinator"], 403)):
        client.force_login(reader)
        assert client.get(url).status_code == status, reader
    # The allocator reads no kab/kota's report.
    client.force_login(supply["allocator"])
    assert client.get(reverse("layanan:report", args=[office.code, 2024, 6])).status_code == 403


def test_the_central_stores_report_runs_the_same_queries_whatever_its_dispatches(client, db):
    allocator = make_user(access.NATIONAL, None, username="alokator", office__national=True)
    coordinator = make_user(access.PROVINCE, None, username="koordinator", office__region="21")
    ledger.receive_into_central_store(quantity=10_000, reference="KONTRAK/UJI", by=allocator,
                                      occurred_on=D(2024, 5, 1))
    client.force_login(allocator)
    url = reverse("layanan:report", args=["00", 2024, 5])
    counts = []
    for code, requests in (("2101", 1), ("2102", 8)):
        office = OfficeFactory(code=code)
        boss = make_user(access.SUPERVISOR, office, username=f"kabid{code}")
        for n in range(requests):
            request = ledger.request_blanks(office=office, quantity=10, by=boss,
                                            at=scenarios.at(D(2024, 5, 2), 9))
            ledger.forward_blank_request(blank_request=request, by=coordinator,
                                         at=scenarios.at(D(2024, 5, 2), 10))
            ledger.allocate_blanks(blank_request=request, quantity=10, by=allocator,
                                   at=scenarios.at(D(2024, 5, 2), 11))
            shipment = ledger.dispatch_blanks(blank_request=request, quantity=10,
                                              reference=f"BAST/{code}/{n}", by=allocator,
                                              occurred_on=D(2024, 5, 3 + n))
            ledger.confirm_receipt(shipment=shipment, quantity=4, by=boss,
                                   occurred_on=D(2024, 5, 20))
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    report = monthly_report(office=ledger.central_office(), month=MAY)
    assert (report.line("out.dispatched"), report.transit.received,
            report.transit.closing) == (90, 36, 54)
    assert len(_details(report, "out.dispatched")) == 9
