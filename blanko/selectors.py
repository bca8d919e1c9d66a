"""Reads of the ledger. Pages call these; none of them writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from blanko.models import Balance, Loan, Location, Movement, Office, Shipment

Kind = Location.Kind


def stock_on_hand(*, office: Office) -> int:
    """Blanks in the office's store now, in O(1) from its balance row."""
    return (
        Balance.objects.filter(location__office=office, location__kind=Kind.STOCK)
        .values_list("quantity", flat=True)
        .get()
    )


def office_balances(*, office: Office) -> dict[str, int]:
    """Current counts of every balanced location of an office, by kind."""
    rows = Balance.objects.filter(location__office=office).values_list(
        "location__kind", "quantity"
    )
    return dict(rows)


def office_movements(
    *, office: Office, reason: str | None = None, date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Movement]:
    """The office's movements, newest first, with what a ledger page shows."""
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


def balances_as_of(*, locations, day: datetime.date) -> QuerySet[Balance]:
    """The balance rows of `locations`, each with `count_as_of`: its count at the end of
    `day`, in one statement.

    The row's quantity less the movements dated after `day`: the days since then are
    read, not the whole history. It equals balance_as_of (the ledger's own sum)
    because a posting moves its balance and writes its movement in one transaction,
    which verify_ledger checks; and one statement sees one snapshot, so a posting
    committed meanwhile is in both the quantity and the sum, or in neither.
    """
    later = Movement.objects.filter(occurred_on__gt=day).order_by()

    def moved(direction: str) -> Coalesce:
        total = (later.filter(**{direction: OuterRef("location")}).values(direction)
                 .annotate(total=Sum("quantity")).values("total"))
        return Coalesce(Subquery(total), 0)

    return Balance.objects.filter(location__in=locations).annotate(
        count_as_of=F("quantity") - moved("to_location") + moved("from_location"))


def balance_as_of(*, office: Office, day: datetime.date, kind: str = Kind.STOCK) -> int:
    """The count of one of the office's locations at the end of a business date, summed
    from the ledger alone (any location, with or without a balance row)."""
    location = Location.objects.get(office=office, kind=kind)
    totals = Movement.objects.filter(
        Q(to_location=location) | Q(from_location=location), occurred_on__lte=day
    ).aggregate(
        incoming=Coalesce(Sum("quantity", filter=Q(to_location=location)), 0),
        outgoing=Coalesce(Sum("quantity", filter=Q(from_location=location)), 0),
    )
    return totals["incoming"] - totals["outgoing"]


@dataclass(frozen=True)
class Outstanding:
    partner: str
    direction: str  # "borrowed" or "lent"
    quantity: int
    in_transit: int
    oldest: datetime.date


def outstanding_loans(*, office: Office) -> list[Outstanding]:
    """What the office owes and is owed, per partner and direction.

    `quantity` is what has been delivered and not yet repaid; `in_transit` is
    what is still travelling (loans not yet received, repayments not yet in).
    """
    loans = (
        Loan.objects.filter(Q(lender_office=office) | Q(borrower_office=office))
        .exclude(status=Loan.Status.CANCELLED)
        .select_related("lender_office", "lender_partner", "borrower_office", "borrower_partner")
        .annotate(
            transit=Coalesce(
                Sum(
                    F("shipments__quantity") - F("shipments__received_quantity")
                    - F("shipments__cancelled_quantity"),
                    filter=Q(shipments__status=Shipment.Status.IN_TRANSIT),
                ),
                0,
            )
        )
    )
    grouped: dict[tuple[str, str], list] = {}
    for loan in loans:
        if loan.status == Loan.Status.SETTLED:
            continue
        borrowed = loan.borrower_office_id == office.pk
        partner = loan.lender_name if borrowed else loan.borrower_name
        key = (partner, "borrowed" if borrowed else "lent")
        quantity, transit, oldest = grouped.get(key, (0, 0, loan.opened_on))
        grouped[key] = (
            quantity + loan.outstanding, transit + loan.transit, min(oldest, loan.opened_on)
        )
    return [
        Outstanding(partner=p, direction=d, quantity=q, in_transit=t, oldest=o)
        for (p, d), (q, t, o) in sorted(grouped.items())
    ]


def pending_shipments(*, office: Office) -> QuerySet[Shipment]:
    """Shipments in transit to or from the office."""
    return (
        Shipment.objects.filter(Q(sender=office) | Q(receiver=office),
                                status=Shipment.Status.IN_TRANSIT)
        .select_related("sender", "receiver", "loan")
    )


@dataclass(frozen=True)
class Drift:
    location: str
    recorded: int | None
    computed: int


def ledger_drift() -> list[Drift]:
    """Rebuilds every balance from the movements and lists those that differ.

    Also reports a physical location whose movements net below zero, which a
    deleted receipt would cause even if no balance row were touched.
    """
    incoming = dict(
        Movement.objects.values_list("to_location").annotate(total=Sum("quantity"))
        .values_list("to_location", "total")
    )
    outgoing = dict(
        Movement.objects.values_list("from_location").annotate(total=Sum("quantity"))
        .values_list("from_location", "total")
    )
    balances = dict(Balance.objects.values_list("location_id", "quantity"))
    drifts = []
    for location in Location.objects.order_by("id"):
        computed = incoming.get(location.pk, 0) - outgoing.get(location.pk, 0)
        if location.has_balance:
            recorded = balances.get(location.pk)
            if recorded != computed or computed < 0:
                drifts.append(Drift(location.code, recorded, computed))
    return drifts


def offices_with_stock(*, offices: QuerySet[Office]) -> QuerySet[Office]:
    """Offices annotated with their store count, in one query."""
    return offices.annotate(
        stock=Sum("locations__balance__quantity", filter=Q(locations__kind=Kind.STOCK))
    ).order_by("code")
