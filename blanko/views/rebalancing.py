"""The lender's answer to the province's rebalancing proposal: accept (the loan opens)
or decline with a reason.

Thin, as the loan pages: `blanko.manage_loan` at the office in the URL (scoped_office, a
404 for another office), the proposal among those that office lends in (the borrower's
supervisor gets a 404: it only sees the proposal on its loan list), then one service of
blanko.services.rebalancing, which checks the permission again and every rule.

"Setujui" on the loan list opens the confirmation (a GET of the approve URL): the
proposal and what it does to the lender's own store, stock now and after, days of
cover after, and a warning when the store would fall below the minimum the province's
plan says it keeps, or has fallen by a tenth since the proposal was made. One click there (a POST
with the form's one-time key) approves it. ("Terima" stays the word for receiving
blanks; approving a proposal is "Setujui".)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from blanko import selectors, services, supply_figures
from blanko.formatting import number
from blanko.models import Office, RebalancingProposal
from blanko.rebalancing_forms import AcceptForm, DeclineForm
from blanko.selectors.rebalancing import (
    DECLINED_REST_DAYS,
    lender_stock_when_proposed,
    proposals_to_decide,
    waiting_to_lend,
)
from blanko.views.common import carry_out, scoped_office

PERM = "blanko.manage_loan"


@dataclass(frozen=True)
class LenderEffect:
    """What accepting one proposal does to the lender's store, in the dashboard's terms:
    the stock now and after, the days of cover after at the average daily use, and the
    minimum k = ⌈a × (L + 14)⌉ the province's plan says the lender keeps (its own rule,
    through blanko.supply_figures; None without use or without the supervision layer)."""

    stock: int
    quantity: int
    average: Fraction | None = None
    lead_time_days: int | None = None
    safety_days: int | None = None
    minimum: int | None = None
    stock_when_proposed: int | None = None  # the confirmation reads it; the list does not

    @property
    def after(self) -> int:
        return self.stock - self.quantity

    @property
    def short(self) -> bool:
        """The store holds less than the proposal now: accepting is refused."""
        return self.after < 0

    @property
    def cover_after(self) -> Decimal | None:
        """Days of cover after the loan, rounded down to a tenth as the dashboard shows
        them (never more than the stock lasts); None without use or when short."""
        if not self.average or self.short:
            return None
        return Decimal(math.floor(Fraction(self.after * 10) / self.average)) / 10

    @property
    def average_shown(self) -> float | None:
        return None if self.average is None else float(self.average)

    @property
    def days_kept(self) -> int | None:
        """The days of use the minimum covers: the lead time and the safety days."""
        if self.lead_time_days is None or self.safety_days is None:
            return None
        return self.lead_time_days + self.safety_days

    @property
    def below_minimum(self) -> bool:
        return self.minimum is not None and not self.short and self.after < self.minimum

    @property
    def stock_fell(self) -> bool:
        """The proposal was made on a stock at least a tenth larger than the lender holds
        now. A day's printing since is no reason to look again, and a warning on every
        proposal would teach the lender to skip them all; a loan sent elsewhere is."""
        if self.stock_when_proposed is None:
            return False
        return self.stock_when_proposed - self.stock >= max(1, self.stock_when_proposed / 10)


def lender_effects(*, office: Office, proposals: Iterable[RebalancingProposal]
                   ) -> list[RebalancingProposal]:
    """The proposals `office` lends in, each with `.effect` (a LenderEffect: what
    accepting it alone would do), for the loan list's table: one read of the stock and
    one of the figures, whatever the number of proposals; none when there is none."""
    proposals = list(proposals)
    if proposals:
        stock = selectors.stock_on_hand(office=office)
        figures = _figures(office)
        for proposal in proposals:
            proposal.effect = LenderEffect(stock=stock, quantity=proposal.quantity, **figures)
    return proposals


def all_waiting_effect(proposals: list[RebalancingProposal]) -> LenderEffect | None:
    """What approving every one of these waiting proposals does to the lender's store,
    from their effects (no query): each line alone reads as if it were the only one, so
    the list adds the total. None for fewer than two, where the line says it all."""
    if len(proposals) < 2:
        return None
    return replace(proposals[0].effect, quantity=sum(p.quantity for p in proposals))


def _others(proposal: RebalancingProposal, effect: LenderEffect) -> dict:
    """The lender's other waiting proposals, for the confirmation: how many, their
    blanks, and the store after approving them all (None when there is none)."""
    count, quantity = waiting_to_lend(office=proposal.lender, exclude=proposal)
    return {"others_count": count, "others_quantity": quantity,
            "effect_all": replace(effect, quantity=effect.quantity + quantity,
                                  stock_when_proposed=None) if count else None}


def _figures(office: Office) -> dict:
    figures = supply_figures.lender_figures(office=office)
    return {name: figures.get(name) for name in (
        "average", "lead_time_days", "safety_days", "minimum")}


def _effect(proposal: RebalancingProposal) -> LenderEffect:
    return LenderEffect(
        stock=selectors.stock_on_hand(office=proposal.lender), quantity=proposal.quantity,
        stock_when_proposed=lender_stock_when_proposed(proposal=proposal),
        **_figures(proposal.lender))


def _page(request: HttpRequest, code: str, pk: int, form_class
          ) -> tuple[RebalancingProposal, object, str]:
    office = scoped_office(request, code, PERM)
    proposal = get_object_or_404(proposals_to_decide(office=office), pk=pk)
    back = reverse("blanko:loan_list", kwargs={"code": office.code})
    return proposal, form_class(request.POST or None), back


def _render(request: HttpRequest, proposal: RebalancingProposal, form, back: str, *,
            title: str, template: str = "blanko/rebalancing_form.html",
            with_effect: bool = False) -> HttpResponse:
    if request.method == "POST":
        proposal.refresh_from_db()  # a refusal may come from a change since the page loaded
    # The page as reopening it would draw it: a proposal decided or withdrawn meanwhile
    # shows its status and the refusal, never the button or the text of a decision.
    waiting = proposal.status == RebalancingProposal.Status.PROPOSED
    effect = _effect(proposal) if with_effect and waiting else None
    return render(request, template, {
        "office": proposal.lender, "proposal": proposal, "form": form, "back": back,
        "title": title, "waiting": waiting, "effect": effect,
        "rest_days": DECLINED_REST_DAYS,
        **(_others(proposal, effect) if effect else {}),
    })


@login_required
@require_http_methods(["GET", "POST"])
def rebalancing_accept(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    proposal, form, back = _page(request, code, pk, AcceptForm)

    def perform(data: dict) -> str:
        loan = services.accept_rebalancing(proposal=proposal, by=request.user,
                                           idempotency_key=data["key"])
        return _("Usulan %(number)s disetujui: pinjaman %(quantity)s blanko ke %(office)s "
                 "dikirim. Blanko dalam perjalanan sampai %(office)s mengonfirmasi "
                 "penerimaan.") % {"number": proposal.number, "quantity": number(loan.quantity),
                                   "office": loan.borrower_office.name}

    return carry_out(request, form, perform, success_url=back, review=_("daftar pinjaman")) \
        or _render(request, proposal, form, back,
                   title=_("Setujui usulan %(number)s") % {"number": proposal.number},
                   template="blanko/rebalancing_accept.html", with_effect=True)


@login_required
@require_http_methods(["GET", "POST"])
def rebalancing_decline(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    proposal, form, back = _page(request, code, pk, DeclineForm)

    def perform(data: dict) -> str:
        declined = services.decline_rebalancing(proposal=proposal, by=request.user,
                                                reason=data["reason"])
        return _("Usulan %(number)s ditolak; koordinator provinsi dan %(borrower)s membaca "
                 "alasannya.") % {"number": declined.number,
                                 "borrower": declined.borrower.name}

    return carry_out(request, form, perform, success_url=back, review=_("daftar pinjaman")) \
        or _render(request, proposal, form, back,
                   title=_("Tolak usulan %(number)s") % {"number": proposal.number})
