"""Issue 14 ("Network planning") in a real browser: the daily print quota on the office
dashboard and on the print queue (a figure for the whole day: printing uses it up
without changing it), and the rollup of the offices as a province
coordinator and as Ditjen's allocator see it, with its flag "Habis sebelum kiriman
tiba" and its links to the two plans. Every figure is worked out by hand in the
fixtures' docstrings; every page axe-clean."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from blanko import access
from blanko import services as ledger
from blanko.models import Office
from layanan import rules, services
from layanan.models import KeyDate, ServiceRequest
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import OfficeFactory, make_user
from tests.helpers import today
from tests.layanan.supervision.scenarios import post_use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def long_date(day: datetime.date) -> str:
    """A date as the pages write it in Bahasa Indonesia: "5 Juli 2024"."""
    with translation.override("id"):
        return date_format(day, "j F Y")


def history(office, by, *, received: int, per_day: int, lead_time_days: int,
            used_today: int | None = None) -> None:
    """`received` blanks 40 days ago (before the 28-day use window), then `per_day` used
    on each of the 27 days before today and `used_today` (`per_day` unless given) today:
    every day of the window counts. With `per_day` today too, the average is `per_day`
    and the stock `received - 28 * per_day`; the day started with `received - 27 *
    per_day` whatever is used today. The office's lead-time field is set: no request of
    its province was ever received, so that field is its lead time ("isian kantor")."""
    Office.objects.filter(pk=office.pk).update(lead_time_days=lead_time_days)
    ledger.receive_allocation(office=office, quantity=received, reference=f"BAST/{office.code}",
                              by=by, occurred_on=today() - days(40))
    for n in range(1, 28):
        post_use(office, by, today() - days(n), per_day)
    post_use(office, by, today(), per_day if used_today is None else used_today)


def ask_ditjen(office, by, *, days_ago: int, quantity: int):
    """An open request for blanks, submitted `days_ago` days ago (status: submitted)."""
    submitted = today() - days(days_ago)
    return ledger.request_blanks(
        office=office, quantity=quantity, by=by,
        at=timezone.make_aware(datetime.datetime.combine(submitted, datetime.time(9))))


@pytest.fixture
def kabid(office):
    return make_user(access.SUPERVISOR, office, username="kabid_tpi", password=PASSWORD)


@pytest.fixture
def petugas(office):
    return make_user(access.OPERATOR, office, username="petugas_tpi", password=PASSWORD)


@pytest.fixture
def short_of_the_arrival(office, kabid):
    """Tanjungpinang runs short before its request can arrive. By hand:

    - received 67,310; 1,500 used on each of the last 28 days, today's included
      (42,000): stock 25,310, average 1,500.0 a day, days of cover 25,310 / 1,500 =
      16.87 (shown 16,8); the projected stock-out is today + 16;
    - lead time 30 days (the office's field); request for 6,000 blanks submitted 10 days
      ago: expected on submission + 30 = today + 20, 20 days away;
    - the day started with 25,310 + 1,500 = 26,810, which lasts 17.87 days < 20: the
      quota is floor(26,810 / 20) = 1,340 a day until today + 19, and the 1,500 used
      today have reached it.
    """
    history(office, kabid, received=67_310, per_day=1_500, lead_time_days=30)
    return ask_ditjen(office, kabid, days_ago=10, quantity=6_000)


@pytest.fixture
def printing_today(office, kabid, petugas):
    """Tanjungpinang in the middle of a day under a quota. By hand:

    - received 65,810; 1,500 used on each of the 27 days before today (40,500): the day
      started with 25,310; 296 used so far today: stock 25,014; the window used 40,796
      in 28 days, average 1,457.0 a day; days of cover 25,014 / 1,457 = 17.17 (17,1);
    - the same request as `short_of_the_arrival`: expected today + 20, 20 days away;
    - 25,310 lasts 25,310 / 1,457 = 17.37 days < 20: quota floor(25,310 / 20) = 1,265 a
      day until today + 19; 296 used, 969 left. One more print: 297 used, 968 left,
      the quota still 1,265 (25,310 is still the day's start; the average (40,797 / 28
      = 1,457.04) still reads 1.457,0).
    Returns the request for blanks and a verified request waiting in the print queue.
    """
    history(office, kabid, received=65_810, per_day=1_500, lead_time_days=30,
            used_today=296)
    asked = ask_ditjen(office, kabid, days_ago=10, quantity=6_000)
    waiting = services.submit_request(
        office=office, nik="2172011705900001", full_name="Raja Hamzah",
        kind=ServiceRequest.Kind.DAMAGED, by=petugas, channel=ServiceRequest.Channel.COUNTER)
    waiting = services.verify_request(
        request=waiting, by=petugas, biometrics_recorded=True,
        documents=dict.fromkeys(rules.required_documents(waiting.kind), True))
    return asked, waiting


@pytest.fixture
def lasting_until_the_arrival(office, kabid):
    """The same request (expected in 20 days), but the stock lasts. By hand: received
    73,500, 1,500 a day for 28 days (42,000): stock 31,500; the day started with 31,500 +
    1,500 = 33,000, which lasts 33,000 / 1,500 = 22 days >= 20: no quota (a quota would
    be floor(33,000 / 20) = 1,650, more than the 1,500 used a day)."""
    history(office, kabid, received=73_500, per_day=1_500, lead_time_days=30)
    return ask_ditjen(office, kabid, days_ago=10, quantity=6_000)


REASON = (
    "Stok hari ini ditambah yang sudah terpakai hari ini, {stock} blanko, tidak cukup "
    "untuk pemakaian rata-rata {average} "
    "per hari sampai kiriman berikutnya: permohonan blanko {number}, diperkirakan tiba "
    "{day} (20 hari lagi) menurut waktu tunggu kantor ini. Kuota ini saran, bukan "
    "larangan: mencetak tetap bisa, dan pemohon berprioritas lebih tinggi, seperti "
    "pemula, tetap dilayani lebih dulu saat stok menipis."
)


def assert_quota_box(box, *, figure: str, used: str, reason: str,
                     reached: bool = False) -> None:
    """The box: its heading, the day's quota, what is used of it today, and why."""
    expect(box.get_by_role("heading", level=2)).to_have_text("Kuota cetak harian")
    expect(box.locator("p")).to_have_count(3)
    expect(box.locator("p").nth(0)).to_have_text(figure)
    expect(box.locator("p").nth(1)).to_have_text(used)
    expect(box.locator("p").nth(2)).to_have_text(reason)
    style = re.compile(r"\balert-danger\b" if reached else r"\balert-warning\b")
    expect(box).to_have_class(style)


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()


