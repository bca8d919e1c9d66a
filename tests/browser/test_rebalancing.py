"""Province rebalancing in a real browser: the Kepulauan Riau coordinator sends the plan's
proposal, Batam's supervisor accepts it from its loan page (the confirmation shows Batam's
stock after the loan), and the loan is on its way to Tanjungpinang under the proposal's
number; warned on the confirmation, a lender that would fall below its minimum declines
instead. Every page axe-clean."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from blanko import access, services
from blanko.models import Loan, RebalancingProposal
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user
from tests.helpers import LEDGER_CLEAN, today, verify_ledger
from tests.layanan.supervision.scenarios import post_use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"
User = get_user_model()


@pytest.fixture
def uneven(office, other_office, root):
    """Batam holds 2,000 and uses 10 a day; Tanjungpinang holds 200 and uses 20 a day.
    T = 2200/30; Batam's target 733, it keeps 440 (30 + 14 days): it gives
    min(1267, 1560) = 1267 and Tanjungpinang needs 1466 − 200 = 1266: 1,200 proposed."""
    received_on = today() - datetime.timedelta(days=60)
    for office_, received, used in ((other_office, 2280, 280), (office, 760, 560)):
        services.receive_allocation(office=office_, quantity=received,
                                    reference=f"BAST/{office_.code}", by=root,
                                    occurred_on=received_on)
        post_use(office_, root, today() - datetime.timedelta(days=5), used)
    make_user(access.PROVINCE, None, username="kepri", password=PASSWORD, office__region="21")
    make_user(access.SUPERVISOR, other_office, username="kabid_batam", password=PASSWORD)


def test_the_coordinator_proposes_and_the_lender_accepts(page, live_server, office,
                                                         other_office, uneven):
    login(page, live_server, "kepri", PASSWORD)
    page.goto(f"{live_server.url}/provinsi/21/pemerataan/")
    proposals = page.get_by_test_id("rebalancing-proposals")
    expect(proposals.locator("tbody tr")).to_have_count(1)
    expect(proposals).to_contain_text("1.200")
    assert_accessible(page, "rebalancing plan")
    screenshot(page, "rebalancing-plan")
    with page.expect_navigation():
        proposals.get_by_role("button", name="Kirim usulan Kota Batam ke Kota Tanjungpinang"
                              ).click()
    expect(page.get_by_role("alert").first).to_contain_text("dikirim")
    number = RebalancingProposal.objects.get().number
    expect(page.get_by_test_id("rebalancing-sent")).to_contain_text(number)
    assert_accessible(page, "rebalancing plan after sending")
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()

    login(page, live_server, "kabid_batam", PASSWORD)
    # Batam's supervisor lands on its stock page, which tells of the proposal waiting.
    page.goto(f"{live_server.url}/kantor/{other_office.code}/stok/")
    expect(page.get_by_test_id("rebalancing-waiting")).to_contain_text(
        "1 usulan pemerataan dari provinsi menunggu keputusan kantor ini.")
    assert_accessible(page, "stock page with a proposal waiting")
    with page.expect_navigation():
        page.get_by_role("link", name="Setujui atau tolak di halaman Pinjaman").click()
    section = page.get_by_test_id("rebalancing-to-decide")
    expect(section).to_contain_text(number)
    expect(section).to_contain_text("Pemerataan provinsi: stok Kota Tanjungpinang")
    assert_accessible(page, "loan list with a proposal")
    # The list shows what the loan does to Batam's own store: 800 left, 80 days at 10.
    expect(page.get_by_test_id(f"stock-{number}")).to_have_text("2.000 → 800")
    expect(page.get_by_test_id(f"cover-{number}")).to_have_text("80,0")
    # "Setujui" opens the confirmation; one click there opens the loan.
    with page.expect_navigation():
        section.get_by_role("link", name=f"Setujui usulan {number}").click()
    expect(page.get_by_test_id("stock-now")).to_have_text("2.000")
    expect(page.get_by_test_id("stock-after")).to_have_text("800")
    expect(page.get_by_test_id("cover-after")).to_have_text("80,0")
    expect(page.locator(".alert-warning")).to_have_count(0)  # 800 is above the 440 kept
    assert_accessible(page, "rebalancing confirmation")
    with page.expect_navigation():
        page.get_by_role("button", name="Setujui dan kirim pinjaman").click()
    expect(page.get_by_role("alert").first).to_contain_text("disetujui")
    loan = Loan.objects.get()
    assert (loan.reference, loan.quantity, loan.borrower_office) == (number, 1200, office)
    expect(page.get_by_test_id("shipments-outgoing")).to_contain_text("1.200")
    # The decision stays in view, with its loan.
    expect(page.get_by_test_id(f"outcome-{number}")).to_have_text(
        f"pinjaman {number} (berjalan)")
    assert_accessible(page, "loan list after accepting")
    assert LEDGER_CLEAN in verify_ledger()


def test_the_lender_is_warned_before_going_below_its_minimum(page, live_server, office,
                                                             other_office, uneven):
    """Proposed on 2,000; Batam has since lent 700 elsewhere: the 1,200 would leave 100,
    10 days of use, under the 440 it keeps. Warned, it declines instead."""
    proposal = services.propose_rebalancing(
        lender=other_office, borrower=office, quantity=1200,
        by=User.objects.get(username="kepri"))
    boss = User.objects.get(username="kabid_batam")
    services.lend_to_office(lender=other_office, borrower=office, quantity=700,
                            reference="PJ/BTM/1", by=boss)
    login(page, live_server, "kabid_batam", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{other_office.code}/pinjaman/")
    expect(page.get_by_test_id(f"stock-{proposal.number}")).to_contain_text(
        "di bawah minimum 440")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Setujui usulan {proposal.number}").click()
    expect(page.get_by_test_id("stock-after")).to_have_text("100")
    expect(page.get_by_test_id("cover-after")).to_have_text("10,0")
    expect(page.get_by_test_id("warning-minimum")).to_contain_text(
        "tinggal 100 blanko, di bawah stok minimumnya, 440 blanko")
    expect(page.get_by_test_id("warning-stock-fell")).to_contain_text(
        "usulan ini dibuat saat stok kantor ini 2.000 blanko; sekarang tinggal 1.300 blanko")
    assert_accessible(page, "rebalancing confirmation with warnings")
    screenshot(page, "rebalancing-confirmation-warning")
    with page.expect_navigation():
        page.get_by_role("link", name="Tolak usulan ini").click()
    expect(page.get_by_test_id("decline-effect")).to_contain_text(
        "Bila ditolak, usulan ini tidak menjadi pinjaman")
    assert_accessible(page, "rebalancing decline")
    page.get_by_label("Alasan penolakan").fill("Stok tinggal sedikit")
    with page.expect_navigation():
        page.get_by_role("button", name="Tolak usulan").click()
    expect(page.get_by_test_id(f"outcome-{proposal.number}")).to_have_text(
        "alasan: Stok tinggal sedikit")
    proposal.refresh_from_db()
    assert proposal.status == RebalancingProposal.Status.DECLINED
    assert not Loan.objects.filter(reference=proposal.number).exists()
    assert LEDGER_CLEAN in verify_ledger()
