"""Printed cards: the hold on a card's draw, and a card found defective after printing.

A card's draw (STOCK to ISSUED) is held when the caller says so: reversing it would
put the blank back on the shelf while the card exists, so reverse_movement refuses a
held movement. A card found defective after printing is recorded instead: its blank
moves from ISSUED to SPOILED with a cause, and is destroyed with the other ruined
blanks. The ledger does not need to know who holds a movement or why.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from blanko.access import ensure_permission
from blanko.models import Location, Movement, MovementHold, Office
from blanko.services.checks import clean_note, validate_cause
from blanko.services.offices import office_location
from blanko.services.posting import post_movement

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


def hold_movement(*, movement: Movement) -> MovementHold:
    """Marks a movement as held (once; a replayed posting finds its hold)."""
    hold, _created = MovementHold.objects.get_or_create(movement=movement)
    return hold


def spoil_issued_card(
    *, office: Office, by: AbstractUser, cause: str, reference: str = "", note: str = "",
    idempotency_key: str | None = None, occurred_on: datetime.date | None = None,
) -> Movement:
    """A card found defective after printing: one blank from ISSUED to SPOILED.

    The store does not move (the blank left it when the card was printed); the
    spoiled pile grows by one and waits for destruction. It is never reversed: the
    card's record has moved on (a reprint may follow).
    """
    ensure_permission(by, "blanko.spoil_blank", office)
    return post_movement(
        from_location=office_location(office, Location.Kind.ISSUED),
        to_location=office_location(office, Location.Kind.SPOILED), quantity=1,
        reason=Movement.Reason.SPOIL_ISSUED, cause=validate_cause(cause), by=by,
        reference=reference, note=clean_note(note), idempotency_key=idempotency_key,
        occurred_on=occurred_on,
    )
