"""Correcting a mistaken movement with an equal and opposite one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blanko.access import ensure_permission, has_permission
from blanko.exceptions import InsufficientStock
from blanko.models import Movement, Office
from blanko.selectors.movements import irreversible_reason
from blanko.services.checks import clean_line, duplicate_refused, refuse_if_taken
from blanko.services.posting import post_movement

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason


def movement_office(movement: Movement) -> Office:
    return movement.from_location.office or movement.to_location.office


def _refuse_irreversible(movement: Movement) -> None:
    """Refuses to reverse a movement that is corrected otherwise, or not at all, with
    the reason the ledger page gives (one rule: selectors.irreversible_reason)."""
    refusal = irreversible_reason(movement=movement)
    if refusal is not None:
        raise ValidationError(refusal.message, code=refusal.code)


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
    try:
        with duplicate_refused(taken, already):
            return post_movement(
                from_location=movement.to_location, to_location=movement.from_location,
                quantity=movement.quantity, reason=Reason.REVERSAL, by=by,
                reference=movement.reference, note=reason, reverses=movement,
            )
    except InsufficientStock:
        if movement.reason == Reason.SPOIL:
            # The spoiled pile no longer holds these blanks: a destruction took them.
            # Said plainly, instead of the bare shortage of the SPOILED location.
            raise ValidationError(
                _("Blanko rusak pada mutasi #%(id)s sudah dimusnahkan, jadi tidak dapat "
                  "dikembalikan ke stok. Bila pemusnahannya keliru, balik dulu mutasi "
                  "pemusnahannya.") % {"id": movement.pk},
                code="spoiled_destroyed",
            ) from None
        raise


