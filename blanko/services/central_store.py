"""Ditjen Dukcapil's central store (office "00"): made by migration 0011, fed by
procurement, drawn on by the dispatches of the supply cycle (blanko.services.supply)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.models import (
    CENTRAL_OFFICE_CODE,
    Balance,
    BlankRequest,
    Delivery,
    Location,
    Movement,
    Office,
)
from blanko.services.checks import (
    clean_note,
    validate_reference,
)
from blanko.services.offices import office_location
from blanko.services.stock import post_with_document

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Reason = Movement.Reason
Kind = Location.Kind

PERM_ALLOCATE = "blanko.allocate_blanks"
CENTRAL_OFFICE_NAME = "Gudang Pusat Ditjen Dukcapil"
PROCUREMENT_SOURCE_CODE = "SOURCE-PROCUREMENT"


def central_office() -> Office:
    """Ditjen's central store (office "00", created by migration 0011).

    Made again here when it is missing: a test flush or a reset of the tables empties
    what the migration wrote.
    """
    office = Office.all_objects.filter(code=CENTRAL_OFFICE_CODE).first()
    if office is not None:
        return office
    try:
        with transaction.atomic():
            office = Office.all_objects.create(code=CENTRAL_OFFICE_CODE,
                                               name=CENTRAL_OFFICE_NAME)
            labels = dict(Kind.choices)
            for kind in Location.OFFICE_KINDS:
                location = Location.objects.create(
                    code=f"{CENTRAL_OFFICE_CODE}-{kind.upper()}",
                    name=f"{labels[kind]} {office.name}", kind=kind, office=office)
                if location.has_balance:
                    Balance.objects.create(location=location, quantity=0)
    except IntegrityError:  # made meanwhile by a concurrent request
        office = Office.all_objects.get(code=CENTRAL_OFFICE_CODE)
    return office


def procurement_source() -> Location:
    """Where the central store's blanks come from: the supplier, under a contract."""
    location, _created = Location.objects.get_or_create(
        code=PROCUREMENT_SOURCE_CODE,
        defaults={"name": "Penyedia blanko (pengadaan Ditjen Dukcapil)",
                  "kind": Kind.SOURCE},
    )
    return location


def reserved_in_central_store() -> int:
    """Blanks allocated to requests and not yet dispatched: promised, still on the shelf."""
    return BlankRequest.objects.filter(status__in=BlankRequest.ALLOCATED_STATUSES).aggregate(
        total=Sum(F("allocated_quantity") - F("dispatched_quantity")))["total"] or 0


# Atomic as a whole: the source location made on first use goes if the receipt is refused.
@transaction.atomic
def receive_into_central_store(
    *, quantity: int, reference: str, by: AbstractUser,
    occurred_on: datetime.date | None = None, idempotency_key: str | None = None,
    note: str = "",
) -> Movement:
    """Receives procured blanks into the central store under a contract or BAST number."""
    central = central_office()
    ensure_permission(by, PERM_ALLOCATE, central)
    reference = validate_reference(reference, label=_("Nomor kontrak atau BAST"))
    note = clean_note(note)
    source = procurement_source()

    def record(movement: Movement) -> None:
        Delivery.objects.create(office=central, source=source, bast_number=reference,
                                received_on=movement.occurred_on, quantity=quantity,
                                note=note, movement=movement)

    # As the office's receipts: a replay is answered before the number is checked (it is
    # taken, by that first submission).
    return post_with_document(
        {"from_location": source, "to_location": office_location(central, Kind.STOCK),
         "quantity": quantity, "reason": Reason.PROCUREMENT, "by": by,
         "occurred_on": occurred_on, "reference": reference, "note": note,
         "idempotency_key": idempotency_key},
        taken=lambda: Delivery.objects.filter(source=source,
                                              bast_number__iexact=reference).exists(),
        duplicate=ValidationError(
            {"reference": _("Nomor %(number)s sudah pernah dicatat untuk pengadaan gudang "
                            "pusat.") % {"number": reference}},
            code="duplicate_bast"),
        record=record,
    )
