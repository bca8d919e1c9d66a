"""The supply cycle: requests for blanks, their allocation and dispatch.

An office asks (`request_blanks`), its province coordinator forwards the request
(`forward_blank_request`), Ditjen's national allocator allocates what the central
store can spare (`allocate_blanks`) and ships it in one or more shipments under a BAST
(`dispatch_blanks`); the office confirms receipt with `confirm_receipt`
(blanko.services.shipments). Every change of a request writes a BlankRequestEvent in
the same transaction.

Lock order, the same everywhere so that no two of these can deadlock: the central
STOCK balance (`lock_stock`), then the shipment, then the request, then the balances
a posting moves. Allocation and dispatch take the STOCK lock first: two allocators
racing for the last free blanks are served one after the other.
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.exceptions import IdempotencyConflict
from blanko.formatting import number
from blanko.models import (
    BlankRequest,
    BlankRequestEvent,
    Location,
    Movement,
    Office,
    Shipment,
)
from blanko.services.central_store import (
    PERM_ALLOCATE,
    central_office,
    reserved_in_central_store,
)
from blanko.services.checks import (
    clean_note,
    duplicate_refused,
    is_replay,
    validate_quantity,
    validate_reference,
)
from blanko.services.locks import lock_stock
from blanko.services.offices import office_location
from blanko.services.posting import post_movement, validate_business_date
from blanko.services.stock import ditjen_bast_taken

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason
Kind = Location.Kind
Status = BlankRequest.Status

PERM_REQUEST = "blanko.request_blanks"
PERM_FORWARD = "blanko.forward_blank_request"


# --- Shared steps -----------------------------------------------------------------------------


def record_event(blank_request: BlankRequest, *, from_status: str, by: AbstractUser,
                 quantity: int | None = None, note: str = "",
                 at: datetime.datetime | None = None) -> BlankRequestEvent:
    """The event row of a step, to the request's current status (same transaction)."""
    return BlankRequestEvent.objects.create(
        blank_request=blank_request, from_status=from_status,
        to_status=blank_request.status, quantity=quantity, note=note[:500], by=by,
        at=at or timezone.now())


def event_time(day: datetime.date | None) -> datetime.datetime:
    """When a dated step happened: now, or midday of a back-dated business day."""
    now = timezone.now()
    if day is None or day == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def lock_request(blank_request: BlankRequest) -> BlankRequest:
    return BlankRequest.objects.select_for_update().select_related("office").get(
        pk=blank_request.pk)


def _require_status(blank_request: BlankRequest, allowed: tuple[str, ...],
                    action: str) -> None:
    if blank_request.status not in allowed:
        raise ValidationError(
            _("Permohonan %(number)s berstatus \"%(status)s\"; tidak dapat %(action)s.")
            % {"number": blank_request.number, "status": blank_request.get_status_display(),
               "action": action},
            code="wrong_status")


def settle_status(blank_request: BlankRequest) -> None:
    """The status an allocated request's quantities say (not saved)."""
    if blank_request.status not in BlankRequest.ALLOCATED_STATUSES:
        return
    received, allocated = blank_request.received_quantity, blank_request.allocated_quantity
    if allocated and received >= allocated:
        blank_request.status = Status.RECEIVED
    elif received:
        blank_request.status = Status.PARTLY_RECEIVED
    else:
        blank_request.status = Status.ALLOCATED


def _clean_date(value: Any, *, field: str) -> datetime.date | None:
    if value is None:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError({field: _("Tanggal tidak valid.")}, code="invalid")
    return value


def _clean_figures(figures: dict | None) -> dict:
    """The dashboard's figures as JSON values (dates and decimals become strings)."""
    if figures is None:
        return {}
    try:
        if not isinstance(figures, dict):
            raise TypeError
        return json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        raise ValidationError({"figures": _("Angka dasbor tidak valid.")},
                              code="invalid") from None


# --- The office asks ----------------------------------------------------------------------