def test_the_supervisor_and_the_operator_see_the_daily_quota(page, live_server, office,
                                                             petugas, printing_today):
    asked, waiting = printing_today
    figure = f"1.265 blanko per hari sampai {long_date(today() + days(19))}"
    reason = REASON.format(stock="25.310", average="1.457,0", number=asked.number,
                           day=long_date(today() + days(20)))

    login(page, live_server, "kabid_tpi", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/dasbor/")
    expect(page.get_by_test_id("stock")).to_have_text("25.014")
    expect(page.get_by_test_id("cover")).to_have_text("17,1 hari")
    # A region of its own, named by its heading.
    box = page.get_by_role("region", name="Kuota cetak harian")
    expect(box).to_have_attribute("data-testid", "quota")
    assert_quota_box(box, figure=figure, used="Hari ini sudah terpakai 296, sisa kuota 969.",
                     reason=reason)
    assert_accessible(page, "dashboard with a daily quota")
    screenshot(page, "dashboard-quota")
    sign_out(page)

    login(page, live_server, "petugas_tpi", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/layanan/antrean/")
    expect(page.get_by_test_id("queue-stock")).to_have_text("25.014")
    notice = page.get_by_role("status", name="Kuota cetak harian")
    expect(notice).to_have_attribute("data-testid", "queue-quota")
    assert_quota_box(notice, figure=figure, used="Hari ini sudah terpakai 296, sisa kuota 969.",
                     reason=reason)
    assert_accessible(page, "print queue with a daily quota")
    screenshot(page, "queue-quota")

    # One card printed: one more used, one less left; the quota itself stays.
    with page.expect_navigation():
        page.get_by_role("button", name=f"Cetak {waiting.registration_number}",
                         exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"KTP-el \S+ dicetak"))
    expect(page.get_by_test_id("queue-stock")).to_have_text("25.013")
    assert_quota_box(notice, figure=figure, used="Hari ini sudah terpakai 297, sisa kuota 968.",
                     reason=reason)
    assert_accessible(page, "print queue with a daily quota after a print")


def test_the_operator_sees_when_the_days_quota_is_reached(page, live_server, office, petugas,
                                                          short_of_the_arrival):
    figure = f"1.340 blanko per hari sampai {long_date(today() + days(19))}"
    reached = "Kuota hari ini sudah tercapai: hari ini sudah terpakai 1.500 dari 1.340."
    reason = REASON.format(stock="26.810", average="1.500,0",
                           number=short_of_the_arrival.number,
                           day=long_date(today() + days(20)))

    login(page, live_server, "petugas_tpi", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/layanan/antrean/")
    expect(page.get_by_test_id("queue-stock")).to_have_text("25.310")
    notice = page.get_by_test_id("queue-quota")
    assert_quota_box(notice, figure=figure, used=reached, reason=reason, reached=True)
    expect(notice).not_to_contain_text("sisa kuota")
    assert_accessible(page, "print queue with the daily quota reached")
    screenshot(page, "queue-quota-reached")
    sign_out(page)

    login(page, live_server, "kabid_tpi", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/dasbor/")
    assert_quota_box(page.get_by_test_id("quota"), figure=figure, used=reached, reason=reason,
                     reached=True)
    assert_accessible(page, "dashboard with the daily quota reached")


def test_no_quota_when_the_stock_lasts_until_the_arrival(page, live_server, office, petugas,
                                                         lasting_until_the_arrival):
    login(page, live_server, "kabid_tpi", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/dasbor/")
    expect(page.get_by_test_id("stock")).to_have_text("31.500")
    expect(page.get_by_test_id("cover")).to_have_text("21,0 hari")
    expect(page.get_by_test_id("quota")).to_have_count(0)
    expect(page.get_by_text("Kuota cetak harian")).to_have_count(0)
    assert_accessible(page, "dashboard without a quota")
    sign_out(page)

    login(page, live_server, "petugas_tpi", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/layanan/antrean/")
    expect(page.get_by_test_id("queue-stock")).to_have_text("31.500")
    expect(page.get_by_test_id("queue-quota")).to_have_count(0)
    expect(page.get_by_text("Kuota cetak harian")).to_have_count(0)
    assert_accessible(page, "print queue without a quota")


# --- The rollup -------------------------------------------------------------------------


@pytest.fixture
def network(office, other_office, kabid, short_of_the_arrival):
    """Three offices, the projected stock-out against each one's lead time. By hand:

    - Tanjungpinang (2172), as in `short_of_the_arrival`: 16.87 days of cover (16,8),
      stock-out today + 16; lead time 30: a shipment asked today arrives today + 30,
      after the stock-out: flagged. Key date "Pilkada uji" in 45 days: runs out before.
    - Batam (2171): received 5,300, 100 used a day for 28 days (2,800): stock 2,500,
      cover 2,500 / 100 = 25.0 days, stock-out today + 25; lead time 21: a shipment
      arrives today + 21, before it: not flagged (it would be under Tanjungpinang's 30).
      Key date "Perekaman sekolah uji" in 20 days: the stock lasts until it.
    - Kota Padang (1371, Sumatera Barat): no history: no cover ("–"), no flag; outside
      the Kepulauan Riau coordinator's scope, inside Ditjen's.
    Sorted by cover: Tanjungpinang, Batam, then Padang (no use sorts last). One office
    runs out before a shipment can reach it.
    """
    batam = make_user(access.SUPERVISOR, other_office, username="kabid_batam")
    history(other_office, batam, received=5_300, per_day=100, lead_time_days=21)
    KeyDate.objects.create(name="Pilkada uji", date=today() + days(45), office=office)
    KeyDate.objects.create(name="Perekaman sekolah uji", date=today() + days(20),
                           office=other_office)
    OfficeFactory(code="1371", name="Kota Padang")
    make_user(access.PROVINCE, None, username="kepri", password=PASSWORD, office__region="21")
    make_user(access.NATIONAL, None, username="ditjen", password=PASSWORD,
              office__national=True)


RUNNING_OUT = re.compile(r"^1 kantor akan kehabisan stok sebelum kiriman dapat tiba ")


def open_rollup(page, live_server, username: str, *, offices: list[str]) -> None:
    """Signs in, follows the menu to the rollup, and checks its rows are `offices`, in
    order (the worst cover first), and no other: the user's scope."""
    login(page, live_server, username, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Rekap stok", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rekap stok dan prakiraan semua kantor")
    table = page.get_by_test_id("rollup")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(offices))
    expect(table.locator("caption")).to_have_text(f"{len(offices)} kantor dalam cakupan Anda")
    for n, office in enumerate(offices):
        expect(rows.nth(n)).to_contain_text(office)


def assert_kepri_rows(page) -> None:
    """The two Kepulauan Riau offices' cells, as worked out in `network`."""
    expect(page.get_by_test_id("cover-2172")).to_have_text("16,8")
    expect(page.get_by_test_id("cover-2172")).to_have_class(re.compile(r"text-danger-emphasis"))
    expect(page.get_by_test_id("lead-time-2172")).to_have_text("30 hari, isian kantor")
    expect(page.get_by_test_id("runs-out-2172")).to_have_text("Habis sebelum kiriman tiba")
    key_date = page.get_by_test_id("key-date-2172")
    expect(key_date).to_contain_text("Pilkada uji")
    expect(key_date.locator("span")).to_have_text("45 hari lagi; stok habis sebelumnya")

    expect(page.get_by_test_id("cover-2171")).to_have_text("25,0")
    expect(page.get_by_test_id("cover-2171")).not_to_have_class(
        re.compile(r"text-danger-emphasis"))
    expect(page.get_by_test_id("lead-time-2171")).to_have_text("21 hari, isian kantor")
    expect(page.get_by_test_id("runs-out-2171")).to_have_text("–")
    key_date = page.get_by_test_id("key-date-2171")
    expect(key_date).to_contain_text("Perekaman sekolah uji")
    expect(key_date.locator("span")).to_have_text("20 hari lagi")

    expect(page.get_by_test_id("running-out")).to_have_text(RUNNING_OUT)
    expect(page.get_by_text("Habis sebelum kiriman tiba", exact=True)).to_have_count(1)


def follow_the_one_plan_link(page, live_server, *, label: str, href: str, heading: str,
                             who: str) -> None:
    """The rollup links this role to its one plan, and the link opens it (both axe-clean)."""
    links = page.get_by_test_id("plan-links").get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_text(label)
    expect(links).to_have_attribute("href", href)
    assert_accessible(page, f"rollup for the {who} role")
    screenshot(page, f"rollup-{who}")

    with page.expect_navigation():
        links.click()
    assert page.url == f"{live_server.url}{href}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page, f"{label} from the rollup")


def test_the_province_coordinator_reads_the_rollup_and_opens_the_rebalancing_plan(
        page, live_server, network):
    open_rollup(page, live_server, "kepri",
                offices=["2172 Kota Tanjungpinang", "2171 Kota Batam"])
    expect(page.get_by_test_id("rollup")).not_to_contain_text("Kota Padang")
    assert_kepri_rows(page)

    follow_the_one_plan_link(
        page, live_server, label="Rencana pemerataan provinsi",
        href="/provinsi/21/pemerataan/", heading="Pemerataan blanko · Provinsi Kepulauan Riau",
        who="province")


def test_the_national_allocator_reads_the_rollup_and_opens_the_allocation_plan(
        page, live_server, network):
    open_rollup(page, live_server, "ditjen",
                offices=["2172 Kota Tanjungpinang", "2171 Kota Batam", "1371 Kota Padang"])
    assert_kepri_rows(page)
    expect(page.get_by_test_id("cover-1371")).to_have_text("–")
    expect(page.get_by_test_id("runs-out-1371")).to_have_text("–")
    expect(page.get_by_test_id("lead-time-1371")).to_have_text("30 hari, isian kantor")

    follow_the_one_plan_link(
        page, live_server, label="Rencana alokasi nasional", href="/pusat/rencana-alokasi/",
        heading="Rencana alokasi nasional", who="national")
