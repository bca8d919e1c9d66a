"""The office's side of a request for blanks in a real browser: the supervisor opens the
form from the Stok menu (prefilled as the dashboard's link does), asks, reads the
request and its letter, receives part of Ditjen's dispatch and withdraws another
request; a Viewer reads without the buttons. Every page axe-clean."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from blanko import access, services
from blanko.models import BlankRequest
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user
from tests.helpers import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"


@pytest.fixture
def kabid(office):
    office.head_name, office.head_nip = "Drs. Raja Hafizh", "196801011990031001"
    office.save()
    user = make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD,
                     first_name="Raja", last_name="Hafizh")
    services.receive_allocation(office=office, quantity=250, reference="BAST/UJI/1",
                                by=user, occurred_on=today() - datetime.timedelta(days=20))
    return user


@pytest.fixture
def ditjen(db):
    user = make_user(access.NATIONAL, None, username="ditjen_uji", office__national=True)
    services.receive_into_central_store(quantity=10_000, reference="KONTRAK/2020/1", by=user)
    return user


@pytest.fixture
def kepri(db):
    return make_user(access.PROVINCE, None, username="kepri_uji", office__region="21")


def test_a_supervisor_asks_for_blanks_reads_the_letter_and_receives_the_dispatch(
    page, live_server, office, kabid, ditjen, kepri
):
    login(page, live_server, "kabid", PASSWORD)
    page.get_by_role("button", name="Stok", exact=True).click()
    page.get_by_role("link", name="Permohonan blanko", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Permohonan blanko · Kota Tanjungpinang")
    expect(page.get_by_test_id("blank-requests")).to_contain_text("Belum ada permohonan.")
    assert_accessible(page, "request list (empty)")

    # The dashboard's link: the form prefilled with its "ask Ditjen for" figure.
    page.goto(f"{live_server.url}/kantor/{office.code}/permohonan-blanko/baru/?jumlah=400")
    expect(page.get_by_label("Jumlah blanko yang diminta")).to_have_value("400")
    expect(page.get_by_test_id("figures-today")).to_contain_text("250")  # stock on hand
    assert_accessible(page, "request form")
    page.get_by_label("Jumlah blanko yang diminta").fill("12000")
    needed = today() + datetime.timedelta(days=60)
    page.get_by_label("Dibutuhkan paling lambat").fill(needed.isoformat())
    page.get_by_label("Catatan").fill("Menjelang Pilkada serentak")
    screenshot(page, "blank-request-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajukan permohonan").click()
    blank_request = BlankRequest.objects.get()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Permohonan {blank_request.number} untuk 12.000 blanko diajukan.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Permohonan blanko {blank_request.number}")
    expect(page.get_by_test_id("blank-request-status")).to_have_text("Diajukan")
    expect(page.get_by_test_id("figures")).to_contain_text("Stok di gudang")
    assert_accessible(page, "request detail (submitted)")

    page.get_by_role("link", name="Surat permohonan").click()
    letter = page.get_by_test_id("blank-request-letter")
    expect(letter).to_contain_text(blank_request.number)
    expect(page.get_by_test_id("addressee")).to_contain_text(
        "melalui Kepala Dinas Kependudukan dan Pencatatan Sipil Provinsi Kepulauan Riau")
    expect(page.get_by_test_id("letter-quantity")).to_have_text("12.000")
    expect(letter).to_contain_text("Drs. Raja Hafizh")
    expect(page.get_by_role("button", name="Cetak")).to_be_visible()
    assert_accessible(page, "request letter")
    screenshot(page, "blank-request-letter")
    # Printed, the page is the letter alone: no menu, no buttons.
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.get_by_role("button", name="Cetak")).to_be_hidden()
    expect(letter).to_be_visible()
    page.emulate_media(media="screen")

    # The province forwards it, Ditjen allocates 6,000 and sends 4,000 of them.
    services.forward_blank_request(blank_request=blank_request, by=kepri)
    services.allocate_blanks(blank_request=blank_request, quantity=6_000, by=ditjen)
    services.dispatch_blanks(blank_request=blank_request, quantity=4_000,
                             reference="BAST/PUSAT/0914", by=ditjen)

    page.goto(f"{live_server.url}/kantor/{office.code}/permohonan-blanko/{blank_request.pk}/")
    expect(page.get_by_test_id("blank-request-status")).to_have_text("Dialokasikan")
    expect(page.get_by_role("button", name="Batalkan permohonan")).to_have_count(0)
    shipments = page.get_by_test_id("blank-request-shipments")
    expect(shipments).to_contain_text("BAST/PUSAT/0914")
    assert_accessible(page, "request detail (allocated, in transit)")
    shipments.get_by_role("link", name="Terima BAST/PUSAT/0914").click()
    expect(page.get_by_test_id("shipment-summary")).to_contain_text("Kiriman Ditjen")
    expect(page.get_by_test_id("shipment-blank-request")).to_have_text(blank_request.number)
    expect(page.get_by_label("Jumlah diterima")).to_have_value("4000")
    assert_accessible(page, "receive form (dispatch)")
    page.get_by_label("Jumlah diterima").fill("2500")
    with page.expect_navigation():
        page.get_by_role("button", name="Konfirmasi penerimaan").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Penerimaan 2.500 blanko kiriman Ditjen (BAST BAST/PUSAT/0914")
    expect(page.get_by_test_id("blank-request-status")).to_have_text("Diterima sebagian")
    expect(page.get_by_test_id("blank-request-received")).to_have_text("2.500")
    expect(page.get_by_test_id("blank-request-events")).to_contain_text(
        "Dialokasikan → Diterima sebagian")
    screenshot(page, "blank-request-detail")

    # The rest (1,500) still on its way shows on the stock page, to be received there too.
    page.goto(f"{live_server.url}/kantor/{office.code}/stok/")
    transit = page.get_by_test_id("shipments-in-transit")
    expect(transit).to_contain_text("Kiriman Ditjen")
    expect(transit).to_contain_text(blank_request.number)
    expect(transit).to_contain_text("1.500")
    assert_accessible(page, "stock page with a dispatch in transit")


def test_a_supervisor_withdraws_a_request_and_a_viewer_only_reads(
    page, live_server, office, kabid
):
    make_user(access.VIEWER, office, username="peninjau", password=PASSWORD)
    blank_request = services.request_blanks(office=office, quantity=300, by=kabid)
    login(page, live_server, "kabid", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/permohonan-blanko/")
    page.get_by_role("link", name=blank_request.number).click()
    page.get_by_label("Alasan pembatalan").fill("Stok dari pinjaman Batam sudah cukup")
    with page.expect_navigation():
        page.get_by_role("button", name="Batalkan permohonan").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Permohonan {blank_request.number} dibatalkan.")
    expect(page.get_by_test_id("blank-request-status")).to_have_text("Dibatalkan")
    expect(page.get_by_test_id("blank-request-events")).to_contain_text(
        "Stok dari pinjaman Batam sudah cukup")
    assert_accessible(page, "request detail (cancelled)")
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()

    login(page, live_server, "peninjau", PASSWORD)
    page.get_by_role("button", name="Stok", exact=True).click()
    page.get_by_role("link", name="Permohonan blanko", exact=True).click()
    expect(page.get_by_test_id("blank-requests")).to_contain_text(blank_request.number)
    expect(page.get_by_role("link", name="Ajukan permohonan baru")).to_have_count(0)
    assert_accessible(page, "request list (viewer)")
    page.get_by_role("link", name=blank_request.number).click()
    expect(page.get_by_role("link", name="Surat permohonan")).to_be_visible()
    expect(page.get_by_label("Alasan pembatalan")).to_have_count(0)
