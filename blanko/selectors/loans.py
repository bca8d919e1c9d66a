"""Loans still owed, and blanks on their way: now, or rebuilt for a past day."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from blanko.models import Loan, Location, Movement, Office, Shipment

Kind = Location.Kind
Reason = Movement.Reason


@dataclass(frozen=True)
class Outstanding:
    partner: str
    direction: str  # "borrowed" or "lent"
    quantity: int  # delivered and not yet repaid
    in_transit: int  # sent, not yet received (either way)
    oldest: datetime.date
    # Days from the oldest loan to the as-of date; only when a date was asked for.
    age_days: int | None = None


def outstanding_loans(*, office: Office, as_of: datetime.date | None = None
                      ) -> list[Outstanding]:
    """What the office owes and is owed, per partner and direction, sorted.

    `quantity` is what has been delivered and not yet repaid; `in_transit` is what
    is still travelling (loans not yet received, repayments not yet in). Without
    `as_of`, from the loans' and shipments' current state. With it, rebuilt from the
    loans' movements dated on or before `as_of` (two queries), so that it holds for a
    past date too, with each row's age on that date; on today both agree.
    """
    if as_of is not None:
        return _outstanding_as_of(office=office, as_of=as_of)
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
    grouped: dict[tuple[str, str], tuple[int, int, datetime.date]] = {}
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


def _outstanding_as_of(*, office: Office, as_of: datetime.date) -> list[Outstanding]:
    loans = list(
        Loan.objects.filter(Q(lender_office=office) | Q(borrower_office=office),
                            opened_on__lte=as_of)
        .select_related("lender_office", "lender_partner", "borrower_office",
                        "borrower_partner")
    )
    partner = Q(to_location__kind=Kind.PARTNER)
    totals = {
        row["loan"]: row for row in
        Movement.objects.filter(loan__in=[loan.pk for loan in loans], occurred_on__lte=as_of)
        .values("loan")
        .annotate(
            delivered=Coalesce(Sum("quantity", filter=Q(reason=Reason.LOAN_IN)
                                   | (Q(reason=Reason.LOAN_OUT) & partner)), 0),
            repaid=Coalesce(Sum("quantity", filter=Q(reason=Reason.REPAYMENT_IN)
                                | (Q(reason=Reason.REPAYMENT_OUT) & partner)), 0),
            transit=Coalesce(Sum("quantity", filter=Q(to_location__kind=Kind.TRANSIT)), 0)
            - Coalesce(Sum("quantity", filter=Q(from_location__kind=Kind.TRANSIT)), 0),
        )
        .order_by()
    } if loans else {}
    grouped: dict[tuple[str, str], list] = {}
    for loan in loans:
        row = totals.get(loan.pk, {"delivered": 0, "repaid": 0, "transit": 0})
        outstanding, transit = row["delivered"] - row["repaid"], row["transit"]
        if not outstanding and not transit:
            continue
        borrowed = loan.borrower_office_id == office.pk
        key = (loan.lender_name if borrowed else loan.borrower_name,
               "borrowed" if borrowed else "lent")
        sums = grouped.setdefault(key, [0, 0, loan.opened_on])
        sums[0] += outstanding
        sums[1] += transit
        sums[2] = min(sums[2], loan.opened_on)
    return [
        Outstanding(partner=p, direction=d, quantity=q, in_transit=t, oldest=o,
                    age_days=(as_of - o).days)
        for (p, d), (q, t, o) in sorted(grouped.items())
    ]


def _net_into_transit_of(office_field: str):
    """Blanks moved into the transit location of the office named by `office_field`, net."""
    def moved(direction: str):
        return Coalesce(Sum("quantity", filter=Q(**{
            f"{direction}_location__kind": Kind.TRANSIT,
            f"{direction}_location__office_id": F(office_field)})), 0)
    return moved("to") - moved("from")


def incoming_by_office(*, office_ids: Collection[int], as_of: datetime.date,
                       today: datetime.date) -> dict[int, int]:
    """Blanks in TRANSIT towards each office at the end of `as_of`: loans and
    repayments still to arrive.

    Today it is the remainder of the shipments in transit (offices with none are left
    out). For a past date the shipments' current state says nothing, so it is rebuilt
    from the movements in and out of the senders' TRANSIT locations dated on or
    before `as_of`, one entry per office.
    """
    if as_of >= today:
        rows = (
            # Loans and repayments only: a dispatch from the central store is Ditjen's
            # (selectors.incoming_from_ditjen), on its own line of the forecast.
            Shipment.objects.filter(receiver_id__in=office_ids, loan__isnull=False,
                                    status=Shipment.Status.IN_TRANSIT)
            .values("receiver_id")
            .annotate(total=Sum(F("quantity") - F("received_quantity")
                                - F("cancelled_quantity")))
            .values_list("receiver_id", "total")
        )
        return dict(rows)
    # A shipment travels from one side of a loan to the other, and waits in the
    # sender's TRANSIT: blanks there belong on their way to the loan's other side.
    moves = (
        Movement.objects.filter(
            Q(to_location__kind=Kind.TRANSIT) | Q(from_location__kind=Kind.TRANSIT),
            Q(loan__lender_office_id__in=office_ids) | Q(loan__borrower_office_id__in=office_ids),
            occurred_on__lte=as_of,
        )
        .values("loan__lender_office_id", "loan__borrower_office_id")
        .annotate(
            to_lender_side=_net_into_transit_of("loan__lender_office_id"),
            to_borrower_side=_net_into_transit_of("loan__borrower_office_id"),
        )
    )
    totals: dict[int, int] = defaultdict(int)
    for row in moves:
        # Blanks in the lender's TRANSIT travel to the borrower, and the other way round.
        totals[row["loan__borrower_office_id"]] += row["to_lender_side"]
        totals[row["loan__lender_office_id"]] += row["to_borrower_side"]
    return {pk: totals.get(pk, 0) for pk in office_ids}


def shipments_towards(*, office: Office) -> list[Shipment]:
    """Shipments in transit towards the office, each with its loan (for its letter).
    One query, lighter than pending_shipments: the print queue's quota reads them on
    every load."""
    return list(Shipment.objects.filter(receiver=office, status=Shipment.Status.IN_TRANSIT)
                .select_related("loan"))


def pending_shipments(*, office: Office) -> QuerySet[Shipment]:
    """Shipments in transit to or from the office."""
    return (
        Shipment.objects.filter(Q(sender=office) | Q(receiver=office),
                                status=Shipment.Status.IN_TRANSIT)
        .select_related("sender", "receiver", "loan", "blank_request")
    )


def owed_on_loans_due(*, office_ids: Collection[int], as_of: datetime.date,
                      due_by: datetime.date | Mapping[int, datetime.date]) -> dict[int, int]:
    """Blanks each office still has to pay back, at the end of `as_of`, on the loans it
    borrowed that fall due on or before `due_by` (one date for all, or one per office;
    an office missing from the mapping owes nothing).

    What an office owes is what its store took in on the loan, plus what is still on
    its way to it (counted as supply to come, so owed as well), less what it has sent
    back: a repayment still travelling has left the store, one cancelled back into the
    store is owed again. That is the net flow of the loan's movements into the
    borrower's STOCK and into the lender's TRANSIT, dated on or before `as_of`. Loan
    movements cannot be reversed, so no reversal needs leaving out. One query.
    """
    dates = due_by if isinstance(due_by, Mapping) else dict.fromkeys(office_ids, due_by)
    dates = {pk: day for pk, day in dates.items() if pk in set(office_ids)}
    owed = dict.fromkeys(office_ids, 0)
    if not dates:
        return owed
    into_store = Q(to_location__kind=Kind.STOCK,
                   to_location__office_id=F("loan__borrower_office_id"))
    out_of_store = Q(from_location__kind=Kind.STOCK,
                     from_location__office_id=F("loan__borrower_office_id"))
    rows = (
        Movement.objects.filter(loan__borrower_office_id__in=list(dates),
                                loan__due_on__lte=max(dates.values()), occurred_on__lte=as_of)
        .values("loan__borrower_office_id", "loan__due_on")
        .annotate(owed=Coalesce(Sum("quantity", filter=into_store), 0)
                  - Coalesce(Sum("quantity", filter=out_of_store), 0)
                  + _net_into_transit_of("loan__lender_office_id"))
        .order_by()
        .values_list("loan__borrower_office_id", "loan__due_on", "owed")
    )
    for office_id, due_on, amount in rows:
        if due_on <= dates[office_id]:
            owed[office_id] += amount
    return {pk: max(amount, 0) for pk, amount in owed.items()}


# --- The supervisor's loan pages ------------------------------------------------------------


def _still_travelling(kind: str):
    """Blanks of the loan's shipments of `kind` still on their way (0 when none)."""
    return Coalesce(
        Sum(
            F("shipments__quantity") - F("shipments__received_quantity")
            - F("shipments__cancelled_quantity"),
            filter=Q(shipments__status=Shipment.Status.IN_TRANSIT, shipments__kind=kind),
        ),
        0,
    )


