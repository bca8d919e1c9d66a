"""Loans of blanks between kab/kota offices.

With a partner outside SiBlanko only our side is recorded, against its PARTNER
location. Between two SiBlanko offices the blanks travel as a Shipment through
the sender's TRANSIT location until the receiver confirms receipt.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.exceptions import IdempotencyConflict
from blanko.formatting import number
from blanko.models import Loan, Location, Movement, Office, Shipment
from blanko.services.checks import (
    clean_note,
    is_replay,
    validate_quantity,
    validate_reference,
)
from blanko.services.offices import office_location, partner_location
from blanko.services.posting import post_movement, validate_business_date
from blanko.text import normalise_reference

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason
Kind = Location.Kind
PERM = "blanko.manage_loan"


def _validate_due(due_on: datetime.date | None, *, opened_on: datetime.date) -> None:
    """A due date, when given, is not before the loan opens (the loan_due_after_opened
    constraint, said in words before the database has to)."""
    if due_on is not None and due_on < opened_on:
        raise ValidationError(
            {"due_on": _("Jatuh tempo (%(due)s) tidak boleh sebelum tanggal pinjaman "
                         "(%(opened)s).") % {"due": f"{due_on:%d/%m/%Y}",
                                             "opened": f"{opened_on:%d/%m/%Y}"}},
            code="due_before_opened",
        )


def _same_loan(loan: Loan | None, *, due_on: datetime.date | None, note: str) -> Loan:
    """The loan an idempotency key already opened, if the resubmitted form asked for the
    same loan: the movement's fingerprint does not hold the loan's due date nor (between
    offices) its note, so they are compared here. Another loan under the key is refused."""
    if loan is None or loan.due_on != due_on or loan.note != note:
        raise IdempotencyConflict()
    return loan


def set_loan_due_date(*, loan: Loan, due_on: datetime.date | None, by: AbstractUser) -> Loan:
    """Changes or clears an open loan's due date.

    The office that opened the loan decides it: the lender, or the borrower when the
    lender is outside SiBlanko (a borrower in SiBlanko sees the date, and the lender's
    letter is what it follows).
    """
    ensure_permission(by, PERM, loan.lender_office or loan.borrower_office)
    if due_on is not None and (not isinstance(due_on, datetime.date)
                               or isinstance(due_on, datetime.datetime)):
        raise ValidationError({"due_on": _("Tanggal tidak valid.")}, code="invalid")
    _validate_due(due_on, opened_on=loan.opened_on)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.OPEN:
            raise ValidationError(
                _("Pinjaman ini sudah lunas atau dibatalkan; jatuh temponya tidak dapat "
                  "diubah."), code="closed")
        if loan.due_on != due_on:
            loan.due_on = due_on
            loan.save(update_fields=["due_on"])
    return loan


# Atomic as a whole: a refused call leaves no new PARTNER location behind. Durable:
# borrow_from_partner and lend_to_partner are called by views (the loan pages, the
# admin's form), never inside a transaction of the caller's, so the loan has committed
# when they return.
@transaction.atomic(durable=True)
def _open_partner_loan(
    *, office: Office, partner_code: str, quantity: int, reference: str, by: AbstractUser,
    borrowing: bool, occurred_on: datetime.date | None, note: str, idempotency_key: str | None,
    due_on: datetime.date | None,
) -> Loan:
    ensure_permission(by, PERM, office)
    partner = partner_location(partner_code)
    reference = validate_reference(reference, label=_("Nomor surat pinjaman"))
    note = clean_note(note)
    stock = office_location(office, Kind.STOCK)
    post = {
        "from_location": partner if borrowing else stock,
        "to_location": stock if borrowing else partner,
        "quantity": quantity, "reason": Reason.LOAN_IN if borrowing else Reason.LOAN_OUT,
        "by": by, "occurred_on": occurred_on, "reference": reference, "note": note,
        "idempotency_key": idempotency_key,
    }
    if is_replay(idempotency_key):
        return _same_loan(post_movement(**post).loan, due_on=due_on, note=note)
    validate_quantity(quantity)
    day = validate_business_date(occurred_on, offices=[office])
    _validate_due(due_on, opened_on=day)
    with transaction.atomic():
        loan = Loan.objects.create(
            lender_partner=partner if borrowing else None,
            lender_office=None if borrowing else office,
            borrower_office=office if borrowing else None,
            borrower_partner=None if borrowing else partner,
            quantity=quantity, delivered_quantity=quantity, reference=reference,
            opened_on=day, due_on=due_on, note=note, created_by=by,
        )
        movement = post_movement(**post, loan=loan)
        if movement.replayed:
            # A concurrent request with the same key came first: drop our loan row.
            transaction.set_rollback(True)
    if movement.replayed:
        return _same_loan(Loan.objects.get(pk=movement.loan_id), due_on=due_on, note=note)
    return loan


def borrow_from_partner(
    *, office: Office, partner_code: str, quantity: int, reference: str, by: AbstractUser,
    occurred_on: datetime.date | None = None, note: str = "", idempotency_key: str | None = None,
    due_on: datetime.date | None = None,
) -> Loan:
    """Records blanks borrowed from a kab/kota that does not use SiBlanko."""
    return _open_partner_loan(
        office=office, partner_code=partner_code, quantity=quantity, reference=reference,
        by=by, borrowing=True, occurred_on=occurred_on, note=note,
        idempotency_key=idempotency_key, due_on=due_on,
    )


def lend_to_partner(
    *, office: Office, partner_code: str, quantity: int, reference: str, by: AbstractUser,
    occurred_on: datetime.date | None = None, note: str = "", idempotency_key: str | None = None,
    due_on: datetime.date | None = None,
) -> Loan:
    """Records blanks lent to a kab/kota that does not use SiBlanko."""
    return _open_partner_loan(
        office=office, partner_code=partner_code, quantity=quantity, reference=reference,
        by=by, borrowing=False, occurred_on=occurred_on, note=note,
        idempotency_key=idempotency_key, due_on=due_on,
    )


def _send_posting(*, kind: str, sender: Office, quantity: int, by: AbstractUser,
                  occurred_on: datetime.date | None, reference: str,
                  idempotency_key: str | None) -> dict[str, Any]:
    """The post_movement arguments that put a shipment into the sender's TRANSIT."""
    return {
        "from_location": office_location(sender, Kind.STOCK),
        "to_location": office_location(sender, Kind.TRANSIT), "quantity": quantity,
        "reason": Reason.LOAN_OUT if kind == Shipment.Kind.LOAN else Reason.REPAYMENT_OUT,
        "by": by, "occurred_on": occurred_on, "reference": reference,
        "idempotency_key": idempotency_key,
    }


