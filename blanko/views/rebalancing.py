"""The lender's answer to the province's rebalancing proposal: accept (the loan opens)
or decline with a reason.

Thin, as the loan pages: `blanko.manage_loan` at the office in the URL (scoped_office, a
404 for another office), the proposal among those that office lends in (the borrower's
supervisor gets a 404: it only sees the proposal on its loan list), then one service of
blanko.services.rebalancing, which checks the permission again and every rule.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from blanko import services
from blanko.formatting import number
from blanko.models import RebalancingProposal
from blanko.rebalancing_forms import AcceptForm, DeclineForm
from blanko.selectors.rebalancing import proposals_to_decide
from blanko.views.common import carry_out, scoped_office

PERM = "blanko.manage_loan"


def _page(request: HttpRequest, code: str, pk: int, form_class
          ) -> tuple[RebalancingProposal, object, str]:
    office = scoped_office(request, code, PERM)
    proposal = get_object_or_404(proposals_to_decide(office=office), pk=pk)
    back = reverse("blanko:loan_list", kwargs={"code": office.code})
    return proposal, form_class(request.POST or None), back


def _render(request: HttpRequest, proposal: RebalancingProposal, form, back: str, *,
            title: str) -> HttpResponse:
    if request.method == "POST":
        proposal.refresh_from_db()  # a refusal may come from a change since the page loaded
    return render(request, "blanko/rebalancing_form.html", {
        "office": proposal.lender, "proposal": proposal, "form": form, "back": back,
        "title": title, "waiting": proposal.status == RebalancingProposal.Status.PROPOSED,
    })


@login_required
@require_http_methods(["GET", "POST"])
def rebalancing_accept(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    proposal, form, back = _page(request, code, pk, AcceptForm)

    def perform(data: dict) -> str:
        loan = services.accept_rebalancing(proposal=proposal, by=request.user,
                                           idempotency_key=data["key"])
        return _("Usulan %(number)s diterima: pinjaman %(quantity)s blanko ke %(office)s "
                 "dikirim. Blanko dalam perjalanan sampai %(office)s mengonfirmasi "
                 "penerimaan.") % {"number": proposal.number, "quantity": number(loan.quantity),
                                   "office": loan.borrower_office.name}

    return carry_out(request, form, perform, success_url=back, review=_("daftar pinjaman")) \
        or _render(request, proposal, form, back,
                   title=_("Terima usulan %(number)s") % {"number": proposal.number})


@login_required
@require_http_methods(["GET", "POST"])
def rebalancing_decline(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    proposal, form, back = _page(request, code, pk, DeclineForm)

    def perform(data: dict) -> str:
        declined = services.decline_rebalancing(proposal=proposal, by=request.user,
                                                reason=data["reason"])
        return _("Usulan %(number)s ditolak; koordinator provinsi membaca alasannya.") % {
            "number": declined.number}

    return carry_out(request, form, perform, success_url=back, review=_("daftar pinjaman")) \
        or _render(request, proposal, form, back,
                   title=_("Tolak usulan %(number)s") % {"number": proposal.number})
