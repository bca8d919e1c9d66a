"""Loans between kab/kota: partners outside SiBlanko, and offices that both use it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from blanko import selectors, services
from blanko.exceptions import InsufficientStock
from blanko.models import Loan, Location, Movement, Shipment
from tests.blanko.helpers import PARTNER_BINTAN, PARTNER_KARIMUN, previous_month_day, refused

Reason = Movement.Reason
Kind = Location.Kind


def balances(office) -> tuple[int, int]:
    found = selectors.office_balances(office=office)
    return found["stock"], found["transit"]


# Partners outside SiBlanko


def test_borrowing_from_a_partner_brings_blanks_into_stock(office, supervisor):
    loan = services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN,
                                        quantity=1_000, reference="470/215", by=supervisor)
    assert loan.borrower_office == office
    assert loan.lender_partner.code == f"PARTNER-{PARTNER_BINTAN}"
    assert loan.lender_partner.kind == Kind.PARTNER
    assert (loan.quantity, loan.delivered_quantity, loan.outstanding) == (1_000, 1_000, 1_000)
    movement = loan.movements.get()
    assert (movement.reason, movement.to_location.kind) == (Reason.LOAN_IN, Kind.STOCK)
    assert selectors.stock_on_hand(office=office) == 1_000


def test_lending_to_a_partner_takes_blanks_from_stock(stocked, supervisor):
    loan = services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=30,
                                    reference="470/9", by=supervisor)
    assert loan.lender_office == stocked
    assert loan.borrower_partner.kind == Kind.PARTNER
    assert loan.movements.get().reason == Reason.LOAN_OUT
    assert selectors.stock_on_hand(office=stocked) == 70


def test_lending_more_than_is_on_hand_is_refused(stocked, supervisor):
    with refused(InsufficientStock, match="tidak mencukupi"):
        services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=101,
                                 reference="470/9", by=supervisor)
    assert not Loan.objects.exists()


@pytest.mark.parametrize("code", ["", "9999", "21", "2172"])
def test_a_partner_must_be_a_known_kab_kota_outside_siblanko(office, supervisor, code):
    with refused(match="tidak dikenal|memakai SiBlanko"):
        services.borrow_from_partner(office=office, partner_code=code, quantity=5,
                                     reference="470/1", by=supervisor)


def test_a_partner_loan_needs_a_letter_number(office, supervisor):
    with refused(match="Nomor surat pinjaman wajib diisi"):
        services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN, quantity=5,
                                     reference=" ", by=supervisor)


def test_repaying_a_borrowed_partner_loan_returns_blanks_until_settled(office, supervisor):
    loan = services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN,
                                        quantity=10, reference="470/1", by=supervisor)
    first = services.repay_loan(loan=loan, quantity=4, by=supervisor)
    assert (first.reason, first.from_location.kind, first.to_location.kind) == (
        Reason.REPAYMENT_OUT, Kind.STOCK, Kind.PARTNER)
    assert first.reference == "470/1"
    loan.refresh_from_db()
    assert (loan.repaid_quantity, loan.status) == (4, Loan.Status.OPEN)
    services.repay_loan(loan=loan, quantity=6, by=supervisor)
    loan.refresh_from_db()
    assert (loan.repaid_quantity, loan.status) == (10, Loan.Status.SETTLED)
    assert selectors.stock_on_hand(office=office) == 0


def test_repaying_more_than_is_owed_to_a_partner_is_refused(office, supervisor, receive):
    receive(office, 50)
    loan = services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN,
                                        quantity=10, reference="470/1", by=supervisor)
    services.repay_loan(loan=loan, quantity=7, by=supervisor)
    with refused(match=r"melebihi sisa pinjaman \(3\)"):
        services.repay_loan(loan=loan, quantity=4, by=supervisor)


def test_repayment_from_a_partner_we_lent_to_comes_back_into_stock(stocked, supervisor):
    loan = services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=20,
                                    reference="470/9", by=supervisor)
    movement = services.repay_loan(loan=loan, quantity=20, by=supervisor)
    assert (movement.reason, movement.from_location.kind) == (Reason.REPAYMENT_IN, Kind.PARTNER)
    assert selectors.stock_on_hand(office=stocked) == 100
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED
    with refused(match=r"melebihi sisa pinjaman \(0\)"):
        services.repay_loan(loan=loan, quantity=1, by=supervisor)


# Loans between two SiBlanko offices


@pytest.fixture
def shipment(stocked, other_office, supervisor):
    """40 blanks lent by the office to the other office, still in transit."""
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=40,
                                   reference="470/215/BTM", by=supervisor)
    return loan.shipments.get()


def test_lending_to_an_office_puts_the_blanks_in_transit(shipment, office, other_office):
    assert (shipment.kind, shipment.sender, shipment.receiver) == (
        Shipment.Kind.LOAN, office, other_office)
    assert (shipment.quantity, shipment.remaining, shipment.status) == (
        40, 40, Shipment.Status.IN_TRANSIT)
    assert balances(office) == (60, 40)
    assert balances(other_office) == (0, 0)
    loan = shipment.loan
    assert (loan.quantity, loan.delivered_quantity, loan.outstanding) == (40, 0, 0)


def test_an_office_cannot_lend_to_itself(stocked, supervisor):
    with refused(match="harus berbeda"):
        services.lend_to_office(lender=stocked, borrower=stocked, quantity=1, reference="x",
                                by=supervisor)


def test_lending_to_an_office_more_than_is_on_hand_is_refused(stocked, other_office, supervisor):
    with refused(InsufficientStock):
        services.lend_to_office(lender=stocked, borrower=other_office, quantity=101,
                                reference="470/1", by=supervisor)


def test_the_receiver_confirms_receipt_in_parts(shipment, office, other_office, other_supervisor):
    first = services.confirm_receipt(shipment=shipment, quantity=25, by=other_supervisor)
    assert (first.reason, first.from_location, first.to_location) == (
        Reason.LOAN_IN, services.office_location(office, Kind.TRANSIT),
        services.office_location(other_office, Kind.STOCK))
    shipment.refresh_from_db()
    assert (shipment.received_quantity, shipment.status) == (25, Shipment.Status.IN_TRANSIT)
    assert balances(office) == (60, 15)
    assert balances(other_office) == (25, 0)
    services.confirm_receipt(shipment=shipment, quantity=15, by=other_supervisor)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.RECEIVED
    shipment.loan.refresh_from_db()
    assert (shipment.loan.delivered_quantity, shipment.loan.status) == (40, Loan.Status.OPEN)
    assert balances(office) == (60, 0)
    assert balances(other_office) == (40, 0)


def test_confirming_more_than_was_sent_is_refused(shipment, other_supervisor):
    services.confirm_receipt(shipment=shipment, quantity=30, by=other_supervisor)
    with refused(match=r"melebihi yang masih dalam perjalanan \(10\)"):
        services.confirm_receipt(shipment=shipment, quantity=11, by=other_supervisor)
    services.confirm_receipt(shipment=shipment, quantity=10, by=other_supervisor)
    with refused(match="sudah selesai"):
        services.confirm_receipt(shipment=shipment, quantity=1, by=other_supervisor)


def test_only_the_receiver_confirms_receipt(shipment, supervisor, third_supervisor):
    for outsider in (supervisor, third_supervisor):
        with refused(PermissionDenied):
            services.confirm_receipt(shipment=shipment, quantity=1, by=outsider)


@pytest.mark.parametrize("side", ["sender", "receiver"])
def test_either_side_may_cancel_what_is_still_in_transit(
    shipment, office, other_office, supervisor, other_supervisor, side
):
    services.confirm_receipt(shipment=shipment, quantity=10, by=other_supervisor)
    by = supervisor if side == "sender" else other_supervisor
    movement = services.cancel_shipment(shipment=shipment, by=by, reason="truk mogok")
    assert (movement.reason, movement.quantity) == (Reason.TRANSIT_CANCEL, 30)
    assert movement.to_location == services.office_location(office, Kind.STOCK)
    assert movement.note == "truk mogok"
    shipment.refresh_from_db()
    assert (shipment.cancelled_quantity, shipment.remaining) == (30, 0)
    assert shipment.status == Shipment.Status.RECEIVED
    assert balances(office) == (90, 0)
    assert balances(other_office) == (10, 0)
    loan = Loan.objects.get()
    assert (loan.delivered_quantity, loan.outstanding, loan.status) == (10, 10, Loan.Status.OPEN)
    with refused(match="Tidak ada blanko dalam perjalanan"):
        services.cancel_shipment(shipment=shipment, by=by)


def test_cancelling_a_whole_shipment_cancels_the_loan(shipment, office, supervisor):
    services.cancel_shipment(shipment=shipment, by=supervisor)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.CANCELLED
    assert Loan.objects.get().status == Loan.Status.CANCELLED
    assert balances(office) == (100, 0)
    assert selectors.outstanding_loans(office=office) == []


def test_a_third_office_may_not_cancel(shipment, third_supervisor):
    with refused(PermissionDenied):
        services.cancel_shipment(shipment=shipment, by=third_supervisor)


def test_an_office_loan_is_repaid_in_transit_and_confirmed_by_the_lender(
    shipment, office, other_office, supervisor, other_supervisor
):
    services.confirm_receipt(shipment=shipment, quantity=40, by=other_supervisor)
    loan = shipment.loan
    movement = services.repay_loan(loan=loan, quantity=15, by=other_supervisor)
    assert (movement.reason, movement.from_location, movement.to_location) == (
        Reason.REPAYMENT_OUT, services.office_location(other_office, Kind.STOCK),
        services.office_location(other_office, Kind.TRANSIT))
    repayment = loan.shipments.get(kind=Shipment.Kind.REPAYMENT)
    assert (repayment.sender, repayment.receiver) == (other_office, office)
    loan.refresh_from_db()
    assert loan.repaid_quantity == 0  # not yet: it is still travelling
    assert balances(other_office) == (25, 15)
    # The borrower cannot confirm its own repayment; the lender does.
    with refused(PermissionDenied):
        services.confirm_receipt(shipment=repayment, quantity=15, by=other_supervisor)
    received = services.confirm_receipt(shipment=repayment, quantity=15, by=supervisor)
    assert received.reason == Reason.REPAYMENT_IN
    loan.refresh_from_db()
    assert (loan.repaid_quantity, loan.outstanding, loan.status) == (15, 25, Loan.Status.OPEN)
    assert balances(office) == (75, 0)
    assert balances(other_office) == (25, 0)


def test_repaying_an_office_loan_counts_repayments_still_in_transit(
    shipment, office, other_office, supervisor, other_supervisor, receive
):
    services.confirm_receipt(shipment=shipment, quantity=40, by=other_supervisor)
    receive(other_office, 100)
    loan = shipment.loan
    services.repay_loan(loan=loan, quantity=30, by=other_supervisor)
    with refused(match=r"melebihi sisa pinjaman \(10\)"):
        services.repay_loan(loan=loan, quantity=11, by=other_supervisor)
    services.repay_loan(loan=loan, quantity=10, by=other_supervisor)
    for repayment in loan.shipments.filter(kind=Shipment.Kind.REPAYMENT):
        services.confirm_receipt(shipment=repayment, quantity=repayment.quantity, by=supervisor)
    loan.refresh_from_db()
    assert (loan.repaid_quantity, loan.status) == (40, Loan.Status.SETTLED)
    with refused(match="melebihi sisa pinjaman"):
        services.repay_loan(loan=loan, quantity=1, by=other_supervisor)


def test_a_cancelled_repayment_goes_back_to_the_borrower_and_is_owed_again(
    shipment, other_office, other_supervisor, supervisor
):
    services.confirm_receipt(shipment=shipment, quantity=40, by=other_supervisor)
    loan = shipment.loan
    services.repay_loan(loan=loan, quantity=40, by=other_supervisor)
    repayment = loan.shipments.get(kind=Shipment.Kind.REPAYMENT)
    services.cancel_shipment(shipment=repayment, by=supervisor)
    assert balances(other_office) == (40, 0)
    again = services.repay_loan(loan=loan, quantity=40, by=other_supervisor)  # owed again
    assert (again.reason, again.quantity) == (Reason.REPAYMENT_OUT, 40)
    assert balances(other_office) == (0, 40)
    loan.refresh_from_db()
    assert (loan.repaid_quantity, loan.status) == (0, Loan.Status.OPEN)


def test_repaying_an_office_loan_not_yet_received_is_refused(shipment, other_supervisor):
    with refused(match=r"melebihi sisa pinjaman \(0\)"):
        services.repay_loan(loan=shipment.loan, quantity=1, by=other_supervisor)


def test_the_lender_office_does_not_record_the_repayment(shipment, supervisor, other_supervisor):
    services.confirm_receipt(shipment=shipment, quantity=40, by=other_supervisor)
    with refused(PermissionDenied):
        services.repay_loan(loan=shipment.loan, quantity=1, by=supervisor)


def test_loans_with_two_partners_are_kept_apart(stocked, supervisor):
    services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=5,
                             reference="a", by=supervisor)
    services.lend_to_partner(office=stocked, partner_code=PARTNER_KARIMUN, quantity=7,
                             reference="b", by=supervisor)
    assert [(row.partner, row.quantity) for row in selectors.outstanding_loans(office=stocked)] \
        == [("Disdukcapil Kabupaten Bintan", 5), ("Disdukcapil Kabupaten Karimun", 7)]


def test_a_receipt_cannot_be_dated_before_the_shipment_was_sent(
    office, other_office, supervisor, other_supervisor, receive
):
    stocked = office
    receive(office, 100, occurred_on=previous_month_day(1))
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor,
                                   occurred_on=previous_month_day(10))
    with refused(match="sebelum tanggal kirim"):
        services.confirm_receipt(shipment=loan.shipments.get(), quantity=5,
                                 by=other_supervisor, occurred_on=previous_month_day(9))
    received = services.confirm_receipt(shipment=loan.shipments.get(), quantity=5,
                                        by=other_supervisor, occurred_on=previous_month_day(10))
    assert received.occurred_on == previous_month_day(10)
    transit = selectors.balance_as_of(office=stocked, day=previous_month_day(9), kind="transit")
    assert transit == 0


def test_a_repayment_cannot_be_dated_before_the_loan(office, supervisor):
    loan = services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN, quantity=5,
                                        reference="470/1", by=supervisor,
                                        occurred_on=previous_month_day(10))
    with refused(match="sebelum tanggal pinjaman"):
        services.repay_loan(loan=loan, quantity=5, by=supervisor,
                            occurred_on=previous_month_day(9))


def test_a_loan_letter_number_is_stored_normalised(office, supervisor):
    loan = services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN, quantity=5,
                                        reference="\u200b470\uff0f\uff12\uff11\uff15 ",
                                        by=supervisor)
    assert loan.reference == "470/215"
    repayment = services.repay_loan(loan=loan, quantity=1, by=supervisor,
                                    reference="\u2066470/216\u2069")
    assert repayment.reference == "470/216"


def test_a_loan_may_carry_a_due_date(office, other_office, supervisor, receive):
    stocked = office
    receive(office, 100, occurred_on=previous_month_day(1))
    lent = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor,
                                   occurred_on=previous_month_day(10),
                                   due_on=previous_month_day(20))
    borrowed = services.borrow_from_partner(office=stocked, partner_code=PARTNER_BINTAN,
                                            quantity=5, reference="470/2", by=supervisor,
                                            occurred_on=previous_month_day(10),
                                            due_on=previous_month_day(10))
    assert (lent.due_on, borrowed.due_on) == (previous_month_day(20), previous_month_day(10))
    assert Loan.objects.get(pk=lent.pk).due_on == previous_month_day(20)


@pytest.mark.parametrize("lend", [True, False])
def test_a_due_date_before_the_loan_is_refused_and_nothing_written(
    stocked, other_office, supervisor, lend
):
    day, due = previous_month_day(10), previous_month_day(9)
    with refused(match="Jatuh tempo .* sebelum tanggal pinjaman"):
        if lend:
            services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                    reference="470/1", by=supervisor, occurred_on=day,
                                    due_on=due)
        else:
            services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=5,
                                     reference="470/1", by=supervisor, occurred_on=day,
                                     due_on=due)
    assert not Loan.objects.exists()
    assert not Shipment.objects.exists()
    assert selectors.stock_on_hand(office=stocked) == 100


def test_owed_on_loans_due_counts_what_left_the_store_and_what_came_back(
    office, other_office, supervisor, other_supervisor, receive
):
    stocked = office
    receive(office, 100, occurred_on=previous_month_day(1))
    opened, due = previous_month_day(5), previous_month_day(20)
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=40,
                                   reference="470/1", by=supervisor, occurred_on=opened,
                                   due_on=due)
    services.borrow_from_partner(office=other_office, partner_code=PARTNER_BINTAN,
                                 quantity=7, reference="470/2", by=other_supervisor,
                                 occurred_on=opened)  # no due date: never counted
    ids = [stocked.pk, other_office.pk]

    def owed(as_of, due_by=due):
        return selectors.owed_on_loans_due(office_ids=ids, as_of=as_of, due_by=due_by)

    # On its way, it is supply to come (incoming_by_office) and owed already.
    assert owed(opened) == {stocked.pk: 0, other_office.pk: 40}
    assert owed(previous_month_day(4)) == {stocked.pk: 0, other_office.pk: 0}  # not yet lent
    services.confirm_receipt(shipment=loan.shipments.get(), quantity=40, by=other_supervisor,
                             occurred_on=previous_month_day(6))
    services.repay_loan(loan=loan, quantity=15, by=other_supervisor,
                        occurred_on=previous_month_day(8))
    repayment = loan.shipments.get(kind=Shipment.Kind.REPAYMENT)
    assert owed(previous_month_day(6)) == {stocked.pk: 0, other_office.pk: 40}
    assert owed(previous_month_day(8)) == {stocked.pk: 0, other_office.pk: 25}
    assert owed(previous_month_day(8), due_by=previous_month_day(19))[other_office.pk] == 0
    services.cancel_shipment(shipment=repayment, by=other_supervisor)
    assert owed(timezone.localdate())[other_office.pk] == 40


def test_owed_on_loans_due_takes_one_due_date_per_office(
    office, other_office, supervisor, other_supervisor, receive
):
    stocked = office
    receive(office, 100, occurred_on=previous_month_day(1))
    services.lend_to_office(lender=stocked, borrower=other_office, quantity=10,
                            reference="470/1", by=supervisor,
                            occurred_on=previous_month_day(5), due_on=previous_month_day(20))
    services.borrow_from_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=7,
                                 reference="470/2", by=supervisor,
                                 occurred_on=previous_month_day(5),
                                 due_on=previous_month_day(25))
    day = previous_month_day(28)
    both = {stocked.pk: previous_month_day(25), other_office.pk: previous_month_day(20)}
    assert selectors.owed_on_loans_due(office_ids=list(both), as_of=day, due_by=both) == {
        stocked.pk: 7, other_office.pk: 10}
    early = {stocked.pk: previous_month_day(24), other_office.pk: previous_month_day(20)}
    assert selectors.owed_on_loans_due(office_ids=list(early), as_of=day, due_by=early) == {
        stocked.pk: 0, other_office.pk: 10}
    # An office without a date in the mapping owes nothing by it.
    assert selectors.owed_on_loans_due(office_ids=list(both), as_of=day,
                                       due_by={stocked.pk: previous_month_day(25)}) == {
        stocked.pk: 7, other_office.pk: 0}


# --- Review findings: letters, replays, the borrower's closed books ------------------------


def test_a_repayment_travels_under_its_own_letter_to_the_lenders_books(
    shipment, other_supervisor, supervisor
):
    services.confirm_receipt(shipment=shipment, quantity=40, by=other_supervisor)
    services.repay_loan(loan=shipment.loan, quantity=10, by=other_supervisor,
                        reference="470/402/KEMBALI")
    repayment = shipment.loan.shipments.get(kind=Shipment.Kind.REPAYMENT)
    assert (repayment.reference, repayment.letter) == ("470/402/KEMBALI", "470/402/KEMBALI")
    receipt = services.confirm_receipt(shipment=repayment, quantity=10, by=supervisor)
    assert receipt.reference == "470/402/KEMBALI"
    assert shipment.letter == shipment.loan.reference


@pytest.mark.parametrize("reference", ["ОТСЫЛКА/1", "\ufdfa" * 100, "ab\u0301c/1"])
def test_a_repayment_letter_is_checked_like_every_document_number(
    office, supervisor, reference
):
    loan = services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN, quantity=5,
                                        reference="470/1", by=supervisor)
    with refused(match="Nomor surat pengembalian"):
        services.repay_loan(loan=loan, quantity=1, by=supervisor, reference=reference)
    loan.refresh_from_db()
    assert loan.repaid_quantity == 0


@pytest.mark.parametrize("changed", [{"due_on": "later"}, {"note": "lain"}])
def test_a_loan_form_resubmitted_with_other_terms_is_refused(
    stocked, other_office, supervisor, changed
):
    from blanko.exceptions import IdempotencyConflict

    terms = {"lender": stocked, "borrower": other_office, "quantity": 5, "reference": "470/1",
             "by": supervisor, "due_on": timezone.localdate() + datetime.timedelta(days=30),
             "note": "",
             "idempotency_key": "form-1"}
    first = services.lend_to_office(**terms)
    assert services.lend_to_office(**terms) == first  # the same form twice: one loan
    if "due_on" in changed:
        terms["due_on"] = None
    else:
        terms["note"] = changed["note"]
    with pytest.raises(IdempotencyConflict):
        services.lend_to_office(**terms)
    assert Loan.objects.count() == 1


def test_lending_into_the_borrowers_closed_month_is_refused(
    office, other_office, supervisor, receive
):
    from blanko.models import MonthClose

    receive(office, 100, occurred_on=previous_month_day(1))
    MonthClose.objects.create(office=other_office, month=previous_month_day(1),
                              closed_by=supervisor)
    with refused(match="sudah ditutup untuk"):
        services.lend_to_office(lender=office, borrower=other_office, quantity=5,
                                reference="470/1", by=supervisor,
                                occurred_on=previous_month_day(10))
    assert not Loan.objects.exists()
