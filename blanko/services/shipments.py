"""Shipments between two SiBlanko offices: received, or cancelled while in transit.

A shipment is a loan or its repayment (blanko.services.loans), or a dispatch from
Ditjen's central store answering a request for blanks (blanko.services.supply). The
blanks wait in the sender's TRANSIT until the receiver confirms receipt, possibly in
parts; what is left may be cancelled back into the sender's store.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blanko.access import ensure_permission, has_permission
from blanko.exceptions import IdempotencyConflict
from blanko.formatting import number
from blanko.models import BlankRequest, Loan, Location, Movement, Shipment
from blanko.services.checks import clean_line, is_replay, validate_quantity
from blanko.services.loans import PERM, refresh_loan_status
from blanko.services.locks import lock_stock
from blanko.services.offices import office_location
from blanko.services.posting import post_movement, validate_business_date
from blanko.services.supply import (
    PERM_ALLOCATE,
    event_time,
    lock_request,
    record_event,
    settle_status,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason
Kind = Location.Kind
# Receiving Ditjen's blanks is a receipt like receive_allocation's, not a loan.
PERM_RECEIVE = "blanko.receive_blank"


def _is_dispatch(shipment: Shipment) -> bool:
    return shipment.kind == Shipment.Kind.DISPATCH


def _receipt_day(shipment: Shipment, occurred_on: datetime.date | None) -> datetime.date:
    """The date of a receipt: the general date rules, and not before the shipment left."""
    day = validate_business_date(occurred_on, offices=[], check_closed=False)
    if day < shipment.sent_on:
        raise ValidationError(
            {"occurred_on": _("Tanggal terima tidak boleh sebelum tanggal kirim (%(sent)s).")
             % {"sent": f"{shipment.sent_on:%d/%m/%Y}"}},
            code="before_sent",
        )
    return day


def _refuse_receipt(shipment: Shipment, quantity: int) -> None:
    """Refuses a receipt of a closed shipment, or of more than is still on its way."""
    if shipment.status != Shipment.Status.IN_TRANSIT:
        raise ValidationError(_("Pengiriman ini sudah selesai atau dibatalkan."),
                              code="closed")
    if quantity > shipment.remaining:
        raise ValidationError(
            {"quantity": _("Jumlah diterima (%(quantity)s) melebihi yang masih dalam "
                           "perjalanan (%(remaining)s).")
             % {"quantity": number(quantity), "remaining": number(shipment.remaining)}},
            code="more_than_sent",
        )


def _count_receipt(shipment: Shipment, quantity: int) -> None:
    """Counts a receipt on the locked shipment."""
    shipment.received_quantity += quantity
    if shipment.remaining == 0:
        shipment.status = Shipment.Status.RECEIVED
    shipment.save(update_fields=["received_quantity", "status"])


def _book_loan_receipt(shipment: Shipment, loan: Loan, quantity: int) -> None:
    """Counts a receipt on the locked shipment and loan."""
    _count_receipt(shipment, quantity)
    if shipment.kind == Shipment.Kind.LOAN:
        loan.delivered_quantity += quantity
    else:
        loan.repaid_quantity += quantity
    loan.save(update_fields=["delivered_quantity", "repaid_quantity"])
    refresh_loan_status(loan)


def _book_dispatch_receipt(shipment: Shipment, blank_request: BlankRequest, quantity: int,
                           *, by: AbstractUser, day: datetime.date) -> None:
    """Counts a receipt on the locked shipment and request, with the request's event."""
    _count_receipt(shipment, quantity)
    before = blank_request.status
    blank_request.received_quantity += quantity
    settle_status(blank_request)
    blank_request.save(update_fields=["received_quantity", "status"])
    record_event(blank_request, from_status=before, by=by, quantity=quantity,
                 note=_("Diterima dari kiriman BAST %(number)s.") % {"number": shipment.letter},
                 at=event_time(day))


def _replayed(post: dict[str, Any], shipment: Shipment) -> Movement:
    """The movement already posted under the key, which must belong to the same loan or
    request as the shipment."""
    movement = post_movement(**post)
    if (movement.loan_id, movement.blank_request_id) != (shipment.loan_id,
                                                         shipment.blank_request_id):
        raise IdempotencyConflict()
    return movement


