"""The monthly report of blank use: computed from the ledger alone, so it balances.

The May 2024 scenario below is worked out by hand in the fixture's docstring.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import zoneinfo

import openpyxl
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
from layanan import services as layanan_services
from layanan.models import CardPrint, ServiceRequest
from layanan.rules import required_documents
from layanan.supervision.reports import month_end, monthly_report
from layanan.terbilang import terbilang
from tests.factories import OfficeFactory, make_user

D = datetime.date
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
Kind = ServiceRequest.Kind
Cause = Movement.Cause
MAY = D(2024, 5, 1)
_serials = itertools.count(1)


def use(office, by, day, quantity, *, cause=""):
    """A daily recap posting straight to the ledger (no request behind it)."""
    return ledger.post_movement(
        from_location=ledger.office_location(office, "stock"),
        to_location=ledger.office_location(office, "spoiled" if cause else "issued"),
        quantity=quantity, reason=Movement.Reason.SPOIL if cause else Movement.Reason.ISSUE,
        cause=cause, by=by, occurred_on=day, reference=f"Rekap {day}",
    )


def verified_request(office, operator, kind, day):
    serial = next(_serials)
    request = layanan_services.submit_request(
        office=office, nik=f"2172011705800{serial:03d}", full_name="Warga Uji", kind=kind,
        channel=ServiceRequest.Channel.COUNTER, by=operator, married=True,
        at=datetime.datetime(day.year, day.month, day.day, 8, tzinfo=JAKARTA),
    )
    return layanan_services.verify_request(
        request=request, by=operator, biometrics_recorded=True,
        documents=dict.fromkeys(required_documents(kind), True),
        at=datetime.datetime(day.year, day.month, day.day, 9, tzinfo=JAKARTA),
    )


@pytest.fixture
def may(office, other_office, supervisor, other_supervisor):
    """April and May 2024 at Tanjungpinang, with Batam on the other side of a loan.

    Opening of May: 1000 received - 100 issued - 5 spoiled = 895 (spoiled pile: 5).
    In:  Ditjen 500 + province 200 + borrowed 300 + repaid to us 50 + reversal 40 = 1090.
    Out: lent 150 + repaid by us 100 + issued (new 2, damaged 1, recap 60 + 40)
         + spoiled (print 3, encode 1, invalid 2) + count shortage 2 = 361.
    Closing: 895 + 1090 - 361 = 1624. Spoiled pile: 5 + 6 - 8 destroyed = 3.
    """
    operator = make_user(access.OPERATOR, office, username="petugas_laporan")
    ledger.receive_allocation(office=office, quantity=1000, reference="BAST/IV", by=supervisor,
                              occurred_on=D(2024, 4, 2))
    use(office, supervisor, D(2024, 4, 10), 100)
    use(office, supervisor, D(2024, 4, 12), 5, cause=Cause.DAMAGED)

    ledger.receive_allocation(office=office, quantity=500, reference="BAST/V", by=supervisor,
                              occurred_on=D(2024, 5, 2))
    ledger.receive_from_province(office=office, quantity=200, reference="PROV/V",
                                 by=supervisor, occurred_on=D(2024, 5, 3))
    borrowed = ledger.borrow_from_partner(office=office, partner_code="2101", quantity=300,
                                          reference="PJ/BINTAN", by=supervisor,
                                          occurred_on=D(2024, 5, 6))
    lent = ledger.lend_to_office(lender=office, borrower=other_office, quantity=150,
                                 reference="PJ/BATAM", by=supervisor, occurred_on=D(2024, 5, 7))
    ledger.confirm_receipt(shipment=lent.shipments.get(), quantity=150, by=other_supervisor,
                           occurred_on=D(2024, 5, 8))
    ledger.repay_loan(loan=borrowed, quantity=100, by=supervisor, occurred_on=D(2024, 5, 8))
    printed_on = datetime.datetime(2024, 5, 10, 10, tzinfo=JAKARTA)
    for kind in (Kind.NEW, Kind.NEW, Kind.DAMAGED):
        layanan_services.print_card(
            request=verified_request(office, operator, kind, D(2024, 5, 9)), by=operator,
            at=printed_on)
    layanan_services.record_spoiled_print(
        request=verified_request(office, operator, Kind.DAMAGED, D(2024, 5, 9)), by=operator,
        cause=Cause.ENCODE_FAILED, at=printed_on)
    use(office, supervisor, D(2024, 5, 13), 60)
    mistake = use(office, supervisor, D(2024, 5, 13), 40)
    ledger.post_movement(from_location=mistake.to_location, to_location=mistake.from_location,
                         quantity=40, reason=Movement.Reason.REVERSAL, by=supervisor,
                         occurred_on=D(2024, 5, 14), reverses=mistake, note="dobel")
    use(office, supervisor, D(2024, 5, 15), 3, cause=Cause.PRINT_FAILED)
    use(office, supervisor, D(2024, 5, 15), 2, cause=Cause.INVALID)
    ledger.destroy_spoiled(office=office, quantity=8, number="BA-PMS/01/V/2024", by=supervisor,
                           destroyed_on=D(2024, 5, 20), witnesses="Inspektorat; Kabid PIAK")
    ledger.record_stock_count(office=office, counted_quantity=stock_on_hand(office=office) - 2,
                              by=supervisor, counted_on=D(2024, 5, 28), reason="2 cacat")
    repayment = ledger.repay_loan(loan=lent, quantity=50, by=other_supervisor,
                                  occurred_on=D(2024, 5, 29))
    ledger.confirm_receipt(shipment=lent.shipments.get(kind="repayment"), quantity=50,
                           by=supervisor, occurred_on=D(2024, 5, 31))
    return {"operator": operator, "repayment": repayment}


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


def test_csv_export_has_one_coded_row_per_line(client, office, supervisor, may):
    client.force_login(supervisor)
    response = client.get(reverse("layanan:report_csv", args=[office.code, 2024, 5]))
    assert response["Content-Disposition"] == (
        'attachment; filename="laporan-blanko-2172-2024-05.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = {row["kode"]: int(row["jumlah"]) for row in rows}
    assert {row["kantor"] for row in rows} == {"2172"}
    assert {row["bulan"] for row in rows} == {"2024-05"}
    assert (values["opening"], values["total_in"], values["total_out"], values["closing"]) == (
        895, 1090, 361, 1624)
    assert values["issued.recap"] == 100 and values["spoiled.closing"] == 3


def test_xlsx_export_opens_with_openpyxl_and_adds_up(client, office, supervisor, may):
    client.force_login(supervisor)
    response = client.get(reverse("layanan:report_xlsx", args=[office.code, 2024, 5]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        'attachment; filename="laporan-blanko-2172-2024-05.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row[3] for row in sheet.iter_rows(values_only=True)
              if row[0] and len(row) > 3 and isinstance(row[3], int)}
    assert values["closing"] == values["opening"] + values["total_in"] - values["total_out"]
    assert (values["opening"], values["closing"]) == (895, 1624)
    lines_out = sum(quantity for code, quantity in values.items()
                    if code.split(".")[0] in {"out", "issued", "spoil"})
    assert lines_out == values["total_out"] == 361


def test_a_supervisor_closes_a_finished_month_and_it_takes_no_more_movements(
        client, office, supervisor, may):
    client.force_login(supervisor)
    url = reverse("layanan:close_month", args=[office.code, 2024, 5])
    assert client.get(url).status_code == 405
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
    for office in Office.objects.all():
        closing, month = 0, D(2020, 1, 1)
        while month <= D(2020, 12, 1):
            report = monthly_report(office=office, month=month)
            assert report.opening == closing
            assert report.closing == report.opening + report.total_in - report.total_out
            assert report.closing == balance_as_of(office=office, day=month_end(month))
            assert report.spoiled_closing == balance_as_of(office=office, day=month_end(month),
                                                           kind="spoiled")
            closing, month = report.closing, month_end(month) + datetime.timedelta(days=1)
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


def test_the_exports_and_page_show_a_card_found_defective(client, office, supervisor, may):
    printed = CardPrint.objects.filter(outcome=CardPrint.Outcome.SUCCESS,
                                       request__kind=Kind.DAMAGED).get()
    layanan_services.record_defective_card(
        request=printed.request, by=may["operator"], cause=Cause.INVALID,
        at=datetime.datetime(2024, 6, 3, 10, tzinfo=JAKARTA))
    client.force_login(supervisor)
    response = client.get(reverse("layanan:report_csv", args=[office.code, 2024, 6]))
    values = {row["kode"]: int(row["jumlah"]) for row in
              csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert (values["issued.defective"], values["spoil.invalid"], values["total_out"]) == (
        -1, 1, 0)
    response = client.get(reverse("layanan:report_xlsx", args=[office.code, 2024, 6]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row[3] for row in sheet.iter_rows(values_only=True)
              if row[0] and len(row) > 3 and isinstance(row[3], int)}
    assert (values["issued.defective"], values["spoil.invalid"]) == (-1, 1)
    assert values["closing"] == values["opening"] + values["total_in"] - values["total_out"]
    page = client.get(reverse("layanan:report", args=[office.code, 2024, 6])).content.decode()
    assert "Dikurangi: kartu rusak setelah dicetak" in page