def _next_number(office: Office, year: int) -> str:
    """The next number of the office's requests in `year` (the office row is locked)."""
    prefix = f"PB/{office.code}/{year}/"
    taken = BlankRequest.objects.filter(office=office, number__startswith=prefix)
    last = max((int(value.rsplit("/", 1)[1]) for value in
                taken.values_list("number", flat=True)), default=0)
    return f"{prefix}{last + 1:04d}"


def _replayed_request(idempotency_key: str | None, *, office: Office, quantity: int,
                      by: AbstractUser) -> BlankRequest | None:
    """The request an earlier submission made under the key, if it asked the same."""
    if not idempotency_key:
        return None
    existing = BlankRequest.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if (existing.office_id, existing.quantity, existing.created_by_id) != (
            office.pk, quantity, by.pk):
        raise IdempotencyConflict()
    return existing


def request_blanks(
    *, office: Office, quantity: int, by: AbstractUser, needed_by: datetime.date | None = None,
    note: str = "", figures: dict | None = None, idempotency_key: str | None = None,
    at: datetime.datetime | None = None,
) -> BlankRequest:
    """An office's supervisor asks Ditjen for blanks (through the province).

    `figures` keeps the dashboard's figures of that day, for the letter; `at` dates a
    request recorded afterwards (the demo's story).
    """
    ensure_permission(by, PERM_REQUEST, office)
    if office.is_central:
        raise ValidationError(_("Gudang pusat tidak mengajukan permohonan blanko."),
                              code="central")
    existing = _replayed_request(idempotency_key, office=office, quantity=quantity, by=by)
    if existing is not None:
        return existing
    validate_quantity(quantity)
    note = clean_note(note)
    at = at or timezone.now()
    submitted_on = validate_business_date(timezone.localdate(at), offices=[],
                                          check_closed=False)
    needed_by = _clean_date(needed_by, field="needed_by")
    if needed_by is not None and needed_by < submitted_on:
        raise ValidationError(
            {"needed_by": _("Tanggal dibutuhkan tidak boleh sebelum tanggal permohonan.")},
            code="before_submitted")
    figures = _clean_figures(figures)
    try:
        with transaction.atomic():
            # The office row's lock numbers its requests one after the other.
            list(Office.all_objects.select_for_update().filter(pk=office.pk).values("pk"))
            existing = _replayed_request(idempotency_key, office=office, quantity=quantity,
                                         by=by)
            if existing is not None:
                return existing
            blank_request = BlankRequest.objects.create(
                office=office, number=_next_number(office, submitted_on.year),
                quantity=quantity, needed_by=needed_by, note=note, figures=figures,
                submitted_on=submitted_on, idempotency_key=idempotency_key or None,
                created_by=by)
            record_event(blank_request, from_status="", by=by, quantity=quantity, note=note,
                         at=at)
    except IntegrityError:
        existing = _replayed_request(idempotency_key, office=office, quantity=quantity, by=by)
        if existing is not None:
            return existing
        raise
    return blank_request


def cancel_blank_request(*, blank_request: BlankRequest, by: AbstractUser, note: str = "",
                         at: datetime.datetime | None = None) -> BlankRequest:
    """The office withdraws its request, before Ditjen has allocated anything."""
    ensure_permission(by, PERM_REQUEST, blank_request.office)
    note = clean_note(note)
    with transaction.atomic():
        blank_request = lock_request(blank_request)
        _require_status(blank_request, (Status.SUBMITTED, Status.FORWARDED),
                        _("dibatalkan lagi"))
        before = blank_request.status
        blank_request.status = Status.CANCELLED
        blank_request.save(update_fields=["status"])
        record_event(blank_request, from_status=before, by=by, note=note, at=at)
    return blank_request


# --- The province forwards, Ditjen allocates --------------------------------------------------


