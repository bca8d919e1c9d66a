"""A supervisor reads the stock and ledger in a real browser, in Bahasa Indonesia."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from blanko import access, services
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"


@pytest.fixture
def supervisor_with_stock(office):
    user = make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD)
    services.receive_allocation(
        office=office,
        quantity=2_000,
        reference="BAST 470/0112/DUK/I/2020",
        by=user,
        occurred_on=datetime.date(2020, 1, 6),
    )
    services.receive_allocation(
        office=office,
        quantity=4_000,
        reference="BAST 470/0914/DUK/IX/2020",
        by=user,
        occurred_on=datetime.date(2020, 9, 14),
    )
    return user


def test_supervisor_sees_stock_and_ledger_in_indonesian(
    page, live_server, office, supervisor_with_stock
):
    page.goto(f"{live_server.url}/masuk/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Masuk petugas")).to_be_visible()
    assert_accessible(page, "login")
    screenshot(page, "login")

    login(page, live_server, "kabid", PASSWORD)
    # Home sends a supervisor with an office straight to that office's stock page.
    expect(page).to_have_url(f"{live_server.url}/kantor/{office.code}/stok/")

    page.goto(f"{live_server.url}/kantor/{office.code}/stok/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stok blanko Kota Tanjungpinang")
    expect(page.get_by_test_id("stock-on-hand")).to_have_text("6.000")

    ledger = page.locator("table.table-ledger")
    expect(ledger.locator("caption")).to_have_text("2 mutasi")
    rows = ledger.locator("tbody tr")
    expect(rows).to_have_count(2)
    # Newest first, with Indonesian dates and numbers, and the running stock.
    expect(rows.nth(0)).to_contain_text("14 Sep 2020")
    expect(rows.nth(0)).to_contain_text("BAST 470/0914/DUK/IX/2020")
    expect(rows.nth(0)).to_contain_text("+4.000")
    expect(rows.nth(0)).to_contain_text("6.000")
    expect(rows.nth(1)).to_contain_text("6 Jan 2020")
    expect(rows.nth(1)).to_contain_text("BAST 470/0112/DUK/I/2020")
    expect(rows.nth(1)).to_contain_text("+2.000")
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()

    assert_accessible(page, "stock")
    screenshot(page, "stock")


def test_login_refuses_a_wrong_password_in_indonesian(page, live_server, office):
    make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD)

    login(page, live_server, "kabid", "sandi-yang-salah")

    expect(page).to_have_url(f"{live_server.url}/masuk/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nama pengguna atau sandi salah")
    expect(alert).to_contain_text("Perhatikan huruf besar dan kecil")
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)
    assert_accessible(page, "login-error")
    screenshot(page, "login-error")
