"""The province coordinator's rebalancing page: the plan (each office's cover before and
after, the proposed loans), a button per proposal and one for all that send them to the
offices (blanko.services.propose_rebalancing), and the proposals already sent.

Only a Province coordinator of the province in the URL, or a national user with the same
right (a superuser not tied to an office): other roles, office staff included, get a 403,
another province a 404, as on the province's requests page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from blanko import access, regions, services
from blanko.formatting import TableFormat, number, parse_digits
from blanko.models import Office, RebalancingProposal
from blanko.selectors.rebalancing import (
    DECLINED_REST_DAYS,
    declined_since,
    province_proposals,
    waiting_pairs,
)
from layanan.supervision import rebalancing

PROPOSE = "blanko.propose_rebalancing"
ALL = "semua"
Status = RebalancingProposal.Status


def coordinated_province(request: HttpRequest, province: str) -> str:
    """The province in the URL, for its coordinator: 403 for anyone without the right
    (office staff included), 404 for another province or a code that is no province."""
    user = request.user
    if not user.has_perm(PROPOSE) or access.user_office(user):
        raise PermissionDenied
    found = regions.region(province)
    if found is None or found.level != "province" or not (
            access.is_national(user) or access.user_region(user) == province):
        raise Http404
    return province


def _cover(value: Fraction | None) -> str:
    """Days of cover rounded down to a tenth, as the dashboard shows them; "–" without use."""
    if value is None:
        return "–"
    return formats.number_format(Decimal(int(value * 10)) / 10, decimal_pos=1,
                                 force_grouping=True)


@dataclass(frozen=True)
class Line:
    office: Office
    line: rebalancing.OfficeLine
    average: str
    cover_before: str
    cover_after: str


def _lines(plan: rebalancing.Plan) -> list[Line]:
    fmt = TableFormat()
    # The average as the rollup and the dashboard round it; days of cover rounded down.
    return [Line(office=line.figures.office, line=line,
                 average="–" if line.figures.average is None
                 else fmt.one_decimal(line.figures.average),
                 cover_before=_cover(line.figures.cover), cover_after=_cover(line.cover_after))
            for line in plan.lines]


def _send(request: HttpRequest, *, lender: Office, borrower: Office, quantity: int,
          note: str) -> None:
    try:
        proposal = services.propose_rebalancing(lender=lender, borrower=borrower,
                                                quantity=quantity, by=request.user,
                                                note=note)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _(
            "Usulan %(number)s dikirim: %(lender)s meminjamkan %(quantity)s blanko ke "
            "%(borrower)s.") % {"number": proposal.number, "lender": lender.name,
                                "borrower": borrower.name, "quantity": number(quantity)})


def _posted_quantity(request: HttpRequest) -> int | None:
    """The hidden field's quantity: plain ASCII digits, as the page writes it."""
    return parse_digits(request.POST.get("quantity"))


def _declined(province: str) -> dict[tuple[int, int], RebalancingProposal]:
    return declined_since(province_code=province, since=timezone.now() - datetime.timedelta(
        days=DECLINED_REST_DAYS))


def _cancel(request: HttpRequest, province: str, pk: str) -> None:
    proposal = RebalancingProposal.objects.filter(
        pk=parse_digits(pk),
        lender__code__startswith=province).first()
    if proposal is None:
        raise Http404
    try:
        services.cancel_rebalancing(proposal=proposal, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Usulan %(number)s dibatalkan.") % {
            "number": proposal.number})


@login_required
@require_http_methods(["GET", "POST"])
def rebalancing_plan(request: HttpRequest, province: str) -> HttpResponse:
    province = coordinated_province(request, province)
    offices = Office.objects.filter(code__startswith=province)
    if request.method == "POST":
        if request.POST.get("cancel"):
            _cancel(request, province, request.POST["cancel"])
        elif request.POST.get("send") == ALL:
            # The plan computed again now, never the figures the page was drawn with; a
            # pair whose proposal still waits is not sent again.
            skip = waiting_pairs(province_code=province) | set(_declined(province))
            plan = rebalancing.province_plan(province_code=province)
            to_send = [proposal for proposal in plan.proposals
                       if (proposal.lender.pk, proposal.borrower.pk) not in skip]
            for proposal in to_send:
                _send(request, lender=proposal.lender, borrower=proposal.borrower,
                      quantity=proposal.quantity,
                      note=rebalancing.proposal_note(plan=plan, lender=proposal.lender,
                                                     borrower=proposal.borrower))
            if not to_send:
                messages.info(request, _("Tidak ada usulan baru untuk dikirim: rencana hari "
                                         "ini kosong, atau setiap usulannya masih menunggu "
                                         "jawaban kantor atau baru saja ditolak."))
        else:
            found = {o.code: o for o in offices.filter(
                code__in=[request.POST.get("lender", ""), request.POST.get("borrower", "")])}
            lender = found.get(request.POST.get("lender", ""))
            borrower = found.get(request.POST.get("borrower", ""))
            quantity = _posted_quantity(request)
            if quantity is None or not (request.POST.get("lender")
                                        and request.POST.get("borrower")):
                messages.error(request, _("Usulan tidak lengkap; muat ulang halaman ini."))
            elif lender is None or borrower is None:
                messages.error(request, _("Pemberi dan penerima pinjaman harus kantor di "
                                          "provinsi ini."))
            else:
                # The note from the plan computed now, as "Kirim semua" does: the figures
                # the lender reads are those of the day it is sent.
                plan = rebalancing.province_plan(province_code=province)
                _send(request, lender=lender, borrower=borrower, quantity=quantity,
                      note=rebalancing.proposal_note(plan=plan, lender=lender,
                                                     borrower=borrower,
                                                     extra=request.POST.get("note", "")))
        return redirect(reverse("layanan:rebalancing_plan", kwargs={"province": province}))
    plan = rebalancing.province_plan(province_code=province)
    sent = province_proposals(province_code=province)
    # Both read on their own: the list below shows only the latest proposals.
    waiting, declined = waiting_pairs(province_code=province), _declined(province)
    proposals = [(p, (p.lender.pk, p.borrower.pk) in waiting,
                  declined.get((p.lender.pk, p.borrower.pk))) for p in plan.proposals]
    # A waiting proposal whose pair today's plan no longer proposes: the figures it was
    # made on have changed (a delivery, a loan), and the lender should not still be asked.
    planned = {(p.lender.pk, p.borrower.pk) for p in plan.proposals}
    for proposal in sent:
        proposal.stale = (proposal.lender_id, proposal.borrower_id) not in planned
    return render(request, "layanan/rebalancing_plan.html", {
        "province": province, "province_name": regions.region_name(province),
        "lines": _lines(plan), "province_cover": _cover(plan.province_cover),
        "proposals": proposals,
        "any_to_send": any(not w and not d for _p, w, d in proposals),
        "sent": sent, "safety_days": rebalancing.forecast.SAFETY_DAYS,
        "unit": rebalancing.UNIT, "rest_days": DECLINED_REST_DAYS,
    })
