"""The supervisor's loan pages: what is owed each way, lending and borrowing, confirming
or cancelling a shipment, paying back, and a loan's due date.

Thin: each page checks `blanko.manage_loan` at the office in the URL (scoped_office,
a 404 for another office), finds the object among that office's own, and calls one
service of blanko.services.loans, which checks the permission again and every rule.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from blanko import selectors, services
from blanko.formatting import number
from blanko.loan_forms import (
    CancelShipmentForm,
    DueDateForm,
    LendForm,
    PartnerLoanForm,
    ReceiveForm,
    RepayForm,
)
from blanko.models import Office, RebalancingProposal, Shipment
from blanko.selectors import loans as loan_selectors
from blanko.selectors import rebalancing as rebalancing_selectors
from blanko.views.common import carry_out, scoped_office
from blanko.views.rebalancing import all_waiting_effect, lender_effects

PERM = "blanko.manage_loan"
SHOW_ALL = "semua"  # ?semua=1: the settled and cancelled loans too


def _carry_out(request: HttpRequest, form, office: Office,
               perform: Callable[[dict], str], success_url: str | None = None
               ) -> HttpResponse | None:
    """common.carry_out, going back to the loan list unless told otherwise."""
    return carry_out(
        request, form, perform,
        success_url=success_url or reverse("blanko:loan_list", kwargs={"code": office.code}),
        review=_("daftar pinjaman"))


def _side(lines: list[loan_selectors.LoanLine], direction: str) -> dict:
    rows = [line for line in lines if line.direction == direction]
    return {"rows": rows, "outstanding": sum(line.loan.outstanding for line in rows),
            "overdue": sum(line.overdue for line in rows)}


@login_required
@require_GET
def loan_list(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, PERM)
    today = timezone.localdate()
    include_closed = request.GET.get(SHOW_ALL) == "1"
    lines = loan_selectors.office_loans(office=office, today=today,
                                        include_closed=include_closed)
    shipments = list(selectors.pending_shipments(office=office))
    # The province's rebalancing proposals naming this office (blanko.views.rebalancing):
    # those waiting for the lender, and, in the same query, those of the last days that
    # were decided or withdrawn, so that neither office finds a proposal silently gone.
    proposals = rebalancing_selectors.office_proposals(office=office)
    waiting = [p for p in proposals if p.status == RebalancingProposal.Status.PROPOSED]
    # What approving each would do to this office's store (the confirmation shows it too),
    # and all of them together, since they draw on the same store.
    to_decide = lender_effects(office=office,
                               proposals=[p for p in waiting if p.lender_id == office.pk])
    return render(request, "blanko/loan_list.html", {
        "office": office, "today": today, "include_closed": include_closed,
        "borrowed": _side(lines, "borrowed"), "lent": _side(lines, "lent"),
        "incoming": [s for s in shipments if s.receiver_id == office.pk],
        "outgoing": [s for s in shipments if s.sender_id == office.pk],
        "proposals_to_decide": to_decide, "all_waiting": all_waiting_effect(to_decide),
        "proposals_incoming": [p for p in waiting if p.borrower_id == office.pk],
        "proposals_decided": [p for p in proposals
                              if p.status != RebalancingProposal.Status.PROPOSED],
        "recent_days": rebalancing_selectors.RECENT_DAYS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def loan_lend(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, PERM)
    form = LendForm(request.POST or None, lender=office)

    def perform(data: dict) -> str:
        loan = services.lend_to_office(lender=office, borrower=data["borrower"],
                                       by=request.user, **form.loan_kwargs())
        return _("Pinjaman %(quantity)s blanko ke %(office)s tercatat (surat %(reference)s). "
                 "Blanko dalam perjalanan sampai %(office)s mengonfirmasi penerimaan.") % {
            "quantity": number(loan.quantity), "office": loan.borrower_office.name,
            "reference": loan.reference}

    return _carry_out(request, form, office, perform) or render(
        request, "blanko/loan_form.html", {
            "office": office, "form": form,
            "title": _("Pinjamkan blanko ke kantor lain"),
            "intro": _("Untuk kantor yang juga memakai SiBlanko. Blanko keluar dari stok dan "
                       "tercatat dalam perjalanan sampai kantor peminjam mengonfirmasi "
                       "penerimaannya."),
        })


@login_required
@require_http_methods(["GET", "POST"])
def loan_partner(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, PERM)
    direction = request.GET.get("arah")
    form = PartnerLoanForm(
        request.POST or None,
        initial={"direction": direction} if direction in dict(PartnerLoanForm.DIRECTIONS)
        else {},
    )

    def perform(data: dict) -> str:
        borrowing = data["direction"] == PartnerLoanForm.BORROW
        service = services.borrow_from_partner if borrowing else services.lend_to_partner
        loan = service(office=office, partner_code=data["partner_code"], by=request.user,
                       **form.loan_kwargs())
        values = {"quantity": number(loan.quantity), "reference": loan.reference,
                  "partner": (loan.lender_partner if borrowing else loan.borrower_partner).name}
        if borrowing:
            return _("Pinjaman %(quantity)s blanko dari %(partner)s tercatat (surat "
                     "%(reference)s); stok bertambah.") % values
        return _("Pinjaman %(quantity)s blanko ke %(partner)s tercatat (surat "
                 "%(reference)s); stok berkurang.") % values

    return _carry_out(request, form, office, perform) or render(
        request, "blanko/loan_form.html", {
            "office": office, "form": form,
            "title": _("Pinjaman dengan kab/kota di luar SiBlanko"),
            "intro": _("Hanya sisi kantor ini yang dicatat: meminjam menambah stok, "
                       "meminjamkan mengurangi stok, pada tanggal surat."),
        })


@login_required
@require_http_methods(["GET", "POST"])
def shipment_receive(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, PERM)
    shipment = get_object_or_404(
        loan_selectors.office_shipments(office=office, received_only=True), pk=pk)
    form = ReceiveForm(request.POST or None, initial={"quantity": shipment.remaining or None})
    # A dispatch from Ditjen answers a request for blanks (it has no loan): back to it.
    back_url = _back_url(office, shipment)

    def perform(data: dict) -> str:
        movement = services.confirm_receipt(
            shipment=shipment, quantity=data["quantity"], by=request.user,
            occurred_on=data["occurred_on"], idempotency_key=data["key"])
        if shipment.blank_request_id:
            return _("Penerimaan %(quantity)s blanko kiriman Ditjen (BAST %(reference)s, "
                     "permohonan %(number)s) dikonfirmasi; stok bertambah.") % {
                "quantity": number(movement.quantity), "reference": shipment.letter,
                "number": shipment.blank_request.number}
        return _("Penerimaan %(quantity)s blanko dari %(office)s dikonfirmasi; stok "
                 "bertambah.") % {"quantity": number(movement.quantity),
                                  "office": shipment.sender.name}

    return _carry_out(request, form, office, perform, success_url=back_url) or render(
        request, "blanko/shipment_receive_form.html", {
            "office": office, "form": form, "shipment": shipment, "back_url": back_url,
            "in_transit": shipment.status == Shipment.Status.IN_TRANSIT,
        })


def _back_url(office: Office, shipment: Shipment) -> str:
    """Where a shipment's pages lead back to: its request for blanks, or the loan list."""
    if shipment.blank_request_id:
        return reverse("blanko:blank_request_detail",
                       kwargs={"code": office.code, "pk": shipment.blank_request_id})
    return reverse("blanko:loan_list", kwargs={"code": office.code})