def _with_transit(loans: QuerySet[Loan]) -> QuerySet[Loan]:
    """Loans with both sides' names and what is still travelling, in the same query."""
    return (
        loans.select_related("lender_office", "lender_partner", "borrower_office",
                             "borrower_partner")
        .annotate(loan_in_transit=_still_travelling(Shipment.Kind.LOAN),
                  repayment_in_transit=_still_travelling(Shipment.Kind.REPAYMENT))
    )


def loans_repaid_by(*, office: Office) -> QuerySet[Loan]:
    """The loans whose repayments `office` records (see services.repay_loan): those it
    borrowed, and those it lent to a kab/kota outside SiBlanko. Annotated as
    office_loans' rows are."""
    return _with_transit(Loan.objects.filter(
        Q(borrower_office=office) | Q(lender_office=office, borrower_office__isnull=True)
    ))


def loans_opened_by(*, office: Office) -> QuerySet[Loan]:
    """The loans `office` opened and so sets the due date of: those it lent, and those it
    borrowed from a kab/kota outside SiBlanko."""
    return _with_transit(Loan.objects.filter(
        Q(lender_office=office) | Q(borrower_office=office, lender_office__isnull=True)
    ))


@dataclass(frozen=True)
class LoanLine:
    """One loan as `office` sees it."""

    loan: Loan
    direction: str  # "borrowed" or "lent", from the office's side
    counterpart: str
    in_transit: int  # lent blanks sent and not yet received
    repayment_in_transit: int  # repaid blanks sent and not yet received
    age_days: int | None  # days since it opened, while it is open
    overdue: bool  # past its due date with blanks still owed
    records_repayment: bool  # the office records its repayments (loans_repaid_by)
    repayable: int  # what may still be paid back: owed, less repayments on their way
    sets_due_date: bool  # the office opened it (loans_opened_by)

    @property
    def is_open(self) -> bool:
        return self.loan.status == Loan.Status.OPEN


