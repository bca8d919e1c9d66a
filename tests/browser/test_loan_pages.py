"""A loan between two offices in a real browser: Tanjungpinang lends to Batam, Batam
confirms part of it, cancels the rest and repays some; every page axe-clean."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from blanko import access, services
from blanko.models import Loan, Shipment
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user
from tests.helpers import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"


@pytest.fixture
def lender(office):
    user = make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD)
    services.receive_allocation(office=office, quantity=2_000, reference="BAST 470/0914/DUK",
                                by=user, occurred_on=datetime.date(2020, 9, 14))
    return user


@pytest.fixture
def borrower(other_office):
    return make_user(access.SUPERVISOR, other_office, username="kabid_batam",
                     password=PASSWORD)


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()


def test_a_loan_travels_from_one_office_to_another_and_back(
    page, live_server, office, other_office, lender, borrower
):
    login(page, live_server, "kabid", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/pinjaman/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pinjaman blanko · Kota Tanjungpinang")
    assert_accessible(page, "loan list (empty)")

    # The partner form, for the record: axe only.
    page.get_by_role("link", name="Pinjam dari kab/kota di luar SiBlanko").click()
    expect(page.get_by_label("Arah")).to_have_value("borrow")
    assert_accessible(page, "partner loan form")
    page.go_back()

    page.get_by_role("link", name="Pinjamkan ke kantor lain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pinjamkan blanko ke kantor lain")
    assert_accessible(page, "lend form")
    page.get_by_label("Kantor peminjam").select_option(label=f"{other_office.code} · Kota Batam")
    page.get_by_label("Jumlah").fill("1000")
    page.get_by_label("Nomor surat pinjaman").fill("470/215/DUK/2020")
    due = today() + datetime.timedelta(days=90)
    page.get_by_label("Jatuh tempo").fill(due.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim pinjaman").click()
    expect(page).to_have_url(f"{live_server.url}/kantor/{office.code}/pinjaman/")
    expect(page.get_by_role("alert")).to_contain_text(
        "Pinjaman 1.000 blanko ke Kota Batam tercatat (surat 470/215/DUK/2020).")
    outgoing = page.get_by_test_id("shipments-outgoing")
    expect(outgoing.locator("tbody tr")).to_have_count(1)
    expect(outgoing).to_contain_text("Kota Batam")
    expect(outgoing).to_contain_text("1.000")
    assert_accessible(page, "loan list (lender)")
    screenshot(page, "loan-list-lender")
    sign_out(page)

    # Batam confirms 600 of the 1,000.
    login(page, live_server, "kabid_batam", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{other_office.code}/pinjaman/")
    incoming = page.get_by_test_id("shipments-incoming")
    expect(incoming).to_contain_text("Kota Tanjungpinang")
    incoming.get_by_role("link", name="Terima 470/215/DUK/2020").click()
    expect(page.get_by_label("Jumlah diterima")).to_have_value("1000")
    assert_accessible(page, "receive form")
    page.get_by_label("Jumlah diterima").fill("600")
    screenshot(page, "shipment-receive-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Konfirmasi penerimaan").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Penerimaan 600 blanko dari Kota Tanjungpinang dikonfirmasi")
    borrowed = page.get_by_test_id("loans-borrowed")
    expect(borrowed.locator("tbody tr")).to_contain_text("+400 dalam perjalanan")
    expect(page.get_by_test_id("loans-borrowed-total")).to_have_text("600")
    expect(incoming.locator("tbody tr").first).to_contain_text("400")

    # The other 400 will not come: Batam cancels them.
    incoming.get_by_role("link", name="Batalkan 470/215/DUK/2020").click()
    assert_accessible(page, "cancel form")
    page.get_by_label("Alasan pembatalan").fill("Sisa pinjaman tidak jadi dikirim")
    with page.expect_navigation():
        page.get_by_role("button", name="Batalkan pengiriman").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Pengiriman dibatalkan: 400 blanko kembali ke stok Kota Tanjungpinang.")
    expect(incoming).to_contain_text("Tidak ada.")

    # And pays 200 back.
    borrowed.get_by_role("link", name="Kembalikan 470/215/DUK/2020").click()
    expect(page.get_by_label("Jumlah dikembalikan")).to_have_value("600")
    assert_accessible(page, "repay form")
    page.get_by_label("Jumlah dikembalikan").fill("200")
    screenshot(page, "loan-repay-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Catat pengembalian").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Pengembalian 200 blanko dikirim ke Kota Tanjungpinang")
    outgoing = page.get_by_test_id("shipments-outgoing")
    expect(outgoing).to_contain_text("Pengembalian")
    expect(outgoing).to_contain_text("200")
    assert_accessible(page, "loan list (borrower)")
    screenshot(page, "loan-list-borrower")

    loan = Loan.objects.get()
    assert (loan.quantity, loan.delivered_quantity, loan.repaid_quantity) == (1_000, 600, 0)
    repayment = Shipment.objects.get(kind=Shipment.Kind.REPAYMENT)
    assert (repayment.sender, repayment.receiver, repayment.remaining) == (
        other_office, office, 200)
    sign_out(page)

    # The lender sees the repayment waiting for its confirmation, and its due date page.
    login(page, live_server, "kabid", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/pinjaman/")
    expect(page.get_by_test_id("shipments-incoming")).to_contain_text("Pengembalian")
    expect(page.get_by_test_id("loans-lent-total")).to_have_text("600")
    page.get_by_test_id("loans-lent").get_by_role(
        "link", name="Jatuh tempo 470/215/DUK/2020").click()
    expect(page.get_by_label("Jatuh tempo")).to_have_value(due.isoformat())
    assert_accessible(page, "due date form")
