"""Correcting a mistaken movement with an equal and opposite one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blanko.access import ensure_permission, has_permission
from blanko.models import Movement, Office
from blanko.services.cards import is_held
from blanko.services.checks import clean_line, duplicate_refused, refuse_if_taken
from blanko.services.posting import post_movement

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason

REVERSIBLE = frozenset({
    Reason.RECEIPT_DITJEN, Reason.RECEIPT_PROVINCE, Reason.ISSUE, Reason.SPOIL,
    Reason.ADJUSTMENT, Reason.DESTROY,
})


def movement_office(movement: Movement) -> Office:
    return movement.from_location.office or movement.to_location.office


def _refuse_irreversible(movement: Movement) -> None:
    """Refuses to reverse a movement that is corrected otherwise, or not at all."""
    if movement.reason == Reason.REVERSAL:
        raise ValidationError(_("Mutasi pembalikan tidak dapat dibalik lagi."),
                              code="reversal")
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
            _("Mutasi pinjaman dikoreksi lewat pembatalan atau pengembalian, bukan "
              "pembalikan."),
            code="not_reversible",
        )


# Durable: only views call it, never inside a transaction of their own, so the
# reversal has committed (and its log line is written) when it returns.
@transaction.atomic(durable=True)
def reverse_movement(*, movement: Movement, by: AbstractUser, reason: str) -> Movement:
    """Corrects a mistaken movement with an equal and opposite one, once only."""
    # Either office of a movement between two offices may ask, and is then told that
    # it cannot be reversed; every reversible movement belongs to one office only.
    offices = [loc.office for loc in (movement.from_location, movement.to_location)
               if loc.office is not None]
    if not any(has_permission(by, "blanko.reverse_movement", office) for office in offices):
        ensure_permission(by, "blanko.reverse_movement", movement_office(movement))
    reason = clean_line(reason, field="reason", label=_("Alasan"))
    if not reason:
        raise ValidationError({"reason": _("Alasan pembalikan wajib diisi.")})
    _refuse_irreversible(movement)

    def taken() -> bool:
        return Movement.objects.filter(reverses=movement).exists()

    already = ValidationError(_("Mutasi ini sudah pernah dibalik."), code="already_reversed")
    refuse_if_taken(taken, already)
    with duplicate_refused(taken, already):
        return post_movement(
            from_location=movement.to_location, to_location=movement.from_location,
            quantity=movement.quantity, reason=Reason.REVERSAL, by=by,
            reference=movement.reference, note=reason, reverses=movement,
        )