def forward_blank_request(
    *, blank_request: BlankRequest, by: AbstractUser, quantity: int | None = None,
    note: str = "", at: datetime.datetime | None = None,
) -> BlankRequest:
    """The province coordinator forwards an office's request to Ditjen, possibly with
    another quantity, which then needs a reason in the note."""
    ensure_permission(by, PERM_FORWARD, blank_request.office)
    if quantity is not None:
        validate_quantity(quantity)
    note = clean_note(note)
    with transaction.atomic():
        blank_request = lock_request(blank_request)
        _require_status(blank_request, (Status.SUBMITTED,), _("diteruskan"))
        quantity = blank_request.quantity if quantity is None else quantity
        if quantity != blank_request.quantity and not note:
            raise ValidationError(
                {"note": _("Jumlah diubah dari %(asked)s menjadi %(quantity)s: tulis "
                           "alasannya di catatan.")
                 % {"asked": number(blank_request.quantity), "quantity": number(quantity)}},
                code="reason_required")
        blank_request.forwarded_quantity = quantity
        blank_request.status = Status.FORWARDED
        blank_request.save(update_fields=["forwarded_quantity", "status"])
        record_event(blank_request, from_status=Status.SUBMITTED, by=by, quantity=quantity,
                     note=note, at=at)
    return blank_request


def _validate_allocation(quantity: Any) -> int:
    """0 (a refusal) up to MAX_QUANTITY."""
    if quantity == 0 and isinstance(quantity, int) and not isinstance(quantity, bool):
        return 0
    return validate_quantity(quantity)


def allocate_blanks(*, blank_request: BlankRequest, quantity: int, by: AbstractUser,
                    note: str = "", at: datetime.datetime | None = None) -> BlankRequest:
    """Ditjen's allocator approves from 0 (a refusal, with a reason) to what was asked,
    never more than the central store's free stock."""
    central = central_office()
    ensure_permission(by, PERM_ALLOCATE, central)
    quantity = _validate_allocation(quantity)
    note = clean_note(note)
    if quantity == 0 and not note:
        raise ValidationError(
            {"note": _("Alokasi 0 berarti permohonan ditolak: tulis alasannya di catatan.")},
            code="reason_required")
    with transaction.atomic():
        # First the store, then the request: allocations queue on the store's lock.
        stock = lock_stock(office=central)
        blank_request = lock_request(blank_request)
        _require_status(blank_request, (Status.FORWARDED,), _("dialokasikan"))
        if quantity > blank_request.asked:
            raise ValidationError(
                {"quantity": _("Alokasi (%(quantity)s) melebihi jumlah yang diminta "
                               "(%(asked)s).")
                 % {"quantity": number(quantity), "asked": number(blank_request.asked)}},
                code="more_than_asked")
        free = max(stock - reserved_in_central_store(), 0)
        if quantity > free:
            raise ValidationError(
                {"quantity": _("Alokasi (%(quantity)s) melebihi stok bebas gudang pusat "
                               "(%(free)s): stok %(stock)s, sudah dialokasikan dan belum "
                               "dikirim %(reserved)s.")
                 % {"quantity": number(quantity), "free": number(free),
                    "stock": number(stock), "reserved": number(stock - free)}},
                code="more_than_free")
        blank_request.allocated_quantity = quantity
        blank_request.status = Status.ALLOCATED if quantity else Status.REFUSED
        blank_request.save(update_fields=["allocated_quantity", "status"])
        record_event(blank_request, from_status=Status.FORWARDED, by=by, quantity=quantity,
                     note=note, at=at)
    return blank_request


# --- Ditjen dispatches ----------------------------------------------------------------------


def _dispatched(movement: Movement, blank_request: BlankRequest) -> Shipment:
    """The shipment an earlier submission made under the key, for this request only."""
    if movement.blank_request_id != blank_request.pk:
        raise IdempotencyConflict()
    return Shipment.objects.get(kind=Shipment.Kind.DISPATCH, blank_request=blank_request,
                                reference__iexact=movement.reference)


