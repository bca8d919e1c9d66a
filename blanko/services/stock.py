"""Receiving, drawing, spoiling, destroying and counting blanks."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.exceptions import IdempotencyConflict
from blanko.formatting import number
from blanko.models import (
    MAX_QUANTITY,
    Balance,
    Delivery,
    Destruction,
    Location,
    Movement,
    Office,
    Shipment,
    StockCount,
)
from blanko.selectors import counted_against
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
from blanko.services.offices import (
    DITJEN_CODE,
    ditjen_source,
    office_location,
    province_source,
)
from blanko.services.posting import post_movement, today, validate_business_date

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason
Kind = Location.Kind


def post_with_document(post: dict[str, Any], *, taken: Callable[[], bool],
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

    return post_with_document(
        {"from_location": source, "to_location": office_location(office, Kind.STOCK),
         "quantity": quantity, "reason": reason, "by": by, "occurred_on": occurred_on,
         "reference": reference, "note": note, "idempotency_key": idempotency_key},
        taken=lambda: (Delivery.objects.filter(source=source,
                                               bast_number__iexact=reference).exists()
                       or (source.code == DITJEN_CODE and ditjen_bast_taken(reference))),
        duplicate=ValidationError(
            {"reference": _("Nomor BAST %(number)s sudah pernah dicatat untuk %(source)s.")
             % {"number": reference, "source": source.name}},
            code="duplicate_bast",
        ),
        record=record,
    )


def ditjen_bast_taken(reference: str) -> bool:
    """Whether Ditjen's BAST number is used already: Ditjen numbers its handovers once,
    whether the blanks came straight to an office (a Delivery from Ditjen) or through the
    central store (a dispatch), so the same paper never brings blanks in twice."""
    return (Delivery.objects.filter(source__code=DITJEN_CODE,
                                    bast_number__iexact=reference).exists()
            or Shipment.objects.filter(kind=Shipment.Kind.DISPATCH,
                                       reference__iexact=reference).exists())


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

    return post_with_document(
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


def _checked_count(*, office: Office, counted_quantity: object, by: AbstractUser,
                   reason: str, counted_on: datetime.date | None
                   ) -> tuple[int, str, datetime.date]:
    """The checks of a count that need no lock: who, how many, why, which day."""
    ensure_permission(by, "blanko.count_stock", office)
    counted_quantity = _validate_counted(counted_quantity)
    reason = clean_line(reason, field="reason", label=_("Alasan"))
    day = validate_business_date(counted_on, offices=[office], check_closed=False)
    return counted_quantity, reason, day


def _counted_against(*, office: Office, day: datetime.date) -> int:
    """The ledger's count of the store that a count dated `day` is compared with
    (blanko.selectors.counted_against); the caller holds the store's lock, which
    close_month also takes, when the count is to be recorded."""
    # Checked here, not by post_movement: a count without a difference writes no movement.
    validate_business_date(day, offices=[office])
    return counted_against(office=office, day=day, today=today())


def _require_reason(difference: int, reason: str) -> None:
    if difference and not reason:
        raise ValidationError(
            {"reason": _("Ada selisih %(difference)s blanko; alasan wajib diisi.")
             % {"difference": number(difference)}}
        )


@dataclass(frozen=True)
class StockCountPreview:
    """What a count would record: the ledger's count it is compared with, and the
    adjustment (from, to, quantity) that the difference would post, if any."""

    counted_on: datetime.date
    counted_quantity: int
    system_quantity: int
    reason: str
    from_location: Location | None
    to_location: Location | None

    @property
    def difference(self) -> int:
        return self.counted_quantity - self.system_quantity


def _adjustment_route(office: Office, difference: int) -> tuple[Location | None, Location | None]:
    if not difference:
        return None, None
    stock = office_location(office, Kind.STOCK)
    adjustment = office_location(office, Kind.ADJUSTMENT)
    return (adjustment, stock) if difference > 0 else (stock, adjustment)


def preview_stock_count(
    *, office: Office, counted_quantity: int, by: AbstractUser, reason: str = "",
    counted_on: datetime.date | None = None,
) -> StockCountPreview:
    """What record_stock_count would record now, with the same checks; writes nothing.

    The ledger may move before the count is recorded: pass the preview's
    system_quantity to record_stock_count as expected_system_quantity, and a count
    whose difference has changed meanwhile is refused rather than posted unseen.
    """
    counted_quantity, reason, day = _checked_count(
        office=office, counted_quantity=counted_quantity, by=by, reason=reason,
        counted_on=counted_on)
    system = _counted_against(office=office, day=day)
    _require_reason(counted_quantity - system, reason)
    source, target = _adjustment_route(office, counted_quantity - system)
    return StockCountPreview(
        counted_on=day, counted_quantity=counted_quantity, system_quantity=system,
        reason=reason, from_location=source, to_location=target,
    )


def _earlier_submission(*, office: Office, idempotency_key: str | None,
                        counted_quantity: int, reason: str, day: datetime.date,
                        by: AbstractUser) -> StockCount | None:
    """The count that a resubmitted form (same idempotency key) recorded already.

    A count with a difference is found by its adjustment's key; the same key sent
    with another count (or for another action) is refused. Read under the store's
    lock: a concurrent first submission has committed by then.
    """
    if not idempotency_key:
        return None
    movement = (Movement.objects.filter(idempotency_key=idempotency_key)
                .select_related("stock_count").first())
    if movement is None:
        return None
    count = getattr(movement, "stock_count", None)
    if count is None or (count.office_id, count.counted_on, count.counted_quantity,
                         count.reason, count.recorded_by_id) != (
            office.pk, day, counted_quantity, reason, by.pk):
        raise IdempotencyConflict()
    return count


def _same_count_without_difference(*, office: Office, counted_quantity: int, reason: str,
                                   day: datetime.date, by: AbstractUser) -> StockCount | None:
    """A count without a difference posts no movement, and StockCount keeps no key: a
    resubmitted form is recognised as the identical count (same day, quantity, reason
    and recorder, no difference then nor now) already on record."""
    return (StockCount.objects.filter(
        office=office, counted_on=day, counted_quantity=counted_quantity,
        system_quantity=counted_quantity, movement__isnull=True, reason=reason,
        recorded_by=by,
    ).order_by("-id").first())


def record_stock_count(
    *, office: Office, counted_quantity: int, by: AbstractUser, reason: str = "",
    counted_on: datetime.date | None = None, expected_system_quantity: int | None = None,
    idempotency_key: str | None = None,
) -> StockCount:
    """Records a physical count; any difference goes to or from ADJUSTMENT.

    With `expected_system_quantity` (the preview the supervisor confirmed), a count
    is refused (code "system_changed") when the ledger's count it is compared with
    has changed since: the difference posted is always the one they saw. With
    `idempotency_key`, a form sent twice records one count and returns it twice.
    """
    counted_quantity, reason, day = _checked_count(
        office=office, counted_quantity=counted_quantity, by=by, reason=reason,
        counted_on=counted_on)
    stock = office_location(office, Kind.STOCK)
    with transaction.atomic():
        # The store's lock serialises the counts of an office (and close_month).
        Balance.objects.select_for_update().get(location=stock)
        earlier = _earlier_submission(office=office, idempotency_key=idempotency_key,
                                      counted_quantity=counted_quantity, reason=reason,
                                      day=day, by=by)
        if earlier is not None:
            return earlier
        system = _counted_against(office=office, day=day)
        difference = counted_quantity - system
        if idempotency_key and not difference:
            earlier = _same_count_without_difference(
                office=office, counted_quantity=counted_quantity, reason=reason, day=day,
                by=by)
            if earlier is not None:
                return earlier
        if expected_system_quantity is not None and expected_system_quantity != system:
            raise ValidationError(
                _("Stok menurut sistem pada %(day)s berubah dari %(expected)s menjadi "
                  "%(system)s sejak pratinjau; selisihnya sekarang %(difference)s. "
                  "Periksa lagi sebelum mengonfirmasi.")
                % {"day": f"{day:%d/%m/%Y}", "expected": number(expected_system_quantity),
                   "system": number(system), "difference": number(difference)},
                code="system_changed",
            )
        _require_reason(difference, reason)
        movement = None
        if difference:
            source, target = _adjustment_route(office, difference)
            movement = post_movement(
                from_location=source, to_location=target, quantity=abs(difference),
                reason=Reason.ADJUSTMENT, by=by, occurred_on=day, reference="Stock opname",
                note=reason, idempotency_key=idempotency_key,
            )
        return StockCount.objects.create(
            office=office, counted_on=day,
            counted_quantity=counted_quantity, system_quantity=system, reason=reason,
            movement=movement, recorded_by=by,
        )