@login_required
@require_http_methods(["GET", "POST"])
def shipment_cancel(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, PERM)
    shipment = get_object_or_404(loan_selectors.office_shipments(office=office), pk=pk)
    if shipment.kind == Shipment.Kind.DISPATCH and shipment.receiver_id == office.pk:
        # Only Ditjen cancels its dispatch; for the receiving office it is not one of the
        # shipments it may cancel, like a shipment of another office.
        raise Http404
    form = CancelShipmentForm(request.POST or None)

    def perform(data: dict) -> str:
        movement = services.cancel_shipment(shipment=shipment, by=request.user,
                                            reason=data["reason"])
        return _("Pengiriman dibatalkan: %(quantity)s blanko kembali ke stok "
                 "%(office)s.") % {"quantity": number(movement.quantity),
                                   "office": shipment.sender.name}

    response = _carry_out(request, form, office, perform)
    if response is None and request.method == "POST":
        shipment.refresh_from_db()  # a refusal may come from a change since the page loaded
    return response or render(request, "blanko/shipment_cancel_form.html", {
        "office": office, "form": form, "shipment": shipment,
        "in_transit": shipment.status == Shipment.Status.IN_TRANSIT,
    })


@login_required
@require_http_methods(["GET", "POST"])
def loan_repay(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, PERM)
    loan = get_object_or_404(loan_selectors.loans_repaid_by(office=office), pk=pk)
    line = loan_selectors.loan_line(loan=loan, office=office, today=timezone.localdate())
    form = RepayForm(request.POST or None, initial={"quantity": line.repayable or None})

    def perform(data: dict) -> str:
        movement = services.repay_loan(
            loan=loan, quantity=data["quantity"], by=request.user,
            reference=data["reference"], occurred_on=data["occurred_on"],
            idempotency_key=data["key"])
        values = {"quantity": number(movement.quantity), "partner": line.counterpart}
        if loan.lender_office_id and loan.borrower_office_id:
            return _("Pengembalian %(quantity)s blanko dikirim ke %(partner)s; tercatat "
                     "diterima setelah %(partner)s mengonfirmasi.") % values
        if line.direction == "borrowed":
            return _("Pengembalian %(quantity)s blanko ke %(partner)s tercatat; stok "
                     "berkurang.") % values
        return _("Pengembalian %(quantity)s blanko dari %(partner)s tercatat; stok "
                 "bertambah.") % values

    return _carry_out(request, form, office, perform) or render(
        request, "blanko/loan_repay_form.html", {
            "office": office, "form": form, "line": line, "loan": loan,
        })


@login_required
@require_http_methods(["GET", "POST"])
def loan_due_date(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, PERM)
    loan = get_object_or_404(loan_selectors.loans_opened_by(office=office), pk=pk)
    line = loan_selectors.loan_line(loan=loan, office=office, today=timezone.localdate())
    form = DueDateForm(request.POST or None, initial={"due_on": loan.due_on})

    def perform(data: dict) -> str:
        changed = services.set_loan_due_date(loan=loan, due_on=data["due_on"],
                                             by=request.user)
        if changed.due_on is None:
            return _("Jatuh tempo pinjaman %(reference)s dihapus.") % {
                "reference": changed.reference}
        return _("Jatuh tempo pinjaman %(reference)s: %(due)s.") % {
            "reference": changed.reference, "due": date_format(changed.due_on, "j F Y")}

    return _carry_out(request, form, office, perform) or render(
        request, "blanko/loan_form.html", {
            "office": office, "form": form, "line": line,
            "title": _("Jatuh tempo pinjaman %(reference)s") % {"reference": loan.reference},
            "intro": _("Tanggal pinjaman harus sudah dikembalikan. Tidak boleh sebelum "
                       "tanggal pinjaman."),
        })
