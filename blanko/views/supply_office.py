"""The office's side of a request for blanks (permohonan blanko): its requests, a new
one, one request with its history and shipments, its printable letter, withdrawing it.

Thin: each page checks its permission at the office in the URL (scoped_office, a 404
for another office), finds the request among that office's own, and calls one service
of blanko.services, which checks the permission again and every rule. Reading needs
`blanko.view_blank_request` (Supervisor, Administrator, Viewer); asking and
withdrawing `blanko.request_blanks` (Supervisor, Administrator).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from blanko import access, selectors, services
from blanko.formatting import number, place_name
from blanko.models import BlankRequest, Office, Shipment
from blanko.regions import region_name
from blanko.supply_figures import figure_rows, request_figures
from blanko.supply_forms import PREFILL, BlankRequestForm, CancelBlankRequestForm
from blanko.terbilang import terbilang
from blanko.views.common import carry_out, post_only, scoped_office

PERM_VIEW = "blanko.view_blank_request"
PERM_REQUEST = "blanko.request_blanks"
RECEIVE_PERM = "blanko.manage_loan"  # the shipment receive page's permission
Status = BlankRequest.Status
CANCELLABLE = (Status.SUBMITTED, Status.FORWARDED)


def _carry_out(request: HttpRequest, form,
               perform: Callable[[dict], tuple[str, str]]) -> HttpResponse | None:
    return carry_out(request, form, perform, review=_("daftar permohonan"))


def _own_requests(office: Office):
    return selectors.blank_requests(offices=[office])


@login_required
@require_GET
def blank_request_list(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, PERM_VIEW)
    today = timezone.localdate()
    rows = list(_own_requests(office))
    for row in rows:
        row.age = row.age_days(today) if row.is_open else None
    # Open ones first (what still needs following), each group newest first.
    rows.sort(key=lambda row: not row.is_open)
    return render(request, "blanko/blank_request_list.html", {
        "office": office, "rows": rows,
        "can_request": access.has_permission(request.user, PERM_REQUEST, office),
    })


@login_required
@require_http_methods(["GET", "POST"])
def blank_request_create(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, PERM_REQUEST)
    today = timezone.localdate()
    form = BlankRequestForm(request.POST or None,
                            initial=BlankRequestForm.prefill(request.GET.get(PREFILL)))

    def perform(data: dict) -> tuple[str, str]:
        # The figures of the day, computed here again: never taken from the browser.
        blank_request = services.request_blanks(
            office=office, quantity=data["quantity"], by=request.user,
            needed_by=data["needed_by"], note=data["note"],
            figures=request_figures(office=office, as_of=timezone.localdate()),
            idempotency_key=data["key"])
        return (_("Permohonan %(number)s untuk %(quantity)s blanko diajukan. Cetak "
                  "suratnya, tanda tangani, lalu kirim ke Ditjen melalui provinsi.") % {
                    "number": blank_request.number,
                    "quantity": number(blank_request.quantity)},
                reverse("blanko:blank_request_detail",
                        kwargs={"code": office.code, "pk": blank_request.pk}))

    return _carry_out(request, form, perform) or render(
        request, "blanko/blank_request_form.html", {
            "office": office, "form": form,
            "figures": figure_rows(request_figures(office=office, as_of=today)),
        })


def _detail(request: HttpRequest, office: Office, blank_request: BlankRequest,
            cancel_form: CancelBlankRequestForm | None = None) -> HttpResponse:
    may_cancel = (blank_request.status in CANCELLABLE
                  and access.has_permission(request.user, PERM_REQUEST, office))
    if may_cancel and cancel_form is None:
        cancel_form = CancelBlankRequestForm()
    if cancel_form is not None:
        cancel_form.helper.form_action = reverse(
            "blanko:blank_request_cancel", kwargs={"code": office.code, "pk": blank_request.pk})
    return render(request, "blanko/blank_request_detail.html", {
        "office": office, "blank_request": blank_request,
        "figures": figure_rows(blank_request.figures),
        "events": blank_request.events.select_related("by"),
        "shipments": blank_request.shipments.order_by("sent_on", "id"),
        "in_transit": Shipment.Status.IN_TRANSIT,
        "can_receive": access.has_permission(request.user, RECEIVE_PERM, office),
        "cancel_form": cancel_form if may_cancel else None,
    })


@login_required
@require_GET
def blank_request_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, PERM_VIEW)
    blank_request = get_object_or_404(_own_requests(office), pk=pk)
    return _detail(request, office, blank_request)


@login_required
@post_only("blanko:blank_request_detail", "code", "pk")
def blank_request_cancel(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, PERM_REQUEST)
    blank_request = get_object_or_404(_own_requests(office), pk=pk)
    form = CancelBlankRequestForm(request.POST)

    def perform(data: dict) -> tuple[str, str]:
        cancelled = services.cancel_blank_request(blank_request=blank_request,
                                                  by=request.user, note=data["reason"])
        return (_("Permohonan %(number)s dibatalkan.") % {"number": cancelled.number},
                reverse("blanko:blank_request_detail",
                        kwargs={"code": office.code, "pk": blank_request.pk}))

    response = _carry_out(request, form, perform)
    if response is not None:
        return response
    # A refusal may come from a change since the page loaded (forwarded, allocated).
    blank_request.refresh_from_db()
    if blank_request.status not in CANCELLABLE:
        # The form is no longer shown: its refusal goes above the page instead.
        refusal = [str(text) for errors in form.errors.values() for text in errors]
        messages.error(request, " ".join(refusal) or _(
            "Permohonan ini tidak dapat dibatalkan lagi."))
    return _detail(request, office, blank_request, cancel_form=form)


@login_required
@require_GET
def blank_request_letter(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, PERM_VIEW)
    blank_request = get_object_or_404(_own_requests(office), pk=pk)
    return render(request, "blanko/blank_request_letter.html", {
        "office": office, "blank_request": blank_request,
        "province": region_name(office.province_code),
        "figures": figure_rows(blank_request.figures),
        "place": place_name(office),
        "quantity_words": terbilang(blank_request.quantity),
    })
