"""The ledger page offers "Balik" only where the reverse rule finds no reason, and marks
reversed movements and their reversals."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from blanko import selectors, services
from blanko.models import Movement
from tests.blanko.helpers import PARTNER_BINTAN, ledger_snapshot

Reason = Movement.Reason


def stock_url(office) -> str:
    return reverse("blanko:stock", kwargs={"code": office.code})


def reverse_url(office, movement) -> str:
    return reverse("blanko:movement_reverse", kwargs={"code": office.code, "pk": movement.pk})


def row_of(html: str, movement) -> str:
    """The ledger row that shows `movement` (the one whose cells name its number)."""
    rows = re.findall(r"<tr\b.*?</tr>", html, flags=re.S)
    mine = [row for row in rows if f'data-movement="{movement.pk}"' in row]
    assert len(mine) == 1, movement
    return mine[0]


@pytest.fixture
def ledger(stocked, other_office, operator, supervisor):
    """The stocked office's ledger, with reversible and irreversible rows by name."""
    plain = services.issue_blank(office=stocked, by=operator, reference="REG-SALAH")
    reversal = services.reverse_movement(movement=plain, by=supervisor,
                                         reason="Salah pilih pemohon")
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    return {
        "receipt": Movement.objects.get(reason=Reason.RECEIPT_DITJEN),
        "adjustment": services.record_stock_count(office=stocked, counted_quantity=90,
                                                  by=supervisor, reason="hilang").movement,
        "loan": loan.movements.get(),
        "partner_loan": services.lend_to_partner(
            office=stocked, partner_code=PARTNER_BINTAN, quantity=2, reference="470/2",
            by=supervisor).movements.get(),
        "held": services.issue_blank(office=stocked, by=operator, reference="REG-CETAK",
                                     hold=True),
        "reversed": plain,
        "reversal": reversal,
    }


def test_balik_is_offered_only_on_rows_the_reverse_rule_allows(client, stocked, supervisor,
                                                                ledger):
    client.force_login(supervisor)
    html = client.get(stock_url(stocked)).content.decode()
    for name in ("receipt", "adjustment"):
        assert reverse_url(stocked, ledger[name]) in row_of(html, ledger[name]), name
    for name in ("loan", "partner_loan", "held", "reversed", "reversal"):
        row = row_of(html, ledger[name])
        assert "/balik/" not in row, name
        # The reason, as the service would refuse with it, for those who look for it.
        reason = selectors.irreversible_reason(movement=ledger[name]).message
        assert 'data-testid="irreversible"' in row, name
        assert f'title="{reason}"' in row.replace("&quot;", '"'), name


def test_a_reversed_row_and_its_reversal_name_each_other(client, stocked, supervisor,
                                                          ledger):
    client.force_login(supervisor)
    html = client.get(stock_url(stocked)).content.decode()
    reversed_row = row_of(html, ledger["reversed"])
    reversal_row = row_of(html, ledger["reversal"])
    assert f"dibalik oleh #{ledger['reversal'].pk}" in reversed_row
    assert f"membalik #{ledger['reversed'].pk}: Salah pilih pemohon" in reversal_row
    assert "dibalik oleh" not in row_of(html, ledger["receipt"])


def test_a_viewer_sees_the_reversal_marks_but_no_reverse_column(client, stocked, viewer,
                                                                ledger):
    client.force_login(viewer)
    html = client.get(stock_url(stocked)).content.decode()
    assert f"dibalik oleh #{ledger['reversal'].pk}" in html
    assert "/balik/" not in html
    assert "tidak dapat dibalik" not in html


def test_the_borrowers_ledger_offers_no_balik_on_a_loan_receipt(
    client, stocked, other_office, supervisor, other_supervisor
):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    receipt = services.confirm_receipt(shipment=loan.shipments.get(), quantity=5,
                                       by=other_supervisor)
    client.force_login(other_supervisor)
    html = client.get(stock_url(other_office)).content.decode()
    row = row_of(html, receipt)
    assert "Pinjaman diterima" in row
    assert "/balik/" not in row
    assert "pembatalan atau pengembalian" in row


def test_the_reverse_page_says_why_before_a_reason_is_typed(client, stocked, supervisor,
                                                            ledger):
    client.force_login(supervisor)
    for name in ("loan", "held", "reversal", "reversed"):
        response = client.get(reverse_url(stocked, ledger[name]))
        assert response.status_code == 200
        html = response.content.decode()
        reason = selectors.irreversible_reason(movement=ledger[name]).message
        assert reason.replace('"', "&quot;") in html, name
        assert 'value="Balik mutasi"' not in html, name  # no form to fill in vain
    page = client.get(reverse_url(stocked, ledger["receipt"])).content.decode()
    assert 'value="Balik mutasi"' in page
    # A POST all the same is refused by the service, with the same words.
    before = ledger_snapshot()
    response = client.post(reverse_url(stocked, ledger["held"]), {"reason": "keliru"})
    assert "sudah dicetak menjadi KTP-el" in response.content.decode()
    assert ledger_snapshot() == before


def test_a_reversed_destruction_is_marked_cancelled_in_the_recent_list(
    client, stocked, operator, supervisor
):
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=3)
    services.destroy_spoiled(office=stocked, quantity=1, number="BA/TETAP", by=supervisor)
    wrong = services.destroy_spoiled(office=stocked, quantity=2, number="BA/SALAH",
                                     by=supervisor)
    reversal = services.reverse_movement(movement=wrong.movement, by=supervisor,
                                         reason="Salah hitung")
    client.force_login(supervisor)
    response = client.get(reverse("blanko:destruction_create", kwargs={"code": stocked.code}))
    rows = {batch.number: batch.reversal_id for batch in response.context["destructions"]}
    assert rows == {"BA/TETAP": None, "BA/SALAH": reversal.pk}
    html = response.content.decode()
    cancelled = re.findall(r"<tr\b.*?</tr>", html, flags=re.S)
    [wrong_row] = [row for row in cancelled if "BA/SALAH" in row]
    [kept_row] = [row for row in cancelled if "BA/TETAP" in row]
    assert f"dibatalkan (#{reversal.pk})" in wrong_row
    assert "dibatalkan" not in kept_row
