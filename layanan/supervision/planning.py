"""Ditjen's national allocation when the central store is short (README, "National
allocation under scarcity"; issue 14, part 1).

`share_allocation` is the rule's arithmetic and reads nothing; `allocation_plan` reads the
requests waiting for an allocation (forwarded by their province), the central store's free
stock and each office's dashboard figures (the rollup's reads, through blanko.selectors
and forecast.forecast_from_window), in a fixed number of queries whatever the number of
requests, and hands them to it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.utils import timezone

from blanko import selectors as ledger
from blanko.models import BlankRequest, LocationKind, Office
from layanan.supervision import forecast

# The floor need lasts until a shipment can reach the office, plus the dashboard's safety
# margin (the "ask Ditjen by" date uses the same 14 days).
FLOOR_MARGIN_DAYS = forecast.SAFETY_DAYS


@dataclass(frozen=True)
class Claim:
    """One waiting request, as the arithmetic sees it."""

    asked: int
    floor_need: int
    cover: Fraction | None  # days of cover before; None when the office uses nothing
    order: Any  # the submission order: smaller is earlier (ties of cover and fraction)


@dataclass(frozen=True)
class Share:
    phase1: int
    proposed: int


def _priority(claim: Claim) -> tuple:
    # Days of cover ascending; an office without use last; ties: earlier submission.
    return (claim.cover is None, claim.cover or 0, claim.order)


def share_allocation(claims: Sequence[Claim], free: int) -> list[Share]:
    """What each claim gets of `free` blanks, in the order of `claims`.

    Phase 1: by days of cover ascending, each gets min(floor need, what is left).
    Phase 2: what is left, R, is shared over the rest r = asked - phase 1: floor(R * r /
    sum r) each, then the remaining blanks one each by the largest fractional part (ties:
    earlier submission), never beyond r; when R >= sum r, everyone gets what they asked.
    """
    left = max(free, 0)
    phase1 = [0] * len(claims)
    for i in sorted(range(len(claims)), key=lambda i: _priority(claims[i])):
        phase1[i] = min(claims[i].floor_need, left)
        left -= phase1[i]
    rest = [claim.asked - got for claim, got in zip(claims, phase1, strict=True)]
    total = sum(rest)
    if left >= total:
        return [Share(got, claim.asked) for claim, got in zip(claims, phase1, strict=True)]
    # Integers only: the fractional part of R * r / total is (R * r mod total) / total.
    extra = [left * r // total for r in rest]
    remaining = left - sum(extra)
    by_fraction = sorted(range(len(claims)),
                         key=lambda i: (-(left * rest[i] % total), claims[i].order))
    for i in by_fraction:
        if remaining == 0:
            break
        if extra[i] < rest[i]:
            extra[i] += 1
            remaining -= 1
    return [Share(got, got + more) for got, more in zip(phase1, extra, strict=True)]


def tenths(days: Fraction | None) -> Decimal | None:
    """Days of cover rounded down to a tenth, as the dashboard shows them."""
    if days is None:
        return None
    return Decimal(days.numerator * 10 // days.denominator) / 10


@dataclass(frozen=True)
class AllocationLine:
    request: BlankRequest
    office: Office
    asked: int
    floor_need: int
    phase1: int
    proposed: int
    cover_before: Fraction | None  # stock / average use, days; None when no use
    cover_after: Fraction | None  # (stock + incoming + the office's proposals) / average
    stock: int
    average: Fraction | None
    incoming: int  # loans on their way, and what Ditjen allocated and has not delivered
    lead_time_days: int

    @cached_property
    def cover_before_shown(self) -> Decimal | None:
        return tenths(self.cover_before)

    @cached_property
    def cover_after_shown(self) -> Decimal | None:
        return tenths(self.cover_after)

    @cached_property
    def average_shown(self) -> Decimal | None:
        """Blanks used per day, to a tenth."""
        if self.average is None:
            return None
        return Decimal(self.average.numerator) / Decimal(self.average.denominator)

    @cached_property
    def adjusted(self) -> bool:
        """Whether the proposal is less than the request asked for."""
        return self.proposed < self.asked


def ceil_fraction(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def office_floor_need(*, average: Fraction | None, lead_time_days: int, stock: int,
                      incoming: int) -> int:
    """ceil(a * (L + 14)) - s - n, at least 0 (before the cap by what the request asked)."""
    if not average:
        return 0
    return max(0, ceil_fraction(average * (lead_time_days + FLOOR_MARGIN_DAYS))
               - stock - incoming)


@dataclass(frozen=True)
class DashboardFigures:
    """One office's dashboard figures, as both plans read them."""

    stock: int
    average: Fraction | None
    cover: Fraction | None
    incoming: int
    lead_time_days: int