def loan_line(*, loan: Loan, office: Office, today: datetime.date) -> LoanLine:
    """`loan` (annotated by _with_transit) from `office`'s side, on `today`."""
    borrowed = loan.borrower_office_id == office.pk
    is_open = loan.status == Loan.Status.OPEN
    other = (loan.lender_office or loan.lender_partner if borrowed
             else loan.borrower_office or loan.borrower_partner)
    return LoanLine(
        loan=loan,
        direction="borrowed" if borrowed else "lent",
        counterpart=other.name,
        in_transit=loan.loan_in_transit,
        repayment_in_transit=loan.repayment_in_transit,
        age_days=(today - loan.opened_on).days if is_open else None,
        overdue=bool(loan.due_on and loan.due_on < today and loan.outstanding > 0),
        records_repayment=borrowed or loan.borrower_office_id is None,
        repayable=max(loan.outstanding - loan.repayment_in_transit, 0) if is_open else 0,
        sets_due_date=not borrowed or loan.lender_office_id is None,
    )


def office_loans(*, office: Office, today: datetime.date, include_closed: bool = False
                 ) -> list[LoanLine]:
    """The office's loans, each way, newest first: the open ones, or every one. One query."""
    loans = _with_transit(Loan.objects.filter(Q(lender_office=office)
                                              | Q(borrower_office=office)))
    if not include_closed:
        loans = loans.filter(status=Loan.Status.OPEN)
    return [loan_line(loan=loan, office=office, today=today) for loan in loans]


def office_shipments(*, office: Office, received_only: bool = False) -> QuerySet[Shipment]:
    """Every shipment the office sent or received (only received, if asked), whatever
    its status."""
    sides = Q(receiver=office) if received_only else Q(sender=office) | Q(receiver=office)
    return Shipment.objects.filter(sides).select_related("sender", "receiver", "loan",
                                                         "blank_request")
