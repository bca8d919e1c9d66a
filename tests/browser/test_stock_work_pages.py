"""A supervisor records a stock count and a destruction in a real browser, reaching the
pages through the navigation bar, which stays on one line at 1366 px for every role,
in Bahasa Indonesia and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from blanko import access, selectors, services
from blanko.models import Destruction, MovementCause, StockCount
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"


@pytest.fixture
def kabid(office, receive):
    """A supervisor whose store holds 100 blanks, 4 of them ruined while printing."""
    user = make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD,
                     first_name="Raja Muhammad", last_name="Hafizh")
    receive(office, 104)
    services.spoil_blank(office=office, by=user, cause=MovementCause.PRINT_FAILED, quantity=4)
    return user


def open_stock_menu(page: Page, item: str) -> None:
    """Opens the "Stok" dropdown with the keyboard and follows one of its links."""
    toggle = page.get_by_role("button", name="Stok", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    link = page.get_by_role("link", name=item, exact=True)
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()


def test_supervisor_records_a_count_with_a_difference_through_preview_and_confirmation(
    page, live_server, office, kabid
):
    login(page, live_server, "kabid", PASSWORD)
    open_stock_menu(page, "Stock opname")
    expect(page).to_have_url(f"{live_server.url}/kantor/{office.code}/opname/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stock opname Kota Tanjungpinang")
    assert_accessible(page, "stock count form")

    page.get_by_label("Jumlah fisik").fill("97")
    page.get_by_label("Alasan selisih / catatan").fill("3 blanko tidak ditemukan di rak")
    with page.expect_navigation():
        page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_test_id("system")).to_have_text("100")
    expect(page.get_by_test_id("difference")).to_have_text("-3")
    expect(page.get_by_test_id("adjustment")).to_have_text(
        "3 blanko dari Gudang stok ke Selisih stock opname")
    assert not StockCount.objects.exists()
    assert_accessible(page, "stock count preview")
    screenshot(page, "stock-count-preview")

    # A double click on Konfirmasi records the count once.
    # No expect_navigation: when the second click does start a submission, it aborts the
    # first navigation (net::ERR_ABORTED under load); the assertions below wait for the
    # page that results either way.
    page.get_by_role("button", name="Konfirmasi").dblclick()
    expect(page.get_by_role("alert")).to_contain_text(
        "selisih -3 blanko diposting sebagai mutasi penyesuaian")
    rows = page.get_by_test_id("recent-counts").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("3 blanko tidak ditemukan di rak")
    assert_accessible(page, "stock count recorded")
    screenshot(page, "stock-count-recorded")

    count = StockCount.objects.get()
    assert (count.system_quantity, count.counted_quantity, count.movement.quantity) == (
        100, 97, 3)
    assert selectors.stock_on_hand(office=office) == 97


def test_supervisor_destroys_spoiled_blanks_and_reaches_the_berita_acara(
    page, live_server, office, kabid
):
    login(page, live_server, "kabid", PASSWORD)
    open_stock_menu(page, "Pemusnahan")
    expect(page.get_by_test_id("spoiled")).to_have_text("4")
    assert_accessible(page, "destruction form")

    # More than are waiting: the service's message, on the form, nothing written.
    page.get_by_label("Jumlah blanko rusak yang dimusnahkan").fill("5")
    page.get_by_label("Nomor berita acara").fill("BA/470/015/2024")
    page.get_by_label("Saksi").fill("Sekretaris Dinas; Kasubbag Umum")
    with page.expect_navigation():
        page.get_by_role("button", name="Catat pemusnahan").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_contain_text(
        "tidak mencukupi: tersedia 4, dibutuhkan 5")
    assert not Destruction.objects.exists()
    assert_accessible(page, "destruction refused")
    screenshot(page, "destruction-refused")

    page.get_by_label("Jumlah blanko rusak yang dimusnahkan").fill("4")
    with page.expect_navigation():
        page.get_by_role("button", name="Catat pemusnahan").click()
    batch = Destruction.objects.get()
    expect(page).to_have_url(
        f"{live_server.url}/kantor/{office.code}/pemusnahan/{batch.pk}/berita-acara/")
    expect(page.get_by_test_id("destroyed-quantity")).to_have_text("4 (empat) lembar")
    expect(page.get_by_text("Nomor: BA/470/015/2024")).to_be_visible()
    assert_accessible(page, "berita acara")
    screenshot(page, "destruction-berita-acara")
    assert selectors.office_balances(office=office)["spoiled"] == 0


# --- The navigation bar on one line --------------------------------------------------------

ROLES = [
    (access.OPERATOR, {}),
    (access.SUPERVISOR, {}),
    (access.ADMINISTRATOR, {"is_staff": True}),
    (access.VIEWER, {}),
]


def nav_item_boxes(page: Page) -> list[dict]:
    """The box of every item of both lists of the bar (the links, the user and Keluar)."""
    return page.locator("nav.navbar ul.navbar-nav > li").evaluate_all(
        "items => items.map(item => {const r = item.getBoundingClientRect();"
        " return {text: item.innerText.trim(), top: r.top, bottom: r.bottom}; })")


def assert_one_line(page: Page, label: str) -> None:
    expect(page.locator(".navbar-toggler")).to_be_hidden()  # the expanded bar, not the menu
    boxes = nav_item_boxes(page)
    assert len(boxes) >= 4, (label, boxes)
    # The links share one top; every item (the user's name, Keluar) overlaps their row.
    links = page.locator("nav.navbar ul.navbar-nav.me-auto > li").evaluate_all(
        "items => items.map(item => item.getBoundingClientRect().top)")
    assert len(set(links)) == 1, f"{label}: links on more than one line: {boxes}"
    assert max(b["top"] for b in boxes) < min(b["bottom"] for b in boxes), (
        f"{label}: nav items on more than one line: {boxes}")
    height = page.locator("nav.navbar").evaluate("nav => nav.getBoundingClientRect().height")
    assert height < 70, f"{label}: the navbar is {height}px high: {boxes}"


@pytest.mark.parametrize(("role", "extra"), ROLES, ids=[role for role, _ in ROLES])
def test_the_navigation_bar_fits_on_one_line_at_1366_px(
    page, live_server, office, role, extra
):
    make_user(role, office, username="pengguna_nav", password=PASSWORD,
              first_name="Raja Muhammad", last_name="Hafizh Syahputra", **extra)
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "pengguna_nav", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/stok/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert_one_line(page, f"{role} (id)")
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(
        1 if extra.get("is_staff") else 0)

    page.get_by_label("Bahasa").select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name="Ganti").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_one_line(page, f"{role} (en)")
    screenshot(page, f"navbar-1366-{role}-en")


def test_the_stock_menu_opens_and_closes_with_the_keyboard(page, live_server, office, kabid):
    login(page, live_server, "kabid", PASSWORD)
    toggle = page.get_by_role("button", name="Stok", exact=True)
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Stok & buku besar", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Pinjaman", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    assert_accessible(page, "stock page with the menu closed")