def office_figures(offices: list[Office], as_of: datetime.date, today: datetime.date
                   ) -> dict[int, DashboardFigures]:
    """The dashboard's figures of each office, read as office_rollup reads them."""
    ids = [office.pk for office in offices]
    balances = ledger.balances_as_of(office_ids=ids, day=as_of, today=today)
    stock = {pk: balances.get((pk, LocationKind.STOCK), 0) for pk in ids}
    windows = ledger.store_windows(office_ids=ids, end=as_of, stock=stock,
                                   days=forecast.USE_WINDOW_DAYS)
    on_loan = ledger.incoming_by_office(office_ids=ids, as_of=as_of, today=today)
    from_ditjen = ledger.incoming_from_ditjen(office_ids=ids, as_of=as_of, today=today)
    lead_times = ledger.lead_times(offices=offices, as_of=as_of)
    figures = {}
    for office in offices:
        lead_days = forecast.whole_lead_days(lead_times[office.pk].days)
        prediction = forecast.forecast_from_window(
            as_of=as_of, stock=stock[office.pk], window=windows[office.pk],
            lead_time_days=lead_days)
        figures[office.pk] = DashboardFigures(
            stock=prediction.stock, average=prediction.average,
            cover=prediction.days_of_cover,
            incoming=on_loan.get(office.pk, 0) + from_ditjen.get(office.pk, 0),
            lead_time_days=lead_days)
    return figures


def allocation_plan(*, as_of: datetime.date | None = None) -> list[AllocationLine]:
    """The proposal for every request waiting for Ditjen's allocation (forwarded), most
    urgent first (the order of phase 1), from the central store's free stock now and each
    office's figures on `as_of` (today by default).

    An office with several waiting requests has one need: its floor need goes to its
    requests in the order they were submitted, so that it is not counted twice.
    """
    today = timezone.localdate()
    as_of = min(as_of or today, today)
    # Oldest first: the submission order breaks ties.
    # Neither the author nor the letter's figures (a JSON document per request) are
    # needed here: 514 of each cost more than the plan's arithmetic.
    requests = list(ledger.blank_requests(statuses=[BlankRequest.Status.FORWARDED])
                    .select_related(None).select_related("office").defer("figures")
                    .order_by("submitted_on", "id"))
    if not requests:
        return []
    free = ledger.central_stock()["free"]
    offices = list({r.office_id: r.office for r in requests}.values())
    figures = office_figures(offices, as_of, today)
    need_left = {office.pk: office_floor_need(
        average=figures[office.pk].average, lead_time_days=figures[office.pk].lead_time_days,
        stock=figures[office.pk].stock, incoming=figures[office.pk].incoming)
        for office in offices}
    claims = []
    for order, blank_request in enumerate(requests):
        floor_need = min(blank_request.asked, need_left[blank_request.office_id])
        need_left[blank_request.office_id] -= floor_need
        claims.append(Claim(asked=blank_request.asked, floor_need=floor_need,
                            cover=figures[blank_request.office_id].cover, order=order))
    shares = share_allocation(claims, free)
    proposed_for: dict[int, int] = defaultdict(int)
    for blank_request, share in zip(requests, shares, strict=True):
        proposed_for[blank_request.office_id] += share.proposed
    lines = []
    for blank_request, claim, share in zip(requests, claims, shares, strict=True):
        office = figures[blank_request.office_id]
        after = None
        if office.average:
            after = (office.stock + office.incoming + proposed_for[blank_request.office_id]
                     ) / office.average
        lines.append((_priority(claim), AllocationLine(
            request=blank_request, office=blank_request.office, asked=claim.asked,
            floor_need=claim.floor_need, phase1=share.phase1, proposed=share.proposed,
            cover_before=office.cover, cover_after=after, stock=office.stock,
            average=office.average, incoming=office.incoming,
            lead_time_days=office.lead_time_days)))
    lines.sort(key=lambda pair: pair[0])
    return [line for _key, line in lines]


def plan_totals(lines: Sequence[AllocationLine], *, free: int) -> dict[str, int | bool]:
    """The page's summary: the free stock, what is asked and proposed, and whether the
    store is short (the requests ask for more than its free stock)."""
    asked = sum(line.asked for line in lines)
    return {"free": free, "asked": asked, "proposed": sum(line.proposed for line in lines),
            "scarce": asked > free}
