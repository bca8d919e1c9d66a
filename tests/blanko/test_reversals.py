"""A mistaken movement is corrected by an equal and opposite one, once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from blanko import selectors, services
from blanko.exceptions import InsufficientStock
from blanko.models import Movement, MovementHold
from blanko.services.posting import today
from tests.blanko.helpers import PARTNER_BINTAN, previous_month_day, refused

Reason = Movement.Reason


def test_reversing_a_receipt_takes_the_blanks_back_out(office, supervisor):
    receipt = services.receive_allocation(office=office, quantity=30, reference="BAST/SALAH",
                                          by=supervisor)
    reversal = services.reverse_movement(movement=receipt, by=supervisor,
                                         reason="Jumlah salah ketik")
    assert reversal.reason == Reason.REVERSAL
    assert reversal.reverses == receipt
    assert (reversal.from_location, reversal.to_location) == (
        receipt.to_location, receipt.from_location)
    assert reversal.quantity == 30
    assert reversal.note == "Jumlah salah ketik"
    assert reversal.reference == "BAST/SALAH"
    assert reversal.recorded_by == supervisor
    assert selectors.stock_on_hand(office=office) == 0
    assert Movement.objects.get(pk=receipt.pk).reversed_by == reversal
    assert selectors.ledger_drift() == []


@pytest.mark.parametrize("kind", ["issue", "spoil", "destroy", "adjustment"])
def test_reversing_puts_each_kind_of_posting_back(stocked, operator, supervisor, kind):
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=5)
    before = selectors.office_balances(office=stocked)
    if kind == "issue":
        movement = services.issue_blank(office=stocked, by=operator)
    elif kind == "spoil":
        movement = services.spoil_blank(office=stocked, by=operator,
                                        cause=Movement.Cause.INVALID)
    elif kind == "destroy":
        movement = services.destroy_spoiled(office=stocked, quantity=2, number="BA/1",
                                            by=supervisor).movement
    else:
        movement = services.record_stock_count(office=stocked, counted_quantity=90,
                                               by=supervisor, reason="hilang").movement
    assert selectors.office_balances(office=stocked) != before
    services.reverse_movement(movement=movement, by=supervisor, reason="keliru")
    assert selectors.office_balances(office=stocked) == before
    assert selectors.ledger_drift() == []


def test_a_movement_is_reversed_only_once(stocked, operator, supervisor):
    movement = services.issue_blank(office=stocked, by=operator)
    reversal = services.reverse_movement(movement=movement, by=supervisor, reason="keliru")
    with refused() as info:
        services.reverse_movement(movement=movement, by=supervisor, reason="lagi")
    assert info.value.messages == [f"Mutasi ini sudah dibalik oleh mutasi #{reversal.pk}."]


def test_a_reversal_cannot_be_reversed(stocked, operator, supervisor):
    movement = services.issue_blank(office=stocked, by=operator)
    reversal = services.reverse_movement(movement=movement, by=supervisor, reason="keliru")
    with refused(match="tidak dapat dibalik lagi"):
        services.reverse_movement(movement=reversal, by=supervisor, reason="batal")


def test_a_reversal_needs_a_reason(stocked, operator, supervisor):
    movement = services.issue_blank(office=stocked, by=operator)
    with refused(match="Alasan pembalikan wajib diisi"):
        services.reverse_movement(movement=movement, by=supervisor, reason="  ")


def test_loan_movements_are_not_reversed(stocked, other_office, supervisor, other_supervisor):
    partner_loan = services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN,
                                            quantity=5, reference="470/1", by=supervisor)
    office_loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                          reference="470/2", by=supervisor)
    confirmed = services.confirm_receipt(shipment=office_loan.shipments.get(), quantity=5,
                                         by=other_supervisor)
    for movement in (partner_loan.movements.get(), office_loan.movements.first()):
        with refused(match="pembatalan atau pengembalian"):
            services.reverse_movement(movement=movement, by=supervisor, reason="keliru")
    # Either office of a receipt between two offices is told why.
    for by in (supervisor, other_supervisor):
        with refused(match="pembatalan atau pengembalian"):
            services.reverse_movement(movement=confirmed, by=by, reason="keliru")


def test_a_third_office_may_not_touch_a_movement_between_two_others(
    stocked, other_office, supervisor, other_supervisor, third_supervisor
):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/2", by=supervisor)
    confirmed = services.confirm_receipt(shipment=loan.shipments.get(), quantity=5,
                                         by=other_supervisor)
    with refused(PermissionDenied):
        services.reverse_movement(movement=confirmed, by=third_supervisor, reason="keliru")


def test_reversing_a_receipt_whose_blanks_are_gone_is_refused(office, operator, supervisor):
    receipt = services.receive_allocation(office=office, quantity=3, reference="BAST/1",
                                          by=supervisor)
    services.issue_blank(office=office, by=operator)
    with refused(InsufficientStock, match="tersedia 2, dibutuhkan 3"):
        services.reverse_movement(movement=receipt, by=supervisor, reason="keliru")


def test_a_reversal_is_dated_today_even_for_a_movement_in_a_closed_month(office, supervisor):
    receipt = services.receive_allocation(office=office, quantity=3, reference="BAST/1",
                                          by=supervisor, occurred_on=previous_month_day())
    services.close_month(office=office, month=previous_month_day(), by=supervisor)
    reversal = services.reverse_movement(movement=receipt, by=supervisor, reason="keliru")
    assert reversal.occurred_on == today()
    assert selectors.balance_as_of(office=office, day=previous_month_day(28)) == 3
    assert selectors.stock_on_hand(office=office) == 0


def test_a_held_draw_is_not_reversed(stocked, operator, supervisor):
    """A draw held by a printed card: reversing it would put the blank back on the shelf
    while the card exists. The card is declared defective instead (ISSUED -> SPOILED)."""
    held = services.issue_blank(office=stocked, by=operator, reference="REG-1", hold=True)
    with refused(match="sudah dicetak menjadi KTP-el") as info:
        services.reverse_movement(movement=held, by=supervisor, reason="keliru")
    assert "Kartu rusak setelah dicetak" in info.value.messages[0]
    plain = services.issue_blank(office=stocked, by=operator)  # a draw nothing holds
    reversal = services.reverse_movement(movement=plain, by=supervisor, reason="keliru")
    assert reversal.reverses_id == plain.pk
    # The plain draw's blank is back on the shelf; the held one stays drawn.
    assert selectors.stock_on_hand(office=stocked) == 99


def test_a_held_draw_replayed_by_its_key_is_held_once(stocked, operator):
    first = services.issue_blank(office=stocked, by=operator, idempotency_key="k1", hold=True)
    again = services.issue_blank(office=stocked, by=operator, idempotency_key="k1", hold=True)
    assert again.pk == first.pk
    assert MovementHold.objects.filter(movement=first).count() == 1
    assert selectors.stock_on_hand(office=stocked) == 99


@pytest.mark.parametrize("cause", Movement.Cause.values)
def test_a_card_spoiled_after_printing_moves_from_issued_to_spoiled(stocked, operator, cause):
    services.issue_blank(office=stocked, by=operator)
    before = selectors.office_balances(office=stocked)
    movement = services.spoil_issued_card(office=stocked, by=operator, cause=cause,
                                          reference="REG-1", note="chip mati")
    assert (movement.reason, movement.cause, movement.quantity) == (
        Reason.SPOIL_ISSUED, cause, 1)
    assert (movement.from_location.kind, movement.to_location.kind) == ("issued", "spoiled")
    after = selectors.office_balances(office=stocked)
    assert (after["stock"], after["spoiled"]) == (before["stock"], before["spoiled"] + 1)
    assert selectors.ledger_drift() == []


@pytest.mark.parametrize("cause", ["", "lost", None])
def test_a_card_spoiled_after_printing_needs_a_known_cause(stocked, operator, cause):
    with refused(match="Pilih penyebab kerusakan yang valid"):
        services.spoil_issued_card(office=stocked, by=operator, cause=cause)


def test_a_viewer_or_another_office_cannot_spoil_an_issued_card(stocked, region_viewer,
                                                                other_supervisor):
    for user in (region_viewer, other_supervisor):
        with refused(PermissionDenied):
            services.spoil_issued_card(office=stocked, by=user, cause="damaged")


def test_a_card_spoiled_after_printing_is_not_reversed(stocked, operator, supervisor):
    services.issue_blank(office=stocked, by=operator)
    movement = services.spoil_issued_card(office=stocked, by=operator, cause="damaged")
    with refused(match="tidak dapat dibalik"):
        services.reverse_movement(movement=movement, by=supervisor, reason="keliru")


# --- One rule for the service and the ledger page: irreversible_reason -----------------


@pytest.fixture
def irreversible(stocked, other_office, operator, supervisor, other_supervisor):
    """One movement of each kind that can never be reversed, by name."""
    plain = services.issue_blank(office=stocked, by=operator)
    reversal = services.reverse_movement(movement=plain, by=supervisor, reason="keliru")
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    loan_in = services.confirm_receipt(shipment=loan.shipments.get(), quantity=5,
                                       by=other_supervisor)
    partner = services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN,
                                       quantity=2, reference="470/2", by=supervisor)
    return {
        "reversal": reversal,
        "reversed": plain,
        "held": services.issue_blank(office=stocked, by=operator, reference="REG-9",
                                     hold=True),
        "spoiled_card": services.spoil_issued_card(office=stocked, by=operator,
                                                   cause="damaged"),
        "loan_out": loan.movements.get(reason=Reason.LOAN_OUT),
        "loan_in": loan_in,
        "partner_loan": partner.movements.get(),
    }


EXPECTED_CODES = {
    "reversal": "reversal", "reversed": "already_reversed", "held": "held",
    "spoiled_card": "spoiled_card", "loan_out": "not_reversible",
    "loan_in": "not_reversible", "partner_loan": "not_reversible",
}


def test_the_service_refuses_each_irreversible_kind_with_the_rule_s_message(
    irreversible, supervisor, other_supervisor
):
    assert set(irreversible) == set(EXPECTED_CODES)
    for name, movement in irreversible.items():
        refusal = selectors.irreversible_reason(movement=Movement.objects.get(pk=movement.pk))
        assert refusal is not None, name
        assert refusal.code == EXPECTED_CODES[name], name
        by = other_supervisor if name == "loan_in" else supervisor
        with refused() as info:
            services.reverse_movement(movement=movement, by=by, reason="keliru")
        assert info.value.messages == [refusal.message], name
        assert info.value.code == refusal.code, name
    reversed_by = irreversible["reversal"].pk
    assert str(selectors.irreversible_reason(movement=irreversible["reversed"])) == (
        f"Mutasi ini sudah dibalik oleh mutasi #{reversed_by}.")


def test_the_rule_reads_the_ledger_rows_annotations_without_a_query(
    irreversible, stocked, django_assert_num_queries
):
    rows = list(selectors.office_movements(office=stocked))
    with django_assert_num_queries(0):
        annotated = {row.pk: selectors.irreversible_reason(movement=row) for row in rows}
    # The same answer as from a bare movement, which asks the database.
    for row in rows:
        assert annotated[row.pk] == selectors.irreversible_reason(
            movement=Movement.objects.get(pk=row.pk)), row
    # The receipt is the one row of this ledger that a reversal may still correct.
    assert [row.reason for row in rows if annotated[row.pk] is None] == [
        Reason.RECEIPT_DITJEN]


def test_the_rule_finds_no_reason_for_each_reversible_kind(stocked, operator, supervisor):
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=3)
    movements = [
        Movement.objects.get(reason=Reason.RECEIPT_DITJEN),
        services.issue_blank(office=stocked, by=operator),
        services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.INVALID),
        services.destroy_spoiled(office=stocked, quantity=2, number="BA/1",
                                 by=supervisor).movement,
        services.record_stock_count(office=stocked, counted_quantity=90, by=supervisor,
                                    reason="hilang").movement,
    ]
    for movement in movements:
        assert selectors.irreversible_reason(movement=movement) is None, movement
    rows = selectors.office_movements(office=stocked).filter(pk__in=[m.pk for m in movements])
    assert [selectors.irreversible_reason(movement=row) for row in rows] == [None] * 5


def test_reversing_a_spoil_whose_blank_is_destroyed_says_so_plainly(
    stocked, operator, supervisor
):
    spoil = services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED)
    destruction = services.destroy_spoiled(office=stocked, quantity=1, number="BA/2",
                                           by=supervisor)
    with refused() as info:
        services.reverse_movement(movement=spoil, by=supervisor, reason="keliru")
    assert info.value.messages == [
        f"Blanko rusak pada mutasi #{spoil.pk} sudah dimusnahkan, jadi tidak dapat "
        "dikembalikan ke stok. Bila pemusnahannya keliru, balik dulu mutasi pemusnahannya."]
    assert not isinstance(info.value, InsufficientStock)
    # As it says: reverse the destruction first, and the spoil can be reversed.
    services.reverse_movement(movement=destruction.movement, by=supervisor, reason="keliru")
    services.reverse_movement(movement=spoil, by=supervisor, reason="keliru")
    assert selectors.office_balances(office=stocked)["spoiled"] == 0
    assert selectors.stock_on_hand(office=stocked) == 100