def confirm_receipt(
    *, shipment: Shipment, quantity: int, by: AbstractUser,
    occurred_on: datetime.date | None = None, idempotency_key: str | None = None,
) -> Movement:
    """The receiver confirms that some or all of a shipment has arrived.

    A dispatch from the central store arrives as a receipt from Ditjen
    (RECEIPT_DITJEN), so that the monthly report counts it with the deliveries
    recorded directly; its request counts it too.
    """
    dispatch = _is_dispatch(shipment)
    ensure_permission(by, PERM_RECEIVE if dispatch else PERM, shipment.receiver)
    validate_quantity(quantity)
    day = _receipt_day(shipment, occurred_on)
    if dispatch:
        reason = Reason.RECEIPT_DITJEN
    else:
        reason = Reason.LOAN_IN if shipment.kind == Shipment.Kind.LOAN else Reason.REPAYMENT_IN
    post = {
        "from_location": office_location(shipment.sender, Kind.TRANSIT),
        "to_location": office_location(shipment.receiver, Kind.STOCK), "quantity": quantity,
        "reason": reason, "by": by, "occurred_on": occurred_on,
        "reference": shipment.letter, "idempotency_key": idempotency_key,
    }
    if dispatch:
        # Part of the posting's fingerprint: a replay must name it too.
        post["blank_request"] = shipment.blank_request
    if is_replay(idempotency_key):
        return _replayed(post, shipment)
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        # Requests with the same key queue on the shipment lock: the later ones replay.
        if is_replay(idempotency_key):
            return _replayed(post, shipment)
        _refuse_receipt(shipment, quantity)
        if dispatch:
            blank_request = lock_request(shipment.blank_request)
            movement = post_movement(**post)
            _book_dispatch_receipt(shipment, blank_request, quantity, by=by, day=day)
        else:
            loan = Loan.objects.select_for_update().get(pk=shipment.loan_id)
            movement = post_movement(**post, loan=loan)
            _book_loan_receipt(shipment, loan, quantity)
    return movement


def _ensure_may_cancel(shipment: Shipment, by: AbstractUser) -> None:
    """A loan's shipment: either side. A dispatch: Ditjen's allocator, who sent it."""
    if _is_dispatch(shipment):
        ensure_permission(by, PERM_ALLOCATE, shipment.sender)
    elif not (has_permission(by, PERM, shipment.sender)
              or has_permission(by, PERM, shipment.receiver)):
        ensure_permission(by, PERM, shipment.sender)


def cancel_shipment(*, shipment: Shipment, by: AbstractUser, reason: str = "") -> Movement:
    """Cancels what is still in transit; it returns to the sender's store.

    A dispatch's cancelled blanks are again allocated and not yet dispatched: the
    request's dispatched quantity goes down, and they may be dispatched again.
    """
    _ensure_may_cancel(shipment, by)
    reason = clean_line(reason, field="reason", label=_("Alasan"))
    dispatch = _is_dispatch(shipment)
    # Durable: only views call it, never inside a transaction of their own.
    with transaction.atomic(durable=True):
        if dispatch:
            # The central store's lock first, as dispatch_blanks takes it (supply's order).
            lock_stock(office=shipment.sender)
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if shipment.status != Shipment.Status.IN_TRANSIT or shipment.remaining == 0:
            raise ValidationError(_("Tidak ada blanko dalam perjalanan untuk dibatalkan."),
                                  code="closed")
        remaining = shipment.remaining
        post = {
            "from_location": office_location(shipment.sender, Kind.TRANSIT),
            "to_location": office_location(shipment.sender, Kind.STOCK), "quantity": remaining,
            "reason": Reason.TRANSIT_CANCEL, "by": by, "reference": shipment.letter,
            "note": reason,
        }
        if dispatch:
            blank_request = lock_request(shipment.blank_request)
            movement = post_movement(**post, blank_request=blank_request)
        else:
            loan = Loan.objects.select_for_update().get(pk=shipment.loan_id)
            movement = post_movement(**post, loan=loan)
        shipment.cancelled_quantity += remaining
        shipment.status = (
            Shipment.Status.RECEIVED if shipment.received_quantity else Shipment.Status.CANCELLED
        )
        shipment.save(update_fields=["cancelled_quantity", "status"])
        if dispatch:
            before = blank_request.status
            blank_request.dispatched_quantity -= remaining
            settle_status(blank_request)
            blank_request.save(update_fields=["dispatched_quantity", "status"])
            record_event(blank_request, from_status=before, by=by, quantity=remaining,
                         note=(_("Kiriman BAST %(number)s dibatalkan. %(reason)s")
                               % {"number": shipment.letter, "reason": reason}).strip())
        else:
            refresh_loan_status(loan)
    return movement
