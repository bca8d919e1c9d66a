"""GitHub issue "Supervisor dashboard", walked through in a real browser.

A supervisor opens the dashboard and reads figures that match the ledger, opens
the monthly report, downloads the XLSX (opened here with openpyxl) and closes
the month. axe-core checks both pages; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime

import openpyxl
import pytest
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from blanko import access
from blanko import services as ledger
from blanko.formatting import number
from blanko.models import MonthClose, Movement
from blanko.selectors import balance_as_of, stock_on_hand
from layanan.models import KeyDate
from layanan.supervision.dashboard import office_dashboard
from layanan.supervision.reports import monthly_report
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"
D = datetime.date
MAY_END = D(2024, 5, 31)


@pytest.fixture
def kabid(office):
    """A supervisor whose store received 2,000 blanks in May 2024 and printed daily."""
    user = make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD)
    ledger.receive_allocation(office=office, quantity=2_000, reference="BAST 470/05/2024",
                              by=user, occurred_on=D(2024, 5, 2))
    stock, issued = (ledger.office_location(office, kind) for kind in ("stock", "issued"))
    day = D(2024, 5, 3)
    while day <= MAY_END:
        if day.weekday() < 5:
            ledger.post_movement(from_location=stock, to_location=issued,
                                 quantity=20 + day.day % 7, reason=Movement.Reason.ISSUE,
                                 by=user, occurred_on=day, reference=f"Rekap {day}")
        day += datetime.timedelta(days=1)
    ledger.spoil_blank(office=office, by=user, cause=Movement.Cause.PRINT_FAILED, quantity=3,
                       occurred_on=D(2024, 5, 20))
    KeyDate.objects.create(name="Pemilu uji 2024", date=D(2024, 11, 27), office=office)
    return user


def test_supervisor_reads_the_dashboard_and_downloads_the_report(page, live_server, office,
                                                                 kabid, tmp_path):
    login(page, live_server, "kabid", PASSWORD)

    # Today: the stock is the balance row. The dashboard sits in the Laporan menu.
    page.get_by_role("button", name="Laporan").click()
    page.get_by_role("link", name="Dasbor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dasbor stok · Kota Tanjungpinang")
    expect(page.get_by_test_id("stock")).to_have_text(number(stock_on_hand(office=office)))

    # Looking back to the end of May, through the date form.
    page.get_by_label("Lihat per tanggal").fill("2024-05-31")
    page.get_by_role("button", name="Tampilkan").click()
    expected = office_dashboard(office=office, as_of=MAY_END, today=timezone.localdate())
    assert expected.forecast.stock == balance_as_of(office=office, day=MAY_END)
    expect(page.get_by_test_id("as-of")).to_contain_text("31 Mei 2024")
    expect(page.get_by_test_id("stock")).to_have_text(number(expected.forecast.stock))
    average = f"{float(expected.forecast.average):.1f}".replace(".", ",")
    expect(page.get_by_test_id("average")).to_have_text(average)
    with translation.override("id"):
        stockout = date_format(expected.forecast.stockout_on, "j F Y")
    expect(page.get_by_test_id("stockout")).to_have_text(stockout)
    shortfall = expected.shortfall
    assert shortfall.shortfall > 0
    expect(page.get_by_test_id("shortfall")).to_have_text(number(shortfall.shortfall))
    expect(page.get_by_test_id("to-request")).to_have_text(f"{number(shortfall.to_request)} blanko")
    expect(page.get_by_role("img", name="Stok gudang, 90 hari terakhir")).to_be_visible()
    assert_accessible(page, "dashboard")
    screenshot(page, "dashboard")

    # The monthly report of May, from the dashboard's link.
    page.get_by_role("link", name="Laporan bulanan Mei 2024").click()
    report = monthly_report(office=office, month=D(2024, 5, 1))
    expect(page.get_by_test_id("closing")).to_have_text(number(report.closing))
    expect(page.get_by_test_id("total-out")).to_have_text(number(report.total_out))
    assert_accessible(page, "report")
    screenshot(page, "report")

    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "laporan-blanko-2172-2024-05.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    values = {row[0]: row[3] for row in sheet.iter_rows(values_only=True)
              if row[0] and len(row) > 3 and isinstance(row[3], int)}
    assert values["opening"] == 0
    assert values["total_in"] == 2_000
    assert values["total_out"] == report.total_out
    assert values["closing"] == report.closing == stock_on_hand(office=office)

    # Closing the month marks it on the page.
    page.get_by_role("button", name="Tutup bulan Mei 2024").click()
    expect(page.get_by_test_id("month-closed")).to_contain_text("sudah ditutup")
    assert MonthClose.objects.filter(office=office, month=D(2024, 5, 1)).exists()
    assert_accessible(page, "report-closed")
    screenshot(page, "report-closed")
