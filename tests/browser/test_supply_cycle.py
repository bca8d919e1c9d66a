"""The supply cycle in a real browser, across four users: Tanjungpinang's supervisor asks
Ditjen for 12,000 blanks, the Kepulauan Riau coordinator forwards the request, Ditjen's
allocator fills the central store, allocates 6,000 and ships them in two BASTs, and the
supervisor confirms both shipments. Every page axe-clean, the navigation bar of the
network roles on one line at 1366 px, and the ledger without drift at the end."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from blanko import access, selectors
from blanko.models import BlankRequest, Movement, Shipment
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.browser.test_stock_work_pages import assert_one_line
from tests.factories import make_user
from tests.helpers import LEDGER_CLEAN, verify_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"
Status = BlankRequest.Status


@pytest.fixture
def people(office):
    make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD)
    make_user(access.PROVINCE, None, username="kepri", password=PASSWORD,
              first_name="Koordinator", last_name="Provinsi Kepulauan Riau",
              office__region="21")
    make_user(access.NATIONAL, None, username="ditjen", password=PASSWORD,
              first_name="Alokator", last_name="Ditjen Dukcapil", office__national=True)


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_a_request_for_blanks_goes_from_the_office_through_the_province_to_ditjen_and_back(
    page, live_server, office, people
):
    url = live_server.url

    # 1. The supervisor asks for 12,000 blanks (the office page, helper B1's).
    login(page, live_server, "kabid", PASSWORD)
    page.goto(f"{url}/kantor/{office.code}/permohonan-blanko/baru/?jumlah=12000")
    expect(page.get_by_label("Jumlah blanko yang diminta")).to_have_value("12000")
    page.get_by_label("Catatan").fill("Stok habis sejak awal Juli; Pilkada 9 Desember 2020.")
    submit(page, "Ajukan permohonan")
    expect(page.get_by_role("alert")).to_contain_text("untuk 12.000 blanko diajukan")
    blank_request = BlankRequest.objects.get()
    number = blank_request.number
    sign_out(page)

    # 2. The province coordinator finds it waiting and forwards it as asked.
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "kepri", PASSWORD)
    page.get_by_role("link", name="Permohonan provinsi", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Permohonan blanko · Provinsi Kepulauan Riau")
    assert_one_line(page, "Province")
    table = page.get_by_test_id("province-requests")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Kota Tanjungpinang")
    expect(table).to_contain_text("12.000")
    assert_accessible(page, "province requests")
    screenshot(page, "province-requests")
    table.get_by_role("link", name=f"Teruskan {number}").click()
    expect(page.get_by_label("Jumlah diteruskan")).to_have_value("12000")
    expect(page.get_by_test_id("request-summary")).to_contain_text("Stok habis sejak")
    assert_accessible(page, "province forward form")
    submit(page, "Teruskan ke Ditjen")
    expect(page.get_by_role("alert")).to_contain_text(
        f"Permohonan {number} dari Kota Tanjungpinang diteruskan ke Ditjen: 12.000 blanko.")
    expect(table).to_contain_text("Tidak ada.")
    page.get_by_role("link", name="Diteruskan provinsi").click()
    expect(table).to_contain_text(number)
    assert_accessible(page, "province requests (forwarded)")
    sign_out(page)

    # 3. Ditjen fills its store, allocates 6,000 of the 12,000 and ships them twice.
    login(page, live_server, "ditjen", PASSWORD)
    page.get_by_role("link", name="Gudang pusat", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gudang Pusat Ditjen Dukcapil")
    assert_one_line(page, "National")
    expect(page.get_by_test_id("central-stock")).to_have_text("0")
    expect(page.get_by_test_id("requests-waiting")).to_contain_text(number)
    assert_accessible(page, "central home")

    page.get_by_role("link", name="Catat penerimaan pengadaan").click()
    assert_accessible(page, "central receive form")
    page.get_by_label("Jumlah diterima").fill("8000")
    page.get_by_label("Nomor kontrak / BAST").fill("KONTRAK/027/DUK/2020")
    submit(page, "Catat penerimaan")
    expect(page.get_by_role("alert")).to_contain_text(
        "Penerimaan 8.000 blanko ke gudang pusat tercatat (KONTRAK/027/DUK/2020).")
    expect(page.get_by_test_id("central-free")).to_have_text("8.000")

    page.get_by_test_id("requests-waiting").get_by_role(
        "link", name=f"Alokasikan {number}").click()
    expect(page.get_by_test_id("allocate-free")).to_contain_text(
        "Diminta 12.000 blanko; stok bebas gudang pusat 8.000.")
    assert_accessible(page, "allocate form")
    page.get_by_label("Jumlah dialokasikan").fill("9000")  # more than the free stock
    submit(page, "Simpan alokasi")
    expect(page.locator("#konten")).to_contain_text(
        "Alokasi (9.000) melebihi stok bebas gudang pusat (8.000)")
    assert_accessible(page, "allocate form (refused)")
    page.get_by_label("Jumlah dialokasikan").fill("6000")
    page.get_by_label("Catatan").fill("Stok pusat terbatas")
    submit(page, "Simpan alokasi")
    expect(page.get_by_role("alert")).to_contain_text(
        f"Permohonan {number} dari Kota Tanjungpinang dialokasikan 6.000 dari 12.000")
    expect(page.get_by_test_id("central-allocated")).to_have_text("6.000")
    expect(page.get_by_test_id("central-free")).to_have_text("2.000")

    for bast, quantity, left in (("BAST/0914/DUK/2020", "4000", "2.000"),
                                 ("BAST/0915/DUK/2020", "2000", "0")):
        page.get_by_test_id("requests-allocated").get_by_role(
            "link", name=f"Kirim {number}").click()
        assert_accessible(page, f"dispatch form ({bast})")
        page.get_by_label("Jumlah dikirim").fill(quantity)
        page.get_by_label("Nomor BAST").fill(bast)
        screenshot(page, f"central-dispatch-{quantity}")
        submit(page, "Kirim blanko")
        expect(page.get_by_role("alert")).to_contain_text(
            f"Kiriman {int(quantity):,} blanko ke Kota Tanjungpinang tercatat (BAST {bast})."
            .replace(",", "."))
        expect(page.get_by_test_id("central-allocated")).to_have_text(left)
    expect(page.get_by_test_id("requests-allocated")).to_contain_text("Tidak ada.")
    transit = page.get_by_test_id("dispatches-in-transit")
    expect(transit.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("central-in-transit")).to_have_text("6.000")
    expect(page.get_by_test_id("central-stock")).to_have_text("2.000")
    assert_accessible(page, "central home (in transit)")
    screenshot(page, "central-home")
    sign_out(page)

    # 4. The supervisor confirms both shipments from the request's page.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "kabid", PASSWORD)
    detail = f"{url}/kantor/{office.code}/permohonan-blanko/{blank_request.pk}/"
    for bast, quantity in (("BAST/0914/DUK/2020", "4000"), ("BAST/0915/DUK/2020", "2000")):
        page.goto(detail)
        page.get_by_test_id("blank-request-shipments").get_by_role(
            "link", name=f"Terima {bast}").click()
        expect(page.get_by_label("Jumlah diterima")).to_have_value(quantity)
        assert_accessible(page, f"receive form ({bast})")
        submit(page, "Konfirmasi penerimaan")
        expect(page.get_by_role("alert")).to_contain_text(f"(BAST {bast}, permohonan {number})")
    expect(page.get_by_test_id("blank-request-status")).to_have_text("Diterima")
    expect(page.get_by_test_id("blank-request-received")).to_have_text("6.000")
    assert_accessible(page, "request detail (received)")

    blank_request.refresh_from_db()
    assert (blank_request.status, blank_request.asked, blank_request.allocated_quantity,
            blank_request.dispatched_quantity, blank_request.received_quantity) == (
        Status.RECEIVED, 12_000, 6_000, 6_000, 6_000)
    assert sorted(Shipment.objects.filter(blank_request=blank_request)
                  .values_list("reference", "received_quantity")) == [
        ("BAST/0914/DUK/2020", 4_000), ("BAST/0915/DUK/2020", 2_000)]
    assert selectors.stock_on_hand(office=office) == 6_000
    assert selectors.central_stock() == {"stock": 2_000, "allocated_undispatched": 0,
                                         "free": 2_000, "in_transit": 0}
    assert Movement.objects.filter(blank_request=blank_request,
                                   reason=Movement.Reason.RECEIPT_DITJEN).count() == 2
    assert LEDGER_CLEAN in verify_ledger()
