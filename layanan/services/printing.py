"""Processing: printing a card draws exactly one blank through the ledger.

The reservation rule: a request of tier 2 or lower may take a blank only when the
stock left afterwards still covers every verified, printable request of a higher
tier. So when stock is short, first-time applicants are served first with no
manual setting. The stock balance row is locked before the count, so two
operators cannot both take the last unreserved blank.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blanko import services as ledger
from blanko.access import ensure_permission
from blanko.exceptions import InsufficientStock
from blanko.models import Balance, Location, Movement
from layanan import rules, selectors
from layanan.models import CardPrint, ServiceRequest, Suket
from layanan.services.requests import (
    PROCESS,
    clean_reason,
    lock_request,
    next_number,
    transition,
)

Status = ServiceRequest.Status


def _lock_stock(request: ServiceRequest) -> int:
    stock = ledger.office_location(request.office, Location.Kind.STOCK)
    return Balance.objects.select_for_update().get(location=stock).quantity


def _ensure_can_take_blank(request: ServiceRequest, *, today: datetime.date,
                           reserve: bool = True) -> None:
    """Refuses a draw the rules forbid. Without `reserve` (a ruined print: the blank is
    off the shelf already), the reservation rule does not apply; an empty store and
    the age rule still refuse."""
    stock = _lock_stock(request)
    higher_waiting = (selectors.higher_tier_waiting(request=request, today=today)
                      if reserve else 0)
    blocker = selectors.print_blocker(request=request, stock=stock,
                                      higher_waiting=higher_waiting, today=today)
    if blocker is not None:
        error = InsufficientStock if blocker.code == "no_stock" else ValidationError
        raise error(blocker.message)


IDEMPOTENCY_KEY_MAX_LENGTH = CardPrint._meta.get_field("idempotency_key").max_length


def _replay(idempotency_key: str | None, request: ServiceRequest, *, action: str,
            cause: str = "") -> CardPrint | None:
    """The print an earlier submission of the same form recorded, or None.

    `action` is "print", "spoil" or "defect". A key used for another request, another
    action or another cause is refused: the form was not this one.
    """
    if not idempotency_key:
        return None
    if (not isinstance(idempotency_key, str) or len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH
            or not idempotency_key.isprintable()):
        raise ValidationError("Kunci formulir tidak valid; muat ulang halaman lalu coba lagi.",
                              code="bad_key")
    found = CardPrint.objects.select_related("movement", "defect_movement").filter(
        Q(idempotency_key=idempotency_key) | Q(defect_key=idempotency_key)).first()
    if found is None:
        return None
    if found.request_id != request.pk:
        raise ValidationError("Formulir ini sudah dipakai untuk permohonan lain.")
    if found.defect_key == idempotency_key:
        done, done_cause = "defect", found.defect_movement.cause
    else:
        done = "spoil" if found.outcome == CardPrint.Outcome.SPOILED else "print"
        done_cause = found.movement.cause
    if (done, done_cause) != (action, cause):
        raise ValidationError(
            _("Formulir ini sudah dipakai untuk tindakan lain; muat ulang halaman lalu coba "
              "lagi."), code="key_other_action")
    return found


def _print(*, request: ServiceRequest, by, outcome: str, cause: str, idempotency_key,
           at: datetime.datetime | None) -> CardPrint:
    ensure_permission(by, PROCESS, request.office)
    action = "print" if outcome == CardPrint.Outcome.SUCCESS else "spoil"
    existing = _replay(idempotency_key, request, action=action, cause=cause)
    if existing is not None:
        return existing
    at = at or timezone.now()
    today = timezone.localdate(at)
    try:
        with transaction.atomic():
            try:
                locked = lock_request(request, allowed=(Status.VERIFIED,))
            except ValidationError:
                # A double click whose twin held the row lock and has just printed.
                existing = _replay(idempotency_key, request, action=action, cause=cause)
                if existing is not None:
                    return existing
                raise
            # A ruined print is a fact on the table: the reservation rule cannot refuse it.
            _ensure_can_take_blank(locked, today=today,
                                   reserve=outcome == CardPrint.Outcome.SUCCESS)
            if outcome == CardPrint.Outcome.SUCCESS:
                # Held: reversing the draw of a printed card is refused (issue 10); a
                # defective card is recorded with record_defective_card instead.
                movement = ledger.issue_blank(office=locked.office, by=by, occurred_on=today,
                                              reference=locked.registration_number, hold=True)
            else:
                movement = ledger.spoil_blank(office=locked.office, by=by, cause=cause,
                                              occurred_on=today,
                                              reference=locked.registration_number)
            card_print = CardPrint.objects.create(
                request=locked, outcome=outcome, movement=movement, printed_at=at,
                printed_by=by, idempotency_key=idempotency_key or None,
            )
            if outcome == CardPrint.Outcome.SUCCESS:
                transition(request=locked, to=Status.PRINTED, by=by, at=at, printed_at=at)
                locked.sukets.filter(replaced_at__isnull=True).update(replaced_at=at)
            else:
                label = Movement.Cause(cause).label
                transition(request=locked, to=Status.VERIFIED, by=by, at=at,
                           note=f"Cetak rusak ({label}); blanko dicatat rusak, dapat dicetak "
                                "ulang.")
    except IntegrityError:
        # The same form posted twice at the same moment: the first one won.
        existing = _replay(idempotency_key, request, action=action, cause=cause)
        if existing is not None:
            return existing
        raise
    return card_print


def print_card(*, request: ServiceRequest, by, idempotency_key: str | None = None,
               at: datetime.datetime | None = None) -> CardPrint:
    """Prints the card: one blank from STOCK to ISSUED; the request becomes PRINTED.

    A double click or a resubmitted form (same idempotency_key) returns the first
    print; a second print of an already printed request is refused.
    """
    return _print(request=request, by=by, outcome=CardPrint.Outcome.SUCCESS, cause="",
                  idempotency_key=idempotency_key, at=at)


def record_spoiled_print(*, request: ServiceRequest, by, cause: str,
                         idempotency_key: str | None = None,
                         at: datetime.datetime | None = None) -> CardPrint:
    """A print came out ruined: its blank goes to SPOILED with the cause; reprint allowed."""
    if cause not in Movement.Cause.values:
        raise ValidationError({"cause": "Pilih penyebab kerusakan yang valid."})
    return _print(request=request, by=by, outcome=CardPrint.Outcome.SPOILED, cause=cause,
                  idempotency_key=idempotency_key, at=at)


def record_defective_card(*, request: ServiceRequest, by, cause: str, note: str = "",
                          idempotency_key: str | None = None,
                          at: datetime.datetime | None = None) -> CardPrint:
    """A printed card found defective before it is handed over ("kartu rusak setelah
    dicetak"): its blank goes from ISSUED to SPOILED with the cause, the print becomes
    DEFECTIVE and the request goes back to VERIFIED for a reprint.

    Only a PRINTED request: a card already handed over is the holder's, and one that
    comes back damaged is replaced through a new request (kind "Rusak"). A suket that
    the print marked replaced is active again, since the card never reached its holder.
    A resubmitted form (same idempotency_key) returns the first record.
    """
    ensure_permission(by, PROCESS, request.office)
    if cause not in Movement.Cause.values:
        raise ValidationError({"cause": _("Pilih penyebab kerusakan yang valid.")})
    note = clean_reason(note, label=_("Catatan"), field="note")
    existing = _replay(idempotency_key, request, action="defect", cause=cause)
    if existing is not None:
        return existing
    at = at or timezone.now()
    try:
        with transaction.atomic():
            try:
                locked = lock_request(request, allowed=(Status.PRINTED, Status.DELIVERED))
            except ValidationError:
                # A double click whose twin held the row lock and has just recorded it.
                existing = _replay(idempotency_key, request, action="defect", cause=cause)
                if existing is not None:
                    return existing
                raise
            if locked.status == Status.DELIVERED:
                raise ValidationError(
                    _("KTP-el %(reg)s sudah diserahkan kepada pemohon; kartu yang rusak "
                      "setelah diserahkan diganti lewat permohonan baru jenis Rusak.")
                    % {"reg": locked.registration_number}, code="delivered")
            card_print = locked.prints.select_related("movement").filter(
                outcome=CardPrint.Outcome.SUCCESS).first()
            if card_print is None:  # data from outside the services: nothing to record against
                raise ValidationError(
                    _("Permohonan %(reg)s tidak memiliki cetak berhasil yang tercatat.")
                    % {"reg": locked.registration_number}, code="no_print")
            if Movement.objects.filter(reverses=card_print.movement).exists():
                raise ValidationError(
                    _("Blanko kartu ini sudah dikembalikan ke stok lewat pembalikan mutasi; "
                      "kartu rusak tidak dapat dicatat lagi."), code="reversed")
            movement = ledger.spoil_issued_card(
                office=locked.office, by=by, cause=cause, note=note,
                reference=locked.registration_number, occurred_on=timezone.localdate(at),
            )
            CardPrint.objects.filter(pk=card_print.pk).update(
                outcome=CardPrint.Outcome.DEFECTIVE, defect_movement=movement,
                defective_at=at, defective_by=by, defect_note=note,
                defect_key=idempotency_key or None,
            )
            label = Movement.Cause(cause).label
            text = _("Kartu rusak setelah dicetak (%(cause)s); blanko dicatat rusak, dapat "
                     "dicetak ulang.") % {"cause": label}
            transition(request=locked, to=Status.VERIFIED, by=by, at=at,
                       note=f"{text} {note}".strip(), printed_at=None)
            # The suket this print replaced is in the holder's hands still: active again.
            locked.sukets.filter(replaced_at=card_print.printed_at).update(replaced_at=None)
    except IntegrityError:
        # The same form posted twice at the same moment: the first one won.
        existing = _replay(idempotency_key, request, action="defect", cause=cause)
        if existing is not None:
            return existing
        raise
    card_print.refresh_from_db()
    return card_print


def issue_suket(*, request: ServiceRequest, by, at: datetime.datetime | None = None) -> Suket:
    """A temporary paper ID for a verified applicant who cannot get a blank now."""
    ensure_permission(by, PROCESS, request.office)
    at = at or timezone.now()
    today = timezone.localdate(at)
    with transaction.atomic():
        locked = lock_request(request, allowed=(Status.VERIFIED,))
        if not locked.biometrics_recorded:
            raise ValidationError("Suket hanya untuk pemohon yang biometriknya sudah direkam.",
                                  code="no_biometrics")
        active = locked.sukets.filter(replaced_at__isnull=True)
        if active.filter(valid_until__gte=today).exists():
            raise ValidationError("Pemohon ini masih memegang suket yang berlaku.",
                                  code="has_suket")
        blocker = selectors.print_blocker(
            request=locked, stock=_lock_stock(locked),
            higher_waiting=selectors.higher_tier_waiting(request=locked, today=today),
            today=today,
        )
        if blocker is None:
            raise ValidationError(
                "Blanko tersedia untuk pemohon ini; cetak KTP-el, bukan suket.",
                code="blank_available",
            )
        if blocker.code == "too_young":
            raise ValidationError(blocker.message, code="too_young")
        # An expired suket is superseded by the new one (one active suket per request).
        active.update(replaced_at=at)
        sequence = next_number(office=locked.office, name="SUKET", period=f"{today:%Y}")
        suket = Suket.objects.create(
            request=locked, number=f"SKT/{locked.office.code}/{today:%Y}/{sequence:05d}",
            issued_on=today, valid_until=rules.add_months(today, rules.SUKET_VALID_MONTHS),
            issued_by=by,
        )
        transition(request=locked, to=Status.VERIFIED, by=by, at=at,
                   note=f"Suket {suket.number} diterbitkan, berlaku s.d. "
                        f"{suket.valid_until:%d-%m-%Y}.")
    return suket