def _send(*, loan: Loan, kind: str, receiver: Office, post: dict[str, Any]) -> Movement:
    """Posts a shipment. A replayed movement (see post_movement) gets no new Shipment."""
    movement = post_movement(**post, loan=loan)
    if not movement.replayed:
        Shipment.objects.create(
            loan=loan, kind=kind, sender=post["from_location"].office, receiver=receiver,
            quantity=movement.quantity, sent_on=movement.occurred_on,
            reference=movement.reference,
        )
    return movement


def _replayed_loan_movement(post: dict[str, Any], loan: Loan) -> Movement:
    """The movement already posted under the key, which must belong to the same loan."""
    movement = post_movement(**post)
    if movement.loan_id != loan.pk:
        raise IdempotencyConflict()
    return movement


def lend_to_office(
    *, lender: Office, borrower: Office, quantity: int, reference: str, by: AbstractUser,
    occurred_on: datetime.date | None = None, note: str = "", idempotency_key: str | None = None,
    due_on: datetime.date | None = None,
) -> Loan:
    """Sends blanks on loan to another SiBlanko office; they wait in TRANSIT."""
    ensure_permission(by, PERM, lender)
    if lender.pk == borrower.pk:
        raise ValidationError(
            {"borrower": _("Kantor peminjam harus berbeda dari pemberi pinjaman.")})
    reference = validate_reference(reference, label=_("Nomor surat pinjaman"))
    note = clean_note(note)
    post = _send_posting(kind=Shipment.Kind.LOAN, sender=lender, quantity=quantity, by=by,
                         occurred_on=occurred_on, reference=reference,
                         idempotency_key=idempotency_key)
    if is_replay(idempotency_key):
        loan = _same_loan(post_movement(**post).loan, due_on=due_on, note=note)
        if loan.borrower_office_id != borrower.pk:
            raise IdempotencyConflict()
        return loan
    validate_quantity(quantity)
    # The borrower's books too: the blanks are on their way to it from this date.
    day = validate_business_date(occurred_on, offices=[lender, borrower])
    _validate_due(due_on, opened_on=day)
    with transaction.atomic():
        loan = Loan.objects.create(
            lender_office=lender, borrower_office=borrower, quantity=quantity,
            reference=reference, opened_on=day, due_on=due_on, created_by=by, note=note,
        )
        movement = _send(loan=loan, kind=Shipment.Kind.LOAN, receiver=borrower, post=post)
        if movement.replayed:
            # A concurrent request with the same key came first: drop our loan row.
            transaction.set_rollback(True)
    if movement.replayed:
        loan = _same_loan(Loan.objects.get(pk=movement.loan_id), due_on=due_on, note=note)
        if loan.borrower_office_id != borrower.pk:
            raise IdempotencyConflict()
    return loan


