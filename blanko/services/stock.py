"""Receiving, drawing, spoiling, destroying and counting blanks."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.formatting import number
from blanko.models import (
    MAX_QUANTITY,
    Balance,
    Delivery,
    Destruction,
    Location,
    Movement,
    Office,
    StockCount,
)
from blanko.selectors import balances_as_of
from blanko.services.cards import hold_movement
from blanko.services.checks import (
    clean_line,
    clean_note,
    duplicate_refused,
    is_replay,
    validate_cause,
    validate_quantity,
    validate_reference,
)
from blanko.services.offices import ditjen_source, office_location, province_source
from blanko.services.posting import post_movement, today, validate_business_date

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason
Kind = Location.Kind


def _post_with_document(post: dict[str, Any], *, taken: Callable[[], bool],
                        duplicate: ValidationError,
                        record: Callable[[Movement], object]) -> Movement:
    """Posts a movement that carries a document number unique in its scope (a BAST per
    source, a berita acara per office); `record` writes the row holding the number.

    A replayed submission is answered with its movement before the number is checked:
    the number is taken, by that submission itself.
    """
    key = post["idempotency_key"]
    if is_replay(key):
        return post_movement(**post)
    validate_quantity(post["quantity"])
    if taken():
        if is_replay(key):  # the first request committed meanwhile
            return post_movement(**post)
        raise duplicate
    with duplicate_refused(taken, duplicate), transaction.atomic():
        movement = post_movement(**post)
        if not movement.replayed:  # else a concurrent request with the same key came first
            record(movement)
    return movement


def _receive(
    *, office: Office, source: Location, reason: str, quantity: int, reference: str,
    by: AbstractUser, occurred_on: datetime.date | None, idempotency_key: str | None,
    serial_start: str, serial_end: str, note: str,
) -> Movement:
    ensure_permission(by, "blanko.receive_blank", office)
    reference = validate_reference(reference, label=_("Nomor BAST"))
    serial_start = clean_line(serial_start, field="serial_start", label=_("Nomor seri"),
                              max_length=40)
    serial_end = clean_line(serial_end, field="serial_end", label=_("Nomor seri"),
                            max_length=40)
    note = clean_note(note)

    def record(movement: Movement) -> None:
        Delivery.objects.create(
            office=office, source=source, bast_number=reference,
            received_on=movement.occurred_on, quantity=quantity, serial_start=serial_start,
            serial_end=serial_end, note=note, movement=movement,
        )

    return _post_with_document(
        {"from_location": source, "to_location": office_location(office, Kind.STOCK),
         "quantity": quantity, "reason": reason, "by": by, "occurred_on": occurred_on,
         "reference": reference, "note": note, "idempotency_key": idempotency_key},
        taken=lambda: Delivery.objects.filter(source=source,
                                              bast_number__iexact=reference).exists(),
        duplicate=ValidationError(
            {"reference": _("Nomor BAST %(number)s sudah pernah dicatat untuk %(source)s.")
             % {"number": reference, "source": source.name}},
            code="duplicate_bast",
        ),
        record=record,
    )


# Receipts and partner loans are atomic as a whole: the source or partner location
# they may create on first use is not left behind by a refused call.
@transaction.atomic
def receive_allocation(
    *, office: Office, quantity: int, reference: str, by: AbstractUser,
    occurred_on: datetime.date | None = None, idempotency_key: str | None = None,
    serial_start: str = "", serial_end: str = "", note: str = "",
) -> Movement:
    """Receives blanks from Ditjen Dukcapil under a BAST number."""
    return _receive(
        office=office, source=ditjen_source(), reason=Reason.RECEIPT_DITJEN, quantity=quantity,
        reference=reference, by=by, occurred_on=occurred_on, idempotency_key=idempotency_key,
        serial_start=serial_start, serial_end=serial_end, note=note,
    )


@transaction.atomic
def receive_from_province(
    *, office: Office, quantity: int, reference: str, by: AbstractUser,
    province_code: str | None = None, occurred_on: datetime.date | None = None,
    idempotency_key: str | None = None, serial_start: str = "", serial_end: str = "",
    note: str = "",
) -> Movement:
    """Receives blanks from a province (by default the office's own)."""
    return _receive(
        office=office, source=province_source(province_code or office.province_code),
        reason=Reason.RECEIPT_PROVINCE, quantity=quantity, reference=reference, by=by,
        occurred_on=occurred_on, idempotency_key=idempotency_key, serial_start=serial_start,
        serial_end=serial_end, note=note,
    )


def issue_blank(
    *, office: Office, by: AbstractUser, reference: str = "", idempotency_key: str | None = None,
    occurred_on: datetime.date | None = None, hold: bool = False,
) -> Movement:
    """Draws one blank from the store for a printed card.

    With `hold`, the draw is held in the same transaction (see blanko.services.cards):
    a record outside the ledger stands on it, so it is never reversed.
    Raises InsufficientStock when the store is empty.
    """
    ensure_permission(by, "blanko.issue_blank", office)
    post = {
        "from_location": office_location(office, Kind.STOCK),
        "to_location": office_location(office, Kind.ISSUED), "quantity": 1,
        "reason": Reason.ISSUE, "by": by, "reference": reference,
        "idempotency_key": idempotency_key, "occurred_on": occurred_on,
    }
    if not hold:
        return post_movement(**post)
    with transaction.atomic():
        movement = post_movement(**post)
        hold_movement(movement=movement)
    return movement


def spoil_blank(
    *, office: Office, by: AbstractUser, cause: str, reference: str = "", note: str = "",
    quantity: int = 1, idempotency_key: str | None = None,
    occurred_on: datetime.date | None = None,
) -> Movement:
    """Records blanks ruined while printing; they wait in SPOILED for destruction."""
    ensure_permission(by, "blanko.spoil_blank", office)
    return post_movement(
        from_location=office_location(office, Kind.STOCK),
        to_location=office_location(office, Kind.SPOILED), quantity=quantity,
        reason=Reason.SPOIL, cause=validate_cause(cause), by=by, reference=reference,
        note=clean_note(note), idempotency_key=idempotency_key, occurred_on=occurred_on,
    )


def destroy_spoiled(
    *, office: Office, quantity: int, number: str, by: AbstractUser,
    destroyed_on: datetime.date | None = None, witnesses: str = "", note: str = "",
    idempotency_key: str | None = None,
) -> Destruction:
    """Destroys a batch of spoiled blanks under one berita acara pemusnahan."""
    ensure_permission(by, "blanko.destroy_blank", office)
    number = validate_reference(number, label=_("Nomor berita acara"))
    note = clean_note(note)
    witnesses = clean_line(witnesses, field="witnesses", label=_("Saksi"))

    def record(movement: Movement) -> None:
        Destruction.objects.create(
            office=office, number=number, destroyed_on=movement.occurred_on,
            quantity=quantity, movement=movement, note=note, witnesses=witnesses,
        )

    return _post_with_document(
        {"from_location": office_location(office, Kind.SPOILED),
         "to_location": office_location(office, Kind.DESTROYED), "quantity": quantity,
         "reason": Reason.DESTROY, "by": by, "occurred_on": destroyed_on, "reference": number,
         "note": note, "idempotency_key": idempotency_key},
        taken=lambda: Destruction.objects.filter(office=office, number__iexact=number).exists(),
        duplicate=ValidationError(
            {"number": _("Berita acara nomor %(number)s sudah dipakai.") % {"number": number}},
            code="duplicate_number",
        ),
        record=record,
    ).destruction


def _validate_counted(counted_quantity: object) -> int:
    if isinstance(counted_quantity, bool) or not isinstance(counted_quantity, int):
        raise ValidationError(
            {"counted_quantity": _("Jumlah fisik harus berupa bilangan bulat.")})
    if not 0 <= counted_quantity <= MAX_QUANTITY:
        raise ValidationError(
            {"counted_quantity": _("Jumlah fisik harus antara 0 dan %(max)s.")
             % {"max": number(MAX_QUANTITY)}})
    return counted_quantity


def _counted_against(*, office: Office, stock: Location, day: datetime.date) -> int:
    """The ledger's count of the store that a count dated `day` is compared with, read
    under the store's lock (which close_month also takes)."""
    system = Balance.objects.select_for_update().get(location=stock).quantity
    # Checked under the lock: a count without a difference writes no movement, so
    # post_movement cannot check it.
    validate_business_date(day, offices=[office])
    if day < today():
        # A count describes the shelf at the end of its own day: compare it with
        # the ledger's count then (read under the lock), not with today's.
        system = balances_as_of(office_ids=[office.pk], day=day)[office.pk, stock.kind]
    return system


def record_stock_count(
    *, office: Office, counted_quantity: int, by: AbstractUser, reason: str = "",
    counted_on: datetime.date | None = None,
) -> StockCount:
    """Records a physical count; any difference goes to or from ADJUSTMENT."""
    ensure_permission(by, "blanko.count_stock", office)
    counted_quantity = _validate_counted(counted_quantity)
    reason = clean_line(reason, field="reason", label=_("Alasan"))
    day = validate_business_date(counted_on, offices=[office], check_closed=False)
    stock = office_location(office, Kind.STOCK)
    adjustment = office_location(office, Kind.ADJUSTMENT)
    with transaction.atomic():
        system = _counted_against(office=office, stock=stock, day=day)
        difference = counted_quantity - system
        if difference and not reason:
            raise ValidationError(
                {"reason": _("Ada selisih %(difference)s blanko; alasan wajib diisi.")
                 % {"difference": number(difference)}}
            )
        movement = None
        if difference:
            movement = post_movement(
                from_location=adjustment if difference > 0 else stock,
                to_location=stock if difference > 0 else adjustment,
                quantity=abs(difference), reason=Reason.ADJUSTMENT, by=by,
                occurred_on=day, reference="Stock opname", note=reason,
            )
        return StockCount.objects.create(
            office=office, counted_on=day,
            counted_quantity=counted_quantity, system_quantity=system, reason=reason,
            movement=movement, recorded_by=by,
        )