def _allocated_on(blank_request: BlankRequest) -> datetime.date:
    """The day Ditjen allocated the request (its ALLOCATED event), or the day it was asked
    for a request allocated before events were kept."""
    event = (blank_request.events.filter(to_status=Status.ALLOCATED)
             .order_by("at").values_list("at", flat=True).first())
    return timezone.localdate(event) if event else blank_request.submitted_on


def dispatch_blanks(
    *, blank_request: BlankRequest, quantity: int, reference: str, by: AbstractUser,
    occurred_on: datetime.date | None = None, idempotency_key: str | None = None,
    note: str = "",
) -> Shipment:
    """Ships part or all of an allocation under a BAST number: central STOCK to its
    TRANSIT, until the office confirms receipt. Never beyond the allocation."""
    central = central_office()
    ensure_permission(by, PERM_ALLOCATE, central)
    reference = validate_reference(reference, label=_("Nomor BAST"))
    note = clean_note(note)
    post = {"from_location": office_location(central, Kind.STOCK),
            "to_location": office_location(central, Kind.TRANSIT), "quantity": quantity,
            "reason": Reason.DISPATCH, "by": by, "occurred_on": occurred_on,
            "reference": reference, "note": note, "idempotency_key": idempotency_key}
    if is_replay(idempotency_key):
        return _dispatched(post_movement(**post, blank_request=blank_request), blank_request)
    validate_quantity(quantity)
    # The office's books too: the blanks are on their way to it from this date.
    day = validate_business_date(occurred_on, offices=[central, blank_request.office])

    def taken() -> bool:
        return ditjen_bast_taken(reference)

    duplicate = ValidationError(
        {"reference": _("Nomor BAST %(number)s sudah dipakai untuk kiriman lain.")
         % {"number": reference}}, code="duplicate_bast")
    if taken():
        # The same form clicked twice at once: the first click has committed meanwhile,
        # and took the number; this one is its replay, not a duplicate.
        if is_replay(idempotency_key):
            return _dispatched(post_movement(**post, blank_request=blank_request),
                               blank_request)
        raise duplicate
    with duplicate_refused(taken, duplicate), transaction.atomic():
        lock_stock(office=central)
        # Requests with the same key queue on the store's lock: the later ones replay.
        if is_replay(idempotency_key):
            return _dispatched(post_movement(**post, blank_request=blank_request),
                               blank_request)
        blank_request = lock_request(blank_request)
        _require_status(blank_request, BlankRequest.ALLOCATED_STATUSES, _("dikirim"))
        if quantity > blank_request.undispatched:
            raise ValidationError(
                {"quantity": _("Jumlah kiriman (%(quantity)s) melebihi alokasi yang belum "
                               "dikirim (%(left)s).")
                 % {"quantity": number(quantity), "left": number(blank_request.undispatched)}},
                code="more_than_allocated")
        allocated_on = _allocated_on(blank_request)
        if day < allocated_on:
            # Nothing is sent before it is allocated: the request's history, and the lead
            # time measured from it, stay in the order things happened.
            raise ValidationError(
                {"occurred_on": _("Tanggal kirim tidak boleh sebelum tanggal alokasi "
                                  "(%(day)s).")
                 % {"day": f"{allocated_on:%d/%m/%Y}"}},
                code="before_allocation")
        movement = post_movement(**post, blank_request=blank_request)
        shipment = Shipment.objects.create(
            kind=Shipment.Kind.DISPATCH, blank_request=blank_request, sender=central,
            receiver=blank_request.office, quantity=quantity, sent_on=movement.occurred_on,
            reference=reference)
        blank_request.dispatched_quantity += quantity
        blank_request.save(update_fields=["dispatched_quantity"])
        record_event(blank_request, from_status=blank_request.status, by=by,
                     quantity=quantity,
                     note=_("Dikirim dengan BAST %(number)s.") % {"number": reference}
                     + (f" {note}" if note else ""),
                     at=event_time(movement.occurred_on))
    return shipment


__all__ = [
    "allocate_blanks",
    "cancel_blank_request",
    "dispatch_blanks",
    "forward_blank_request",
    "request_blanks",
]