def refresh_loan_status(loan: Loan) -> None:
    in_transit = loan.shipments.filter(status=Shipment.Status.IN_TRANSIT).exists()
    if in_transit:
        status = Loan.Status.OPEN
    elif loan.delivered_quantity == 0:
        status = Loan.Status.CANCELLED
    elif loan.repaid_quantity >= loan.delivered_quantity:
        status = Loan.Status.SETTLED
    else:
        status = Loan.Status.OPEN
    if status != loan.status:
        loan.status = status
        loan.save(update_fields=["status"])


def _repayment_posting(*, loan: Loan, office: Office, quantity: int, by: AbstractUser,
                       reference: str, occurred_on: datetime.date | None,
                       idempotency_key: str | None) -> dict[str, Any]:
    """The post_movement arguments of a repayment recorded by `office`."""
    if loan.borrower_office and loan.lender_office:
        post = _send_posting(kind=Shipment.Kind.REPAYMENT, sender=office, quantity=quantity,
                             by=by, occurred_on=occurred_on, reference=reference,
                             idempotency_key=idempotency_key)
    elif loan.borrower_office:
        post = {"from_location": office_location(office, Kind.STOCK),
                "to_location": loan.lender_partner, "reason": Reason.REPAYMENT_OUT}
    else:
        post = {"from_location": loan.borrower_partner,
                "to_location": office_location(office, Kind.STOCK),
                "reason": Reason.REPAYMENT_IN}
    post.update(quantity=quantity, by=by, occurred_on=occurred_on, reference=reference,
                idempotency_key=idempotency_key)
    return post


def _refuse_overpayment(loan: Loan, quantity: int) -> None:
    """Refuses to pay back more than is owed, counting repayments still on their way."""
    in_transit = loan.shipments.filter(
        kind=Shipment.Kind.REPAYMENT, status=Shipment.Status.IN_TRANSIT
    ).aggregate(
        total=Sum("quantity") - Sum("received_quantity") - Sum("cancelled_quantity")
    )["total"] or 0
    owed = loan.delivered_quantity - loan.repaid_quantity - in_transit
    if quantity > owed:
        raise ValidationError(
            {"quantity": _("Jumlah pengembalian (%(quantity)s) melebihi sisa pinjaman "
                           "(%(owed)s).") % {"quantity": number(quantity), "owed": number(owed)}},
            code="more_than_owed",
        )


def repay_loan(
    *, loan: Loan, quantity: int, by: AbstractUser, reference: str = "",
    occurred_on: datetime.date | None = None, idempotency_key: str | None = None,
) -> Movement:
    """Pays blanks back. Between two SiBlanko offices the repayment travels in TRANSIT."""
    # The side that records the repayment: the borrower, unless the borrower is outside.
    office = loan.borrower_office or loan.lender_office
    ensure_permission(by, PERM, office)
    post = _repayment_posting(
        loan=loan, office=office, quantity=quantity, by=by,
        reference=(validate_reference(reference, label=_("Nomor surat pengembalian"))
                   if normalise_reference(reference) else loan.reference),
        occurred_on=occurred_on,
        idempotency_key=idempotency_key)
    if is_replay(idempotency_key):
        return _replayed_loan_movement(post, loan)
    validate_quantity(quantity)
    day = validate_business_date(occurred_on, offices=[office])
    if day < loan.opened_on:
        raise ValidationError(
            {"occurred_on": _("Tanggal pengembalian tidak boleh sebelum tanggal pinjaman "
                              "(%(opened)s).") % {"opened": f"{loan.opened_on:%d/%m/%Y}"}},
            code="before_loan",
        )
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        # Requests with the same key queue on the loan lock: the later ones replay.
        if is_replay(idempotency_key):
            return _replayed_loan_movement(post, loan)
        _refuse_overpayment(loan, quantity)
        if loan.borrower_office and loan.lender_office:
            return _send(loan=loan, kind=Shipment.Kind.REPAYMENT, receiver=loan.lender_office,
                         post=post)
        movement = post_movement(**post, loan=loan)
        loan.repaid_quantity += quantity
        loan.save(update_fields=["repaid_quantity"])
        refresh_loan_status(loan)
    return movement
