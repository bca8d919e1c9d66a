"""Receiving, drawing, spoiling, destroying and counting blanks; reversals; closing a month."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blanko.access import ensure_permission, has_permission
from blanko.formatting import number
from blanko.models import (
    MAX_QUANTITY,
    Balance,
    Delivery,
    Destruction,
    Location,
    MonthClose,
    Movement,
    Office,
    StockCount,
)
from blanko.selectors import balances_as_of
from blanko.services.cards import hold_movement, is_held
from blanko.services.offices import ditjen_source, office_location, province_source
from blanko.services.posting import (
    EKTP_START,
    lock_office_balances,
    month_start,
    period_lock_date,
    post_movement,
    today,
    validate_business_date,
    validate_quantity,
    validate_reference,
)
from blanko.text import clean_text

Reason = Movement.Reason
Kind = Location.Kind
logger = logging.getLogger("siblanko.ledger")


def _is_replay(idempotency_key: str | None) -> bool:
    return bool(idempotency_key) and Movement.objects.filter(
        idempotency_key=idempotency_key
    ).exists()


def _clean_text(value: str, *, field: str, label: str, max_length: int = 500) -> str:
    """Typed text cleaned by blanko.text.clean_text (a note keeps its line breaks),
    within max_length."""
    value = clean_text(value, multiline=field == "note")
    if len(value) > max_length:
        raise ValidationError({field: f"{label} terlalu panjang (maksimal {max_length} karakter)."})
    return value


def _receive(
    *, office: Office, source: Location, reason: str, quantity: int, reference: str, by,
    occurred_on: datetime.date | None, idempotency_key: str | None, serial_start: str,
    serial_end: str, note: str,
) -> Movement:
    ensure_permission(by, "blanko.receive_blank", office)
    reference = validate_reference(reference, label="Nomor BAST")
    serial_start = _clean_text(serial_start, field="serial_start", label="Nomor seri",
                               max_length=40)
    serial_end = _clean_text(serial_end, field="serial_end", label="Nomor seri", max_length=40)
    note = _clean_text(note, field="note", label="Catatan")
    post = {
        "from_location": source, "to_location": office_location(office, Kind.STOCK),
        "quantity": quantity, "reason": reason, "by": by, "occurred_on": occurred_on,
        "reference": reference, "note": note, "idempotency_key": idempotency_key,
    }
    if _is_replay(idempotency_key):
        return post_movement(**post)
    validate_quantity(quantity)
    duplicate = ValidationError(
        {"reference": f"Nomor BAST {reference} sudah pernah dicatat untuk {source.name}."},
        code="duplicate_bast",
    )
    if Delivery.objects.filter(source=source, bast_number__iexact=reference).exists():
        if _is_replay(idempotency_key):  # the first request committed meanwhile
            return post_movement(**post)
        raise duplicate
    try:
        with transaction.atomic():
            movement = post_movement(**post)
            if movement.replayed:  # a concurrent request with the same key came first
                return movement
            Delivery.objects.create(
                office=office, source=source, bast_number=reference,
                received_on=movement.occurred_on, quantity=quantity, serial_start=serial_start,
                serial_end=serial_end, note=note, movement=movement,
            )
    except IntegrityError:
        if Delivery.objects.filter(source=source, bast_number__iexact=reference).exists():
            raise duplicate from None
        raise
    return movement


# Receipts and partner loans are atomic as a whole: the source or partner location
# they may create on first use is not left behind by a refused call.
@transaction.atomic
def receive_allocation(
    *, office: Office, quantity: int, reference: str, by,
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
    *, office: Office, quantity: int, reference: str, by, province_code: str | None = None,
    occurred_on: datetime.date | None = None, idempotency_key: str | None = None,
    serial_start: str = "", serial_end: str = "", note: str = "",
) -> Movement:
    """Receives blanks from a province (by default the office's own)."""
    return _receive(
        office=office, source=province_source(province_code or office.province_code),
        reason=Reason.RECEIPT_PROVINCE, quantity=quantity, reference=reference, by=by,
        occurred_on=occurred_on, idempotency_key=idempotency_key, serial_start=serial_start,
        serial_end=serial_end, note=note,
    )


def issue_blank(
    *, office: Office, by, reference: str = "", idempotency_key: str | None = None,
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
    *, office: Office, by, cause: str, reference: str = "", note: str = "", quantity: int = 1,
    idempotency_key: str | None = None, occurred_on: datetime.date | None = None,
) -> Movement:
    """Records blanks ruined while printing; they wait in SPOILED for destruction."""
    ensure_permission(by, "blanko.spoil_blank", office)
    if cause not in Movement.Cause.values:
        raise ValidationError({"cause": "Pilih penyebab kerusakan yang valid."}, code="invalid")
    return post_movement(
        from_location=office_location(office, Kind.STOCK),
        to_location=office_location(office, Kind.SPOILED), quantity=quantity,
        reason=Reason.SPOIL, cause=cause, by=by, reference=reference,
        note=_clean_text(note, field="note", label="Catatan"),
        idempotency_key=idempotency_key, occurred_on=occurred_on,
    )


def destroy_spoiled(
    *, office: Office, quantity: int, number: str, by,
    destroyed_on: datetime.date | None = None, witnesses: str = "", note: str = "",
    idempotency_key: str | None = None,
) -> Destruction:
    """Destroys a batch of spoiled blanks under one berita acara pemusnahan."""
    ensure_permission(by, "blanko.destroy_blank", office)
    number = validate_reference(number, label="Nomor berita acara")
    post = {
        "from_location": office_location(office, Kind.SPOILED),
        "to_location": office_location(office, Kind.DESTROYED), "quantity": quantity,
        "reason": Reason.DESTROY, "by": by, "occurred_on": destroyed_on, "reference": number,
        "note": _clean_text(note, field="note", label="Catatan"),
        "idempotency_key": idempotency_key,
    }
    if _is_replay(idempotency_key):
        return post_movement(**post).destruction
    validate_quantity(quantity)
    duplicate = ValidationError(
        {"number": f"Berita acara nomor {number} sudah dipakai."}, code="duplicate_number"
    )
    if Destruction.objects.filter(office=office, number__iexact=number).exists():
        if _is_replay(idempotency_key):  # the first request committed meanwhile
            return post_movement(**post).destruction
        raise duplicate
    try:
        with transaction.atomic():
            movement = post_movement(**post)
            if movement.replayed:  # a concurrent request with the same key came first
                return movement.destruction
            return Destruction.objects.create(
                office=office, number=number, destroyed_on=movement.occurred_on,
                quantity=quantity, movement=movement, note=post["note"],
                witnesses=_clean_text(witnesses, field="witnesses", label="Saksi"),
            )
    except IntegrityError:
        if Destruction.objects.filter(office=office, number__iexact=number).exists():
            raise duplicate from None
        raise


def record_stock_count(
    *, office: Office, counted_quantity: int, by, reason: str = "",
    counted_on: datetime.date | None = None,
) -> StockCount:
    """Records a physical count; any difference goes to or from ADJUSTMENT."""
    ensure_permission(by, "blanko.count_stock", office)
    if isinstance(counted_quantity, bool) or not isinstance(counted_quantity, int):
        raise ValidationError({"counted_quantity": "Jumlah fisik harus berupa bilangan bulat."})
    if not 0 <= counted_quantity <= MAX_QUANTITY:
        raise ValidationError(
            {"counted_quantity": f"Jumlah fisik harus antara 0 dan {number(MAX_QUANTITY)}."}
        )
    reason = _clean_text(reason, field="reason", label="Alasan")
    day = validate_business_date(counted_on, offices=[office], check_closed=False)
    stock = office_location(office, Kind.STOCK)
    adjustment = office_location(office, Kind.ADJUSTMENT)
    with transaction.atomic():
        system = Balance.objects.select_for_update().get(location=stock).quantity
        # Checked under the store's lock, which close_month also takes: a count
        # without a difference writes no movement, so post_movement cannot check it.
        validate_business_date(day, offices=[office])
        if day < today():
            # A count describes the shelf at the end of its own day: compare it with
            # the ledger's count then (read under the lock), not with today's.
            system = balances_as_of(locations=[stock], day=day).values_list(
                "count_as_of", flat=True).get()
        difference = counted_quantity - system
        if difference and not reason:
            raise ValidationError(
                {"reason": f"Ada selisih {number(difference)} blanko; alasan wajib diisi."}
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


REVERSIBLE = frozenset({
    Reason.RECEIPT_DITJEN, Reason.RECEIPT_PROVINCE, Reason.ISSUE, Reason.SPOIL,
    Reason.ADJUSTMENT, Reason.DESTROY,
})


def movement_office(movement: Movement) -> Office:
    return movement.from_location.office or movement.to_location.office


def reverse_movement(*, movement: Movement, by, reason: str) -> Movement:
    """Corrects a mistaken movement with an equal and opposite one, once only."""
    # Either office of a movement between two offices may ask, and is then told that
    # it cannot be reversed; every reversible movement belongs to one office only.
    offices = [loc.office for loc in (movement.from_location, movement.to_location)
               if loc.office is not None]
    if not any(has_permission(by, "blanko.reverse_movement", office) for office in offices):
        ensure_permission(by, "blanko.reverse_movement", movement_office(movement))
    reason = _clean_text(reason, field="reason", label="Alasan")
    if not reason:
        raise ValidationError({"reason": "Alasan pembalikan wajib diisi."})
    if movement.reason == Reason.REVERSAL:
        raise ValidationError("Mutasi pembalikan tidak dapat dibalik lagi.", code="reversal")
    if movement.reason == Reason.SPOIL_ISSUED:
        raise ValidationError(
            _("Kartu rusak setelah dicetak tidak dapat dibalik: blankonya sudah masuk "
              "blanko rusak dan permohonannya sudah dibuka untuk dicetak ulang."),
            code="spoiled_card",
        )
    if is_held(movement=movement):
        # The draw of a printed card: reversing it would put the blank back on the
        # shelf while the card exists.
        raise ValidationError(
            _("Blanko mutasi #%(id)s sudah dicetak menjadi KTP-el (%(reference)s); "
              "pembalikan akan mengembalikannya ke stok padahal kartunya ada. Bila kartu "
              "itu rusak, catat lewat tindakan \"Kartu rusak setelah dicetak\" pada "
              "permohonannya.") % {"id": movement.pk, "reference": movement.reference or "-"},
            code="held",
        )
    if movement.reason not in REVERSIBLE:
        raise ValidationError(
            "Mutasi pinjaman dikoreksi lewat pembatalan atau pengembalian, bukan pembalikan.",
            code="not_reversible",
        )
    already = ValidationError("Mutasi ini sudah pernah dibalik.", code="already_reversed")
    if Movement.objects.filter(reverses=movement).exists():
        raise already
    try:
        return post_movement(
            from_location=movement.to_location, to_location=movement.from_location,
            quantity=movement.quantity, reason=Reason.REVERSAL, by=by,
            reference=movement.reference, note=reason, reverses=movement,
        )
    except IntegrityError:
        if Movement.objects.filter(reverses=movement).exists():
            raise already from None
        raise


def _already_closed(first: datetime.date) -> ValidationError:
    return ValidationError({"month": f"Bulan {first:%m/%Y} sudah ditutup."}, code="closed")


def _refuse_locked_month(*, office: Office, first: datetime.date) -> None:
    """Refuses to close a month on or before the office's period lock date."""
    lock_date = period_lock_date(office=office)
    if lock_date is None or lock_date < first:
        return
    if MonthClose.objects.filter(office=office, month=first).exists():
        raise _already_closed(first)
    raise ValidationError(
        {"month": _("Bulan %(month)s sudah terkunci: bulan %(latest)s sudah ditutup, dan "
                    "penutupan bulan terakhir mengunci semua tanggal sebelumnya.")
         % {"month": f"{first:%m/%Y}", "latest": f"{lock_date:%m/%Y}"}},
        code="locked",
    )


def close_month(*, office: Office, month: datetime.date, by) -> MonthClose:
    """Closes a finished month: no movement may be dated on or before its last day.

    The latest closed month is the office's period lock date (see
    posting.validate_business_date), so closing an earlier month afterwards is
    refused: it is locked already.
    """
    ensure_permission(by, "blanko.close_month", office)
    first = month_start(month)
    if first >= month_start(today()):
        raise ValidationError(
            {"month": "Hanya bulan yang sudah berakhir yang dapat ditutup."}, code="not_ended"
        )
    if first < month_start(EKTP_START):
        raise ValidationError(
            {"month": _("Bulan sebelum %(start)s tidak dapat ditutup: KTP-el belum ada.")
             % {"start": date_format(EKTP_START, "F Y")}},
            code="before_ektp",
        )
    _refuse_locked_month(office=office, first=first)
    try:
        with transaction.atomic():
            # The same locks a posting takes: no back-dated movement slips in meanwhile,
            # and a concurrent close of a later month has committed or waits.
            lock_office_balances(office)
            _refuse_locked_month(office=office, first=first)
            closure = MonthClose.objects.create(office=office, month=first, closed_by=by)
    except IntegrityError:
        raise _already_closed(first) from None
    logger.info("month_close office=%s month=%s user=%s", office.code, f"{first:%Y-%m}",
                by.get_username())
    return closure
