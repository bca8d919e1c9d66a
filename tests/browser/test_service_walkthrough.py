"""GitHub issue "Service requests", walked through in a real browser.

An operator registers, verifies, prints, spoils and delivers at the counter; a
citizen submits online and checks the status; a double click on "Cetak" takes
one blank only. Every page is checked with axe-core and the main ones are
photographed into test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qs

import pytest
from django.core.cache import cache
from playwright.sync_api import APIResponse, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from blanko import access
from blanko import services as ledger
from blanko.models import Movement
from blanko.selectors import stock_on_hand
from layanan import rules, services
from layanan.models import CardPrint, ServiceRequest
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"
STOCK = 10

# Valid NIKs of Kota Tanjungpinang (217201): DDMMYY, +40 on the day for women.
NIK_PEMULA = "2172015708990002"  # a woman born 17 August 1999: an adult first-timer
NIK_RUSAK = "2172011705900001"  # a man born 17 May 1990
NIK_SPOIL = "2172010203850003"  # a man born 2 March 1985
NIK_ONLINE = "2172016512010004"  # a woman born 25 December 2001
NIK_DOUBLE = "2172011111880005"  # a man born 11 November 1988
NIK_DOUBLE_2 = "2172014404920006"  # a woman born 4 April 1992

REG_NUMBER = re.compile(r"\d{4}-\d{6}-\d{4}")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The rate limits live in the process-wide cache: start every test with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def operator_with_stock(office):
    supervisor = make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD)
    ledger.receive_allocation(office=office, quantity=STOCK, reference="BAST-WALK",
                              by=supervisor)
    return make_user(access.OPERATOR, office, username="petugas", password=PASSWORD)


def verified_request(office, operator, *, nik: str, name: str, kind: str) -> ServiceRequest:
    """A counter request registered and verified through the services, not the pages."""
    created = services.submit_request(
        office=office, nik=nik, full_name=name, kind=kind, by=operator,
        channel=ServiceRequest.Channel.COUNTER,
    )
    return services.verify_request(
        request=created, by=operator, biometrics_recorded=True,
        documents=dict.fromkeys(rules.required_documents(kind), True),
    )


def issued_count() -> int:
    return Movement.objects.filter(reason=Movement.Reason.ISSUE).count()


def visit(page: Page, url: str, name: str, *, photo: bool = True) -> None:
    page.goto(url)
    check(page, name, photo=photo)


def check(page: Page, name: str, *, photo: bool = True) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert_accessible(page, name)
    if photo:
        screenshot(page, name)


def register_at_counter(page: Page, base: str, *, nik: str, name: str, kind: str,
                        married: bool = False, phone: str = "", shot: str = "") -> str:
    """Fills the counter form by its labels, like a person; returns the registration number."""
    page.goto(f"{base}/daftar/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pendaftaran permohonan")
    if shot:
        check(page, shot)
    page.get_by_label("NIK").fill(nik)
    page.get_by_label("Nama lengkap").fill(name)
    if married:
        page.get_by_label("Sudah atau pernah kawin").check()
    page.get_by_label("Jenis permohonan").select_option(label=kind)
    if phone:
        page.get_by_label("Nomor HP").fill(phone)
    with page.expect_navigation():
        page.get_by_role("button", name="Daftarkan").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Permohonan \d{4}-\d{6}-\d{4}$"))
    number = REG_NUMBER.search(heading.inner_text()).group(0)
    expect(page.get_by_role("alert")).to_contain_text(f"Permohonan {number} terdaftar.")
    expect(page.get_by_test_id("status")).to_have_text("Diajukan")
    expect(page.get_by_test_id("nik")).to_have_text(nik)
    return number


def verify_on_detail(page: Page, documents: list[str], name: str) -> None:
    for label in documents:
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Biometrik sudah direkam").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Verifikasi", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("terverifikasi dan siap cetak")
    expect(page.get_by_test_id("status")).to_have_text("Terverifikasi")
    check(page, name)


def print_from_queue(page: Page, number: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=f"Cetak {number}", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"KTP-el \S+ dicetak"))


def test_operator_registers_verifies_prints_spoils_and_delivers(
    page, live_server, office, operator_with_stock
):
    base = f"{live_server.url}/kantor/{office.code}/layanan"
    third = verified_request(office, operator_with_stock, nik=NIK_SPOIL, name="Raja Hamzah",
                             kind=ServiceRequest.Kind.DATA_CHANGE)

    login(page, live_server, "petugas", PASSWORD)

    # 1. Registration at the counter: a first-timer (tier 1) and a damaged card (tier 4).
    pemula = register_at_counter(page, base, nik=NIK_PEMULA, name="Siti Aisyah",
                                 kind="Baru (pemula)", married=True, phone="0812 3456 7890",
                                 shot="layanan-daftar")
    expect(page.get_by_text("1 · Pemula")).to_be_visible()
    check(page, "layanan-detail-diajukan")
    pemula_url = page.url

    # 2. Verification: the required documents, the biometrics, "Verifikasi".
    verify_on_detail(page, ["Kartu Keluarga (KK)", "Akta kelahiran atau ijazah"],
                     "layanan-detail-terverifikasi")
    expect(page.get_by_test_id("detail-stock")).to_have_text(str(STOCK))

    rusak = register_at_counter(page, base, nik=NIK_RUSAK, name="Tengku Ahmad", kind="Rusak")
    expect(page.get_by_text("4 · Lainnya")).to_be_visible()
    check(page, "layanan-detail-rusak", photo=False)
    verify_on_detail(page, ["Kartu Keluarga (KK)", "KTP-el yang rusak"],
                     "layanan-detail-rusak-terverifikasi")

    # The print queue: the first-timer comes first, each row has its own "Cetak".
    visit(page, f"{base}/antrean/", "layanan-antrean")
    expect(page.get_by_test_id("queue-stock")).to_have_text(str(STOCK))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(pemula)
    expect(rows.nth(0)).to_contain_text("2172 •••• •••• 0002")
    expect(rows.nth(0)).not_to_contain_text(NIK_PEMULA)
    expect(rows.nth(1)).to_contain_text(third.registration_number)  # submitted earlier
    expect(rows.nth(2)).to_contain_text(rusak)

    print_from_queue(page, pemula)
    expect(page.get_by_test_id("queue-stock")).to_have_text(str(STOCK - 1))
    expect(rows).to_have_count(2)
    check(page, "layanan-antrean-setelah-cetak", photo=False)
    print_from_queue(page, rusak)
    expect(page.get_by_test_id("queue-stock")).to_have_text(str(STOCK - 2))
    expect(rows).to_have_count(1)
    check(page, "layanan-antrean-setelah-cetak-2")
    assert issued_count() == 2

    # 3. A ruined print of the third request: the blank goes to "rusak", a reprint is allowed.
    visit(page, f"{live_server.url}/kantor/{office.code}/stok/", "stok-sebelum-rusak",
          photo=False)
    expect(page.get_by_test_id("stock-on-hand")).to_have_text(str(STOCK - 2))
    expect(page.get_by_test_id("spoiled")).to_have_text("0")

    visit(page, f"{base}/{third.pk}/", "layanan-detail-sebelum-rusak", photo=False)
    expect(page.get_by_test_id("detail-stock")).to_have_text(str(STOCK - 2))
    page.get_by_label("Penyebab").select_option(label="Gagal encode")
    with page.expect_navigation():
        page.get_by_role("button", name="Catat cetak rusak").click()
    expect(page.get_by_role("alert")).to_contain_text("Cetak rusak dicatat")
    expect(page.get_by_test_id("status")).to_have_text("Terverifikasi")
    expect(page.get_by_test_id("detail-stock")).to_have_text(str(STOCK - 3))
    prints = page.get_by_role("region", name="Cetak dan suket").get_by_role("listitem")
    expect(prints).to_have_count(1)
    expect(prints).to_contain_text("Rusak (Gagal encode) · petugas")
    expect(page.get_by_role("button", name="Cetak KTP-el")).to_be_visible()
    check(page, "layanan-detail-cetak-rusak")

    visit(page, f"{live_server.url}/kantor/{office.code}/stok/", "stok-setelah-rusak")
    expect(page.get_by_test_id("stock-on-hand")).to_have_text(str(STOCK - 3))
    expect(page.get_by_test_id("spoiled")).to_have_text("1")

    # 4. Delivery: the printed card is handed over.
    visit(page, pemula_url, "layanan-detail-dicetak", photo=False)
    expect(page.get_by_test_id("status")).to_have_text("Dicetak")
    with page.expect_navigation():
        page.get_by_role("button", name="Serahkan KTP-el").click()
    expect(page.get_by_role("alert")).to_contain_text("KTP-el telah diserahkan")
    expect(page.get_by_test_id("status")).to_have_text("Diserahkan")
    expect(page.get_by_role("button", name="Serahkan KTP-el")).to_have_count(0)
    check(page, "layanan-detail-diserahkan")

    # The search list shows where each request stands.
    visit(page, f"{base}/", "layanan-daftar-permohonan")
    expect(page.locator("table caption")).to_have_text("3 permohonan")

    statuses = dict(ServiceRequest.objects.values_list("registration_number", "status"))
    assert statuses == {
        pemula: ServiceRequest.Status.DELIVERED,
        rusak: ServiceRequest.Status.PRINTED,
        third.registration_number: ServiceRequest.Status.VERIFIED,
    }
    assert issued_count() == 2
    assert Movement.objects.filter(reason=Movement.Reason.SPOIL,
                                   cause=Movement.Cause.ENCODE_FAILED).count() == 1
    assert stock_on_hand(office=office) == STOCK - 3


def test_citizen_submits_online_and_checks_the_status(page, live_server, office):
    visit(page, f"{live_server.url}/layanan/daring/", "daring-formulir")
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)  # not logged in
    page.get_by_label("Disdukcapil tujuan").select_option(label=str(office))
    page.get_by_label("NIK").fill(NIK_ONLINE)
    page.get_by_label("Nama lengkap").fill("Nur Halimah")
    page.get_by_label("Jenis permohonan").select_option(label="Perubahan elemen data")
    page.get_by_label("Email").fill("nur.halimah@example.id")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim permohonan").click()

    expect(page).to_have_url(f"{live_server.url}/layanan/daring/terkirim/")
    number = page.get_by_test_id("registration-number").inner_text().strip()
    assert REG_NUMBER.fullmatch(number), number
    check(page, "daring-terkirim")
    created = ServiceRequest.objects.get(registration_number=number)
    assert created.channel == ServiceRequest.Channel.ONLINE
    assert created.nik == NIK_ONLINE

    with page.expect_navigation():
        page.get_by_role("link", name="Cek status").last.click()
    expect(page).to_have_url(f"{live_server.url}/layanan/cek-status/")
    check(page, "cek-status-formulir", photo=False)

    def check_status(registration: str, last4: str) -> None:
        page.get_by_label("Nomor registrasi").fill(registration)
        page.get_by_label("4 digit terakhir NIK").fill(last4)
        with page.expect_navigation():
            page.get_by_role("button", name="Cek status").click()

    check_status(number, NIK_ONLINE[-4:])
    result = page.get_by_test_id("status-result")
    expect(result).to_contain_text("Status: Diajukan")
    expect(result).to_contain_text("Perubahan elemen data")
    expect(result).not_to_contain_text("Nur Halimah")  # it reveals nothing else
    expect(result).not_to_contain_text(NIK_ONLINE)
    expect(page.get_by_test_id("status-not-found")).to_have_count(0)
    check(page, "cek-status-ditemukan")

    check_status(number, "9999")
    not_found = page.get_by_test_id("status-not-found")
    expect(not_found).to_be_visible()
    expect(page.get_by_test_id("status-result")).to_have_count(0)
    wrong_last4 = not_found.inner_text()
    check(page, "cek-status-tidak-ditemukan")

    # An unknown number gives the very same answer: nothing tells which part was wrong.
    check_status("2172-991231-9999", NIK_ONLINE[-4:])
    expect(page.get_by_test_id("status-not-found")).to_have_text(wrong_last4)
    expect(page.get_by_test_id("status-result")).to_have_count(0)


def click_twice_on_a_slow_network(page: Page, button, url_glob: str) -> list[str]:
    """Presses the button, then again while the first answer is still on its way.

    The first POST reaches the server (and is answered), but its answer is held back,
    as on a slow office network, so the operator presses again and the browser sends
    the same form a second time. Returns the one-time key of each POST the server saw.
    """
    keys: list[str] = []
    held: list[tuple[Route, APIResponse]] = []

    def slow_network(route: Route) -> None:
        keys.extend(parse_qs(route.request.post_data or "").get("key", []))
        held.append((route, route.fetch(max_redirects=0)))  # the server has answered

    page.route(url_glob, slow_network)
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)  # raw mouse presses: nothing waits for the pending navigation
    while not held:
        page.wait_for_timeout(50)
    page.mouse.click(x, y)  # the browser drops the first request and sends the form again
    while len(held) < 2:
        page.wait_for_timeout(50)
    with contextlib.suppress(PlaywrightError):
        held[0][0].abort()  # already dropped by the browser; the first answer never arrives
    route, response = held[1]
    with page.expect_navigation():
        route.fulfill(response=response)
    page.unroute(url_glob)
    return keys


def test_double_click_on_cetak_takes_one_blank(page, live_server, office, operator_with_stock):
    first, second = (
        verified_request(office, operator_with_stock, nik=nik, name=name,
                         kind=ServiceRequest.Kind.DAMAGED)
        for nik, name in ((NIK_DOUBLE, "Daeng Celak"), (NIK_DOUBLE_2, "Engku Puteri"))
    )
    login(page, live_server, "petugas", PASSWORD)
    visit(page, f"{live_server.url}/kantor/{office.code}/layanan/antrean/",
          "layanan-antrean-dobel-klik", photo=False)
    expect(page.get_by_test_id("queue-stock")).to_have_text(str(STOCK))

    # A plain double click: Chromium sends the form once.
    # No expect_navigation: when the second click does start a submission, it aborts the
    # first navigation (net::ERR_ABORTED under load); the assertions below wait for the
    # page that results either way.
    page.get_by_role("button", name=f"Cetak {first.registration_number}").dblclick()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"KTP-el \S+ dicetak"))
    expect(page.get_by_test_id("queue-stock")).to_have_text(str(STOCK - 1))
    assert issued_count() == 1

    # Two presses that both reach the server, with the same one-time key.
    keys = click_twice_on_a_slow_network(
        page, page.get_by_role("button", name=f"Cetak {second.registration_number}"),
        f"**/layanan/{second.pk}/print/",
    )
    assert len(keys) == 2 and keys[0] == keys[1], keys
    expect(page).to_have_url(f"{live_server.url}/kantor/{office.code}/layanan/antrean/")
    expect(page.get_by_role("alert").first).to_contain_text(re.compile(r"KTP-el \S+ dicetak"))
    expect(page.get_by_role("alert").filter(has_text="tidak dapat")).to_have_count(0)
    expect(page.get_by_test_id("queue-stock")).to_have_text(str(STOCK - 2))
    expect(page.locator("table tbody tr")).to_have_text(
        "Tidak ada permohonan yang menunggu cetak."
    )
    check(page, "layanan-antrean-setelah-dobel-klik")

    assert issued_count() == 2
    for request in (first, second):
        assert CardPrint.objects.filter(request=request).count() == 1
        request.refresh_from_db()
        assert request.status == ServiceRequest.Status.PRINTED
    assert stock_on_hand(office=office) == STOCK - 2


def test_print_form_sent_twice_from_the_detail_page_takes_one_blank(
    page, live_server, office, operator_with_stock
):
    waiting = verified_request(office, operator_with_stock, nik=NIK_DOUBLE, name="Daeng Celak",
                               kind=ServiceRequest.Kind.DAMAGED)
    login(page, live_server, "petugas", PASSWORD)
    visit(page, f"{live_server.url}/kantor/{office.code}/layanan/{waiting.pk}/",
          "layanan-detail-sebelum-cetak", photo=False)
    expect(page.get_by_test_id("detail-stock")).to_have_text(str(STOCK))

    keys = click_twice_on_a_slow_network(
        page, page.get_by_role("button", name="Cetak KTP-el"), f"**/layanan/{waiting.pk}/print/"
    )
    assert len(keys) == 2 and keys[0] == keys[1], keys
    expect(page.get_by_test_id("status")).to_have_text("Dicetak")
    expect(page.get_by_role("alert").first).to_contain_text(re.compile(r"KTP-el \S+ dicetak"))
    expect(page.get_by_test_id("detail-stock")).to_have_text(str(STOCK - 1))
    expect(page.get_by_role("button", name="Serahkan KTP-el")).to_be_visible()
    check(page, "layanan-detail-setelah-kirim-ulang", photo=False)

    # Going back shows the page as it is now: printed, with no "Cetak KTP-el" to press.
    page.go_back()
    expect(page.get_by_test_id("status")).to_have_text("Dicetak")
    expect(page.get_by_role("button", name="Cetak KTP-el")).to_have_count(0)

    assert issued_count() == 1
    assert CardPrint.objects.filter(request=waiting).count() == 1
    assert stock_on_hand(office=office) == STOCK - 1
