"""Printed cards: the hold on a card's draw, and a card found defective after printing.

A card's draw (STOCK to ISSUED) is held when the caller says so: reversing it would
put the blank back on the shelf while the card exists, so reverse_movement refuses a
held movement. A card found defective after printing is recorded instead: its blank
moves from ISSUED to SPOILED with a cause, and is destroyed with the other ruined
blanks. The ledger does not need to know who holds a movement or why.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.models import Location, Movement, MovementHold, Office
from blanko.services.offices import office_location
from blanko.services.posting import post_movement

NOTE_MAX_LENGTH = 500


def hold_movement(*, movement: Movement) -> MovementHold:
    """Marks a movement as held (once; a replayed posting finds its hold)."""
    hold, _created = MovementHold.objects.get_or_create(movement=movement)
    return hold


def is_held(*, movement: Movement) -> bool:
    return MovementHold.objects.filter(movement=movement).exists()


def spoil_issued_card(
    *, office: Office, by, cause: str, reference: str = "", note: str = "",
    idempotency_key: str | None = None, occurred_on: datetime.date | None = None,
) -> Movement:
    """A card found defective after printing: one blank from ISSUED to SPOILED.

    The store does not move (the blank left it when the card was printed); the
    spoiled pile grows by one and waits for destruction. It is never reversed: the
    card's record has moved on (a reprint may follow).
    """
    ensure_permission(by, "blanko.spoil_blank", office)
    if cause not in Movement.Cause.values:
        raise ValidationError({"cause": _("Pilih penyebab kerusakan yang valid.")},
                              code="invalid")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Catatan terlalu panjang (maksimal %(max)s karakter).")
             % {"max": NOTE_MAX_LENGTH}}, code="max_length")
    return post_movement(
        from_location=office_location(office, Location.Kind.ISSUED),
        to_location=office_location(office, Location.Kind.SPOILED), quantity=1,
        reason=Movement.Reason.SPOIL_ISSUED, cause=cause, by=by, reference=reference,
        note=note, idempotency_key=idempotency_key, occurred_on=occurred_on,
    )
