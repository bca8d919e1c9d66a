"""Province rebalancing: loans between the offices of a province, so that they run out
together (Ditjen's instruction to the provinces, 2022). The rule is written in the
README ("Province rebalancing", under "Supply cycle").

For each office with use, from its dashboard figures (average daily use a over the days
with stock, stock s, incoming n: loans and Ditjen shipments in transit to it, lead time
L in whole days), its position p = s + n:
- it keeps at least k = ceil(a × (L + 14)) of its stock;
- the province's cover T = Σp ÷ Σa, and the office's target t = floor(a × T);
- a lender (p > t) can give g = max(0, min(p − t, s − k)); a borrower (p < t) needs t − p;
- borrowers by days of cover ascending, lenders descending; the first borrower is filled
  from the first lender, and so on; each proposal is rounded down to a multiple of 100,
  and what the rounding leaves stays with the lender for the next borrower; under 100
  is no proposal.

The issue's rule reads s alone. Blanks in transit count as the receiving office's (n):
an accepted loan leaves the lender's stock at once but reaches the borrower's only on
receipt, so with s alone the province's total shrank while blanks were on the road and
the plan proposed the same borrower again. With nothing in transit, p = s and the rule
is the issue's.

`plan` is the arithmetic, which reads nothing; `province_figures` reads the figures of
every office of a province in a fixed number of queries (those of the rollup: the
stock, the use window, the lead times), whatever the number of offices.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils import timezone

from blanko.models import Office
from layanan.supervision import forecast, planning

UNIT = 100  # every proposal is a multiple of this many blanks (RebalancingProposal.UNIT)
LENDER, BORROWER, NEITHER = "lender", "borrower", "neither"


@dataclass(frozen=True)
class OfficeFigures:
    """What the plan needs of one office: its stock, its average daily use (None or 0:
    no use, so it takes no part) and its lead time in whole days."""

    office: Any  # an Office, or any label in the tests of the arithmetic
    stock: int
    average: Fraction | None
    lead_time_days: int
    code: str = ""  # orders ties of days of cover
    incoming: int = 0  # n: loans and Ditjen shipments in transit to the office

    @property
    def position(self) -> int:
        return self.stock + self.incoming

    @property
    def has_use(self) -> bool:
        return bool(self.average)

    @property
    def cover(self) -> Fraction | None:
        return Fraction(self.position) / self.average if self.has_use else None


@dataclass(frozen=True)
class Proposal:
    lender: Any
    borrower: Any
    quantity: int


@dataclass(frozen=True)
class OfficeLine:
    """One office of the plan: its figures, what it keeps and aims at, and the effect."""

    figures: OfficeFigures
    keep: int | None  # k; None for an office without use
    target: int | None  # t
    role: str
    can_give: int  # g of a lender
    needs: int  # t − p of a borrower
    given: int  # in the proposals
    received: int

    @property
    def stock_after(self) -> int:
        return self.figures.stock - self.given + self.received

    @property
    def cover_after(self) -> Fraction | None:
        if not self.figures.has_use:
            return None
        return Fraction(self.stock_after + self.figures.incoming) / self.figures.average


@dataclass(frozen=True)
class Plan:
    lines: list[OfficeLine]
    proposals: list[Proposal]
    province_cover: Fraction | None  # T


def plan(figures: Sequence[OfficeFigures]) -> Plan:
    """The rebalancing proposals for these offices (see the module's docstring)."""
    used = [f for f in figures if f.has_use]
    total_use = sum((f.average for f in used), Fraction(0))
    province_cover = Fraction(sum(f.position for f in used)) / total_use if used else None
    keep, target, give, need = {}, {}, {}, {}
    for f in used:
        key = id(f)
        keep[key] = minimum_stock(f)
        target[key] = math.floor(f.average * province_cover)
        if f.position > target[key]:
            give[key] = max(0, min(f.position - target[key], f.stock - keep[key]))
        elif f.position < target[key]:
            need[key] = target[key] - f.position
    lenders = sorted((f for f in used if give.get(id(f))),
                     key=lambda f: (-f.cover, f.code))
    borrowers = sorted((f for f in used if id(f) in need), key=lambda f: (f.cover, f.code))
    left = {**give, **need}
    proposals: list[Proposal] = []
    li = bi = 0
    while li < len(lenders) and bi < len(borrowers):
        lender, borrower = lenders[li], borrowers[bi]
        quantity = min(left[id(lender)], left[id(borrower)]) // UNIT * UNIT
        if quantity:
            proposals.append(Proposal(lender.office, borrower.office, quantity))
            left[id(lender)] -= quantity
            left[id(borrower)] -= quantity
        # One of the two has less than UNIT left: it can take part in no more proposals.
        if left[id(lender)] < UNIT:
            li += 1
        if left[id(borrower)] < UNIT:
            bi += 1
    given = {id(f): give.get(id(f), 0) - left.get(id(f), 0) for f in lenders}
    received = {id(f): need[id(f)] - left[id(f)] for f in borrowers}
    lines = []
    for f in figures:
        key = id(f)
        role = LENDER if key in give else BORROWER if key in need else NEITHER
        lines.append(OfficeLine(
            figures=f, keep=keep.get(key), target=target.get(key), role=role,
            can_give=give.get(key, 0), needs=need.get(key, 0),
            given=given.get(key, 0), received=received.get(key, 0)))
    return Plan(lines=lines, proposals=proposals, province_cover=province_cover)


def province_figures(*, province_code: str, as_of: datetime.date | None = None,
                     today: datetime.date | None = None) -> list[OfficeFigures]:
    """The figures of every office of the province on `as_of` (today by default), as the
    dashboard computes them (the allocation plan's reads): a fixed number of queries,
    whatever the number of offices."""
    offices = list(Office.objects.filter(code__startswith=province_code).order_by("code"))
    return _figures_of(offices, as_of=as_of, today=today)


def _figures_of(offices: list[Office], *, as_of: datetime.date | None,
                today: datetime.date | None) -> list[OfficeFigures]:
    if not offices:
        return []
    today = today or timezone.localdate()
    as_of = min(as_of or today, today)
    read = planning.office_figures(offices, as_of, today)
    return [OfficeFigures(office=office, stock=read[office.pk].stock,
                          average=read[office.pk].average,
                          lead_time_days=read[office.pk].lead_time_days, code=office.code,
                          incoming=read[office.pk].incoming)
            for office in offices]


def minimum_stock(figures: OfficeFigures) -> int:
    """k = ⌈a × (L + 14)⌉: what an office with use keeps, lending or not."""
    return math.ceil(figures.average * (figures.lead_time_days + forecast.SAFETY_DAYS))


def _days(cover: Fraction | None) -> str:
    """Whole days of cover, grouped as Indonesian writes numbers (1.250), whatever the
    language of the request: the note is stored."""
    return f"{int(cover):,}".replace(",", ".") if cover is not None else ""


def proposal_note(*, plan: Plan, lender: Office, borrower: Office, extra: str = "") -> str:
    """The note a proposal sent from the plan carries, from the plan's figures of that
    day: the borrower's days of cover and the lender's, so that the lender reads why
    (the plan page's buttons and the demo's proposal send it), then the coordinator's
    own `extra` words, if any, on a line of their own (propose_rebalancing cleans the
    whole and checks its length). Stored in the database and read by both offices, so
    written in the site's language, Indonesian, as PLAN_NOTE and LOAN_NOTE are, whatever
    the coordinator's language. An office without use in the plan (a pair sent by hand)
    is said to have none."""
    cover = {line.figures.code: line.figures.cover for line in plan.lines}
    borrower_days, lender_days = _days(cover.get(borrower.code)), _days(cover.get(lender.code))
    borrower_text = (f"stok {borrower.name} cukup untuk sekitar {borrower_days} hari"
                     if borrower_days else f"{borrower.name} tanpa pemakaian")
    lender_text = (f"stok {lender.name} sekitar {lender_days} hari"
                   if lender_days else f"{lender.name} tanpa pemakaian")
    note = f"Pemerataan provinsi: {borrower_text}, {lender_text}."
    extra = extra.strip()
    return f"{note}\n{extra}" if extra else note


def province_plan(*, province_code: str, as_of: datetime.date | None = None) -> Plan:
    """The plan with each office's line, for the coordinator's page."""
    return plan(province_figures(province_code=province_code, as_of=as_of))


def rebalancing_plan(*, province_code: str, as_of: datetime.date | None = None
                     ) -> list[Proposal]:
    """The loans proposed between the offices of the province: (lender, borrower,
    quantity), lenders and borrowers as Office rows."""
    return province_plan(province_code=province_code, as_of=as_of).proposals


def lender_figures(*, office: Office) -> dict[str, Any] | None:
    """`office`'s figures today, for the lender's answer to a proposal (registered with
    blanko.supply_figures by SupervisionConfig.ready, since blanko may not import this
    package): its stock, average daily use (a Fraction; None without use), lead time in
    whole days, the safety days, and the minimum it keeps, the plan's own k
    (minimum_stock; None without use). An office's line of the plan depends on its own
    figures alone, so they are read for it alone. None for the central store."""
    if office.is_central:
        return None
    figures = _figures_of([office], as_of=None, today=None)[0]
    return {"stock": figures.stock, "average": figures.average,
            "lead_time_days": figures.lead_time_days, "safety_days": forecast.SAFETY_DAYS,
            "minimum": minimum_stock(figures) if figures.has_use else None}
