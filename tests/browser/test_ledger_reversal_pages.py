"""Reversals in a real browser: the ledger offers "Balik" only where it may be done, and
a reversed destruction's berita acara prints as cancelled."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from blanko import access, services
from blanko.models import Movement
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-uji-123"


def test_the_ledger_and_a_cancelled_berita_acara_are_readable_and_printable(
    page, live_server, office
):
    boss = make_user(access.SUPERVISOR, office, username="kabid", password=PASSWORD)
    clerk = make_user(access.OPERATOR, office, username="loket", password=PASSWORD)
    receipt = services.receive_allocation(office=office, quantity=50, reference="BAST/1",
                                          by=boss)
    services.issue_blank(office=office, by=clerk, reference="REG-1", hold=True)
    services.spoil_blank(office=office, by=clerk, cause=Movement.Cause.DAMAGED, quantity=2)
    destruction = services.destroy_spoiled(office=office, quantity=2, number="BA/SALAH",
                                           by=boss)
    reversal = services.reverse_movement(movement=destruction.movement, by=boss,
                                         reason="Nomor salah")

    login(page, live_server, "kabid", PASSWORD)
    page.goto(f"{live_server.url}/kantor/{office.code}/stok/")
    ledger = page.locator("table.table-ledger")
    expect(ledger.get_by_role("link", name=f"Balik #{receipt.pk}")).to_be_visible()
    # Held draw, reversed destruction, reversal: no button, a muted note instead.
    expect(ledger.get_by_role("link", name="Balik")).to_have_count(2)  # receipt, spoil
    expect(ledger.get_by_text(f"dibalik oleh #{reversal.pk}")).to_be_visible()
    expect(ledger.get_by_text(f"membalik #{destruction.movement.pk}: Nomor salah")
           ).to_be_visible()
    assert_accessible(page, "stock-reversals")

    page.goto(live_server.url + reverse("layanan:destruction_report",
                                        args=[office.code, destruction.pk]))
    notice = page.get_by_test_id("cancelled")
    expect(notice.get_by_role("heading", name="DIBATALKAN")).to_be_visible()
    expect(notice).to_contain_text(f"#{reversal.pk}")
    expect(notice).to_contain_text("Alasan: Nomor salah")
    assert_accessible(page, "destruction-cancelled")
    page.emulate_media(media="print")
    expect(notice.get_by_role("heading", name="DIBATALKAN")).to_be_visible()
    screenshot(page, "destruction-cancelled-print")
