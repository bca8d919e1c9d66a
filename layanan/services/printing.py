"""Processing: printing a card draws exactly one blank through the ledger.

The reservation rule: a request of tier 2 or lower may take a blank only when the
stock left afterwards still covers every verified, printable request of a higher
tier (`layanan.rules.print_blocker`). So when stock is short, first-time applicants
are served first with no manual setting. The store's balance row is locked
(`blanko.services.lock_stock`) before the count, so two operators cannot both take
the last unreserved blank.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blanko import services as ledger
from blanko.access import ensure_permission
from blanko.models import MovementCause
from blanko.selectors import reversal_of
from blanko.services.checks import validate_cause
from layanan import rules, selectors
from layanan.models import CardPrint, ServiceRequest, Suket
from layanan.services.fields import clean_reason
from layanan.services.workflow import PROCESS, lock_request, next_number, transition

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Status = ServiceRequest.Status
Outcome = CardPrint.Outcome
Action = rules.Action
IDEMPOTENCY_KEY_MAX_LENGTH = CardPrint._meta.get_field("idempotency_key").max_length


def print_card(*, request: ServiceRequest, by: AbstractUser,
               idempotency_key: str | None = None,
               at: datetime.datetime | None = None) -> CardPrint:
    """Prints the card: one blank from STOCK to ISSUED; the request becomes PRINTED.

    A double click or a resubmitted form (same idempotency_key) returns the first
    print; a second print of an already printed request is refused.
    """
    return _print(request=request, by=by, action=Action.PRINT, cause="",
                  idempotency_key=idempotency_key, at=at)


def record_spoiled_print(*, request: ServiceRequest, by: AbstractUser, cause: str,
                         idempotency_key: str | None = None,
                         at: datetime.datetime | None = None) -> CardPrint:
    """A print came out ruined: its blank goes to SPOILED with the cause; reprint allowed."""
    validate_cause(cause)
    return _print(request=request, by=by, action=Action.SPOIL, cause=cause,
                  idempotency_key=idempotency_key, at=at)


def _print(*, request: ServiceRequest, by: AbstractUser, action: Action, cause: str,
           idempotency_key: str | None, at: datetime.datetime | None) -> CardPrint:
    ensure_permission(by, PROCESS, request.office)
    at = at or timezone.now()
    return _once(idempotency_key, request, action=action, cause=cause, write=lambda: _draw(
        request, by=by, action=action, cause=cause, idempotency_key=idempotency_key, at=at))


def _draw(request: ServiceRequest, *, by: AbstractUser, action: Action, cause: str,
          idempotency_key: str | None, at: datetime.datetime) -> CardPrint:
    """A print or a ruined print: one blank out of the store, in one transaction."""
    today = timezone.localdate(at)
    with transaction.atomic():
        locked = _lock(request, action=action, idempotency_key=idempotency_key, cause=cause)
        _ensure_blank_allowed(locked, action=action, today=today)
        if action == Action.PRINT:
            # Held: reversing the draw of a printed card is refused (issue 10); a
            # defective card is recorded with record_defective_card instead.
            movement = ledger.issue_blank(office=locked.office, by=by, occurred_on=today,
                                          reference=locked.registration_number, hold=True)
        else:
            movement = ledger.spoil_blank(office=locked.office, by=by, cause=cause,
                                          occurred_on=today,
                                          reference=locked.registration_number)
        card_print = CardPrint.objects.create(
            request=locked, movement=movement, printed_at=at, printed_by=by,
            outcome=Outcome.SUCCESS if action == Action.PRINT else Outcome.SPOILED,
            idempotency_key=idempotency_key or None,
        )
        if action == Action.PRINT:
            transition(request=locked, to=Status.PRINTED, by=by, at=at, printed_at=at)
            locked.sukets.filter(replaced_at__isnull=True).update(replaced_at=at)
        else:
            transition(request=locked, to=Status.VERIFIED, by=by, at=at, note=_(
                "Cetak rusak (%(cause)s); blanko dicatat rusak, dapat dicetak ulang."
            ) % {"cause": MovementCause(cause).label})
    return card_print


def _ensure_blank_allowed(locked: ServiceRequest, *, action: Action,
                          today: datetime.date) -> None:
    """Refuses what the stock and the reservation rule forbid (`rules.blank_refusal`).

    The store's balance row is locked before the count of the higher tiers waiting and
    stays locked until the draw: nobody else draws in between.
    """
    stock = ledger.lock_stock(office=locked.office)
    blocker = selectors.request_blocker(request=locked, today=today, stock=stock)
    refusal = rules.blank_refusal(action, blocker)
    if refusal is not None:
        raise refusal


# --- One form, one record: replays of the same idempotency key ----------------------------


class _Replayed(Exception):
    """The form was recorded meanwhile by its twin: answer with that record."""

    def __init__(self, card_print: CardPrint) -> None:
        super().__init__()
        self.card_print = card_print


def _once(idempotency_key: str | None, request: ServiceRequest, *, action: Action,
          cause: str, write: Callable[[], CardPrint]) -> CardPrint:
    """Runs `write` unless this form (its idempotency key) was recorded already."""
    existing = _replay(idempotency_key, request, action=action, cause=cause)
    if existing is not None:
        return existing
    try:
        return write()
    except _Replayed as replayed:
        return replayed.card_print
    except IntegrityError:
        # The same form posted twice at the same moment: the first one won.
        existing = _replay(idempotency_key, request, action=action, cause=cause)
        if existing is not None:
            return existing
        raise


def _lock(request: ServiceRequest, *, action: Action, idempotency_key: str | None,
          cause: str) -> ServiceRequest:
    """`lock_request`, or the record of a twin that held the row lock and has just
    written it (a double click), raised as _Replayed."""
    try:
        return lock_request(request, action=action)
    except ValidationError:
        existing = _replay(idempotency_key, request, action=action, cause=cause)
        if existing is not None:
            raise _Replayed(existing) from None
        raise


def _replay(idempotency_key: str | None, request: ServiceRequest, *, action: Action,
            cause: str = "") -> CardPrint | None:
    """The print an earlier submission of the same form recorded, or None.

    A key used for another request, another action or another cause is refused: the
    form was not this one.
    """
    if not idempotency_key:
        return None
    if (not isinstance(idempotency_key, str) or len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH
            or not idempotency_key.isprintable()):
        raise ValidationError(_("Kunci formulir tidak valid; muat ulang halaman lalu coba "
                                "lagi."), code="bad_key")
    found = CardPrint.objects.select_related("movement", "defect_movement").filter(
        Q(idempotency_key=idempotency_key) | Q(defect_key=idempotency_key)).first()
    if found is None:
        return None
    if found.request_id != request.pk:
        raise ValidationError(_("Formulir ini sudah dipakai untuk permohonan lain."))
    if found.defect_key == idempotency_key:
        done, done_cause = Action.DEFECT, found.defect_movement.cause
    else:
        done = Action.SPOIL if found.outcome == Outcome.SPOILED else Action.PRINT
        done_cause = found.movement.cause
    if (done, done_cause) != (action, cause):
        raise ValidationError(
            _("Formulir ini sudah dipakai untuk tindakan lain; muat ulang halaman lalu coba "
              "lagi."), code="key_other_action")
    return found


# --- After the print -------------------------------------------------------------------------


def record_defective_card(*, request: ServiceRequest, by: AbstractUser, cause: str,
                          note: str = "", idempotency_key: str | None = None,
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
    validate_cause(cause)
    note = clean_reason(note, label=_("Catatan"), field="note")
    at = at or timezone.now()
    card_print = _once(idempotency_key, request, action=Action.DEFECT, cause=cause,
                       write=lambda: _record_defect(request, by=by, cause=cause, note=note,
                                                    idempotency_key=idempotency_key, at=at))
    card_print.refresh_from_db()
    return card_print


def _record_defect(request: ServiceRequest, *, by: AbstractUser, cause: str, note: str,
                   idempotency_key: str | None, at: datetime.datetime) -> CardPrint:
    with transaction.atomic(durable=True):
        locked = _lock(request, action=Action.DEFECT, idempotency_key=idempotency_key,
                       cause=cause)
        card_print = _successful_print(locked)
        movement = ledger.spoil_issued_card(
            office=locked.office, by=by, cause=cause, note=note,
            reference=locked.registration_number, occurred_on=timezone.localdate(at),
        )
        CardPrint.objects.filter(pk=card_print.pk).update(
            outcome=Outcome.DEFECTIVE, defect_movement=movement, defective_at=at,
            defective_by=by, defect_note=note, defect_key=idempotency_key or None,
        )
        text = _("Kartu rusak setelah dicetak (%(cause)s); blanko dicatat rusak, dapat "
                 "dicetak ulang.") % {"cause": MovementCause(cause).label}
        transition(request=locked, to=Status.VERIFIED, by=by, at=at,
                   note=f"{text} {note}".strip(), printed_at=None)
        # The suket this print replaced is in the holder's hands still: active again.
        locked.sukets.filter(replaced_at=card_print.printed_at).update(replaced_at=None)
    return card_print


def _successful_print(locked: ServiceRequest) -> CardPrint:
    """The print a defect is recorded against, refused when there is none to record."""
    card_print = locked.prints.select_related("movement").filter(
        outcome=Outcome.SUCCESS).first()
    if card_print is None:  # data from outside the services: nothing to record against
        raise ValidationError(
            _("Permohonan %(reg)s tidak memiliki cetak berhasil yang tercatat.")
            % {"reg": locked.registration_number}, code="no_print")
    if reversal_of(movement=card_print.movement) is not None:
        raise ValidationError(
            _("Blanko kartu ini sudah dikembalikan ke stok lewat pembalikan mutasi; "
              "kartu rusak tidak dapat dicatat lagi."), code="reversed")
    return card_print


def issue_suket(*, request: ServiceRequest, by: AbstractUser,
                at: datetime.datetime | None = None) -> Suket:
    """A temporary paper ID for a verified applicant who cannot get a blank now.

    The applicant now holds a suket: a tier-4 request becomes "pengganti suket" (its
    flag set, tier 3, as if registered so) and is served before tier 4 from then on;
    the suket's event row says so. Tiers 1 to 3 keep their tier and flags.
    """
    ensure_permission(by, PROCESS, request.office)
    at = at or timezone.now()
    today = timezone.localdate(at)
    with transaction.atomic(durable=True):
        locked = lock_request(request, action=Action.SUKET)
        active = locked.sukets.filter(replaced_at__isnull=True)
        if active.filter(valid_until__gte=today).exists():
            raise ValidationError(_("Pemohon ini masih memegang suket yang berlaku."),
                                  code="has_suket")
        _ensure_blank_allowed(locked, action=Action.SUKET, today=today)
        # An expired suket is superseded by the new one (one active suket per request).
        active.update(replaced_at=at)
        sequence = next_number(office=locked.office, name="SUKET", period=f"{today:%Y}")
        suket = Suket.objects.create(
            request=locked, number=f"SKT/{locked.office.code}/{today:%Y}/{sequence:05d}",
            issued_on=today, valid_until=rules.add_months(today, rules.SUKET_VALID_MONTHS),
            issued_by=by,
        )
        note = _("Suket %(number)s diterbitkan, berlaku s.d. %(until)s.") % {
            "number": suket.number, "until": f"{suket.valid_until:%d-%m-%Y}"}
        transition(request=locked, to=Status.VERIFIED, by=by, at=at,
                   **_suket_holder(locked, note=note))
    return suket


def _suket_holder(locked: ServiceRequest, *, note: str) -> dict:
    """The note and the field changes of the suket's event: a tier-4 request whose
    applicant now holds a suket becomes tier 3 (pengganti suket)."""
    tier = rules.priority_tier(kind=locked.kind, disaster_victim=locked.disaster_victim,
                               replaces_suket=True)
    if tier >= locked.priority_tier:  # tiers 1 to 3: served as they were
        return {"note": note}
    change = _("Prioritas cetak berubah dari %(old)s menjadi %(new)s.") % {
        "old": locked.get_priority_tier_display(),
        "new": ServiceRequest.Tier(tier).label}
    return {"note": f"{note} {change}", "replaces_suket": True, "priority_tier": tier}
