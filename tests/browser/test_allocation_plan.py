"""The national allocation plan in a real browser: Ditjen's allocator, short of blanks,
opens the plan from the central store, lowers one proposal and allocates every line
with one button. The page axe-clean before and after."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from blanko import access
from blanko import services as ledger
from blanko.models import BlankRequest
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user
from tests.helpers import today
from tests.layanan.supervision.scenarios import use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"
Status = BlankRequest.Status


@pytest.fixture
def waiting(office, other_office, receive, root):
    """Lead time 30 days (the offices' field), so a floor need lasts 44 days.

    Tanjungpinang: stock 320, 10 a day, asks 1,000: floor need 440 - 320 = 120.
    Batam: stock 500, 20 a day, asks 2,000: floor need 880 - 500 = 380.
    Central store: 1,000 free, 3,000 asked. Phase 1: Batam 380, Tanjungpinang 120, 500
    left; phase 2 over 1,620 and 880 (2,500): Batam 324, Tanjungpinang 176, exactly.
    Proposed: Batam 704, Tanjungpinang 296.
    """
    make_user(access.NATIONAL, None, username="ditjen", password=PASSWORD,
              office__national=True)
    ditjen = make_user(access.NATIONAL, None, username="ditjen_gudang", office__national=True)
    kepri = make_user(access.PROVINCE, None, username="kepri", office__region="21")
    start = (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    requests = {}
    for at, received, used, asked in ((office, 600, 280, 1_000),
                                      (other_office, 1_060, 560, 2_000)):
        receive(at, received, occurred_on=start)
        use(at, root, today(), used)
        asked_for = ledger.request_blanks(office=at, quantity=asked,
                                          by=make_user(access.SUPERVISOR, at))
        requests[at.code] = ledger.forward_blank_request(blank_request=asked_for, by=kepri)
    ledger.receive_into_central_store(quantity=1_000, reference="KONTRAK/2024/07", by=ditjen)
    return requests


def test_ditjen_adjusts_one_line_of_the_plan_and_allocates_them_all(page, live_server,
                                                                  waiting):
    tpi, batam = waiting["2172"], waiting["2171"]
    login(page, live_server, "ditjen", PASSWORD)
    page.goto(f"{live_server.url}/pusat/")
    page.get_by_role("link", name="Rencana alokasi untuk semua yang menunggu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana alokasi nasional")
    expect(page.get_by_test_id("plan-free")).to_contain_text("1.000")
    expect(page.get_by_test_id("plan-asked")).to_contain_text("3.000")
    expect(page.get_by_test_id("plan-scarce")).to_contain_text("Stok kurang")
    rows = page.get_by_test_id("allocation-plan").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Kota Batam")  # 25 days of cover, before 32
    batam_field = page.get_by_label(f"Jumlah dialokasikan untuk {batam.number}")
    tpi_field = page.get_by_label(f"Jumlah dialokasikan untuk {tpi.number}")
    expect(batam_field).to_have_value("704")
    expect(tpi_field).to_have_value("296")
    assert_accessible(page, "allocation plan")
    screenshot(page, "allocation-plan")

    tpi_field.fill("250")
    with page.expect_navigation():
        page.get_by_role("button", name="Alokasikan semua").click()
    alerts = page.get_by_role("alert")
    expect(alerts.filter(has_text=batam.number)).to_contain_text(
        "dialokasikan 704 dari 2.000 blanko yang diminta")
    expect(alerts.filter(has_text=tpi.number)).to_contain_text(
        "dialokasikan 250 dari 1.000 blanko yang diminta")
    expect(page.get_by_test_id("plan-empty")).to_be_visible()
    assert_accessible(page, "allocation plan after allocating")
    tpi.refresh_from_db()
    batam.refresh_from_db()
    assert (batam.status, batam.allocated_quantity) == (Status.ALLOCATED, 704)
    assert (tpi.status, tpi.allocated_quantity) == (Status.ALLOCATED, 250)
