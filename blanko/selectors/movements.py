"""The movements a ledger page lists, and whether each of them may be reversed."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from blanko.models import Location, Movement, MovementHold, Office

Kind = Location.Kind
Reason = Movement.Reason

# The reasons a reversal corrects. Loans, repayments and cancelled shipments are
# corrected by cancelling or repaying them; a card spoiled after printing has moved on.
REVERSIBLE = frozenset({
    Reason.RECEIPT_DITJEN, Reason.RECEIPT_PROVINCE, Reason.ISSUE, Reason.SPOIL,
    Reason.ADJUSTMENT, Reason.DESTROY,
})


def office_movements(
    *, office: Office, reason: str | None = None, date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Movement]:
    """The office's movements, newest first, with what a ledger page shows.

    Each row also carries what `irreversible_reason` needs (`has_hold`,
    `reversed_by_id`), so a page asks it row by row without a query per row.
    """
    movements = (
        Movement.objects.for_office(office)
        .select_related("from_location", "to_location", "recorded_by", "reverses")
        .annotate(
            # The office's own store count after this movement, when it touched the store.
            stock_after=Case(
                When(Q(from_location__office=office, from_location__kind=Kind.STOCK),
                     then=F("from_balance_after")),
                When(Q(to_location__office=office, to_location__kind=Kind.STOCK),
                     then=F("to_balance_after")),
                default=Value(None), output_field=IntegerField(),
            ),
            signed_quantity=Case(
                When(Q(to_location__office=office, to_location__kind=Kind.STOCK),
                     then=F("quantity")),
                When(Q(from_location__office=office, from_location__kind=Kind.STOCK),
                     then=-F("quantity")),
                default=Value(0), output_field=IntegerField(),
            ),
            has_hold=Exists(MovementHold.objects.filter(movement=OuterRef("pk"))),
            # The reverse one-to-one: at most one reversal per movement.
            reversed_by_id=F("reversed_by__id"),
        )
        .order_by("-occurred_on", "-id")
    )
    if reason:
        movements = movements.filter(reason=reason)
    if date_from:
        movements = movements.filter(occurred_on__gte=date_from)
    if date_to:
        movements = movements.filter(occurred_on__lte=date_to)
    return movements


def reversal_of(*, movement: Movement) -> Movement | None:
    """The movement that reversed `movement`, if one did (there is at most one)."""
    return Movement.objects.select_related("recorded_by").filter(reverses=movement).first()


class Irreversible(NamedTuple):
    """Why a movement cannot be reversed: a code for callers, a sentence for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def _reversed_by_id(movement: Movement) -> int | None:
    if hasattr(movement, "reversed_by_id"):  # annotated by office_movements
        return movement.reversed_by_id
    return (Movement.objects.filter(reverses=movement)
            .values_list("pk", flat=True).first())


def _has_hold(movement: Movement) -> bool:
    if hasattr(movement, "has_hold"):  # annotated by office_movements
        return movement.has_hold
    return MovementHold.objects.filter(movement=movement).exists()


def irreversible_reason(*, movement: Movement) -> Irreversible | None:
    """Why `movement` can never be reversed, or None when a reversal may be tried.

    The one home of the rule: reverse_movement refuses with this message, and the
    ledger page offers "Balik" only where it is None. It reads the annotations of
    office_movements when present (no query), else asks the database. A reversal that
    the current balances forbid (the blanks have moved on since) is not foreseen here:
    the service refuses it when it is tried.
    """
    if movement.reason == Reason.REVERSAL:
        return Irreversible("reversal", _("Mutasi pembalikan tidak dapat dibalik lagi."))
    reversed_by = _reversed_by_id(movement)
    if reversed_by is not None:
        return Irreversible("already_reversed", _(
            "Mutasi ini sudah dibalik oleh mutasi #%(id)s.") % {"id": reversed_by})
    if movement.reason == Reason.SPOIL_ISSUED:
        return Irreversible("spoiled_card", _(
            "Kartu rusak setelah dicetak tidak dapat dibalik: blankonya sudah masuk "
            "blanko rusak dan permohonannya sudah dibuka untuk dicetak ulang."))
    if movement.reason not in REVERSIBLE or movement.loan_id is not None:
        return Irreversible("not_reversible", _(
            "Mutasi pinjaman dikoreksi lewat pembatalan atau pengembalian, bukan "
            "pembalikan."))
    if getattr(movement, "blank_request_id", None) is not None:
        # A receipt of a dispatch from the central store: the shipment and the request
        # count it; reversing it would leave them wrong.
        return Irreversible("supply", _(
            "Penerimaan kiriman Ditjen dikoreksi oleh Ditjen (pembatalan kiriman), bukan "
            "dengan pembalikan."))
    if _has_hold(movement):
        # The draw of a printed card: reversing it would put the blank back on the
        # shelf while the card exists.
        return Irreversible("held", _(
            "Blanko mutasi #%(id)s sudah dicetak menjadi KTP-el (%(reference)s); "
            "pembalikan akan mengembalikannya ke stok padahal kartunya ada. Bila kartu "
            "itu rusak, catat lewat tindakan \"Kartu rusak setelah dicetak\" pada "
            "permohonannya.") % {"id": movement.pk, "reference": movement.reference or "-"})
    return None
